"""The month-close tables: written by `lifecycle close-month` outside Dagster, read by the restatements
mart. Declared here so the UI shows them in the finance group, with what they hold."""

import dagster as dg

month_close_tables = [
    dg.AssetSpec(
        key=["finance", "month_closes"],
        group_name="finance",
        kinds={"duckdb"},
        description="One row per close of a month (append-only; a reopened month gets a higher version): "
        "when, by whom, up to which arrival day. Written by `lifecycle close-month`.",
    ),
    dg.AssetSpec(
        key=["finance", "published_figures"],
        group_name="finance",
        kinds={"duckdb"},
        description="Every figure of a closed month as published at its close (append-only); the "
        "restatements mart compares them with today's marts. Written by `lifecycle close-month`.",
    ),
]
