"""The lifecycle settings are defined once and validated before any work."""

import re
from pathlib import Path

import pytest
import yaml

from pipelines.config import lifecycle as ls
from pipelines.contract import STREAMS

DBT_PROJECT = Path(__file__).parents[2] / "dbt_project"


def test_defaults_follow_the_spec():
    assert ls.defaults() == {
        "lost_after_days": 365,
        "loyal_window_days": 365,
        "loyal_min_purchase_days": 4,
        "at_risk_factor": 2.0,
        # churn drivers and key accounts (12 months before / after each quarter start,
        # 90 days of post-sale contact, the top 20% of accounts)
        "driver_lookback_months": 12,
        "churn_outcome_months": 12,
        "complaint_sla_days": 7,
        "post_sale_contact_days": 90,
        "discount_high_rate": 0.08,
        "payment_late_days": 7,
        "key_account_share": 0.2,
        "reporting_timezone": "UTC",
        "reporting_currency": "EUR",
        # purchase forecasts (spec section 12): a year ahead, backtested on the last year
        "forecast_horizon_days": 365,
        "forecast_holdout_days": 365,
        "as_of_date": None,
    }


def test_generated_dbt_vars_docs_table_and_var_names_are_current():
    from pipelines.dbt import settings_files

    for path, text in settings_files.rendered_files().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python -m pipelines.dbt.settings_files"
        )
    assert settings_files.dbt_project_vars() == ls.defaults()


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("reporting_currency=EUR' or 1=1 --", "setting reporting_currency: must be an ISO 4217 code"),
        ("reporting_currency=eur", "must be an ISO 4217 code"),
        ("reporting_timezone=Mars/Base", "setting reporting_timezone: must be a tz-database zone"),
        ("as_of_date=2025-13-01", "setting as_of_date: must be a real calendar date"),
        ("as_of_date=yesterday", "setting as_of_date: must be a date YYYY-MM-DD"),
        ("lost_after_days=365 days", "setting lost_after_days: Input should be a valid integer"),
        ("lost_after_days=0", "setting lost_after_days: Input should be greater than or equal to 1"),
        ("at_risk_factor=-1", "setting at_risk_factor"),
        ("discount_high_rate=1.5", "setting discount_high_rate: Input should be less than 1"),
        ("key_account_share=0", "setting key_account_share: Input should be greater than 0"),
        ("payment_late_days=-1", "setting payment_late_days: Input should be greater than or equal to 0"),
        ("driver_lookback_months=0", "setting driver_lookback_months"),
    ],
)
def test_a_bad_value_names_the_setting_and_what_it_accepts(assignment, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ls.settings_from(ls.parse_assignments([assignment]))


def test_unknown_or_malformed_assignments_are_refused():
    with pytest.raises(ValueError, match="unknown setting 'lost_after'"):
        ls.parse_assignments(["lost_after=3"])
    with pytest.raises(ValueError, match="expects name=value"):
        ls.parse_assignments(["lost_after_days"])


def test_good_values_are_typed():
    settings = ls.settings_from(
        ls.parse_assignments(["lost_after_days=180", "reporting_timezone=America/New_York", "as_of_date="])
    )
    assert (settings.lost_after_days, settings.reporting_timezone, settings.as_of_date) == (
        180,
        "America/New_York",
        None,
    )


def test_dbt_value_lists_equal_the_contract():
    """accepted_values tests in the staging YAML list exactly the contract's values."""
    for schema in STREAMS.values():
        doc = yaml.safe_load(
            (DBT_PROJECT / "models" / "staging" / schema.name / f"_{schema.name}__models.yml").read_text()
        )
        for model in doc["models"]:
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        values = test["accepted_values"]["arguments"]["values"]
                        spec = schema.field(column["name"])
                        expected = schema.event_types if spec.name == "event_type" else spec.allowed
                        assert tuple(values) == tuple(expected), (schema.name, column["name"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("at_risk_factor", "inf"),
        ("at_risk_factor", "nan"),
        ("at_risk_factor", "1e9"),
        ("discount_high_rate", "nan"),
        ("key_account_share", "nan"),
        ("lost_after_days", "99999999"),
        ("driver_lookback_months", "100000"),
        ("payment_late_days", "1000000"),
    ],
)
def test_every_setting_has_a_finite_range(name, value):
    # inf passed the CLI and failed inside dbt, after the load
    with pytest.raises(ValueError, match=f"setting {name}"):
        ls.settings_from({name: value})
