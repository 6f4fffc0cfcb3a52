"""The Insights page and its CSV export: signed in only, filters checked, audited, no inline script or style.

The figures themselves are tested on seeded conversations in tests/insights/test_report.py
and, through a browser, in tests/e2e/test_insights_browser.py."""

import csv
import io
from datetime import timedelta

import pytest

from bot.insights.report import OUTCOME_COLUMNS
from tests.staff.fixtures import Client, add_handoff


def test_staff_see_the_figures_with_their_definitions(signed_in, store, audit, clock):
    add_handoff(store, sender="widget:abc", kind="red_flag", red_flags="breathing")
    clock.advance(timedelta(minutes=1))  # the period ends at the app's clock
    page = signed_in.get("/insights?days=7&channel=website")
    assert page.status_code == 200
    for figure in ("conversations", "messages", "contained", "handoffs", "first-action", "fallback", "out-of-scope"):
        assert f'id="figure-{figure}"' in page.text
    assert "What the figures mean" in page.text and "within 24 hours" in page.text
    assert '<th scope="row">breathing</th><td>1</td>' in page.text  # red flags per group
    assert 'aria-current="page">Insights' in page.text
    assert "<svg" in page.text and "style=" not in page.text and "<script" not in page.text
    assert [(e.action, e.detail) for e in audit.entries(limit=1)] == [("view_insights", "days=7&channel=website")]


def test_a_period_between_two_dates(signed_in):
    page = signed_in.get("/insights?from=2026-03-01&to=2026-03-07&channel=sms")
    assert page.status_code == 200
    assert "2026-03-01 to 2026-03-07" in page.text


@pytest.mark.parametrize(
    "query",
    ["days=12", "channel=fax", "from=2026-03-01", "from=2026-03-08&to=2026-03-01", "from=2025-01-01&to=2026-03-01",
     "from=yesterday&to=2026-03-01"],
)  # fmt: skip
def test_a_bad_filter_is_a_400_that_says_why(signed_in, query):
    assert signed_in.get(f"/insights?{query}").status_code == 400
    assert signed_in.get(f"/insights.csv?{query}").status_code == 400


def test_the_csv_export_is_a_download_with_one_row_per_conversation(signed_in, audit):
    response = signed_in.get("/insights.csv?days=30")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="insights-all-')
    assert list(csv.reader(io.StringIO(response.text))) == [list(OUTCOME_COLUMNS)]  # no conversations yet
    assert audit.entries(limit=1)[0].action == "export_insights"


@pytest.mark.parametrize("path", ["/insights", "/insights.csv"])
def test_only_signed_in_staff_see_them(app_url, path):
    response = Client(app_url).get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")
