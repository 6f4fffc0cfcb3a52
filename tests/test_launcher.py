"""The launcher migrates, starts all servers safely and never leaves one running."""

import dataclasses
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rasa.core.utils import AvailableEndpoints
from sqlalchemy import inspect

from bot import launcher
from bot.db import migrate
from bot.db.engine import get_engine
from bot.settings import PROJECT_ROOT, ClinicProfile, ConfigurationError, Settings
from tests.db.databases import fresh_database
from tests.http_server import call
from tests.ports import free_port
from tests.reliability.conftest import REDIS_URL, consecutive_free_ports, require_redis

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def settings(tmp_path) -> Settings:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    base = Settings.from_env({"VAR_DIR": str(tmp_path / "var")})
    return dataclasses.replace(
        base, model_path=model, rasa_port=free_port(), action_port=free_port(), staff_port=free_port()
    )


def _http_stand_in(port: int) -> list:
    """A stand-in for a server that answers HTTP on `port` (so unit tests never start Rasa)."""
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_rasa_server_opens_rest_with_cors_but_not_the_unauthenticated_api(settings):
    cmd = launcher.rasa_server_cmd(settings)
    assert cmd[cmd.index("--cors") + 1] == "*"
    assert "--enable-api" not in cmd
    assert cmd[cmd.index("--credentials") + 1] == "credentials.yml"


def test_each_allowed_origin_is_its_own_cors_argument(settings):
    sites = dataclasses.replace(settings, cors_origins=("https://a.example", "https://b.example"))
    cmd = launcher.rasa_server_cmd(sites)
    assert cmd[cmd.index("--cors") + 1 : cmd.index("--cors") + 3] == ["https://a.example", "https://b.example"]


def test_servers_get_the_values_endpoints_yml_reads(settings):
    env = launcher.server_env(settings)
    assert env["ACTION_PORT"] == str(settings.action_port)
    assert env["TRACKER_DB"] == str(settings.tracker_db)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


def test_servers_share_the_database_and_only_the_staff_api_gets_the_token(settings, monkeypatch):
    monkeypatch.setenv("STAFF_API_TOKEN", "exported-in-the-shell")
    assert launcher.server_env(settings)["STAFF_PORT"] == str(settings.staff_port)
    assert "STAFF_API_TOKEN" not in launcher.server_env(settings)
    staff = launcher.staff_env(settings, "staff-token-0123456789")
    assert staff["STAFF_API_TOKEN"] == "staff-token-0123456789"
    for env in (staff, launcher.action_env(settings), launcher.rasa_env(settings)):
        assert env["DATABASE_URL"] == settings.database_url


def test_only_the_rasa_server_gets_the_twilio_token(settings, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "exported-in-the-shell")
    sms = dataclasses.replace(settings, twilio_auth_token="twilio-secret", twilio_webhook_url="https://bot.example/x")
    assert "TWILIO_AUTH_TOKEN" not in launcher.server_env(sms)
    assert "TWILIO_AUTH_TOKEN" not in launcher.staff_env(sms, "staff-token-0123456789")
    env = launcher.rasa_env(sms)
    assert (env["TWILIO_AUTH_TOKEN"], env["TWILIO_WEBHOOK_URL"]) == ("twilio-secret", "https://bot.example/x")


def test_missing_model_is_a_clear_error(settings, tmp_path):
    stack = launcher.Stack(dataclasses.replace(settings, model_path=tmp_path / "none.tar.gz"), tmp_path / "logs")
    with pytest.raises(RuntimeError, match="make train"):
        stack.start()


@pytest.mark.parametrize("server", ["rasa_port", "staff_port"])
def test_a_port_in_use_is_a_clear_error(settings, tmp_path, server):
    port = getattr(settings, server)
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", port))
        busy.listen()
        with pytest.raises(RuntimeError, match=f"port {port} is already in use"):
            launcher.Stack(settings, tmp_path / "logs").start()


def test_a_database_that_cannot_be_migrated_is_a_clear_error_before_any_server_starts(settings, tmp_path):
    down = dataclasses.replace(settings, database_url=f"postgresql://clinic:s3cret@127.0.0.1:{free_port()}/x")
    stack = launcher.Stack(down, tmp_path / "logs")
    with pytest.raises(RuntimeError, match="could not migrate the handoff database") as raised:
        stack.start()
    assert "s3cret" not in str(raised.value)
    assert stack.processes == {}


