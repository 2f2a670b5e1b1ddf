"""The dbt resource skips dagster-dbt's `dbt --version` subprocess and in-process adapter. It overrides
private methods: if a dagster-dbt upgrade renames them, the overrides would silently stop saving time."""

from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version

from pipelines.defs.dbt.resource import LifecycleDbtResource
from pipelines.defs.resources import resources


def test_the_overridden_hooks_still_exist_in_dagster_dbt():
    assert callable(getattr(DbtCliResource, "_initialize_dbt_core_adapter", None))
    assert "_cli_version" in vars(DbtCliResource)


def test_the_version_comes_from_the_installed_package_and_no_adapter_is_opened():
    dbt = resources()["dbt"]
    assert isinstance(dbt, LifecycleDbtResource)
    assert dbt._cli_version == version.parse(installed_version("dbt-core"))
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
