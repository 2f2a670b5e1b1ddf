"""The command line: options where users put them, help for every option, a version."""

from __future__ import annotations

import argparse

import pytest

from pipelines.cli import build_parser


@pytest.mark.parametrize(
    ("argv", "warehouse"),
    [
        (["--warehouse", "/a", "run"], "/a"),
        (["run", "--warehouse", "/b"], "/b"),
        (["--warehouse", "/a", "run", "--warehouse", "/b"], "/b"),  # the nearer one wins
        (["status"], None),
        (["close-month", "--list", "--warehouse", "/c"], "/c"),
    ],
)
def test_warehouse_is_accepted_before_and_after_the_subcommand(argv, warehouse):
    assert build_parser().parse_args(argv).warehouse == warehouse


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_option_of_every_subcommand_has_help():
    parser = build_parser()
    missing = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name, sub in [("lifecycle", parser), *subcommands(parser).items()]
        for action in sub._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert missing == []


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("lifecycle ")