def test_the_stack_migrates_then_serves_the_staff_api_with_its_token(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "action_server_cmd", lambda s: _http_stand_in(s.action_port))
    monkeypatch.setattr(launcher, "rasa_server_cmd", lambda s: _http_stand_in(s.rasa_port))
    with launcher.running_stack(settings, tmp_path / "logs") as stack:
        with sqlite3.connect(settings.tracker_db) as connection:
            assert connection.execute("SELECT count(*) FROM handoffs").fetchone() == (0,)
        token_file = settings.staff_token_file
        assert token_file.read_text().strip() == stack.staff_token
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stack.staff_url == f"http://localhost:{settings.staff_port}"
        assert call(f"{stack.staff_url}/api/handoffs", token=stack.staff_token)[::2] == (200, [])
        assert call(f"{stack.staff_url}/api/handoffs")[0] == 401
        staff = stack.processes["staff"]
    assert staff.poll() is not None


def test_make_run_prints_where_staff_find_handoffs_and_the_token_file_never_the_token(settings, monkeypatch, capsys):
    migrate.upgrade(settings.database_url)
    monkeypatch.setattr(launcher, "get_settings", lambda: settings)
    monkeypatch.setattr(launcher.signal, "signal", lambda signum, handler: None)
    monkeypatch.setattr(launcher.Stack, "start", lambda self: setattr(self, "staff_token", "printed-token-0123456789"))
    monkeypatch.setattr(launcher.Stack, "first_exited", lambda self: "rasa")  # ends main() right after printing
    assert launcher.main([]) == 1
    printed = capsys.readouterr().out
    assert f"GET http://localhost:{settings.staff_port}/api/handoffs" in printed
    assert "printed-token-0123456789" not in printed
    assert f"`local`, in {settings.staff_token_file} (owner-only)" in printed
    assert f"http://localhost:{settings.rasa_port}/webhooks/widget/demo" in printed
    assert (
        f"Staff console:  http://localhost:{settings.staff_port}/  (no staff accounts yet; add one: make staff-user"
        in printed
    )
    assert f'<script src="http://localhost:{settings.rasa_port}/webhooks/widget/widget.js" defer></script>' in printed
    assert (
        f"POST http://localhost:{settings.rasa_port}/webhooks/twilio/webhook  (refusing all: set TWILIO_AUTH_TOKEN)"
        in printed
    )


def test_a_server_that_dies_at_start_is_reported_and_the_other_stopped(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "action_server_cmd", lambda s: [sys.executable, "-c", "raise SystemExit(3)"])
    monkeypatch.setattr(launcher, "rasa_server_cmd", lambda s: SLEEP)
    monkeypatch.setattr(launcher, "staff_server_cmd", lambda s: SLEEP)
    with pytest.raises(RuntimeError, match="actions server exited with code 3"):
        with launcher.running_stack(settings, tmp_path / "logs"):
            pass  # pragma: no cover - never reached


def test_stop_ends_each_server_with_its_children(settings, tmp_path):
    stack = launcher.Stack(settings, tmp_path / "logs")
    parent = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60"], start_new_session=True)
    stack.processes["rasa"] = parent
    stack.stop()
    assert parent.poll() is not None
    deadline = time.monotonic() + 5
    while _running_in_group(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running_in_group(parent.pid)


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def _running_in_group(pgid: int) -> bool:
    """Any live (not zombie) process in the process group; zombies wait for a reaper."""
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


# --- the prod profile -----------------------------------------------------------------

POSTGRES = "postgresql://clinic:s3cret@db.example:5432/clinic"
REDIS = "redis://127.0.0.1:6379/0"
REAL_CLINIC = ClinicProfile(name="Atalo Aesthetics", phone="(617) 555-0142")


CLINIC_SITE = "https://www.clinic.example"


@pytest.fixture
def prod(settings) -> Settings:
    """`settings` as the prod profile wants them: PostgreSQL, Redis, the clinic's real number and its site."""
    return dataclasses.replace(
        settings, database_url=POSTGRES, redis_url=REDIS, clinic=REAL_CLINIC, cors_origins=(CLINIC_SITE,)
    )


def test_prod_keeps_conversations_in_database_url_unless_a_tracker_store_is_chosen(prod):
    assert launcher.prod_settings(prod).tracker_store_url == POSTGRES
    chosen = dataclasses.replace(prod, tracker_store_url="postgresql://rasa@db.example/conversations")
    assert launcher.prod_settings(chosen).tracker_store_url == "postgresql://rasa@db.example/conversations"


@pytest.mark.parametrize(
    "change, named",
    [
        ({"database_url": "sqlite:///var/tracker.db"}, "DATABASE_URL=postgresql://"),
        ({"redis_url": ""}, "REDIS_URL=redis://"),
        ({"redis_url": "127.0.0.1:6379"}, "REDIS_URL must look like redis://"),
        ({"tracker_store_url": "sqlite:///elsewhere.db"}, "TRACKER_STORE_URL=postgresql://"),
    ],
)
def test_prod_without_postgresql_or_redis_is_a_clear_error_before_anything_starts(prod, tmp_path, change, named):
    with pytest.raises(ConfigurationError, match=named) as raised:
        launcher.Stack(dataclasses.replace(prod, **change), tmp_path / "logs", profile=launcher.PROD)
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    "clinic, named",
    [
        (ClinicProfile(name="Atalo Aesthetics"), "has no phone number"),
        (ClinicProfile(name="Atalo Aesthetics", phone="(555) 010-0100", demo=True), "is the demo profile"),
    ],
    ids=["no phone", "demo profile"],
)
def test_prod_refuses_a_clinic_profile_without_a_real_phone_number(prod, tmp_path, clinic, named):
    with pytest.raises(ConfigurationError, match=named) as raised:
        launcher.Stack(dataclasses.replace(prod, clinic=clinic), tmp_path / "logs", profile=launcher.PROD)
    assert str(prod.clinic_profile_path) in str(raised.value)


