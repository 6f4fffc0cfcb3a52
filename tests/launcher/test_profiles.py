"""Each profile's processes get the right commands, ports and environments, and secrets only where used."""

import dataclasses
import stat
import subprocess
import sys

import pytest
from rasa.core.utils import AvailableEndpoints

from bot.clinic_profile import ClinicProfile
from bot.launcher import profiles
from bot.launcher.supervision import Stack
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings
from tests.launcher.conftest import CLINIC_SITE, POSTGRES, REDIS


def test_rasa_server_opens_rest_with_cors_but_not_the_unauthenticated_api(settings):
    cmd = profiles.rasa_server_cmd(settings)
    assert cmd[cmd.index("--cors") + 1] == "*"
    assert "--enable-api" not in cmd
    assert cmd[cmd.index("--credentials") + 1] == "credentials.yml"


def test_each_allowed_origin_is_its_own_cors_argument(settings):
    sites = dataclasses.replace(settings, cors_origins=("https://a.example", "https://b.example"))
    cmd = profiles.rasa_server_cmd(sites)
    assert cmd[cmd.index("--cors") + 1 : cmd.index("--cors") + 3] == ["https://a.example", "https://b.example"]


def test_servers_get_the_values_endpoints_yml_reads(settings):
    env = profiles.server_env(settings)
    assert env["ACTION_PORT"] == str(settings.action_port)
    assert env["TRACKER_DB"] == str(settings.tracker_db)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


def test_servers_share_the_database_and_only_the_staff_api_gets_the_token(settings, monkeypatch):
    monkeypatch.setenv("STAFF_API_TOKEN", "exported-in-the-shell")
    assert profiles.server_env(settings)["STAFF_PORT"] == str(settings.staff_port)
    assert "STAFF_API_TOKEN" not in profiles.server_env(settings)
    staff = profiles.staff_env(settings, "staff-token-0123456789")
    assert staff["STAFF_API_TOKEN"] == "staff-token-0123456789"
    for env in (staff, profiles.action_env(settings), profiles.rasa_env(settings)):
        assert env["DATABASE_URL"] == settings.database_url


def test_only_the_rasa_server_gets_the_twilio_token(settings, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "exported-in-the-shell")
    sms = dataclasses.replace(settings, twilio_auth_token="twilio-secret", twilio_webhook_url="https://bot.example/x")
    assert "TWILIO_AUTH_TOKEN" not in profiles.server_env(sms)
    assert "TWILIO_AUTH_TOKEN" not in profiles.staff_env(sms, "staff-token-0123456789")
    env = profiles.rasa_env(sms)
    assert (env["TWILIO_AUTH_TOKEN"], env["TWILIO_WEBHOOK_URL"]) == ("twilio-secret", "https://bot.example/x")


def test_prod_keeps_conversations_in_database_url_unless_a_tracker_store_is_chosen(prod):
    assert profiles.prod_settings(prod).tracker_store_url == POSTGRES
    chosen = dataclasses.replace(prod, tracker_store_url="postgresql://rasa@db.example/conversations")
    assert profiles.prod_settings(chosen).tracker_store_url == "postgresql://rasa@db.example/conversations"


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
        Stack(dataclasses.replace(prod, **change), tmp_path / "logs", profile=profiles.PROD)
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
        Stack(dataclasses.replace(prod, clinic=clinic), tmp_path / "logs", profile=profiles.PROD)
    assert str(prod.clinic_profile_path) in str(raised.value)


def test_each_prod_server_checks_the_clinic_profile_itself(prod, tmp_path):
    stack = Stack(prod, tmp_path / "logs", profile=profiles.PROD)
    for server in stack.servers():
        assert server.env["RUN_PROFILE"] == "prod", server.name
        assert server.env["CLINIC_PROFILE"] == str(prod.clinic_profile_path), server.name
    embedded = Stack(dataclasses.replace(prod, clinic=Settings.from_env({}).clinic), tmp_path / "logs")
    assert {server.env["RUN_PROFILE"] for server in embedded.servers()} == {"embedded"}


