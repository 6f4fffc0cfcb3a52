"""`python -m bot.launcher` prints where everything is (never a token) and refuses a bad prod set-up with exit 2."""

import dataclasses

import pytest

from bot.clinic_profile import ClinicProfile
from bot.db import migrate
from bot.launcher import cli
from bot.settings import Settings
from tests.launcher.conftest import REAL_CLINIC


def test_make_run_prints_where_staff_find_handoffs_and_the_token_file_never_the_token(settings, monkeypatch, capsys):
    migrate.upgrade(settings.database_url)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(cli.signal, "signal", lambda signum, handler: None)
    monkeypatch.setattr(cli.Stack, "start", lambda self: setattr(self, "staff_token", "printed-token-0123456789"))
    monkeypatch.setattr(cli.Stack, "first_exited", lambda self: "rasa")  # ends main() right after printing
    assert cli.main([]) == 1
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


def test_make_run_prod_with_the_demo_profile_exits_2_and_says_why(prod, monkeypatch, capsys):
    demo = dataclasses.replace(prod, clinic=Settings.from_env({}).clinic)  # the shipped profile
    monkeypatch.setattr(cli, "get_settings", lambda: demo)
    monkeypatch.setattr(cli.Stack, "start", lambda self: pytest.fail("nothing may start"))
    assert cli.main(["--profile", "prod"]) == 2
    err = capsys.readouterr().err
    assert "is the demo profile" in err and "remove `demo: true`" in err


def test_the_start_banner_says_loudly_that_the_demo_profile_is_a_demo(settings, tmp_path):
    demo = cli.Stack(dataclasses.replace(settings, clinic=Settings.from_env({}).clinic), tmp_path / "logs")
    banner = cli._started(demo)
    assert "*** DEMO PROFILE ***" in banner and "(DEMO PROFILE)" in banner
    assert f"{demo.settings.clinic.phone}, a fictional number" in banner
    real = cli._started(cli.Stack(dataclasses.replace(settings, clinic=REAL_CLINIC), tmp_path / "logs"))
    assert "DEMO" not in real and "(617) 555-0142" in real
    no_phone = cli.clinic_banner(dataclasses.replace(settings, clinic=ClinicProfile(name="Atalo Aesthetics")))
    assert any("has no phone number" in line for line in no_phone)
    assert not any("directly" in line for line in no_phone)


def test_make_run_prod_refuses_sqlite_with_exit_code_2_and_starts_nothing(settings, monkeypatch, capsys):
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    monkeypatch.setattr(cli.Stack, "start", lambda self: pytest.fail("nothing may start"))
    assert cli.main(["--profile", "prod"]) == 2
    assert "DATABASE_URL=postgresql://" in capsys.readouterr().err


def test_make_run_prod_without_cors_origins_exits_2_and_says_which_variable(prod, monkeypatch, capsys):
    monkeypatch.setattr(cli, "get_settings", lambda: dataclasses.replace(prod, cors_origins=("*",)))
    monkeypatch.setattr(cli.Stack, "start", lambda self: pytest.fail("nothing may start"))
    assert cli.main(["--profile", "prod"]) == 2
    assert "set CORS_ORIGINS to the sites that embed the widget" in capsys.readouterr().err