def test_make_run_prod_with_the_demo_profile_exits_2_and_says_why(prod, monkeypatch, capsys):
    demo = dataclasses.replace(prod, clinic=Settings.from_env({}).clinic)  # the shipped profile
    monkeypatch.setattr(launcher, "get_settings", lambda: demo)
    monkeypatch.setattr(launcher.Stack, "start", lambda self: pytest.fail("nothing may start"))
    assert launcher.main(["--profile", "prod"]) == 2
    err = capsys.readouterr().err
    assert "is the demo profile" in err and "remove `demo: true`" in err


def test_each_prod_server_checks_the_clinic_profile_itself(prod, tmp_path):
    stack = launcher.Stack(prod, tmp_path / "logs", profile=launcher.PROD)
    for server in stack.servers():
        assert server.env["RUN_PROFILE"] == "prod", server.name
        assert server.env["CLINIC_PROFILE"] == str(prod.clinic_profile_path), server.name
    embedded = launcher.Stack(dataclasses.replace(prod, clinic=Settings.from_env({}).clinic), tmp_path / "logs")
    assert {server.env["RUN_PROFILE"] for server in embedded.servers()} == {"embedded"}


def test_a_server_started_with_run_profile_prod_refuses_the_demo_profile():
    """What the Rasa and action servers do at start-up (bot.nlg, actions/__init__.py read the settings)."""
    env = {"RUN_PROFILE": "prod", "PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", "import actions"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "the prod profile cannot start" in done.stderr and "is the demo profile" in done.stderr


def test_the_start_banner_says_loudly_that_the_demo_profile_is_a_demo(settings, tmp_path):
    demo = launcher.Stack(dataclasses.replace(settings, clinic=Settings.from_env({}).clinic), tmp_path / "logs")
    banner = launcher._started(demo)
    assert "*** DEMO PROFILE ***" in banner and "(DEMO PROFILE)" in banner
    assert f"{demo.settings.clinic.phone}, a fictional number" in banner
    real = launcher._started(launcher.Stack(dataclasses.replace(settings, clinic=REAL_CLINIC), tmp_path / "logs"))
    assert "DEMO" not in real and "(617) 555-0142" in real
    no_phone = launcher.clinic_banner(dataclasses.replace(settings, clinic=ClinicProfile(name="Atalo Aesthetics")))
    assert any("has no phone number" in line for line in no_phone)
    assert not any("directly" in line for line in no_phone)


def test_make_run_prod_refuses_sqlite_with_exit_code_2_and_starts_nothing(settings, monkeypatch, capsys):
    monkeypatch.setattr(launcher, "get_settings", lambda: settings)
    monkeypatch.setattr(launcher.Stack, "start", lambda self: pytest.fail("nothing may start"))
    assert launcher.main(["--profile", "prod"]) == 2
    assert "DATABASE_URL=postgresql://" in capsys.readouterr().err


def test_prod_runs_instances_on_the_ports_after_the_proxy_behind_it(prod, tmp_path):
    stack = launcher.Stack(dataclasses.replace(prod, rasa_instances=3), tmp_path / "logs", profile=launcher.PROD)
    servers = {server.name: server for server in stack.servers()}
    assert list(servers) == ["actions", "rasa-1", "rasa-2", "rasa-3", "proxy", "staff"]
    ports = [prod.rasa_port + 1, prod.rasa_port + 2, prod.rasa_port + 3]
    assert stack.instance_ports == ports
    for number, port in enumerate(ports, start=1):
        cmd = servers[f"rasa-{number}"].cmd
        assert cmd[cmd.index("--port") + 1] == str(port)
        assert cmd[cmd.index("--endpoints") + 1] == "endpoints.prod.yml"
        assert cmd[cmd.index("--interface") + 1] == "127.0.0.1"  # only the proxy is public
    proxy = servers["proxy"].cmd
    assert proxy[proxy.index("--port") + 1] == str(prod.rasa_port)
    assert proxy[-3:] == [f"http://127.0.0.1:{port}" for port in ports]
    assert servers["proxy"].health_url == f"{stack.rasa_url}/webhooks/rest/"


def test_only_the_rasa_servers_get_redis_and_the_rate_limit(prod, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://:exported@elsewhere:6379/0")
    limited = dataclasses.replace(prod, patient_rate_limit=7, patient_rate_window=30)
    env = launcher.rasa_env(limited)
    assert (env["REDIS_URL"], env["PATIENT_RATE_LIMIT"], env["PATIENT_RATE_WINDOW"]) == (REDIS, "7", "30")
    assert "REDIS_URL" not in launcher.server_env(limited)
    assert "REDIS_URL" not in launcher.staff_env(limited, "staff-token-0123456789")


def test_prod_rasa_servers_run_the_sanic_workers_set_and_embedded_always_one(settings, prod, tmp_path, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "4")  # exported in the shell: the setting decides
    stack = launcher.Stack(
        dataclasses.replace(prod, sanic_workers=2, message_concurrency=3), tmp_path / "logs", profile=launcher.PROD
    )
    instances = [server for server in stack.servers() if server.name.startswith("rasa-")]
    assert [server.env["SANIC_WORKERS"] for server in instances] == ["2", "2"]
    assert {server.env["MESSAGE_CONCURRENCY"] for server in instances} == {"3"}
    embedded = launcher.Stack(dataclasses.replace(settings, sanic_workers=2), tmp_path / "logs")
    (rasa,) = [server for server in embedded.servers() if server.name == "rasa"]
    assert rasa.env["SANIC_WORKERS"] == "1"  # in-memory locks cannot span processes


def test_embedded_keeps_one_rasa_server_on_rasa_port_with_endpoints_yml(settings, tmp_path):
    stack = launcher.Stack(settings, tmp_path / "logs")
    servers = {server.name: server for server in stack.servers()}
    assert list(servers) == ["actions", "rasa", "staff"]
    cmd = servers["rasa"].cmd
    assert cmd[cmd.index("--endpoints") + 1] == "endpoints.yml" and "--interface" not in cmd
    assert stack.instance_ports == [settings.rasa_port]


def test_endpoints_prod_yml_reads_the_stores_from_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "5055")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "action-secret-0123456789")
    monkeypatch.setenv("TRACKER_STORE_URL", POSTGRES + "?options=-csearch_path%3Dclinic")
    monkeypatch.setenv("REDIS_URL", REDIS)
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.prod.yml"))
    tracker = endpoints.tracker_store
    assert tracker.type == "bot.tracker_store.FastSQLTrackerStore"
    assert tracker.url == POSTGRES + "?options=-csearch_path%3Dclinic"
    assert (endpoints.lock_store.type, endpoints.lock_store.url) == ("bot.locks.AtomicRedisLockStore", REDIS)
    assert endpoints.nlg.type == "bot.nlg.ClinicNLG"


