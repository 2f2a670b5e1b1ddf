"""The offline report, opened in headless Chromium (Debian's package, installed by `make test`): it loads
with no console errors and no network, every chart draws its data, and the at-risk list is the mart's.
A screenshot is kept in test-artifacts/ for a person to look at."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.serving.report import CHARTS
from tests.conftest import PROJECT_ROOT
from tests.support.browser import chromium

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# per chart: traces, data points, and marks drawn in the plot area (bars, lines, markers, heat-map cells)
CHART_STATE = """id => {
    const el = document.getElementById(id);
    if (!el || !el.data) return null;
    const points = el.data.reduce((n, t) => n + (t.z ? t.z.flat().filter(v => v !== null).length
                                                     : (t.x || []).length), 0);
    const marks = el.querySelectorAll(
        '.cartesianlayer .trace path, .cartesianlayer .hm image, .cartesianlayer .point').length;
    const box = el.getBoundingClientRect();
    return {traces: el.data.length, points, marks, height: box.height, width: box.width};
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def test_the_report_renders_every_chart_offline_without_errors(simulated_business, browser):
    report = simulated_business.report
    assert report.exists(), "a successful run writes the report"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri(), wait_until="load")

    chart_ids = page.eval_on_selector_all(".js-plotly-plot", "els => els.map(e => e.id)")
    assert len(chart_ids) == len(CHARTS)
    for chart_id in chart_ids:
        state = page.evaluate(CHART_STATE, chart_id)
        assert state, f"{chart_id} was not drawn"
        assert min(state["traces"], state["points"], state["marks"]) > 0, f"{chart_id} is empty: {state}"
        assert state["height"] > 100, f"{chart_id}: {state}"
        assert state["width"] > 300, f"{chart_id}: {state}"

    # the forest plot draws the descriptive ratios and the adjusted ones, every band of each
    drivers = page.evaluate(
        "() => document.getElementById('churn_drivers').data.map(t => [t.name, t.x.length])"
    )
    # the time-to-loss menu switches the curves drawn beside every account's
    shown = (
        "() => document.getElementById('time_to_loss').data.filter(t => t.visible !== false).map(t => t.name)"
    )
    assert page.evaluate(shown)[0] == "every account"
    assert all(name.startswith("acquisition_year = ") for name in page.evaluate(shown)[1:])
    page.click("#time_to_loss .updatemenu-header-group")
    page.click("#time_to_loss .updatemenu-dropdown-button >> text=post_sale_contact")
    assert page.evaluate(shown) == ["every account", "post_sale_contact = no", "post_sale_contact = yes"]

    with duckdb.connect(str(simulated_business.database), read_only=True) as con:
        bands = con.execute("select count(*) from marts.churn_drivers where relative_risk is not null")
        marginal = bands.fetchone()[0]
        effects = con.execute(
            "select count(*) from marts.churn_driver_effects where adjusted_ratio is not null"
        )
        adjusted = effects.fetchone()[0]
        assert drivers == [
            ["relative risk vs all accounts", marginal],
            ["adjusted ratio vs reference band", adjusted],
        ]
        at_risk = con.execute(
            "select account_id, owner_rep_id from marts.at_risk_accounts order by follow_up_rank"
        ).fetchall()
    listed = page.eval_on_selector_all(
        "#at_risk tbody tr td:nth-child(2)", "tds => tds.map(t => t.textContent)"
    )
    assert len(listed) > 25  # the whole list, not its head
    assert listed == [a for a, _ in at_risk]

    # the cohort menu draws another group: a segment's cells are not all accounts'
    visible_cells = """() => document.getElementById('cohorts').data
        .filter(t => t.visible !== false).map(t => [t.name, t.z.flat()])"""
    [(name, every)] = page.evaluate(visible_cells)
    assert name == "all accounts: accounts"
    page.click("#cohorts .updatemenu-header-group")
    page.click("#cohorts .updatemenu-dropdown-button >> text=segment = enterprise: active accounts")
    [(name, enterprise)] = page.evaluate(visible_cells)
    assert name == "segment = enterprise: accounts"
    assert enterprise != every
    assert len([v for v in enterprise if v is not None]) > 10
    # the leaky bucket and NRR follow their menus too
    page.click("#leaky_bucket .updatemenu-header-group")
    page.click("#leaky_bucket .updatemenu-dropdown-button >> text=segment = smb")
    assert "moved in" in page.evaluate(
        "() => document.getElementById('leaky_bucket').data.filter(t => t.visible !== false).map(t => t.name)"
    )

    # the search keeps the rows that match; the download holds the whole list
    owner = next(o for _, o in at_risk if o)
    page.fill("#at_risk_search", owner)
    shown = page.eval_on_selector_all(
        "#at_risk tbody tr", "rows => rows.filter(r => r.style.display !== 'none').map(r => r.textContent)"
    )
    assert 0 < len(shown) < len(at_risk)
    assert all(owner in row for row in shown)
    assert len(shown) == sum(o == owner for _, o in at_risk)
    with page.expect_download() as download:
        page.click("#at_risk_csv")
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:3] == ["#", "account", "name"]
    assert [line.split(",")[1] for line in lines[1:]] == [a for a, _ in at_risk]
    page.fill("#at_risk_search", "")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lifecycle_report.png"), full_page=True)
    assert errors == []
    assert all(url.startswith(("file:", "data:", "about:", "blob:")) for url in requests), requests
    page.close()
