"""The plain-text summary `lifecycle demo` ends with, read from what a BI tool reads (the serving file).

Accounts per stage, the leaky bucket of the last complete months, NRR/GRR, the churn drivers whose
interval lies above 1, the purchase forecasts and their backtest, quarantined rows, and where the report
and the exports are.
"""

from __future__ import annotations

import duckdb

from pipelines.config.paths import WarehousePaths
from pipelines.serving.report import unmeasured_drivers

BUCKET_MONTHS = 6
TOP_DRIVERS = 5


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def summary_lines(paths: WarehousePaths) -> list[str]:
    lines: list[str] = []
    with duckdb.connect(str(paths.serving_file), read_only=True) as con:
        lines.append("accounts by current stage (at risk):")
        for stage, count, at_risk in _fetch(
            con,
            "select current_stage, count(*), count(*) filter (where at_risk) from marts.accounts "
            "group by 1 order by 2 desc, 1",
        ):
            lines.append(f"  {stage:<12}{count:>8,}  ({at_risk:,} at risk)")

        lines.append(f"the leaky bucket, last {BUCKET_MONTHS} complete months (active = buying):")
        lines.append(f"  {'month':<9}{'opening':>9}{'new':>7}{'won back':>10}{'lost':>7}{'closing':>9}")
        for month, opening, new, won_back, lost, closing in reversed(
            _fetch(
                con,
                "select month, opening_active, new_accounts, won_back_accounts, lost_accounts, "
                "closing_active from marts.customer_base_rollforward where is_complete "
                f"order by month desc limit {BUCKET_MONTHS}",
            )
        ):
            lines.append(f"  {month:%Y-%m}  {opening:>9,}{new:>7,}{won_back:>10,}{lost:>7,}{closing:>9,}")

        retention = _fetch(
            con,
            "select month, nrr, grr from marts.revenue_retention where is_complete and nrr is not null "
            "order by month desc limit 1",
        )
        if retention:
            month, nrr, grr = retention[0]
            lines.append(
                f"revenue retention, trailing 12 months to {month:%Y-%m}: NRR {nrr:.1%}, GRR {grr:.1%}"
            )

        drivers = _fetch(
            con,
            "select driver, band, relative_risk, rr_ci_low, rr_ci_high from marts.churn_drivers "
            f"where rr_ci_low > 1 order by relative_risk desc, driver, band limit {TOP_DRIVERS}",
        )
        lines.append("churn drivers (relative risk of loss, 95% interval above 1):")
        for driver, band, rr, low, high in drivers:
            lines.append(f"  {driver + ' = ' + band:<34}{rr:.2f}  [{low:.2f}, {high:.2f}]")
        if not drivers:
            lines.append("  none with an interval above 1 yet (too few quarters with a full outcome year)")
        effects = _fetch(
            con,
            "select driver, band, reference_band, adjusted_ratio, ci_low, ci_high "
            "from marts.churn_driver_effects where ci_low > 1 "
            f"order by adjusted_ratio desc, driver, band limit {TOP_DRIVERS}",
        )
        lines.append("churn driver effects, adjusted for each other, rhythm and tenure (interval above 1):")
        for driver, band, reference, ratio, low, high in effects:
            lines.append(
                f"  {driver + ' = ' + band:<34}{ratio:.2f}  [{low:.2f}, {high:.2f}]  against {reference}"
            )
        if not effects:
            lines.append("  none with an interval above 1 (marts.churn_driver_effects: why a band has none)")
        lines += [f"  {line}" for line in unmeasured_drivers(con)]
        lines += forecast_lines(con)
    with duckdb.connect(str(paths.database), read_only=True) as con:
        quarantined = _fetch(con, "select count(*) from raw.quarantine")[0][0]
    lines.append(f"quarantined rows: {quarantined:,} (raw.quarantine, with reason, file and row)")
    lines.append(f"report (opens offline in a browser): {paths.report}")
    lines.append(f"exports: {paths.exports}/<mart>.parquet; BI tools: {paths.serving_file} (read-only)")
    return lines


def forecast_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Expected revenue over the forecast horizon, the revenue at risk, and the backtest's error."""
    totals = _fetch(
        con,
        "select sum(expected_revenue), sum(revenue_at_risk), count(p_alive), "
        "sum(case when p_alive < 0.5 then 1 else 0 end), max(as_of_date), "
        "count(p_alive) - count(expected_revenue) from marts.account_forecasts",
    )
    expected, at_risk, scored, likely_gone, as_of, unvalued = totals[0]
    if not scored:
        return ["purchase forecasts: none (marts.purchase_model_parameters.note says why)"]
    lines = [
        f"purchase forecasts (BG/NBD, Gamma-Gamma) from {as_of}:",
        f"  expected revenue over the forecast horizon  {expected or 0:>16,.0f}",
        f"  revenue at risk (likely lost customers)     {at_risk or 0:>16,.0f}",
        f"  accounts probably gone (P(alive) < 0.5)     {likely_gone:>16,}",
    ]
    if unvalued:
        lines.append(
            f"  left out: {unvalued:,} accounts without an expected value per purchase "
            "(purchase_model_parameters.note)"
        )
    backtest = _fetch(
        con,
        "select min(calibration_end), sum(predicted_repeat_purchase_days), sum(actual_repeat_purchase_days), "
        "sum(predicted_revenue), sum(actual_revenue) from marts.forecast_backtest",
    )
    start, predicted_days, actual_days, predicted_revenue, actual_revenue = backtest[0]
    if start is not None and predicted_days is not None and actual_days and actual_revenue:
        lines.append(
            f"  backtest from {start}: purchase days {predicted_days:,.0f} predicted, {actual_days:,} actual "
            f"({predicted_days / float(actual_days) - 1:+.1%}); revenue {predicted_revenue:,.0f} predicted, "
            f"{actual_revenue:,.0f} actual ({predicted_revenue / float(actual_revenue) - 1:+.1%})"
        )
    return lines
