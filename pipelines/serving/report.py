"""The lifecycle report: one self-contained HTML file with the charts people would rather look at than read.

It reads the published serving file (what BI tools read, never the working database), so the report and the
exports always show the same build. The chart library is inlined: the file opens offline, from a mail
attachment or a file share. Each chart says which mart it comes from, so an analyst can rebuild it in a BI
tool. Written under a temporary name and renamed, like the exports.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipelines.serving.publish import STAMP_TABLE, temporary_name
from pipelines.warehouse.sql import ident

STAGE_ORDER = ("prospect", "first_buyer", "repeat", "loyal", "lost")
CLASS_ORDER = ("new", "retained", "won_back", "lapsed", "before_first_purchase")
# one colour per stage and per revenue class, the same in every chart
STAGE_COLOURS = {
    "prospect": "#9aa5b1",
    "first_buyer": "#7fb3d5",
    "repeat": "#2e86c1",
    "loyal": "#1b4f72",
    "lost": "#c0392b",
}
CLASS_COLOURS = {
    "new": "#7fb3d5",
    "retained": "#1b4f72",
    "won_back": "#27ae60",
    "lapsed": "#c0392b",
    "before_first_purchase": "#9aa5b1",
}


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    source: str  # the mart(s) it is drawn from
    how_to_read: str
    figure: Any  # plotly.graph_objects.Figure


@dataclass(frozen=True)
class Report:
    path: Path
    charts: list[str]  # chart ids, in page order
    at_risk_rows: int


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _layout(fig: Any, y_title: str, **extra: Any) -> Any:
    layout = {
        "template": "plotly_white",
        "height": 380,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        "yaxis_title": y_title,
    }
    fig.update_layout(**{**layout, **extra})
    return fig


ALL_ACCOUNTS = "all accounts"
BREAKDOWNS = ("segment", "industry", "region", "owner_rep_id")  # the marts' attribute column values
MIN_BASE_ACCOUNTS = 10  # NRR/GRR of a month whose base has fewer accounts is noise (500% on a base of 2)


def _groups(con: duckdb.DuckDBPyConnection, breakdown_mart: str) -> list[tuple[str, str, str]]:
    """(label, attribute, value) of every selectable group: all accounts first, then each attribute's
    values in the breakdown mart."""
    found = _rows(
        con,
        f"select distinct attribute, attribute_value from marts.{ident(breakdown_mart)} order by 1, 2",
    )
    order = {a: i for i, a in enumerate(BREAKDOWNS)}
    found.sort(key=lambda r: (order.get(r[0], len(order)), r[1] == "unknown", r[1]))
    return [(ALL_ACCOUNTS, "", ""), *((f"{a} = {v}", a, v) for a, v in found)]


def _by_group(rows: list[tuple]) -> dict[tuple[str, str], list[tuple]]:
    """Rows (attribute, attribute_value, ...) of a mart and its breakdown, by group: the rest of each row."""
    groups: dict[tuple[str, str], list[tuple]] = {}
    for r in rows:
        groups.setdefault((r[0], r[1]), []).append(r[2:])
    return groups


def _group_menu(fig: Any, labels: list[str], traces_per_group: list[int]) -> None:
    """A menu with one entry per group that shows that group's traces alone (the first group shown)."""
    owners = [i for i, n in enumerate(traces_per_group) for _ in range(n)]
    for trace, owner in zip(fig.data, owners, strict=True):
        trace.visible = owner == 0
    buttons = [
        {"label": label, "method": "update", "args": [{"visible": [o == i for o in owners]}]}
        for i, label in enumerate(labels)
    ]
    fig.update_layout(
        updatemenus=[
            {"buttons": buttons, "x": 0.0, "xanchor": "left", "y": 1.14, "showactive": True, "active": 0}
        ]
    )


def stages_over_time(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select month, stage, count(*) from marts.stage_snapshot_monthly group by 1, 2 order by 1, 2",
    )
    fig = go.Figure()
    for stage in STAGE_ORDER:
        points = [(m, n) for m, s, n in rows if s == stage]
        fig.add_trace(
            go.Scatter(
                x=[m for m, _ in points],
                y=[n for _, n in points],
                name=stage,
                stackgroup="stages",
                line={"color": STAGE_COLOURS[stage]},
            )
        )
    return Chart(
        "stages",
        "Accounts per stage at each month end",
        "marts.stage_snapshot_monthly",
        "Every account known by the month end, stacked by its stage on the month's last day.",
        _layout(fig, "accounts"),
    )


