"""`python -m bot.launcher`: start the assistant's servers, print where they are, stop on Ctrl-C.

`make run` runs the embedded profile; `make run-prod` passes `--profile prod`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import List, Optional

from sqlalchemy.engine import make_url

from bot.db.engine import make_engine, session_factory
from bot.db.session import DatabaseUnavailable
from bot.launcher.profiles import EMBEDDED, PROD, PROFILES
from bot.launcher.supervision import Stack
from bot.settings import ConfigurationError, Settings, get_settings
from bot.staff.accounts import Accounts


def clinic_banner(settings: Settings) -> List[str]:
    """Start-banner lines about the clinic profile: a demo, or a missing phone number, is said loudly."""
    clinic, path = settings.clinic, settings.clinic_profile_path
    if clinic.demo:
        return [
            "",
            "*** DEMO PROFILE ***",
            f"  {path} is the demo clinic profile (demo: true). Patients are told to call",
            f"  {clinic.phone}, a fictional number; the widget shows a Demo label.",
            "  Before real patients use it: set the clinic's own `phone` and delete `demo: true`",
            "  (make run-prod refuses the demo profile).",
        ]
    if not clinic.phone:
        return [
            "",
            f"Note: {path} has no phone number; answers tell patients to find it on the clinic's",
            "  website. Set `phone` (make run-prod refuses to start without it).",
        ]
    return []


def _started(stack: Stack) -> str:
    """What `main` prints once every server answers."""
    settings = stack.settings
    sms_state = "enabled" if settings.twilio_auth_token else "refusing all: set TWILIO_AUTH_TOKEN"
    clinic = settings.clinic
    lines = [
        *clinic_banner(settings),
        "",
        "The assistant is running" + (" (DEMO PROFILE)." if clinic.demo else "."),
        f"  Clinic:         {clinic.name}, phone {clinic.phone or '(none)'}"
        + ("  [DEMO: fictional number]" if clinic.demo else ""),
        f"  Website demo:   {stack.widget_demo_url}  (open it in a browser: the chat widget)",
        f'  Widget tag:     <script src="{stack.rasa_url}/webhooks/widget/widget.js" defer></script>',
        f'  Chat (REST):    POST {stack.rasa_url}/webhooks/rest/webhook {{"sender": "me", "message": "hi"}}',
        f"  SMS (Twilio):   POST {stack.sms_webhook_url}  ({sms_state})",
        f"  Health:         {stack.rasa_url}/webhooks/rest/",
    ]
    if stack.profile == PROD:
        lines += [
            f"  Rasa servers:   {', '.join(stack.instance_urls)} (behind the proxy on {stack.rasa_url})",
            f"  Conversations:  {make_url(settings.tracker_store_url).render_as_string(hide_password=True)}",
            "  Locks:          Redis (REDIS_URL)",
        ]
    lines += [
        f"  Action server:  {stack.action_url}/health",
        f"  Staff console:  {stack.staff_url}/  ({_staff_accounts(settings)})",
        f"  Staff API:      GET {stack.staff_url}/api/handoffs (header 'Authorization: Bearer <token>')",
        f"  Staff token:    {_token_source(settings)}",
        "                  (more: python -m bot.staff add-token NAME; list-tokens, revoke-token NAME)",
        f"  Logs:           {stack.log_dir}/",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def _token_source(settings: Settings) -> str:
    """Where the `local` API token is; the banner never shows a token itself."""
    if settings.staff_api_token:
        return "`local`, the value of STAFF_API_TOKEN"
    return f"`local`, in {settings.staff_token_file} (owner-only): Bearer $(cat {settings.staff_token_file})"


def _staff_accounts(settings: Settings) -> str:
    """How many staff can sign in, and how to add one."""
    how = "add one: make staff-user EMAIL=you@clinic.example"
    engine = make_engine(settings.database_url)  # once, at start-up: no pool kept open afterwards
    try:
        count = Accounts(session_factory(engine)).count()
    except DatabaseUnavailable:
        return how
    finally:
        engine.dispose()
    if count == 0:
        return f"no staff accounts yet; {how}"
    return f"{count} staff account{'s' if count != 1 else ''}; {how}"


def main(argv: Optional[List[str]] = None) -> int:
    """Run until Ctrl-C (or SIGTERM), printing where to talk to the assistant."""
    parser = argparse.ArgumentParser(description="Start the assistant's servers together, and stop them together.")
    parser.add_argument(
        "--profile", choices=PROFILES, default=EMBEDDED,
        help="embedded: one Rasa server on SQLite (make run); prod: RASA_INSTANCES Rasa servers "
        "on PostgreSQL and Redis behind a proxy (make run-prod)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        stack = Stack(settings, settings.var_dir / "logs", profile=args.profile)
    except ConfigurationError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 2
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    rasa = (
        "the Rasa server"
        if args.profile == EMBEDDED
        else f"{stack.settings.rasa_instances} Rasa servers behind a proxy"
    )
    print(f"Starting the action server, {rasa} and the staff API (about a minute)...", flush=True)
    try:
        stack.start()
        print(_started(stack), flush=True)
        while not stop_requested:
            crashed = stack.first_exited()
            if crashed:
                print(f"The {crashed} server stopped; see {stack.log_dir / (crashed + '.log')}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)
