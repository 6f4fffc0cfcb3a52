"""`python -m bot.staff`: serves the console and API on STAFF_PORT, and runs the staff commands:
accounts (add, disable, enable), API tokens (add, revoke, list: a token is printed only
when it is made), the NLU export and the purge."""

import dataclasses
import io
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.nlu.training_data.loading import load_data

import bot.staff.__main__ as staff_cli
from bot.db.engine import get_engine, session_factory
from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import Accounts
from bot.staff.api_tokens import ApiTokens, digest
from bot.staff.app import create_app
from bot.staff.audit import AuditLog
from bot.staff.sessions import Sessions
from bot.staff.token import LOCAL
from tests.http_server import call, serving
from tests.ports import free_port
from tests.staff.fixtures import EMAIL, PASSWORD, Client, FakeTranscripts, sign_in
from tests.tracker_data import T0, rasa_trackers, said

START_WAIT_S = 30.0


def test_the_module_serves_the_api(tmp_path):
    port, var_dir = free_port(), tmp_path / "var"
    url = f"sqlite:///{tmp_path / 'handoffs.db'}"
    upgrade(url)
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "STAFF_PORT": str(port),
        "DATABASE_URL": url,
        "STAFF_API_TOKEN": "",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.staff"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline and process.poll() is None and not _answers(f"{base}/healthz"):
            time.sleep(0.1)
        assert process.poll() is None, process.stdout.read().decode()
        token = (var_dir / "staff_api_token").read_text().strip()
        assert call(f"{base}/api/handoffs", token=token)[::2] == (200, [])
        assert call(f"{base}/api/handoffs")[0] == 401
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert token not in output
    assert "GET /api/handoffs" not in output  # no access log
    assert ApiTokens(session_factory(get_engine(url))).name_of(token) == LOCAL  # its hash, under `local`


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


# --- the commands ------------------------------------------------------------------


