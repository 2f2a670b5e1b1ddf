import json
from pathlib import Path

import pytest

from pipelines.config.engine import engine_settings
from pipelines.config.lifecycle import settings_from
from pipelines.dbt.args import (
    WAREHOUSE_VAR,
    WITHOUT_UNIT_TESTS,
    dbt_build_args,
    in_process_args,
    models_run_args,
    parse_state_args,
    unit_test_args,
    warehouse_var,
)


def test_settings_and_the_warehouse_go_as_one_json_document_of_vars():
    args = dbt_build_args({"lost_after_days": 180}, Path("/data/w"))
    assert args[0] == "build"
    assert json.loads(args[args.index("--vars") + 1]) == {"lost_after_days": 180, WAREHOUSE_VAR: "/data/w"}


def test_default_settings_and_a_known_warehouse_pass_no_vars():
    """dbt re-parses the whole project when vars change: a default run passes none."""
    assert settings_from({}).changed_vars() == {}
    assert settings_from({"lost_after_days": 30}).changed_vars() == {"lost_after_days": 30}
    assert dbt_build_args({}, None) == ["build", *WITHOUT_UNIT_TESTS]
    assert warehouse_var(Path("/w"), {"LIFECYCLE_WAREHOUSE": "/w"}) is None
    assert warehouse_var(Path("/w"), {"LIFECYCLE_WAREHOUSE": "/other"}) == Path("/w")
    assert warehouse_var(Path("/w"), {}) == Path("/w")


def test_selection_is_passed_on():
    assert dbt_build_args({}, Path("/w"), select="marts")[-2:] == ["--select", "marts"]


def test_full_refresh_is_asked_of_dbt_only_when_chosen():
    assert "--full-refresh" not in dbt_build_args({}, None)
    assert dbt_build_args({}, None, full_refresh=True) == ["build", "--full-refresh", *WITHOUT_UNIT_TESTS]


def test_the_spark_target_is_named_and_an_unknown_one_refused():
    assert "--target" not in dbt_build_args({}, None)
    assert dbt_build_args({}, None, target="spark") == ["build", "--target", "spark", *WITHOUT_UNIT_TESTS]
    with pytest.raises(ValueError, match="unknown dbt target 'postgres'"):
        dbt_build_args({}, None, target="postgres")


def test_a_load_runs_the_data_tests_and_leaves_dbts_unit_tests_to_the_test_suite():
    for args in (dbt_build_args({}, None), models_run_args(Path("/p"), Path("/w"), {}, tests=True)):
        assert args[0] == "build"
        assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert "--exclude-resource-type" not in dbt_build_args({}, None, unit_tests=True)
    args = unit_test_args(Path("/p"), Path("/w"))
    assert args[:3] == ["test", "--select", "test_type:unit"]
    assert args[args.index("--target-path") + 1] == "/w/dbt-target"


def test_in_process_builds_use_the_warehouse_target_folder_and_build_only_with_tests():
    args = models_run_args(Path("/p"), Path("/w"), {"as_of_date": "2024-06-30"})
    assert args[0] == "run"
    assert args[args.index("--target-path") + 1] == "/w/dbt-target"
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2024-06-30", WAREHOUSE_VAR: "/w"}
    assert models_run_args(Path("/p"), Path("/w"), {}, tests=True)[0] == "build"
    # a throwaway warehouse's build writes no artifacts and no debug log (a failure names its nodes)
    assert "--no-write-json" in args
    assert args[args.index("--log-level-file") + 1] == "warn"
    assert models_run_args(Path("/p"), Path("/w"), {}, full_refresh=True)[-1] == "--full-refresh"


def test_the_dbt_step_in_process_keeps_artifacts_and_log_in_the_warehouse_and_prints_nothing_itself():
    build = dbt_build_args({}, Path("/w"), select="fqn:*")
    args = in_process_args(build, Path("/p"), Path("/w/dbt"))
    assert args[: len(build)] == build
    assert args[args.index("--project-dir") + 1] == args[args.index("--profiles-dir") + 1] == "/p"
    assert args[args.index("--target-path") + 1] == args[args.index("--log-path") + 1] == "/w/dbt"
    # dbt's own console output off: the step writes each event once, as dagster-dbt's stream did
    assert args[args.index("--log-level") + 1] == "none"
    assert "--indirect-selection" not in args
    chosen = in_process_args(build, Path("/p"), Path("/w/dbt"), indirect_selection="empty")
    assert chosen[-2:] == ["--indirect-selection", "empty"]


def test_the_parse_is_given_fixed_profile_values_so_other_settings_and_warehouses_keep_the_partial_parse():
    parse = parse_state_args()
    given = json.loads(parse[1])
    assert given[WAREHOUSE_VAR] == "/parse-only"
    # everything profiles.yml reads
    assert set(given) == {WAREHOUSE_VAR, *engine_settings(Path("/w"), {}).dbt_vars()}
    # the build itself is given the warehouse, its engine and the settings; the parse never is
    build = dbt_build_args({"lost_after_days": 200}, Path("/w"), profile_vars={"engine_threads": "4"})
    assert json.loads(build[build.index("--vars") + 1])["lost_after_days"] == 200
    assert json.loads(parse_state_args({"spark_jars": "/j.jar"})[1]) == given | {"spark_jars": "/j.jar"}


def test_the_shadow_build_keeps_its_parse_state_in_its_own_warehouse():
    from pipelines.config.paths import WarehousePaths
    from pipelines.dbt.args import SCHEMA_SUFFIX_VAR, shadow_build_args

    def shadow_args(root: str) -> list[str]:
        paths = WarehousePaths(Path(root))
        return shadow_build_args(Path("/p"), {}, paths.root, "_shadow", paths.dbt_shadow_target)

    one, two = shadow_args("/w1"), shadow_args("/w2")
    assert one[one.index("--target-path") + 1] == "/w1/dbt-shadow"
    assert two[two.index("--target-path") + 1] == "/w2/dbt-shadow"  # not one folder of the project for both
    assert json.loads(one[one.index("--vars") + 1])[SCHEMA_SUFFIX_VAR] == "_shadow"


def test_an_inline_compile_reads_the_named_warehouse_only():
    from pipelines.dbt.args import inline_compile_args

    args = inline_compile_args(Path("/p"), Path("/w"), "{{ 1 }}")
    assert args[0] == "compile"
    assert args[-2:] == ["--inline", "{{ 1 }}"]
    assert json.loads(args[args.index("--vars") + 1]) == {WAREHOUSE_VAR: "/w"}  # not $LIFECYCLE_WAREHOUSE
    assert args[args.index("--target-path") + 1] == "/w/dbt-target"


def test_data_tests_of_named_nodes_run_without_dbts_unit_tests_in_the_warehouse_target_folder():
    from pipelines.dbt.args import data_test_args

    args = data_test_args(Path("/p"), Path("/w"), "stage_snapshot_monthly")
    assert args[0] == "test"
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert args[args.index("--select") + 1] == "stage_snapshot_monthly"
    assert args[args.index("--target-path") + 1] == "/w/dbt-target"
    assert json.loads(args[args.index("--vars") + 1]) == {WAREHOUSE_VAR: "/w"}
