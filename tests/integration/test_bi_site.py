"""The Evidence site under bi/, a real BI client: `make bi` installs its locked npm packages, reads every
mart it shows from the serving file of a run (DuckDB 1.4 through Evidence's DuckDB source) and builds the
static site; served on localhost and opened in headless Chromium, its cohort heat map has cells and its
follow-up table the mart's accounts, with nothing fetched from anywhere else. A screenshot of each page
is kept in test-artifacts/ for a person to look at."""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT
from tests.support.browser import chromium

BI = PROJECT_ROOT / "bi"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ROWS_PER_PAGE = 25  # the follow-up table's page (bi/pages/follow-up.md)


@pytest.fixture(scope="module")
def built(simulated_business) -> str:
    """`make bi` on the simulated business's warehouse; what it printed."""
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed: the BI site (bi/) is built with Node.js and npm")
    env = {**os.environ, "LIFECYCLE_WAREHOUSE": str(simulated_business.root)}
    done = subprocess.run(
        ["make", "--no-print-directory", "bi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    return done.stdout


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the handler logs each request to stderr
        pass


@pytest.fixture(scope="module")
def site(built) -> Iterator[str]:
    """bi/build served on a free localhost port, as any static web server would."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(BI / "build")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def test_make_bi_reads_every_mart_whole_from_the_serving_file(simulated_business, built):
    sources = sorted(path.stem for path in (BI / "sources" / "lifecycle").glob("*.sql"))
    data = BI / "build" / "data" / "lifecycle"  # what the site's pages query, in the viewer's browser
    assert sorted(path.name for path in data.iterdir() if path.is_dir()) == sources
    with duckdb.connect(str(simulated_business.serving_file), read_only=True) as con:
        for name in sources:
            site_rows = con.execute(
                "select count(*) from read_parquet(?)", [str(data / name / f"{name}.parquet")]
            ).fetchall()
            mart_rows = con.execute(f'select count(*) from marts."{name}"').fetchall()
            assert site_rows == mart_rows, name
        # this run's build, not an earlier one's
        stamp = "select value from {} where key = 'run_id'"
        [site_run] = con.execute(
            stamp.format("read_parquet(?)"), [str(data / "build_info" / "build_info.parquet")]
        ).fetchall()
        assert site_run == con.execute(stamp.format("marts.build_info")).fetchall()[0]
    assert (BI / "build" / "cohorts" / "index.html").exists()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    origin = url.split("/", 3)[:3]
    page.on(
        "request",
        lambda request: (
            None
            if request.url.split("/", 3)[:3] == origin or request.url.startswith(("data:", "blob:"))
            else elsewhere.append(request.url)
        ),
    )
    page.goto(url, wait_until="networkidle")
    return page, problems, elsewhere


def test_the_cohort_heat_map_has_a_cell_per_cohort_and_period(simulated_business, site, browser):
    with duckdb.connect(str(simulated_business.serving_file), read_only=True) as con:
        [(cells, cohorts)] = con.execute(
            "select count(*), count(distinct cohort) from marts.cohort_retention"
            " where period_grain = 'quarter' and is_complete"
        ).fetchall()
    page, problems, elsewhere = _open(browser, f"{site}/cohorts/")
    page.wait_for_selector("div.chart svg text", state="attached")
    page.wait_for_timeout(500)  # the chart animates its labels in
    labels = page.eval_on_selector_all("div.chart svg text", "texts => texts.map(t => t.textContent.trim())")
    shares = [label for label in labels if re.fullmatch(r"\d+%", label)]
    # a labelled cell per cohort and period, plus the colour legend's two ends
    assert len(shares) == cells + 2, labels
    assert shares.count("100%") >= cohorts  # period 0: every account of a cohort buys in it
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bi_cohorts.png"), full_page=True)
    assert problems == []
    assert elsewhere == []
    page.close()


def test_the_follow_up_table_lists_the_at_risk_accounts_in_order(simulated_business, site, browser):
    with duckdb.connect(str(simulated_business.serving_file), read_only=True) as con:
        at_risk = con.execute(
            "select account_name, owner_rep_id from marts.at_risk_accounts order by follow_up_rank"
        ).fetchall()
    assert len(at_risk) > ROWS_PER_PAGE
    page, problems, elsewhere = _open(browser, f"{site}/follow-up/")
    table = page.locator("table:visible").first
    table.locator("td").first.wait_for()
    names = table.evaluate(
        "t => [...t.querySelectorAll('tr')].filter(r => r.querySelector('td'))"
        ".map(r => r.children[1].textContent.trim())"
    )
    assert names == [name for name, _ in at_risk[:ROWS_PER_PAGE]]
    pages = page.locator(".page-input:visible").first.evaluate("i => i.parentElement.textContent")
    assert pages.split("/")[-1].strip() == str(math.ceil(len(at_risk) / ROWS_PER_PAGE))

    # the search keeps the rows that match: one owner's accounts
    owner = next(owner for _, owner in at_risk if owner)
    page.locator("input.search-bar:visible").first.fill(owner)
    page.wait_for_timeout(500)
    rows = table.evaluate(
        "t => [...t.querySelectorAll('tr')].filter(r => r.querySelector('td')).map(r => r.textContent)"
    )
    assert 0 < len(rows) <= min(ROWS_PER_PAGE, sum(o == owner for _, o in at_risk))
    assert all(owner in row for row in rows)
    page.screenshot(path=str(ARTIFACTS / "bi_follow_up.png"), full_page=True)
    assert problems == []
    assert elsewhere == []
    page.close()