@pytest.fixture
def cli_settings(tmp_path, monkeypatch) -> Settings:
    """Settings of a migrated SQLite database, as `python -m bot.staff <command>` would read them."""
    settings = Settings.from_env(
        {
            "VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        }
    )
    upgrade(settings.database_url)
    monkeypatch.setattr(staff_cli, "get_settings", lambda: settings)
    return settings


def _audit_actions(settings: Settings) -> list:
    return [
        (entry.actor, entry.action) for entry in AuditLog(session_factory(get_engine(settings.database_url))).entries()
    ]


def test_add_user_reads_the_password_from_stdin_and_stores_only_a_hash(cli_settings, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert staff_cli.main(["add-user", "Nurse@Clinic.Example", "--password-stdin"]) == 0
    assert "Created staff account nurse@clinic.example" in capsys.readouterr().out
    accounts = Accounts(session_factory(get_engine(cli_settings.database_url)))
    assert accounts.verify("nurse@clinic.example", "a long enough password") is not None
    assert ("cli", "add_user") in _audit_actions(cli_settings)


def test_add_user_with_a_name_and_set_name_change_what_patients_read(cli_settings, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert staff_cli.main(["add-user", "ana@clinic.example", "--password-stdin", "--name", "Ana"]) == 0
    accounts = Accounts(session_factory(get_engine(cli_settings.database_url)))
    assert accounts.verify("ana@clinic.example", "a long enough password").display_name == "Ana"
    assert staff_cli.main(["set-name", "ana@clinic.example", ""]) == 0
    assert "staff_title" in capsys.readouterr().out
    assert accounts.verify("ana@clinic.example", "a long enough password").display_name is None
    assert ("cli", "set_display_name") in _audit_actions(cli_settings)


def test_add_user_asks_twice_and_refuses_a_mismatch(cli_settings, monkeypatch, capsys):
    answers = iter(["a long enough password", "a different password!"])
    monkeypatch.setattr(staff_cli.getpass, "getpass", lambda prompt: next(answers))
    assert staff_cli.main(["add-user", "nurse@clinic.example"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert Accounts(session_factory(get_engine(cli_settings.database_url))).count() == 0


@pytest.mark.parametrize("password", ["short", "            "])
def test_add_user_refuses_a_weak_password_in_one_line(cli_settings, monkeypatch, capsys, password):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert staff_cli.main(["add-user", "nurse@clinic.example", "--password-stdin"]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def _tokens(settings: Settings) -> ApiTokens:
    return ApiTokens(session_factory(get_engine(settings.database_url)))


def test_add_token_prints_the_token_once_alone_on_stdout_and_stores_only_its_hash(cli_settings, capsys):
    assert staff_cli.main(["add-token", "crm-sync"]) == 0
    printed = capsys.readouterr()
    token = printed.out.strip()
    assert printed.out == token + "\n" and len(token) >= 43  # TOKEN=$(python -m bot.staff add-token NAME)
    assert "shown only now" in printed.err and token not in printed.err
    assert _tokens(cli_settings).authenticate(token) == "crm-sync"
    engine = get_engine(cli_settings.database_url)
    with engine.connect() as connection:
        dumped = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM staff_api_tokens"))
        audit = "\n".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM audit_log"))
    assert token not in dumped and digest(token) in dumped
    assert token not in audit
    assert ("cli", "add_token") in _audit_actions(cli_settings)


def test_a_second_token_of_the_same_name_is_refused(cli_settings, capsys):
    assert staff_cli.main(["add-token", "crm"]) == 0
    first = capsys.readouterr().out.strip()
    assert staff_cli.main(["add-token", "crm"]) == 1
    assert "a token named 'crm' already exists; revoke it first" in capsys.readouterr().err
    assert _tokens(cli_settings).authenticate(first) == "crm"


def test_a_bad_token_name_is_a_usage_error(cli_settings, capsys):
    with pytest.raises(SystemExit) as exited:
        staff_cli.main(["add-token", "crm sync"])
    assert exited.value.code == 2 and "a token name is" in capsys.readouterr().err


def test_list_tokens_shows_names_and_times_never_a_token(cli_settings, capsys):
    assert staff_cli.main(["list-tokens"]) == 0
    assert "No API tokens" in capsys.readouterr().out
    staff_cli.main(["add-token", "crm"])
    staff_cli.main(["add-token", "billing"])
    crm, billing = capsys.readouterr().out.split()
    _tokens(cli_settings).authenticate(crm)
    assert staff_cli.main(["list-tokens"]) == 0
    listing = capsys.readouterr().out
    lines = listing.splitlines()
    assert lines[0].split() == ["name", "created", "last", "used"]
    assert lines[1].startswith("billing ") and lines[1].endswith("never")
    assert lines[2].startswith("crm ") and lines[2].endswith(" UTC") and lines[2].count(" UTC") == 2
    assert all(secret not in listing for secret in (crm, billing, digest(crm), digest(billing)))


def test_revoke_token_ends_that_tokens_access_at_once_and_is_audited(cli_settings, capsys):
    staff_cli.main(["add-token", "crm"])
    token = capsys.readouterr().out.strip()
    assert staff_cli.main(["revoke-token", "crm"]) == 0
    assert "Revoked API token 'crm'" in capsys.readouterr().out
    assert _tokens(cli_settings).authenticate(token) is None
    assert ("cli", "revoke_token") in _audit_actions(cli_settings)
    assert staff_cli.main(["revoke-token", "crm"]) == 1
    assert "no live API token named 'crm'" in capsys.readouterr().err


def test_revoking_local_says_make_run_makes_a_new_one(cli_settings, capsys):
    _tokens(cli_settings).issue(LOCAL)
    assert staff_cli.main(["revoke-token", LOCAL]) == 0
    assert "makes a new `local` token at its next start" in capsys.readouterr().out


def test_disable_user_ends_the_accounts_sessions_at_once_and_enable_user_reverses_it(cli_settings, capsys):
    sessions = session_factory(get_engine(cli_settings.database_url))
    Accounts(sessions).add(EMAIL, PASSWORD)
    other = Accounts(sessions).add("sam@clinic.example", PASSWORD)
    others_session = Sessions(sessions).start(other)
    with serving(create_app(cli_settings, transcripts=FakeTranscripts())) as url:
        browsers = [Client(url), Client(url)]
        assert all(sign_in(browser).status_code == 303 for browser in browsers)
        assert browsers[0].get("/handoffs").status_code == 200
        assert staff_cli.main(["disable-user", "Nurse@Clinic.Example"]) == 0
        assert f"Disabled staff account {EMAIL}: 2 sessions ended" in capsys.readouterr().out
        for browser in browsers:  # the very next request, from each browser, is signed out
            assert browser.get("/handoffs").headers["Location"].startswith("/login")
        assert sign_in(Client(url)).status_code == 200  # "E-mail or password is wrong": no session
        assert Sessions(sessions).resume(others_session) is not None  # other accounts keep theirs
        assert staff_cli.main(["enable-user", EMAIL]) == 0
        assert "Enabled staff account" in capsys.readouterr().out
        assert sign_in(Client(url)).status_code == 303
    actions = _audit_actions(cli_settings)
    assert ("cli", "disable_user") in actions and ("cli", "enable_user") in actions


def test_disabling_an_unknown_account_is_an_error(cli_settings, capsys):
    assert staff_cli.main(["disable-user", "nobody@clinic.example"]) == 1
    assert "there is no account for nobody@clinic.example" in capsys.readouterr().err


def test_export_unanswered_writes_an_nlu_stub_rasa_can_load(cli_settings, tmp_path, capsys):
    today = (datetime.now(timezone.utc) - T0) / timedelta(minutes=1)  # said() counts minutes from T0
    with rasa_trackers(cli_settings.tracker_store_url) as rasa:
        rasa.save("patient-1", [said("do you do laser hair removal", "out_of_scope", minute=today)])
        rasa.save("patient-2", [said("how long does numbing take", "faq_numbing", minute=today)])
    out = tmp_path / "unanswered.yml"
    assert staff_cli.main(["export-unanswered", "--days", "7", "--out", str(out)]) == 0
    stub = out.read_text(encoding="utf-8")
    assert "laser hair removal" in stub and "numbing" not in stub and "patient-1" not in stub
    assert load_data(str(out)).intent_examples[0].get("text") == "do you do laser hair removal"
    assert "Exported 1 groups" in capsys.readouterr().err
    assert ("cli", "export_unanswered") in _audit_actions(cli_settings)


def test_purge_uses_the_retention_window_and_is_audited(cli_settings, capsys):
    assert staff_cli.main(["purge"]) == 0
    assert f"Purged older than {cli_settings.retention_days} days: 0 handoffs" in capsys.readouterr().out
    assert ("cli", "purge") in _audit_actions(cli_settings)


def test_a_database_problem_is_one_line_not_a_traceback(cli_settings, monkeypatch, capsys):
    broken = dataclasses.replace(cli_settings, database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    monkeypatch.setattr(staff_cli, "get_settings", lambda: broken)
    assert staff_cli.main(["purge", "--days", "30"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the ") and "Traceback" not in err
