"""What every command shares: the warehouse option and argument types."""

from __future__ import annotations

import argparse
from datetime import date

WAREHOUSE_HELP = "warehouse directory (default: $LIFECYCLE_WAREHOUSE or ./warehouse)"


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def common_parser() -> argparse.ArgumentParser:
    """Every subcommand takes --warehouse too (`lifecycle run --warehouse DIR`); SUPPRESS keeps a value
    given before the subcommand when none is given after it."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", default=argparse.SUPPRESS, help=WAREHOUSE_HELP)
    return common
