"""The staff process and its commands: `python -m bot.staff [serve | COMMAND ...]`.

    python -m bot.staff                       serve the console and API on STAFF_PORT (make run does)
    python -m bot.staff add-user EMAIL        create a staff account (asks for the password twice;
                                              --name "Ana": what patients read when Ana takes over)
    python -m bot.staff set-name EMAIL NAME   set that name ("" for the clinic profile's staff_title)
    python -m bot.staff disable-user EMAIL    end the account's sessions at once; it can no longer sign in
    python -m bot.staff enable-user EMAIL     let a disabled account sign in again
    python -m bot.staff add-token NAME        issue an API token (printed this once, stored only hashed)
    python -m bot.staff revoke-token NAME     end that token's access at once
    python -m bot.staff list-tokens           the live tokens' names, when made and last used (never a token)
    python -m bot.staff export-unanswered     what the bot could not answer, as a Rasa NLU YAML stub
    python -m bot.staff purge                 delete conversations and handoffs older than RETENTION_DAYS
    python -m bot.staff digest [--days 7]     the Insights figures and top unanswered groups of the last days
                                              (what the weekly e-mail to STAFF_EMAIL says)

Commands that change data, or read patient messages out of the database, are written to
the audit log (actor "cli"), like the console's own views and changes.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import timedelta
from pathlib import Path
from typing import List, Optional, TextIO

from bot.db.engine import dispose_engines, get_engine, session_factory
from bot.db.models import utcnow
from bot.db.session import DatabaseUnavailable
from bot.insights.report import InsightsReader
from bot.settings import ConfigurationError, Settings, get_settings
from bot.staff.accounts import AccountError, Accounts
from bot.staff.api_tokens import ApiTokenError, ApiTokens, check_name
from bot.staff.app import create_app
from bot.staff.audit import AuditLog
from bot.staff.digest import print_digest
from bot.staff.retention import purge
from bot.staff.sessions import Sessions
from bot.staff.token import LOCAL, local_token
from bot.staff.wording import when
from bot.transcripts.events import tracker_engine
from bot.transcripts.nlu_export import nlu_stub
from bot.transcripts.transcript import TranscriptReader
from bot.transcripts.unanswered import group_similar

CLI_ACTOR = "cli"
DEFAULT_EXPORT_DAYS = 30


def serve(settings: Settings) -> int:
    """One worker on STAFF_HOST:STAFF_PORT, without an access log (Sanic's would record every query string)."""
    local_token(settings)  # a standalone start makes its own `local` token (and file) if it has none
    app = create_app(settings)
    app.config.MOTD = False
    app.after_server_stop(lambda app, loop: dispose_engines())
    app.run(host=settings.staff_host, port=settings.staff_port, workers=1, access_log=False, debug=False)
    return 0


def add_user(settings: Settings, email: str, password: str, display_name: Optional[str] = None) -> int:
    """Create a console account; the password is stored only as an argon2id hash."""
    sessions = session_factory(get_engine(settings.database_url))
    account = Accounts(sessions).add(email, password, display_name)
    AuditLog(sessions).record(CLI_ACTOR, "add_user", detail=account.email)
    print(f"Created staff account {account.email}. Sign in at {settings.staff_public_url}/login")
    return 0


def set_display_name(settings: Settings, email: str, display_name: str) -> int:
    """Set (or, with "", clear) the name patients read when this person takes a conversation over."""
    sessions = session_factory(get_engine(settings.database_url))
    account = Accounts(sessions).set_display_name(email, display_name)
    AuditLog(sessions).record(CLI_ACTOR, "set_display_name", detail=account.email)
    shown = account.display_name or f"the clinic profile's staff_title ({settings.clinic.staff_title!r})"
    print(f"Patients will read {shown!r} when {account.email} takes a conversation over")
    return 0


def set_user_active(settings: Settings, email: str, active: bool) -> int:
    """Disable an account and end its sessions at once, or enable it again."""
    sessions = session_factory(get_engine(settings.database_url))
    account = Accounts(sessions).set_active(email, active)
    if active:
        AuditLog(sessions).record(CLI_ACTOR, "enable_user", detail=account.email)
        print(f"Enabled staff account {account.email}; it can sign in again.")
        return 0
    ended = Sessions(sessions).end_all(account.id)
    AuditLog(sessions).record(CLI_ACTOR, "disable_user", detail=f"{account.email}, {ended} sessions ended")
    sessions_ended = f"{ended} session{'s' if ended != 1 else ''} ended"
    print(f"Disabled staff account {account.email}: {sessions_ended}; it cannot sign in until enable-user.")
    return 0


def add_token(settings: Settings, name: str) -> int:
    """Issue a token: only it goes to standard output (for `TOKEN=$(...)`), the explanation to stderr."""
    sessions = session_factory(get_engine(settings.database_url))
    token = ApiTokens(sessions).issue(name)
    AuditLog(sessions).record(CLI_ACTOR, "add_token", detail=name)
    print(
        f"Created API token {name!r}. It is shown only now (the database keeps only its hash): store it "
        "where the integration keeps secrets and send it as 'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    print(token)
    return 0


def revoke_token(settings: Settings, name: str) -> int:
    """End a token's access; requests with it get 401 from now on."""
    sessions = session_factory(get_engine(settings.database_url))
    ApiTokens(sessions).revoke(name)
    AuditLog(sessions).record(CLI_ACTOR, "revoke_token", detail=name)
    later = " (`make run` makes a new `local` token at its next start)" if name == LOCAL else ""
    print(f"Revoked API token {name!r}: requests with it are refused from now on{later}.")
    return 0


def list_tokens(settings: Settings, out: TextIO) -> int:
    """The live tokens' names, creation and last use (UTC); never a token or its hash."""
    tokens = ApiTokens(session_factory(get_engine(settings.database_url))).live()
    if not tokens:
        print("No API tokens. Issue one with: python -m bot.staff add-token NAME", file=out)
        return 0
    width = max(len("name"), *(len(token.name) for token in tokens))
    print(f"{'name':<{width}}  {'created':<20}  last used", file=out)
    for token in tokens:
        print(f"{token.name:<{width}}  {when(token.created_at):<20}  {when(token.last_used_at) or 'never'}", file=out)
    return 0


def export_unanswered(settings: Settings, days: int, out: TextIO) -> int:
    """Write the last `days` of unanswered patient messages, grouped, as NLU YAML for a developer."""
    reader = TranscriptReader(tracker_engine(settings.tracker_store_url))
    groups = group_similar(reader.unanswered(since=utcnow() - timedelta(days=days)))
    out.write(nlu_stub(groups))
    AuditLog(session_factory(get_engine(settings.database_url))).record(
        CLI_ACTOR, "export_unanswered", detail=f"{len(groups)} groups from the last {days} days"
    )
    print(f"Exported {len(groups)} groups of unanswered messages from the last {days} days.", file=sys.stderr)
    return 0


def purge_old(settings: Settings, days: int) -> int:
    """Delete what is older than `days` (default RETENTION_DAYS), and say how much went."""
    app_engine = get_engine(settings.database_url)
    report = purge(app_engine, tracker_engine(settings.tracker_store_url), utcnow() - timedelta(days=days))
    detail = (
        f"older than {days} days: {report.handoffs} handoffs, {report.tracker_events} conversation events, "
        f"{report.sms_messages} SMS messages, {report.sms_contacts} SMS numbers, {report.login_attempts} login attempts, "
        f"{report.staff_sessions} expired sessions"
    )
    AuditLog(session_factory(app_engine)).record(CLI_ACTOR, "purge", detail=detail)
    print(f"Purged {detail}.")
    return 0


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin (for scripts), or typed twice at a prompt that does not echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Repeat the password: ") != first:
        raise AccountError("the two passwords differ")
    return first


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.staff", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the staff console and API (the default)")
    add = commands.add_parser("add-user", help="create a staff account")
    add.add_argument("email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.add_argument("--name", help='what patients read when this person takes over ("Ana"; default: staff_title)')
    name = commands.add_parser("set-name", help="set what patients read when this person takes over")
    name.add_argument("email")
    name.add_argument("display_name", help='e.g. "Ana"; "" for the clinic profile\'s staff_title')
    for command, what in (
        ("disable-user", "end an account's sessions and stop it signing in"),
        ("enable-user", "let a disabled account sign in again"),
    ):
        commands.add_parser(command, help=what).add_argument("email")
    for command, what in (
        ("add-token", "issue a named API token (printed once)"),
        ("revoke-token", "revoke a named API token"),
    ):
        commands.add_parser(command, help=what).add_argument("name", type=_token_name)
    commands.add_parser("list-tokens", help="the API tokens' names, created and last used (never a token)")
    export = commands.add_parser("export-unanswered", help="unanswered patient messages as a Rasa NLU YAML stub")
    export.add_argument("--days", type=_days, default=DEFAULT_EXPORT_DAYS, help="how far back (default 30)")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    old = commands.add_parser("purge", help="delete conversations and handoffs older than the retention window")
    old.add_argument(
        "--days",
        type=_days,
        default=settings.retention_days,
        help=f"retention window in days (default RETENTION_DAYS: {settings.retention_days})",
    )
    digest = commands.add_parser("digest", help="the last days' Insights figures and top unanswered groups")
    digest.add_argument("--days", type=_days, default=7, help="how far back (default 7)")
    return parser


def _token_name(raw: str) -> str:
    try:
        return check_name(raw)
    except ApiTokenError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _days(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 36500:
        raise argparse.ArgumentTypeError("a whole number of days from 1")
    return int(raw)


def main(argv: Optional[List[str]] = None) -> int:
    """Run one command; configuration, account and database problems end with a one-line message."""
    try:
        settings = get_settings()
        args = _parser(settings).parse_args(argv)
        if args.command in (None, "serve"):
            return serve(settings)
        if args.command == "add-user":
            return add_user(settings, args.email, _password(args.password_stdin), args.name)
        if args.command == "set-name":
            return set_display_name(settings, args.email, args.display_name)
        if args.command in ("disable-user", "enable-user"):
            return set_user_active(settings, args.email, active=args.command == "enable-user")
        if args.command == "add-token":
            return add_token(settings, args.name)
        if args.command == "revoke-token":
            return revoke_token(settings, args.name)
        if args.command == "list-tokens":
            return list_tokens(settings, sys.stdout)
        if args.command == "export-unanswered":
            if args.out is None:
                return export_unanswered(settings, args.days, sys.stdout)
            with args.out.open("w", encoding="utf-8") as out:
                return export_unanswered(settings, args.days, out)
        if args.command == "digest":
            return print_digest(InsightsReader.from_settings(settings), settings, args.days, sys.stdout, utcnow())
        return purge_old(settings, args.days)
    except (ConfigurationError, AccountError, ApiTokenError, DatabaseUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        dispose_engines()


if __name__ == "__main__":
    sys.exit(main())