def test_one_server_can_be_stopped_and_started_again(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "action_server_cmd", lambda s: _http_stand_in(s.action_port))
    monkeypatch.setattr(launcher, "rasa_server_cmd", lambda s: _http_stand_in(s.rasa_port))
    with launcher.running_stack(settings, tmp_path / "logs") as stack:
        first = stack.processes["actions"]
        stack.stop_server("actions", signal.SIGKILL)
        assert first.poll() is not None and "actions" not in stack.processes
        stack.start_server("actions", {"DATABASE_URL": "postgresql://nowhere/x"})
        assert stack.processes["actions"].poll() is None
        assert _status(f"{stack.action_url}/") == 200
        with pytest.raises(RuntimeError, match="already running"):
            stack.start_server("actions")
        with pytest.raises(ValueError, match="no server named"):
            stack.start_server("proxy")


def test_a_prod_stack_prepares_postgresql_and_answers_through_the_proxy(tmp_path, monkeypatch):
    """Everything of the prod profile but Rasa itself (stand-ins), on the real PostgreSQL and Redis."""
    require_redis()
    monkeypatch.setattr(launcher, "action_server_cmd", lambda s: _http_stand_in(s.action_port))
    monkeypatch.setattr(launcher, "rasa_server_cmd", lambda s, profile, port: _http_stand_in(port))
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    with fresh_database("postgresql", tmp_path) as url:
        profile = tmp_path / "profile.yml"  # the servers read it themselves, and refuse the demo one
        profile.write_text("name: Atalo Aesthetics\nphone: '(617) 555-0142'\n", encoding="utf-8")
        base = Settings.from_env(
            {
                "VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
                "CLINIC_PROFILE": str(profile), "CORS_ORIGINS": CLINIC_SITE,
            }
        )  # fmt: skip
        first = consecutive_free_ports(3)
        prod = dataclasses.replace(
            base, model_path=model, rasa_port=first, action_port=free_port(), staff_port=free_port()
        )
        with launcher.running_stack(
            dataclasses.replace(prod, rasa_instances=2), tmp_path / "logs", profile=launcher.PROD
        ) as stack:
            tables = inspect(get_engine(url)).get_table_names()
            assert {"handoffs", "events"} <= set(tables)
            assert _status(f"{stack.rasa_url}/") == 200  # the proxy, forwarding to a stand-in
            assert sorted(stack.processes) == ["actions", "proxy", "rasa-1", "rasa-2", "staff"]


