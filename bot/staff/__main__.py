"""The staff process and its commands: `python -m bot.staff [serve | add-user | export-unanswered | purge]`.

    python -m bot.staff                       serve the console and API on STAFF_PORT (make run does)
    python -m bot.staff add-user EMAIL        create a staff account (asks for the password twice)
    python -m bot.staff export-unanswered     what the bot could not answer, as a Rasa NLU YAML stub
    python -m bot.staff purge                 delete conversations and handoffs older than RETENTION_DAYS

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
from bot.retention import purge
from bot.settings import ConfigurationError, Settings, get_settings
from bot.staff.accounts import AccountError, Accounts
from bot.staff.app import create_app
from bot.staff.audit import AuditLog
from bot.staff.token import resolve_token
from bot.transcripts.events import tracker_engine
from bot.transcripts.nlu_export import nlu_stub
from bot.transcripts.transcript import TranscriptReader
from bot.transcripts.unanswered import group_similar

CLI_ACTOR = "cli"
DEFAULT_EXPORT_DAYS = 30


def serve(settings: Settings) -> int:
    """One worker on STAFF_HOST:STAFF_PORT, without an access log (Sanic's would record every query string)."""
    resolve_token(settings, create=True)  # a standalone start makes its own token file
    app = create_app(settings)
    app.config.MOTD = False
    app.after_server_stop(lambda app, loop: dispose_engines())
    app.run(host=settings.staff_host, port=settings.staff_port, workers=1, access_log=False, debug=False)
    return 0


def add_user(settings: Settings, email: str, password: str) -> int:
    """Create a console account; the password is stored only as an argon2id hash."""
    sessions = session_factory(get_engine(settings.database_url))
    account = Accounts(sessions).add(email, password)
    AuditLog(sessions).record(CLI_ACTOR, "add_user", detail=account.email)
    print(f"Created staff account {account.email}. Sign in at {settings.staff_public_url}/login")
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
    export = commands.add_parser("export-unanswered", help="unanswered patient messages as a Rasa NLU YAML stub")
    export.add_argument("--days", type=_days, default=DEFAULT_EXPORT_DAYS, help="how far back (default 30)")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    old = commands.add_parser("purge", help="delete conversations and handoffs older than the retention window")
    old.add_argument("--days", type=_days, default=settings.retention_days,
                     help=f"retention window in days (default RETENTION_DAYS: {settings.retention_days})")
    return parser


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
            return add_user(settings, args.email, _password(args.password_stdin))
        if args.command == "export-unanswered":
            if args.out is None:
                return export_unanswered(settings, args.days, sys.stdout)
            with args.out.open("w", encoding="utf-8") as out:
                return export_unanswered(settings, args.days, out)
        return purge_old(settings, args.days)
    except (ConfigurationError, AccountError, DatabaseUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        dispose_engines()


if __name__ == "__main__":
    sys.exit(main())