def leaky_bucket(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select '' as attribute, '' as attribute_value, month, new_accounts, won_back_accounts, "
        "lost_accounts, closing_active, 0 as moved_in, 0 as moved_out from marts.customer_base_rollforward "
        "union all select attribute, attribute_value, month, new_accounts, won_back_accounts, "
        "lost_accounts, closing_active, transferred_in, transferred_out "
        "from marts.customer_base_rollforward_by_attribute order by 1, 2, 3",
    )
    groups = _groups(con, "customer_base_rollforward_by_attribute")
    series = _by_group(rows)
    fig = go.Figure()
    counts = []
    for _, attribute, value in groups:
        points = series.get((attribute, value), [])
        months = [r[0] for r in points]
        traces = [
            go.Bar(x=months, y=[r[1] for r in points], name="gained (new)", marker_color="#2e86c1"),
            go.Bar(x=months, y=[r[2] for r in points], name="won back", marker_color="#27ae60"),
            go.Bar(x=months, y=[-r[3] for r in points], name="lost", marker_color="#c0392b"),
            go.Scatter(
                x=months,
                y=[r[4] for r in points],
                name="active at month end",
                yaxis="y2",
                line={"color": "#1b4f72"},
            ),
        ]
        if attribute:
            traces += [
                go.Bar(x=months, y=[r[5] for r in points], name="moved in", marker_color="#a9cce3"),
                go.Bar(x=months, y=[-r[6] for r in points], name="moved out", marker_color="#f5b7b1"),
            ]
        fig.add_traces(traces)
        counts.append(len(traces))
    _group_menu(fig, [g[0] for g in groups], counts)
    return Chart(
        "leaky_bucket",
        "The leaky bucket: accounts gained, won back and lost per month",
        "marts.customer_base_rollforward, marts.customer_base_rollforward_by_attribute",
        "Bars above zero fill the bucket, bars below drain it; the line is the active base (right axis). "
        "Choose a segment, industry, region or owner in the menu: accounts that changed group while "
        "active move out of one and into the other.",
        _layout(
            fig,
            "accounts per month",
            barmode="relative",
            yaxis2={"title": "active accounts", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        ),
    )


def cohort_heat_map(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select '' as attribute, '' as attribute_value, cohort, period_number, active_rate, "
        "revenue_retention_rate, cohort_size from marts.cohort_retention where period_grain = 'quarter' "
        "union all select attribute, attribute_value, cohort, period_number, active_rate, "
        "revenue_retention_rate, cohort_size from marts.cohort_retention_by_attribute "
        "where period_grain = 'quarter' order by 1, 2, 3, 4",
    )
    cells = _by_group(rows)
    fig = go.Figure()
    labels = []
    for label, attribute, value in _groups(con, "cohort_retention_by_attribute"):
        group = cells.get((attribute, value), [])
        cohorts = sorted({r[0] for r in group})
        periods = sorted({r[1] for r in group})
        size = {r[0]: r[4] for r in group}
        names = [f"{c:%Y}-Q{(c.month - 1) // 3 + 1} ({size[c]:,})" for c in cohorts]
        for metric, column, top in (("accounts", 2, 1.0), ("revenue", 3, 1.5)):
            found = {(r[0], r[1]): r[column] for r in group}
            fig.add_trace(
                go.Heatmap(
                    z=[[found.get((c, p)) for p in periods] for c in cohorts],
                    x=periods,
                    y=names,
                    colorscale="Blues",
                    zmin=0,
                    zmax=top,
                    texttemplate="%{z:.0%}",
                    textfont={"size": 9},
                    colorbar={"title": metric, "tickformat": ".0%"},
                    name=f"{label}: {metric}",
                    hovertemplate="cohort %{y}<br>quarter %{x}<br>" + metric + " %{z:.1%}<extra></extra>",
                )
            )
            labels.append(f"{label}: {'active accounts' if metric == 'accounts' else 'revenue retained'}")
    _group_menu(fig, labels, [1] * len(labels))
    return Chart(
        "cohorts",
        "Cohort retention: share of each quarter's new buyers with a purchase in later quarters",
        "marts.cohort_retention, marts.cohort_retention_by_attribute (period_grain = 'quarter')",
        "Rows are cohorts (first purchase quarter, size in brackets), columns quarters since; darker is "
        "more of the cohort still buying. The menu picks the group (an account counts in the group it had "
        "on its first purchase day) and the measure: active accounts (logos), or revenue retained "
        "(revenue in the quarter over the cohort's first quarter). Cells stop at the as-of date.",
        _layout(
            fig,
            "cohort",
            xaxis_title="quarters since first purchase",
            yaxis={"autorange": "reversed"},
            height=480,
        ),
    )


def revenue_by_class(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select month, revenue_class, sum(revenue_reporting) from marts.revenue_by_lifecycle "
        "group by 1, 2 order by 1",
    )
    fig = go.Figure()
    for revenue_class in CLASS_ORDER:
        points = [(m, float(v)) for m, c, v in rows if c == revenue_class]
        if points:
            fig.add_trace(
                go.Bar(
                    x=[m for m, _ in points],
                    y=[v for _, v in points],
                    name=revenue_class,
                    marker_color=CLASS_COLOURS[revenue_class],
                )
            )
    return Chart(
        "revenue_classes",
        f"Revenue by lifecycle class ({currency})",
        "marts.revenue_by_lifecycle",
        "Net revenue per month by the account's stage on the eve of the month; "
        "the bars add up to the ledger.",
        _layout(fig, currency, barmode="relative"),
    )


def revenue_retention(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select '' as attribute, '' as attribute_value, month, nrr, grr from marts.revenue_retention "
        "where nrr is not null and base_accounts >= $min_base union all "
        "select attribute, attribute_value, month, nrr, grr from marts.revenue_retention_by_attribute "
        "where nrr is not null and base_accounts >= $min_base order by 1, 2, 3",
        {"min_base": MIN_BASE_ACCOUNTS},
    )
    series = _by_group(rows)
    groups = [g for g in _groups(con, "revenue_retention_by_attribute") if (g[1], g[2]) in series]
    if not groups:
        groups = [(ALL_ACCOUNTS, "", "")]
    fig = go.Figure()
    for _, attribute, value in groups:
        points = series.get((attribute, value), [])
        months = [r[0] for r in points]
        fig.add_traces(
            [
                go.Scatter(
                    x=months,
                    y=[r[1] for r in points],
                    name="NRR (net revenue retention)",
                    mode="lines+markers",
                ),
                go.Scatter(
                    x=months,
                    y=[r[2] for r in points],
                    name="GRR (gross revenue retention)",
                    mode="lines+markers",
                ),
            ]
        )
    _group_menu(fig, [g[0] for g in groups], [2] * len(groups))
    fig.add_hline(y=1, line_dash="dot", line_color="#7f8c8d")
    return Chart(
        "revenue_retention",
        "Revenue retention over trailing twelve months",
        "marts.revenue_retention, marts.revenue_retention_by_attribute",
        "Of the revenue the base gave in the previous twelve months: NRR keeps expansion, GRR does not. "
        f"Months whose base has fewer than {MIN_BASE_ACCOUNTS} accounts are left out (a ratio of a handful "
        "of accounts swings by hundreds of percent). The menu picks the group: the base by its value twelve "
        "months earlier.",
        _layout(fig, "share of base revenue", yaxis_tickformat=".0%"),
    )


def rep_scorecard(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select rep_id, sum(accounts_owned_at_start), sum(accounts_lost), "
        "sum(post_sale_contact_rate * owned_accounts_purchasing), sum(owned_accounts_purchasing), "
        "sum(new_revenue), sum(retained_revenue) from marts.rep_scorecard where is_complete "
        "group by 1 having sum(accounts_owned_at_start) > 0 and sum(owned_accounts_purchasing) > 0 "
        "order by 1",
    )
    hunter = [float(r[5]) / float(r[5] + r[6]) if (r[5] + r[6]) else None for r in rows]
    shown = [f"{h:.0%}" if h is not None else "none (no revenue)" for h in hunter]
    fig = go.Figure(
        go.Scatter(
            x=[float(r[3]) / r[4] for r in rows],
            y=[1 - r[2] / r[1] for r in rows],
            text=[r[0] for r in rows],
            customdata=[[r[1], h] for r, h in zip(rows, shown, strict=True)],
            mode="markers",
            marker={
                "size": [max(8.0, min(40.0, r[1] ** 0.5 * 2)) for r in rows],
                "color": [0.5 if h is None else h for h in hunter],  # no revenue: the neutral middle
                "colorscale": "RdBu_r",
                "cmin": 0,
                "cmax": 1,
                "colorbar": {"title": "hunter share", "tickformat": ".0%"},
            },
            hovertemplate="%{text}<br>post-sale contact %{x:.0%}<br>book retained %{y:.0%}"
            "<br>%{customdata[0]:,} account-quarters owned"
            "<br>hunter share %{customdata[1]}<extra></extra>",
        )
    )
    return Chart(
        "rep_scorecard",
        "Hunters and farmers: does each rep care for the accounts they own?",
        "marts.rep_scorecard (complete quarters)",
        "One dot per rep, over every complete quarter: the share of their buying accounts contacted within "
        "post_sale_contact_days after a purchase (x) and the share of their book still buying at the "
        "quarter end (y); size is the book, colour the share of their revenue from accounts they won that "
        "quarter (red: hunters). Farmers sit top right.",
        _layout(
            fig,
            "book retained per quarter",
            xaxis_title="post-sale contact rate",
            xaxis_tickformat=".0%",
            yaxis_tickformat=".0%",
        ),
    )


def win_back(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select quarter_of_loss, win_back_rate_contacted, win_back_rate_not_contacted, lost_accounts, "
        "contacted_after_loss from marts.win_back_funnel where scope = 'quarter' and is_complete order by 1",
    )
    pooled = _rows(
        con,
        "select rate_ratio, rate_ratio_ci_low, rate_ratio_ci_high, lost_accounts from marts.win_back_funnel "
        "where scope = 'complete_quarters'",
    )
    quarters = [f"{r[0]:%Y}-Q{(r[0].month - 1) // 3 + 1}" for r in rows]
    fig = go.Figure(
        [
            go.Bar(
                x=quarters, y=[r[1] for r in rows], name="contacted within 90 days", marker_color="#27ae60"
            ),
            go.Bar(x=quarters, y=[r[2] for r in rows], name="not contacted", marker_color="#95a5a6"),
        ]
    )
    headline = ""
    if pooled and pooled[0][0] is not None:
        ratio, low, high, lost = pooled[0]
        interval = f" (95% interval {low:.2f} .. {high:.2f})" if low is not None else ""
        headline = f" Over all {lost:,} losses of complete quarters: {ratio:.2f}x{interval}."
    return Chart(
        "win_back",
        "Win-back: lost accounts that bought again within 12 months, contacted or not",
        "marts.win_back_funnel (complete quarters of loss)",
        "Per quarter in which accounts became lost: the share won back among those contacted within 90 "
        "days after the loss (and before they bought again) and among the others." + headline + " Contact "
        "is observed, not assigned: a strong hint, not proof.",
        _layout(fig, "won back within 12 months", barmode="group", yaxis_tickformat=".0%"),
    )


def unmeasured_drivers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A sentence per stream whose data lacks what some drivers are measured from (marts.data_coverage)."""
    return [
        f"Not measured, {drivers}: {because}."
        for drivers, because in _rows(
            con,
            "select unavailable_drivers, unavailable_because from marts.data_coverage "
            "where unavailable_drivers is not null order by stream",
        )
    ]


GREY = "#95a5a6"


def _shade(low: float | None, high: float | None) -> str:
    if low is not None and low > 1:
        return "#c0392b"
    return "#2e86c1" if high is not None and high < 1 else "#34495e"


def _forest_trace(
    rows: list[tuple], offset: float, positions: dict[str, int], name: str, symbol: str, shade: bool
) -> Any:
    """One set of points with 95% whiskers, (label, ratio, low, high, observations) each, drawn at its band's
    position plus `offset`; a band without an interval (no loss) is a point without whiskers. `shade`:
    red where the interval lies above 1, blue below, grey across; else all grey."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=[r[1] for r in rows],
        y=[positions[r[0]] + offset for r in rows],
        mode="markers",
        name=name,
        marker={"size": 9, "symbol": symbol, "color": [_shade(r[2], r[3]) if shade else GREY for r in rows]},
        error_x_color=GREY if not shade else "#34495e",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [r[3] - r[1] if r[3] is not None else 0 for r in rows],
            "arrayminus": [r[1] - r[2] if r[2] is not None else 0 for r in rows],
        },
        customdata=[[r[0], float(r[4])] for r in rows],
        hovertemplate=f"%{{customdata[0]}}<br>{name} %{{x:.2f}}<br>%{{customdata[1]:,}} observations"
        "<extra></extra>",
    )


