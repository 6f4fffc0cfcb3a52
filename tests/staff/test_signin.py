"""Signing in and out of the console: CSRF on the login form, one answer for every wrong
login, the login throttle (429 with Retry-After; never locking the owner out), cookie
attributes, the idle logout, and no open redirect."""

import dataclasses
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.db.engine import dispose_engines
from bot.staff.app import create_app
from bot.staff.login_limit import CLIENT, PAIR
from bot.staff.sessions import COOKIE_NAME
from bot.staff.signin import LOGIN_CSRF_COOKIE, too_many
from tests.http_server import serving
from tests.staff.fixtures import EMAIL, PASSWORD, Client, csrf_of, sign_in

WRONG = "E-mail or password is wrong"


def _set_cookie(response, name):
    """The Set-Cookie header for `name` (requests folds several into one string)."""
    headers = [value for key, value in response.raw.headers.items() if key.lower() == "set-cookie"]
    found = [header for header in headers if header.startswith(f"{name}=")]
    assert found, f"no Set-Cookie for {name} in {headers}"
    return found[0]


def _actions(audit):
    return [(entry.actor, entry.action, entry.detail) for entry in reversed(audit.entries())]


def test_the_login_form_sets_a_matching_double_submit_cookie(app_url):
    client = Client(app_url)
    page = client.get("/login")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    cookie = _set_cookie(page, LOGIN_CSRF_COOKIE)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/login" in cookie and "Secure" not in cookie
    assert client.cookies[LOGIN_CSRF_COOKIE] == csrf_of(page.text)
    assert '<label for="email">' in page.text and '<label for="password">' in page.text


def test_signing_in_opens_a_session_with_a_safe_cookie_and_audits_it(app_url, account, audit):
    client = Client(app_url)
    response = sign_in(client)
    assert (response.status_code, response.headers["Location"]) == (303, "/handoffs")
    cookie = _set_cookie(response, COOKIE_NAME)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # served over http
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()  # gone when the browser closes
    queue = client.get("/handoffs")
    assert queue.status_code == 200 and EMAIL in queue.text
    assert _actions(audit) == [(EMAIL, "login", None)]


def test_over_https_the_cookies_are_secure(settings, store, account):
    https = dataclasses.replace(settings, staff_public_url="https://staff.clinic.example")
    with serving(create_app(https)) as url:
        client = Client(url)
        form = client.get("/login")
        token = csrf_of(form.text)
        # A client keeps Secure cookies for https only; this test server speaks http, so send it by hand.
        response = client.post(
            "/login",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
            cookies={LOGIN_CSRF_COOKIE: token},
        )
    dispose_engines()
    assert "Secure" in _set_cookie(form, LOGIN_CSRF_COOKIE)
    assert response.status_code == 303
    assert "Secure" in _set_cookie(response, COOKIE_NAME)


@pytest.mark.parametrize("email, password", [(EMAIL, "wrong password 123"), ("nobody@clinic.example", PASSWORD)])
def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app_url, account, audit, email, password):
    client = Client(app_url)
    response = sign_in(client, email=email, password=password)
    assert response.status_code == 200 and WRONG in response.text
    assert COOKIE_NAME not in client.cookies
    assert client.get("/handoffs").status_code == 302
    assert _actions(audit) == [("anonymous", "login_failed", email)]


def test_the_typed_email_is_audited_as_detail_never_as_actor(app_url, account, audit):
    sign_in(Client(app_url), email=EMAIL.upper(), password="wrong password 123")
    assert _actions(audit) == [("anonymous", "login_failed", EMAIL)]


@pytest.mark.parametrize("cookie, field", [(None, None), ("a" * 43, None), (None, "a" * 43), ("a" * 43, "b" * 43)])
def test_a_login_post_without_the_matching_csrf_pair_is_refused(app_url, account, audit, cookie, field):
    client = Client(app_url)
    if cookie:
        client.cookies.set(LOGIN_CSRF_COOKIE, cookie, path="/login")
    data = {"email": EMAIL, "password": PASSWORD, **({"csrf_token": field} if field else {})}
    response = client.post("/login", data=data)
    assert response.status_code == 403
    assert "expired" in response.text
    assert COOKIE_NAME not in client.cookies
    assert audit.entries() == []


def test_after_the_free_failures_each_wait_doubles_even_for_the_right_password(app_url, account, clock):
    client = Client(app_url)
    for _ in range(PAIR.free):
        assert WRONG in sign_in(client, password="wrong password 123").text
    blocked = sign_in(client)
    assert (blocked.status_code, blocked.headers["Retry-After"]) == (429, "1")
    assert "Too many attempts, try again in 1 second." in blocked.text
    assert COOKIE_NAME not in client.cookies
    clock.advance(timedelta(seconds=1))
    assert WRONG in sign_in(client, password="wrong password 123").text
    blocked = sign_in(client)
    assert (blocked.status_code, blocked.headers["Retry-After"]) == (429, "2")
    clock.advance(timedelta(seconds=2))
    assert sign_in(client).status_code == 303


