"""How the console answers in HTML: templates, error pages, cookies, headers, safe redirects.

Templates are Jinja2 with autoescaping for every .html file, so whatever a patient typed
reaches the browser as text. The only script is the console's own static file for live
updates (`static/live.js`, loaded from this origin); a strict Content-Security-Policy
(scripts from this origin only, never inline) makes the browser refuse any script that
slipped into a page anyway.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic import Request
from sanic.response import HTTPResponse, html

from bot.office_hours import OfficeHours
from bot.staff.sessions import cookie_options
from bot.staff.wording import template_filters

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HOME = "/handoffs"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
ERROR_MESSAGES = {
    400: "The request could not be used.",
    403: "This form has expired or did not come from this console, so nothing was changed. "
    "Go back, reload the page and try again.",
    404: "There is no such page. The handoff may have been removed after the retention period.",
    503: "The database cannot be reached right now, so nothing was read or changed. "
    "Try again in a minute; if it keeps happening, tell whoever runs the console.",
}
GENERIC_ERROR = "Something went wrong on our side. Try again; if it keeps happening, tell whoever runs the console."

_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,  # a misspelt variable fails the page (and its test), never renders blank
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(template_filters())


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """`template` rendered for this request; every page also knows the clinic and who is signed in."""
    signed_in = getattr(request.ctx, "staff", None)
    body = _environment.get_template(template).render(
        clinic_name=request.app.ctx.settings.clinic.name,
        office_hours=OfficeHours.from_profile(request.app.ctx.settings.clinic),  # times on the clinic's clocks
        staff=signed_in,
        csrf_token=signed_in.csrf_token if signed_in else "",
        path=request.path,
        **context,
    )
    return html(body, status=status)


def error_page(request: Request, status: int, detail: Optional[str] = None) -> HTTPResponse:
    """A page for an HTTP error; `detail` (safe to show) replaces the standard text of a 400."""
    message = detail if detail and status == 400 else ERROR_MESSAGES.get(status, GENERIC_ERROR)
    return render(request, "error.html", status=status, title=HTTPStatus(status).phrase, message=message)


def set_cookie(response: HTTPResponse, name: str, value: str, secure: bool, path: str = "/") -> None:
    """Set a console cookie: HttpOnly, SameSite=Lax, Secure over https (see `cookie_options`)."""
    response.cookies[name] = value
    for key, option in {**cookie_options(secure), "path": path}.items():
        response.cookies[name][key] = option


def clear_cookie(response: HTTPResponse, name: str, secure: bool, path: str = "/") -> None:
    """Tell the browser to drop a cookie (same attributes, empty value, Max-Age=0)."""
    set_cookie(response, name, "", secure, path)
    response.cookies[name]["max-age"] = 0


def safe_next(target: Optional[str]) -> str:
    """Where to go after signing in: a path on this site, never another site (no open redirect).

    Only "/something" counts; "//evil.example", "/\\evil.example", "https://...", and
    anything with control characters or spaces fall back to the queue.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(char.isspace() or not char.isprintable() or char == "\\" for char in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target


def add_security_headers(request: Request, response: HTTPResponse) -> None:
    """Response middleware: the headers every answer carries (JSON included: it holds patient data too)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