def churn_drivers(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    marginal = _rows(
        con,
        "select driver || ' = ' || band, relative_risk, rr_ci_low, rr_ci_high, observations "
        "from marts.churn_drivers where relative_risk is not null order by relative_risk",
    )
    adjusted = _rows(
        con,
        "select driver || ' = ' || band, adjusted_ratio, ci_low, ci_high, observations "
        "from marts.churn_driver_effects where adjusted_ratio is not null",
    )
    # one row per band, in the order of the descriptive ratio; the adjusted point just below it
    positions = {label: i for i, label in enumerate([r[0] for r in marginal])}
    adjusted = [r for r in adjusted if r[0] in positions]
    fig = go.Figure(
        [
            _forest_trace(marginal, 0.15, positions, "relative risk vs all accounts", "circle", False),
            _forest_trace(adjusted, -0.15, positions, "adjusted ratio vs reference band", "diamond", True),
        ]
    )
    fig.add_vline(x=1, line_dash="dot", line_color="#7f8c8d")
    fig.update_yaxes(tickvals=list(positions.values()), ticktext=list(positions))
    return Chart(
        "churn_drivers",
        "Churn drivers: risk of being lost within a year, descriptive and adjusted, with 95% intervals",
        "marts.churn_drivers, marts.churn_driver_effects, marts.data_coverage",
        "Grey circles: the band against all accounts (descriptive). Diamonds: the band against the "
        "driver's reference band with every other driver, purchase rhythm, tenure and quarter held equal, "
        "among accounts still buying at their usual rhythm (adjusted: read these to decide where to act); "
        "red where the whole interval lies above 1, blue below. Right of the dotted line means lost more "
        "often." + "".join(f" {line}" for line in unmeasured_drivers(con)),
        _layout(
            fig,
            "",
            xaxis_title="risk ratio of loss",
            xaxis_type="log",
            height=max(380, 30 * len(positions)),
        ),
    )


# The curves the time-to-loss chart offers, first shown first; every account's curve is always drawn.
SURVIVAL_GROUPINGS = (
    "acquisition_year",
    "complaint_handling",
    "post_sale_contact",
    "contact_persons",
    "csat",
    "discount",
    "payment",
)


def time_to_loss(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select grouping, group_value, days, survival, at_risk from marts.survival_curves "
        "order by grouping, group_value, days",
    )
    curves: dict[tuple[str, str], list[tuple]] = {}
    for grouping, value, days, survival, at_risk in rows:
        curves.setdefault((grouping, value), []).append((days, survival, at_risk))
    groupings = [g for g in SURVIVAL_GROUPINGS if any(k[0] == g for k in curves)]
    traces, owners = [], []
    for (grouping, value), points in sorted(curves.items(), key=lambda kv: (kv[0][0] != "all", kv[0])):
        if grouping != "all" and grouping not in groupings:
            continue
        traces.append(
            go.Scatter(
                x=[0] + [p[0] for p in points],
                y=[1.0] + [p[1] for p in points],
                customdata=[points[0][2]] + [p[2] for p in points],
                name="every account" if grouping == "all" else f"{grouping} = {value}",
                line_shape="hv",
                line={"width": 3, "color": "#34495e"} if grouping == "all" else {"width": 2},
                visible=grouping in ("all", groupings[0] if groupings else ""),
                hovertemplate="%{fullData.name}<br>day %{x}: %{y:.1%} not yet lost"
                "<br>%{customdata:,} at risk<extra></extra>",
            )
        )
        owners.append(grouping)
    buttons = [
        {
            "label": grouping,
            "method": "update",
            "args": [{"visible": [owner in ("all", grouping) for owner in owners]}],
        }
        for grouping in groupings
    ]
    fig = go.Figure(traces)
    fig.update_layout(
        updatemenus=[{"buttons": buttons, "x": 1.0, "xanchor": "right", "y": 1.12, "showactive": True}]
    )
    return Chart(
        "time_to_loss",
        "Time to loss: share of accounts not yet lost, by days since their first purchase",
        "marts.survival_curves",
        "Kaplan-Meier curves (accounts never lost count until the as-of date). The thick line is every "
        "account; choose the split in the menu: acquisition year, or a churn driver's band at the first "
        "quarter after the first purchase. A curve that falls faster loses its accounts sooner; where it "
        "crosses 50% is the median time to loss.",
        _layout(fig, "not yet lost", xaxis_title="days since the first purchase", yaxis_tickformat=".0%"),
    )


def concentration(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select account_share, revenue_share, key_account_share, key_accounts_revenue_share "
        "from marts.revenue_concentration order by percent_of_accounts",
    )
    fig = go.Figure(
        [
            go.Scatter(x=[0.0] + [r[0] for r in rows], y=[0.0] + [r[1] for r in rows], name="top accounts"),
            go.Scatter(x=[0, 1], y=[0, 1], name="even spread", line={"dash": "dot", "color": "#7f8c8d"}),
        ]
    )
    if rows:
        key_share, key_revenue = float(rows[0][2]), rows[0][3]
        fig.add_trace(
            go.Scatter(
                x=[key_share],
                y=[key_revenue],
                name=f"key accounts (top {key_share:.0%})",
                mode="markers",
                marker={"size": 12, "color": "#c0392b"},
            )
        )
    return Chart(
        "concentration",
        "Key-account concentration: share of trailing-twelve-month revenue from the top accounts",
        "marts.revenue_concentration (accounts ranked in marts.key_accounts)",
        "The further the curve bows above the diagonal, the more revenue hangs on few accounts.",
        _layout(
            fig,
            "share of revenue",
            xaxis_title="share of accounts",
            xaxis_tickformat=".0%",
            yaxis_tickformat=".0%",
        ),
    )


def forecast_backtest(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select day, predicted_repeat_purchase_days, actual_repeat_purchase_days "
        "from marts.forecast_tracking order by day",
    )
    totals = _rows(
        con,
        "select sum(predicted_repeat_purchase_days), sum(actual_repeat_purchase_days), "
        "sum(predicted_revenue), sum(actual_revenue) from marts.forecast_backtest",
    )
    fig = go.Figure(
        [
            go.Scatter(
                x=[r[0] for r in rows], y=[r[2] for r in rows], name="actual", line={"color": "#34495e"}
            ),
            go.Scatter(
                x=[r[0] for r in rows],
                y=[r[1] for r in rows],
                name="predicted at the calibration end",
                line={"color": "#c0392b", "dash": "dash"},
            ),
        ]
    )
    error = ""
    predicted_days, actual_days, predicted_revenue, actual_revenue = totals[0] if totals else (None,) * 4
    if predicted_days is not None and actual_days and actual_revenue:
        error = (
            f" Over the whole holdout: purchase days {predicted_days / float(actual_days) - 1:+.1%}, revenue "
            f"{predicted_revenue / float(actual_revenue) - 1:+.1%} ({currency}) against what happened."
        )
    return Chart(
        "forecast_backtest",
        "Forecast backtest: cumulative repeat purchase days, predicted and actual",
        "marts.forecast_tracking, marts.forecast_backtest (fit: purchase_model_parameters)",
        "The purchase models fitted forecast_holdout_days before the as-of date predict the days since, "
        "which have happened: the closer the dashed line follows the solid one, the more the forecasts "
        "can be trusted on this business." + error,
        _layout(fig, "repeat purchase days since the calibration end"),
    )


def revenue_at_risk(con: duckdb.DuckDBPyConnection, currency: str) -> Chart:
    import plotly.graph_objects as go

    rows = _rows(
        con,
        "select forecasts.current_stage, coalesce(keys.is_key_account, false), "
        "sum(forecasts.revenue_at_risk), avg(forecasts.p_alive), count(*) "
        "from marts.account_forecasts as forecasts left join "
        "(select account_id, is_key_account from marts.key_accounts) as keys "
        "on forecasts.account_id = keys.account_id "
        "where forecasts.p_alive is not null group by 1, 2",
    )
    stages = [s for s in STAGE_ORDER if any(r[0] == s for r in rows)]
    cells = {(r[0], r[1]): r[2:] for r in rows}
    traces = [
        go.Bar(
            x=stages,
            y=[(cells.get((stage, key)) or (0, None, 0))[0] for stage in stages],
            name="key accounts" if key else "other accounts",
            marker={"color": "#c0392b" if key else "#95a5a6"},
            customdata=[list((cells.get((stage, key)) or (0, None, 0))[1:]) for stage in stages],
            hovertemplate="%{x}: %{y:,.0f} " + currency + " at risk<br>mean P(alive) %{customdata[0]:.0%}"
            "<br>%{customdata[1]:,} accounts<extra>%{fullData.name}</extra>",
        )
        for key in (True, False)
    ]
    alive = _rows(
        con,
        "select current_stage, avg(p_alive) from marts.account_forecasts "
        "where p_alive is not null group by 1",
    )
    mean_alive = dict(alive)
    traces.append(
        go.Scatter(
            x=stages,
            y=[mean_alive.get(stage) for stage in stages],
            name="mean P(alive) (right axis)",
            mode="markers",
            marker={"size": 12, "symbol": "diamond", "color": "#2c3e50"},
            yaxis="y2",
            hovertemplate="%{x}: mean P(alive) %{y:.0%}<extra></extra>",
        )
    )
    fig = go.Figure(traces)
    return Chart(
        "revenue_at_risk",
        f"Revenue at risk over the forecast horizon, by stage, and P(alive) ({currency})",
        "marts.account_forecasts, marts.key_accounts",
        "Bars: the revenue each stage would bring were its accounts surely still buying, minus what is "
        "expected given the chance each has already gone (BG/NBD P(alive)); red is key accounts. Diamonds: "
        "the mean probability that an account of the stage still buys. A first buyer counts as alive until "
        "its first repeat purchase.",
        _layout(
            fig,
            f"revenue at risk ({currency})",
            barmode="stack",
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "range": [0, 1],
                "tickformat": ".0%",
                "showgrid": False,
            },
        ),
    )