@pytest.mark.parametrize(
    "seconds, says",
    [
        (1, "1 second."),
        (2, "2 seconds."),
        (119, "119 seconds."),
        (120, "2 minutes."),
        (121, "3 minutes."),
        (900, "15 minutes."),
    ],
)
def test_the_wait_is_said_in_seconds_then_minutes(seconds, says):
    assert too_many(seconds) == f"Too many attempts, try again in {says}"


def test_a_page_without_a_session_redirects_to_login_and_back(app_url, account):
    client = Client(app_url)
    response = client.get("/handoffs?status=new&kind=booking")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/handoffs?status=new&kind=booking"]}
    assert (
        sign_in(client, next_="/handoffs?status=new&kind=booking").headers["Location"]
        == "/handoffs?status=new&kind=booking"
    )


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil.example", "/\t/evil"],
)
def test_a_next_to_another_site_is_ignored(app_url, account, target):
    response = sign_in(Client(app_url), next_=target)
    assert (response.status_code, response.headers["Location"]) == (303, "/handoffs")


def test_after_thirty_idle_minutes_the_session_is_over(signed_in, clock):
    clock.advance(timedelta(minutes=29))
    assert signed_in.get("/handoffs").status_code == 200  # activity slides the timeout
    clock.advance(timedelta(minutes=31))
    response = signed_in.get("/handoffs/1")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"next": ["/handoffs/1"], "idle": ["1"]}
    assert "Max-Age=0" in _set_cookie(response, COOKIE_NAME)
    login = signed_in.get(response.headers["Location"])
    assert "You were signed out after 30 minutes without activity" in login.text


def test_signing_out_ends_the_session_and_needs_the_csrf_token(signed_in, audit):
    token = csrf_of(signed_in.get("/handoffs").text)
    assert signed_in.post("/logout", data={}).status_code == 403
    assert signed_in.get("/handoffs").status_code == 200  # still signed in
    old_cookie = signed_in.cookies[COOKIE_NAME]
    response = signed_in.post("/logout", data={"csrf_token": token})
    assert (response.status_code, response.headers["Location"]) == (303, "/login?signed_out=1")
    assert "Max-Age=0" in _set_cookie(response, COOKIE_NAME)
    again = Client(signed_in.base)
    again.cookies.set(COOKIE_NAME, old_cookie)
    assert again.get("/handoffs").status_code == 302
    assert [(actor, action) for actor, action, _ in _actions(audit)] == [(EMAIL, "login"), (EMAIL, "logout")]


def test_behind_a_proxy_failures_count_per_forwarded_client(settings, store, account, clock, transcripts):
    behind_proxy = dataclasses.replace(settings, staff_proxies=1)
    with serving(create_app(behind_proxy, clock=clock, transcripts=transcripts)) as url:
        attacker = Client(url)
        attacker.headers["X-Forwarded-For"] = "203.0.113.7"
        for n in range(CLIENT.free):
            sign_in(attacker, email=f"guess{n}@clinic.example", password="wrong password 123")
        assert sign_in(attacker).status_code == 429  # that client is slowed, whichever account it tries
        colleague = Client(url)
        colleague.headers["X-Forwarded-For"] = "198.51.100.20"
        assert sign_in(colleague).status_code == 303  # the proxy's other clients are not
    dispose_engines()


def test_an_attacker_hammering_the_owners_account_cannot_keep_the_owner_out(
    settings, store, account, clock, transcripts, audit
):
    behind_proxy = dataclasses.replace(settings, staff_proxies=1)
    with serving(create_app(behind_proxy, clock=clock, transcripts=transcripts)) as url:
        attacker = Client(url)
        attacker.headers["X-Forwarded-For"] = "203.0.113.7"
        guesses, waits = 0, []
        while guesses < PAIR.free + 6:  # guessing the owner's password, as fast as allowed
            guess = sign_in(attacker, password="wrong password 123")
            if guess.status_code == 429:
                waits.append(int(guess.headers["Retry-After"]))
                clock.advance(timedelta(seconds=waits[-1]))
            else:
                guesses += 1
        assert waits == [1, 2, 4, 8, 16, 32]
        assert sign_in(attacker).headers["Retry-After"] == "64"
        owner = Client(url)
        owner.headers["X-Forwarded-For"] = "198.51.100.20"  # an address the owner never used before
        assert sign_in(owner).status_code == 303
        assert owner.get("/handoffs").status_code == 200
    dispose_engines()
    assert [action for _, action, _ in _actions(audit)].count("login") == 1
