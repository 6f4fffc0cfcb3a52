"""Signing staff in and out of the console, and the guard every other page sits behind.

- The login form is protected by a double-submit CSRF token: a random `login_csrf`
  cookie that must equal the form's hidden field (there is no session yet to hold one).
- Attempts are throttled per e-mail and client address with exponential backoff, never
  locked per account (`LoginLimiter`), checked before the password, so guessing costs the
  attacker time and not us an argon2 hash. A refused attempt is a 429 with Retry-After.
- A wrong password and an unknown e-mail get the same answer; the audit log records the
  attempt as "anonymous" with the typed e-mail as detail, never as the actor.
- Every page behind `staff_only` needs a live session; a form post also needs the
  session's CSRF token, or it is refused with 403 before anything changes.
"""

from __future__ import annotations

import asyncio
import functools
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Coroutine, Optional
from urllib.parse import urlencode

from sanic import Request
from sanic.exceptions import Forbidden
from sanic.response import HTTPResponse, redirect

from bot.client_address import client_address
from bot.staff.pages import HOME, clear_cookie, render, safe_next, set_cookie
from bot.staff.sessions import COOKIE_NAME, IDLE_TIMEOUT, csrf_matches, new_csrf_token

LOGIN_PATH = "/login"
LOGIN_CSRF_COOKIE = "login_csrf"
CSRF_FIELD = "csrf_token"
BACKGROUND_HEADER = "X-Console-Update"  # sent by static/live.js: not the staff member's own activity
MAX_EMAIL_LENGTH = 254
WRONG = "E-mail or password is wrong."
EXPIRED_FORM = "The sign-in form had expired. Please sign in again."
IDLE = f"You were signed out after {IDLE_TIMEOUT.seconds // 60} minutes without activity. Please sign in again."
SIGNED_OUT = "You are signed out."

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


@dataclass(frozen=True)
class Attempt:
    """How a sign-in went: a session token, a wait imposed by the rate limit, or neither (wrong)."""

    token: Optional[str] = None
    retry_after: Optional[timedelta] = None


def staff_only(handler: Handler) -> Handler:
    """Serve `handler` to a signed-in session only (as `request.ctx.staff`); a POST must also
    carry the session's CSRF token. Without a session: a redirect to the login page that
    comes back here afterwards (GET only; a form post returns to the queue).

    A request marked with BACKGROUND_HEADER (the console's live updates, `static/live.js`)
    does not slide the session's idle timeout, so an open console left alone is still
    signed out. Only a same-origin script can send that header without CORS, which the
    console never allows, and all it can do is not count as activity.
    """

    @functools.wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        token = request.cookies.get(COOKIE_NAME)
        activity = BACKGROUND_HEADER not in request.headers
        signed_in = await asyncio.to_thread(request.app.ctx.sessions.resume, token, activity) if token else None
        if signed_in is None:
            return _to_login(request, stale_cookie=bool(token))
        if request.method != "GET" and not csrf_matches(signed_in.csrf_token, request.form.get(CSRF_FIELD)):
            raise Forbidden("missing or wrong CSRF token")
        request.ctx.staff = signed_in
        return await handler(request, *args, **kwargs)

    return guarded


async def login_form(request: Request) -> HTTPResponse:
    """GET /login: the form, with a notice when a session timed out or was signed out."""
    notice = IDLE if request.args.get("idle") else SIGNED_OUT if request.args.get("signed_out") else None
    return _login_page(request, safe_next(request.args.get("next")), notice=notice)


async def login(request: Request) -> HTTPResponse:
    """POST /login: check the form's CSRF token and the rate limit, then the password."""
    form = request.form
    target = safe_next(form.get("next"))
    email = (form.get("email") or "").strip()[:MAX_EMAIL_LENGTH]
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get(CSRF_FIELD)):
        return _login_page(request, target, status=403, error=EXPIRED_FORM, email=email)
    client = client_address(request)
    attempt = await asyncio.to_thread(_sign_in, request.app.ctx, email, form.get("password") or "", client)
    if attempt.retry_after is not None:
        seconds = max(1, math.ceil(attempt.retry_after.total_seconds()))
        response = _login_page(request, target, status=429, error=too_many(seconds), email=email)
        response.headers["Retry-After"] = str(seconds)
        return response
    if attempt.token is None:
        return _login_page(request, target, status=200, error=WRONG, email=email)
    response = redirect(target, status=303)
    secure = request.app.ctx.secure_cookies
    set_cookie(response, COOKIE_NAME, attempt.token, secure)
    clear_cookie(response, LOGIN_CSRF_COOKIE, secure, path=LOGIN_PATH)
    return response


@staff_only
async def logout(request: Request) -> HTTPResponse:
    """POST /logout: end this session (CSRF-checked by `staff_only`) and say so on the login page."""
    ctx, staff = request.app.ctx, request.ctx.staff

    def sign_out() -> None:
        ctx.sessions.end(request.cookies.get(COOKIE_NAME, ""))
        ctx.audit.record(staff.account.email, "logout")

    await asyncio.to_thread(sign_out)
    response = redirect(f"{LOGIN_PATH}?signed_out=1", status=303)
    clear_cookie(response, COOKIE_NAME, ctx.secure_cookies)
    return response


def too_many(seconds: int) -> str:
    """What a throttled sign-in reads: the wait in seconds, or in whole minutes (rounded up) from two minutes."""
    if seconds < 120:
        return f"Too many attempts, try again in {seconds} second{'s' if seconds != 1 else ''}."
    return f"Too many attempts, try again in {math.ceil(seconds / 60)} minutes."


def _sign_in(ctx: Any, email: str, password: str, client: str) -> Attempt:
    """The throttle (which counts the attempt), the password check, the audit entry, and the new session."""
    admission = ctx.limiter.admit(email, client)
    if admission.retry_after is not None:
        return Attempt(retry_after=admission.retry_after)
    account = ctx.accounts.verify(email, password)
    if account is None:
        ctx.audit.record("anonymous", "login_failed", detail=email.lower() or None)
        return Attempt()
    ctx.limiter.succeeded(admission.attempt_id)
    token = ctx.sessions.start(account)
    ctx.audit.record(account.email, "login")
    return Attempt(token=token)


def _to_login(request: Request, stale_cookie: bool) -> HTTPResponse:
    """Redirect to the login page, coming back to this page afterwards; a stale cookie is dropped."""
    query = {"next": request.path + (f"?{request.query_string}" if request.query_string else "")}
    if request.method != "GET":
        query["next"] = HOME
    if stale_cookie:
        query["idle"] = "1"
    response = redirect(f"{LOGIN_PATH}?{urlencode(query)}", status=302)
    if stale_cookie:
        clear_cookie(response, COOKIE_NAME, request.app.ctx.secure_cookies)
    return response


def _login_page(
    request: Request,
    target: str,
    status: int = 200,
    error: Optional[str] = None,
    notice: Optional[str] = None,
    email: str = "",
) -> HTTPResponse:
    """The login form with a fresh double-submit token in its hidden field and in a cookie."""
    token = new_csrf_token()
    response = render(
        request, "login.html", status=status, login_csrf=token, next=target, error=error, notice=notice, email=email
    )
    set_cookie(response, LOGIN_CSRF_COOKIE, token, request.app.ctx.secure_cookies, path=LOGIN_PATH)
    return response