CHARTS: tuple[Callable[[duckdb.DuckDBPyConnection, str], Chart], ...] = (
    stages_over_time,
    leaky_bucket,
    cohort_heat_map,
    revenue_by_class,
    revenue_retention,
    churn_drivers,
    time_to_loss,
    concentration,
    revenue_at_risk,
    forecast_backtest,
    rep_scorecard,
    win_back,
)

AT_RISK_COLUMNS = (
    ("follow_up_rank", "#"),
    ("account_id", "account"),
    ("account_name", "name"),
    ("owner_rep_id", "owner"),
    ("segment", "segment"),
    ("revenue_at_risk", "revenue at risk"),
    ("p_alive", "P(alive)"),
    ("revenue_at_stake", "revenue at stake"),
    ("current_stage", "stage"),
    ("is_key_account", "key account"),
    ("overdue_days", "days overdue"),
    ("reasons", "why"),
)


def at_risk_table(con: duckdb.DuckDBPyConnection) -> tuple[str, int]:
    columns = ", ".join(name for name, _ in AT_RISK_COLUMNS)
    rows = _rows(con, f"select {columns} from marts.at_risk_accounts order by follow_up_rank")
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in AT_RISK_COLUMNS)
    # the cell shows the value formatted; data-value keeps it as the mart has it, for the CSV download
    body = "".join(
        "<tr>"
        + "".join(f'<td data-value="{html.escape(_raw(v))}">{html.escape(_cell(v))}</td>' for v in row)
        + "</tr>"
        for row in rows
    )
    return f'<table id="at_risk"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>', len(rows)