def test_a_server_started_with_run_profile_prod_refuses_the_demo_profile():
    """What the Rasa and action servers do at start-up (bot.rasa_server.nlg, actions/__init__.py read the settings)."""
    env = {"RUN_PROFILE": "prod", "PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", "import actions"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "the prod profile cannot start" in done.stderr and "is the demo profile" in done.stderr


def test_prod_runs_instances_on_the_ports_after_the_proxy_behind_it(prod, tmp_path):
    stack = Stack(dataclasses.replace(prod, rasa_instances=3), tmp_path / "logs", profile=profiles.PROD)
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
    # The staff process reaches Rasa through the proxy, but loads a retrained model into each server.
    staff = servers["staff"].env
    assert staff["RASA_URL"] == prod.rasa_url
    assert staff["RASA_INSTANCE_URLS"].split() == [f"http://127.0.0.1:{port}" for port in ports]


def test_the_staff_process_and_rasa_get_the_smtp_password_for_the_digest_and_take_over_alerts(settings):
    mailing = dataclasses.replace(settings, smtp_password="smtp-secret")
    assert profiles.staff_env(mailing, "staff-token-0123456789")["SMTP_PASSWORD"] == "smtp-secret"
    assert profiles.rasa_env(mailing)["SMTP_PASSWORD"] == "smtp-secret"  # take-over alerts


def test_only_the_rasa_servers_get_redis_and_the_rate_limit(prod, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://:exported@elsewhere:6379/0")
    limited = dataclasses.replace(prod, patient_rate_limit=7, patient_rate_window=30)
    env = profiles.rasa_env(limited)
    assert (env["REDIS_URL"], env["PATIENT_RATE_LIMIT"], env["PATIENT_RATE_WINDOW"]) == (REDIS, "7", "30")
    assert "REDIS_URL" not in profiles.server_env(limited)
    assert "REDIS_URL" not in profiles.staff_env(limited, "staff-token-0123456789")


def test_prod_rasa_servers_run_the_sanic_workers_set_and_embedded_always_one(settings, prod, tmp_path, monkeypatch):
    monkeypatch.setenv("SANIC_WORKERS", "4")  # exported in the shell: the setting decides
    stack = Stack(
        dataclasses.replace(prod, sanic_workers=2, message_concurrency=3), tmp_path / "logs", profile=profiles.PROD
    )
    instances = [server for server in stack.servers() if server.name.startswith("rasa-")]
    assert [server.env["SANIC_WORKERS"] for server in instances] == ["2", "2"]
    assert {server.env["MESSAGE_CONCURRENCY"] for server in instances} == {"3"}
    embedded = Stack(dataclasses.replace(settings, sanic_workers=2), tmp_path / "logs")
    (rasa,) = [server for server in embedded.servers() if server.name == "rasa"]
    assert rasa.env["SANIC_WORKERS"] == "1"  # in-memory locks cannot span processes


def test_embedded_keeps_one_rasa_server_on_rasa_port_with_endpoints_yml(settings, tmp_path):
    stack = Stack(settings, tmp_path / "logs")
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
    assert tracker.type == "bot.rasa_server.tracker_store.FastSQLTrackerStore"
    assert tracker.url == POSTGRES + "?options=-csearch_path%3Dclinic"
    assert (endpoints.lock_store.type, endpoints.lock_store.url) == (
        "bot.rasa_server.locks.AtomicRedisLockStore",
        REDIS,
    )
    assert endpoints.nlg.type == "bot.rasa_server.nlg.ClinicNLG"


def test_the_action_server_starts_through_our_guard_on_loopback(settings):
    assert profiles.action_server_cmd(settings) == [sys.executable, "-m", "bot.action_server"]
    assert profiles.action_env(settings)["ACTION_HOST"] == "127.0.0.1"
    assert profiles.action_env(dataclasses.replace(settings, action_host="0.0.0.0"))["ACTION_HOST"] == "0.0.0.0"


def test_the_launcher_passes_one_generated_secret_to_rasa_and_the_action_server(settings, tmp_path):
    stack = Stack(settings, tmp_path / "logs")
    envs = {server.name: server.env for server in stack.servers()}
    token = settings.action_token_file.read_text().strip()
    assert stat.S_IMODE(settings.action_token_file.stat().st_mode) == 0o600
    assert envs["actions"]["ACTION_SERVER_TOKEN"] == envs["rasa"]["ACTION_SERVER_TOKEN"] == token
    assert "ACTION_SERVER_TOKEN" not in envs["staff"]
    exported = dataclasses.replace(settings, action_server_token="exported-action-0123456789")
    assert profiles.rasa_env(exported)["ACTION_SERVER_TOKEN"] == "exported-action-0123456789"
    assert profiles.action_env(exported)["ACTION_SERVER_TOKEN"] == "exported-action-0123456789"


# Which servers may see each secret (prod: every kind of server runs).
SECRET_USERS = {
    "STAFF_API_TOKEN": {"staff"},
    "TWILIO_AUTH_TOKEN": {"rasa-1", "rasa-2"},
    "REDIS_URL": {"rasa-1", "rasa-2"},
    # Handoff e-mails, take-over alerts, the weekly digest.
    "SMTP_PASSWORD": {"actions", "rasa-1", "rasa-2", "staff"},
    "ACTION_SERVER_TOKEN": {"actions", "rasa-1", "rasa-2"},
    "DATABASE_URL": {"actions", "rasa-1", "rasa-2", "staff"},
    "TRACKER_STORE_URL": {"rasa-1", "rasa-2", "staff"},
    "WIDGET_SECRET": {"rasa-1", "rasa-2"},
    "STAFF_BRIDGE_TOKEN": {"rasa-1", "rasa-2", "staff"},
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
    stack = Stack(secrets, tmp_path / "logs", profile=profiles.PROD)
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
        Stack(dataclasses.replace(prod, cors_origins=origins), tmp_path / "logs", profile=profiles.PROD)


def test_a_prod_server_started_without_cors_origins_refuses_to_start(tmp_path):
    """What each server does at start-up when its process manager forgot CORS_ORIGINS."""
    profile = tmp_path / "profile.yml"
    profile.write_text(
        "name: Atalo Aesthetics\nphone: '(617) 555-0142'\ntime_zone: America/New_York\n", encoding="utf-8"
    )
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