# --- the action server's secret, and each secret to its own process ----------------------


def test_the_action_server_starts_through_our_guard_on_loopback(settings):
    assert launcher.action_server_cmd(settings) == [sys.executable, "-m", "bot.action_server"]
    assert launcher.action_env(settings)["ACTION_HOST"] == "127.0.0.1"
    assert launcher.action_env(dataclasses.replace(settings, action_host="0.0.0.0"))["ACTION_HOST"] == "0.0.0.0"


def test_the_launcher_passes_one_generated_secret_to_rasa_and_the_action_server(settings, tmp_path):
    stack = launcher.Stack(settings, tmp_path / "logs")
    envs = {server.name: server.env for server in stack.servers()}
    token = settings.action_token_file.read_text().strip()
    assert stat.S_IMODE(settings.action_token_file.stat().st_mode) == 0o600
    assert envs["actions"]["ACTION_SERVER_TOKEN"] == envs["rasa"]["ACTION_SERVER_TOKEN"] == token
    assert "ACTION_SERVER_TOKEN" not in envs["staff"]
    exported = dataclasses.replace(settings, action_server_token="exported-action-0123456789")
    assert launcher.rasa_env(exported)["ACTION_SERVER_TOKEN"] == "exported-action-0123456789"
    assert launcher.action_env(exported)["ACTION_SERVER_TOKEN"] == "exported-action-0123456789"


def test_an_unusable_action_token_stops_the_start_before_any_server(settings, tmp_path):
    stack = launcher.Stack(dataclasses.replace(settings, action_server_token="short"), tmp_path / "logs")
    with pytest.raises(RuntimeError, match="action server token from ACTION_SERVER_TOKEN must be at least 16"):
        stack.start()
    assert stack.processes == {}


# Which servers may see each secret (prod: every kind of server runs).
SECRET_USERS = {
    "STAFF_API_TOKEN": {"staff"},
    "TWILIO_AUTH_TOKEN": {"rasa-1", "rasa-2"},
    "REDIS_URL": {"rasa-1", "rasa-2"},
    "SMTP_PASSWORD": {"actions"},
    "ACTION_SERVER_TOKEN": {"actions", "rasa-1", "rasa-2"},
    "DATABASE_URL": {"actions", "rasa-1", "rasa-2", "staff"},
    "TRACKER_STORE_URL": {"rasa-1", "rasa-2", "staff"},
    "WIDGET_SECRET": {"rasa-1", "rasa-2"},
}