def _raw(value: object) -> str:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | Decimal):
        return f"{float(value):,.2f}"
    return str(value)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Customer lifecycle report, as of {as_of}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1c2833; }}
section {{ margin-bottom: 2.5rem; }} h2 {{ margin-bottom: .2rem; }}
.how, .stamp {{ color: #566573; font-size: .9rem; margin: .2rem 0; }}
table {{ border-collapse: collapse; font-size: .85rem; width: 100%; }}
th, td {{ border-bottom: 1px solid #d5d8dc; padding: .25rem .5rem; text-align: left; }}
td:not(:last-child) {{ white-space: nowrap; }}
.scroll {{ max-height: 36rem; overflow: auto; }}
</style>
<script>{plotly_js}</script>
</head><body>
<h1>Customer lifecycle report</h1>
<p class="stamp">As of {as_of}; published {published_at}; reporting currency {currency}.
Settings: {settings}. Every chart names its mart in the serving file and the exports.</p>
{sections}
<section><h2>At-risk accounts to call first</h2>
<p class="how">From marts.at_risk_accounts: all {at_risk_rows:,}, by revenue at risk (what the purchase
forecasts expect to lose were the account gone), then revenue at stake. Search by name, owner, segment or
reason; the download holds the whole list.</p>
<p><input id="at_risk_search" type="search" placeholder="search the list" size="40">
<button id="at_risk_csv" type="button">download CSV</button> <span id="at_risk_count" class="how"></span></p>
<div class="scroll">{at_risk}</div>
</section>
<script>{at_risk_script}</script>
</body></html>
"""

# the at-risk list's search and CSV download: plain DOM, nothing loaded
AT_RISK_SCRIPT = """
(function () {
  const table = document.getElementById('at_risk');
  const rows = Array.from(table.tBodies[0].rows);
  const search = document.getElementById('at_risk_search');
  const count = document.getElementById('at_risk_count');
  function show() {
    const words = search.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const text = row.textContent.toLowerCase();
      const hit = words.every(w => text.includes(w));
      row.style.display = hit ? '' : 'none';
      shown += hit ? 1 : 0;
    }
    count.textContent = shown + ' of ' + rows.length + ' accounts';
  }
  search.addEventListener('input', show);
  show();
  const quote = v => /[",\\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  document.getElementById('at_risk_csv').addEventListener('click', function () {
    const lines = [table.tHead.rows[0], ...rows].map(
      row => Array.from(row.cells).map(cell => quote(cell.dataset.value ?? cell.textContent)).join(','));
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([lines.join('\\n') + '\\n'], {type: 'text/csv'}));
    link.download = 'at_risk_accounts.csv';
    link.click();
  });
})();
"""

SECTION = """<section><h2>{title}</h2>
<p class="how">{how} <em>Source: {source}.</em></p>
{div}
</section>"""


def build_report(serving_file: Path, target: Path) -> Report:
    """Write the report for the build in `serving_file` to `target` (replaced atomically)."""
    import plotly.offline

    with duckdb.connect(str(serving_file), read_only=True) as con:
        stamp = dict(_rows(con, f"select key, value from {STAMP_TABLE}"))
        currency = stamp.get("reporting_currency", "")
        charts = [make(con, currency) for make in CHARTS]
        table, shown = at_risk_table(con)
    sections = "\n".join(
        SECTION.format(
            title=html.escape(c.title),
            how=html.escape(c.how_to_read),
            source=html.escape(c.source),
            div=c.figure.to_html(
                full_html=False, include_plotlyjs=False, div_id=c.chart_id, config={"displaylogo": False}
            ),
        )
        for c in charts
    )
    skipped = {"run_id", "as_of", "published_at"}
    page = PAGE.format(
        plotly_js=plotly.offline.get_plotlyjs(),
        as_of=html.escape(stamp.get("as_of", "?")),
        published_at=html.escape(stamp.get("published_at", "?")),
        currency=html.escape(currency),
        settings=html.escape(", ".join(f"{k}={v}" for k, v in stamp.items() if k not in skipped)),
        sections=sections,
        at_risk_rows=shown,
        at_risk=table,
        at_risk_script=AT_RISK_SCRIPT,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(target)
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, target)
    return Report(target, [c.chart_id for c in charts], shown)
