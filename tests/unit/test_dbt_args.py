import json

import pytest

from pipelines.defs.dbt.args import dbt_build_args, parse_var_assignments


def test_vars_are_typed_and_passed_as_one_json_document():
    dbt_vars = parse_var_assignments(
        ["lost_after_days=180", "reporting_timezone=Europe/Warsaw", "at_risk_factor=2.5"]
    )
    assert dbt_vars == {"lost_after_days": 180, "reporting_timezone": "Europe/Warsaw", "at_risk_factor": 2.5}
    args = dbt_build_args(dbt_vars)
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == dbt_vars


def test_no_vars_no_flag():
    assert dbt_build_args({}) == ["build"]
    assert dbt_build_args(None, select="marts") == ["build", "--select", "marts"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("lost_after=3", "unknown var 'lost_after'"),
        ("lost_after_days", "expects name=value"),
        ("lost_after_days=soon", "must be a whole number"),
        ("loyal_min_purchase_days=0", "at least 1"),
    ],
)
def test_bad_vars_are_rejected_with_the_reason(item, message):
    with pytest.raises(ValueError, match=message):
        parse_var_assignments([item])
