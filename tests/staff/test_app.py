"""The staff app as a whole: health check, stylesheet, security headers on every answer, and
errors as JSON under /api and as pages elsewhere, without internals."""

import pytest
import requests

from bot.handoffs import HandoffStoreUnavailable
from bot.staff.app import create_app
from bot.staff.pages import SECURITY_HEADERS
from tests.http_server import call, serving
from tests.staff.conftest import TOKEN
from tests.staff.fixtures import Client, sign_in


def test_health_needs_no_token_and_says_only_ok(api):
    assert call(f"{api}/healthz")[::2] == (200, {"ok": True})


def test_the_stylesheet_and_icon_are_served_and_nothing_else(api):
    css = requests.get(f"{api}/static/staff.css", timeout=10)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
    icon = requests.get(f"{api}/static/favicon.svg", timeout=10)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/nothing.css"):
        assert requests.get(f"{api}{path}", timeout=10).status_code == 404, path


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/handoffs", "/static/staff.css", "/nothing"])
def test_every_answer_carries_the_security_headers(api, path):
    response = requests.get(f"{api}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_unknown_pages_are_html_404s_and_unknown_api_paths_json(api):
    page = requests.get(f"{api}/nothing/here", timeout=10)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no such page" in page.text
    assert call(f"{api}/api/nothing", token=TOKEN)[::2] == (404, {"error": "not found"})


class DownStore:
    def list(self, **filters):
        raise HandoffStoreUnavailable("the handoff database is unavailable: connection refused to db.internal:5432")

    get = set_status = count = list


class BuggyStore:
    def list(self, **filters):
        raise KeyError("secret internal detail")

    count = list


@pytest.mark.parametrize(
    "store_, expected",
    [(DownStore(), (503, {"error": "handoff store unavailable"})), (BuggyStore(), (500, {"error": "internal error"}))],
)
def test_api_failures_are_json_without_internals(settings, store, store_, expected):  # `store`: TOKEN is live
    with serving(create_app(settings, store=store_)) as url:
        status, _, body = call(f"{url}/api/handoffs", token=TOKEN)
    assert (status, body) == expected


@pytest.mark.parametrize(
    "store_, status, says",
    [(DownStore(), 503, "database cannot be reached"), (BuggyStore(), 500, "Something went wrong on our side")],
)
def test_console_failures_are_pages_without_internals(settings, account, store_, status, says):
    with serving(create_app(settings, store=store_)) as url:
        client = Client(url)
        assert sign_in(client).status_code == 303
        page = client.get("/handoffs")
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert says in page.text
    assert "db.internal" not in page.text and "secret internal detail" not in page.text


def test_a_database_that_is_down_is_503_for_the_api_and_the_login_page(with_unreachable_database):
    status, _, body = call(f"{with_unreachable_database}/api/handoffs", token=TOKEN)
    assert (status, body) == (503, {"error": "handoff store unavailable"})
    login = requests.get(f"{with_unreachable_database}/login", timeout=10)
    assert login.status_code == 200  # the form needs no database; signing in does
    page = requests.post(
        f"{with_unreachable_database}/login", data={"email": "a@b.example", "password": "x", "csrf_token": "t"},
        cookies={"login_csrf": "t"}, timeout=30, allow_redirects=False,
    )  # fmt: skip
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "database cannot be reached" in page.text
    assert "5432" not in page.text