def test_each_secret_reaches_only_the_servers_that_use_it(prod, tmp_path, monkeypatch):
    for name in SECRET_USERS:  # exported in the shell that runs `make run-prod`
        monkeypatch.setenv(name, f"exported-{name}")
    secrets = dataclasses.replace(
        prod,
        smtp_password="mail-secret",
        twilio_auth_token="twilio-secret",
        action_server_token="action-secret-0123456789",
    )
    stack = launcher.Stack(secrets, tmp_path / "logs", profile=launcher.PROD)
    envs = {server.name: server.env for server in stack.servers()}
    assert set(envs) == {"actions", "rasa-1", "rasa-2", "proxy", "staff"}
    for name, users in SECRET_USERS.items():
        assert {server for server, env in envs.items() if name in env} == users, name
        assert not any(env.get(name) == f"exported-{name}" for env in envs.values()), name
    assert envs["actions"]["SMTP_PASSWORD"] == "mail-secret"
    assert envs["proxy"]["CORS_ORIGINS"] == CLINIC_SITE  # settings every server checks are no secret


@pytest.mark.parametrize("origins", [("*",), (CLINIC_SITE, "*")])
def test_prod_refuses_cors_open_to_any_site_before_anything_starts(prod, tmp_path, origins):
    with pytest.raises(ConfigurationError, match="CORS_ORIGINS is unset or '\\*'.*CORS_ORIGINS=https://"):
        launcher.Stack(dataclasses.replace(prod, cors_origins=origins), tmp_path / "logs", profile=launcher.PROD)


def test_make_run_prod_without_cors_origins_exits_2_and_says_which_variable(prod, monkeypatch, capsys):
    monkeypatch.setattr(launcher, "get_settings", lambda: dataclasses.replace(prod, cors_origins=("*",)))
    monkeypatch.setattr(launcher.Stack, "start", lambda self: pytest.fail("nothing may start"))
    assert launcher.main(["--profile", "prod"]) == 2
    assert "set CORS_ORIGINS to the sites that embed the widget" in capsys.readouterr().err


def test_a_prod_server_started_without_cors_origins_refuses_to_start(tmp_path):
    """What each server does at start-up when its process manager forgot CORS_ORIGINS."""
    profile = tmp_path / "profile.yml"
    profile.write_text("name: Atalo Aesthetics\nphone: '(617) 555-0142'\n", encoding="utf-8")
    env = {
        "RUN_PROFILE": "prod",
        "CLINIC_PROFILE": str(profile),
        "PYTHONPATH": str(PROJECT_ROOT),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import actions"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "the prod profile cannot start: CORS_ORIGINS is unset" in done.stderr


# --- files: var/ 0700; databases, logs and tokens 0600 -----------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_stack_keeps_var_private_and_tightens_what_an_older_run_left_open(settings, monkeypatch):
    var, logs = settings.var_dir, settings.var_dir / "logs"
    logs.mkdir(parents=True)
    for directory in (var, logs):
        directory.chmod(0o755)
    old_log = logs / "rasa.log"
    old_log.write_text("an older run\n")
    settings.tracker_db.touch()
    for path in (old_log, settings.tracker_db):
        path.chmod(0o644)
    made_by_a_server = var / "made-by-the-action-server"
    serve = "import runpy, sys; sys.argv = ['http.server', sys.argv[1], '--bind', '127.0.0.1']; runpy.run_module('http.server', run_name='__main__')"
    monkeypatch.setattr(
        launcher, "action_server_cmd",
        lambda s: [sys.executable, "-c", f"open({str(made_by_a_server)!r}, 'w').close(); {serve}", str(s.action_port)],
    )  # fmt: skip
    monkeypatch.setattr(launcher, "rasa_server_cmd", lambda s: _http_stand_in(s.rasa_port))
    with launcher.running_stack(settings, logs):
        assert (_mode(var), _mode(logs)) == (0o700, 0o700)
        databases = [settings.tracker_db, *(Path(f"{settings.tracker_db}{s}") for s in ("-wal", "-shm"))]
        for path in [*databases, settings.action_token_file, *logs.glob("*.log"), made_by_a_server]:
            if path.exists():  # SQLite's journals come and go
                assert _mode(path) == 0o600, path
        assert {"rasa.log", "actions.log", "staff.log"} <= {log.name for log in logs.glob("*.log")}
        assert made_by_a_server.exists() and _mode(settings.tracker_db) == 0o600
