"""Settings come from the environment and the clinic profile, with honest defaults."""

import re
from pathlib import Path

import pytest

from bot.clinic_profile import ClinicProfile
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_point_into_the_project():
    settings = Settings.from_env({})
    assert settings.clinic.name == "Atalo Aesthetics"
    assert settings.red_flags_file == PROJECT_ROOT / "clinic" / "red_flags.yml"
    assert settings.tracker_db == PROJECT_ROOT / "var" / "tracker.db"
    assert (settings.rasa_port, settings.action_port, settings.cors_origins) == (5005, 5055, ("*",))


def test_environment_overrides(tmp_path):
    profile = _profile(tmp_path, "name: Demo Skin\nphone: '555-0100'\n")
    settings = Settings.from_env(
        {
            "CLINIC_PROFILE": str(profile),
            "VAR_DIR": str(tmp_path),
            "RASA_PORT": "6005",
            "CORS_ORIGINS": "https://a.example",
        }
    )
    assert settings.clinic.phone == "555-0100"
    assert settings.tracker_db == tmp_path / "tracker.db"
    assert settings.rasa_port == 6005
    assert settings.cors_origins == ("https://a.example",)


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_bad_port_is_a_clear_error(port):
    with pytest.raises(ConfigurationError, match="RASA_PORT"):
        Settings.from_env({"RASA_PORT": port})


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: X\nphnoe: '1'\n", "unknown field"),
        ("phone: '1'\n", "'name' is required"),
        ("- a list\n", "must be a mapping"),
    ],
)
def test_bad_profile_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigurationError, match=message):
        ClinicProfile.load(_profile(tmp_path, text))


def test_missing_profile_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="not found"):
        ClinicProfile.load(tmp_path / "nope.yml")


def test_unknown_details_are_not_invented():
    clinic = ClinicProfile(name="Atalo Aesthetics")
    assert clinic.contact == "call Atalo Aesthetics (the number is on the clinic's website)"
    assert clinic.booking_form == "our request-an-appointment form"
    assert "don't have" in clinic.details
    assert clinic.emergency_number == "911"
    assert clinic.safety_line == "Worried about a symptom after a treatment? Call Atalo Aesthetics. Emergency: 911."


def test_without_a_phone_the_contact_points_to_the_website():
    clinic = ClinicProfile(name="Atalo Aesthetics", website="https://clinic.example")
    assert clinic.contact == "call Atalo Aesthetics (the number is on https://clinic.example)"


def test_known_details_are_used():
    clinic = ClinicProfile(name="Demo", phone="555-0100", hours="Mon-Fri 9-5", booking_url="https://demo.example/book")
    assert clinic.contact == "call Demo at 555-0100"
    assert clinic.booking_form.endswith("(https://demo.example/book)")
    assert clinic.details == "Phone: 555-0100\nHours: Mon-Fri 9-5"
    assert clinic.safety_line == "Worried about a symptom after a treatment? Call 555-0100. Emergency: 911."
    values = clinic.template_values()
    assert (values["safety_line"], values["clinic_phone_or_name"]) == (clinic.safety_line, "555-0100")


# ----- the demo profile, and production without a phone number --------------------------


def test_make_run_ships_a_demo_profile_with_a_fictional_number():
    clinic = Settings.from_env({}).clinic
    assert clinic.demo is True
    # 555-0100 to 555-0199 are reserved for fiction in the North American numbering plan.
    assert re.fullmatch(r"\(555\) 01\d-01\d\d", clinic.phone), clinic.phone
    assert clinic.phone in clinic.contact and clinic.phone in clinic.safety_line


def test_demo_must_be_true_or_false(tmp_path):
    assert ClinicProfile.load(_profile(tmp_path, "name: Demo\ndemo: true\nphone: '555-0100'\n")).demo is True
    assert ClinicProfile.load(_profile(tmp_path, "name: Demo\n")).demo is False
    with pytest.raises(ConfigurationError, match="'demo' must be true or false"):
        ClinicProfile.load(_profile(tmp_path, "name: Demo\ndemo: 'maybe'\n"))


@pytest.mark.parametrize(
    "profile, problem",
    [
        ("name: Real Clinic\nphone: ''\n", "has no phone number"),
        ("name: Real Clinic\n", "has no phone number"),
        ("name: Real Clinic\nphone: '(555) 010-0100'\ndemo: true\n", "is the demo profile"),
        ("name: Real Clinic\nphone: '(617) 555-0142'\n", "names no time zone"),
    ],
)
def test_production_refuses_a_profile_without_a_real_phone_number_or_time_zone(tmp_path, profile, problem):
    path = _profile(tmp_path, profile)
    with pytest.raises(ConfigurationError, match=f"the prod profile cannot start: .*{problem}") as raised:
        Settings.from_env({"CLINIC_PROFILE": str(path), "RUN_PROFILE": "prod"})
    assert str(path) in str(raised.value)
    Settings.from_env({"CLINIC_PROFILE": str(path)})  # the embedded profile starts (and says so)


CLINIC_SITE = "https://www.clinic.example"
REAL_PROFILE = "name: Real Clinic\nphone: '(617) 555-0142'\ntime_zone: America/New_York\n"


def test_production_accepts_a_profile_with_the_clinics_number(tmp_path):
    path = _profile(tmp_path, REAL_PROFILE)
    settings = Settings.from_env({"CLINIC_PROFILE": str(path), "RUN_PROFILE": "prod", "CORS_ORIGINS": CLINIC_SITE})
    assert (settings.run_profile, settings.clinic.phone) == ("prod", "(617) 555-0142")


# ----- production names the sites that may call the REST channel -------------------------


@pytest.mark.parametrize("origins", [None, "", "*", f"{CLINIC_SITE} *", "https://*.clinic.example"])
def test_production_refuses_cors_open_to_any_site(tmp_path, origins):
    path = _profile(tmp_path, REAL_PROFILE)
    env = {
        "CLINIC_PROFILE": str(path),
        "RUN_PROFILE": "prod",
        **({"CORS_ORIGINS": origins} if origins is not None else {}),
    }
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    assert message.startswith("the prod profile cannot start: CORS_ORIGINS is unset or '*'")
    assert "set CORS_ORIGINS to the sites that embed the widget, e.g. CORS_ORIGINS=https://" in message
    assert Settings.from_env({**env, "RUN_PROFILE": "embedded"}).cors_origins  # a laptop may keep '*'


def test_production_accepts_the_clinics_sites(tmp_path):
    path = _profile(tmp_path, REAL_PROFILE)
    env = {"CLINIC_PROFILE": str(path), "RUN_PROFILE": "prod", "CORS_ORIGINS": f"{CLINIC_SITE}, https://clinic.example"}
    assert Settings.from_env(env).cors_origins == (CLINIC_SITE, "https://clinic.example")


# ----- the action server ---------------------------------------------------------------


def test_the_action_server_listens_on_loopback_with_a_token_file_by_default(tmp_path):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path)})
    assert (settings.action_host, settings.action_server_token) == ("127.0.0.1", "")
    assert settings.action_token_file == tmp_path / "action_server_token"


def test_the_action_server_settings_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "ACTION_HOST": "0.0.0.0",
            "ACTION_SERVER_TOKEN": " action-secret-0123456789 ",
            "ACTION_TOKEN_FILE": str(tmp_path / "t"),
        }
    )
    assert (settings.action_host, settings.action_server_token) == ("0.0.0.0", "action-secret-0123456789")
    assert settings.action_token_file == tmp_path / "t"
    assert "action-secret" not in repr(settings)


def test_an_unknown_run_profile_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="RUN_PROFILE must be one of embedded, prod"):
        Settings.from_env({"RUN_PROFILE": "production"})


def test_handoff_staff_and_mail_defaults():
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    assert settings.screening_file == PROJECT_ROOT / "clinic" / "screening.yml"
    assert (settings.staff_host, settings.staff_port, settings.staff_api_token) == ("127.0.0.1", 8080, "")
    assert settings.staff_public_url == "http://localhost:8080"
    assert settings.staff_token_file == PROJECT_ROOT / "var" / "staff_api_token"
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls, settings.staff_email) == ("", 587, True, ())


def test_database_follows_the_tracker_file_unless_set(tmp_path):
    assert Settings.from_env({"TRACKER_DB": str(tmp_path / "t.db")}).database_url == f"sqlite:///{tmp_path / 't.db'}"
    url = "postgresql://clinic:pw@db.internal/clinic"
    assert Settings.from_env({"DATABASE_URL": url}).database_url == url


def test_mail_settings_from_the_environment():
    settings = Settings.from_env(
        {
            "SMTP_HOST": "smtp.example.com",
            "SMTP_PORT": "2525",
            "SMTP_USER": "bot@clinic.example",
            "SMTP_PASSWORD": "pw",
            "SMTP_STARTTLS": "False",
            "STAFF_NOTIFY_EMAIL": " desk@clinic.example, nurse@clinic.example ,",
            "STAFF_PORT": "9090",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ("smtp.example.com", 2525, False)
    assert settings.smtp_from == "bot@clinic.example"  # defaults to the login when it is an address
    assert settings.staff_email == ("desk@clinic.example", "nurse@clinic.example")
    assert settings.staff_public_url == "http://localhost:9090"


def test_secrets_stay_out_of_the_repr():
    settings = Settings.from_env({"STAFF_API_TOKEN": "token-secret-123456", "SMTP_PASSWORD": "mail-secret"})
    assert "token-secret" not in repr(settings) and "mail-secret" not in repr(settings)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a port number"),
        ({"STAFF_PORT": "99999"}, "STAFF_PORT must be between"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS must be true or false"),
        ({"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "bot@clinic.example"}, "STAFF_NOTIFY_EMAIL is empty"),
        (
            {"SMTP_HOST": "smtp.example.com", "SMTP_USER": "apikey", "STAFF_NOTIFY_EMAIL": "a@clinic.example"},
            "SMTP_FROM is empty",
        ),
        ({"STAFF_NOTIFY_EMAIL": "desk@clinic.example\r\nBcc: thief@evil.example"}, "not an e-mail address"),
        ({"STAFF_NOTIFY_EMAIL": "front desk"}, "not an e-mail address"),
        ({"SMTP_FROM": "Clinic <bot@clinic.example>"}, "not an e-mail address"),
    ],
)
def test_bad_handoff_settings_are_clear_errors(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(env)


def test_country_defaults_to_us_and_is_uppercased(tmp_path):
    assert ClinicProfile(name="Demo").country == "US"
    assert ClinicProfile.load(_profile(tmp_path, "name: Demo\ncountry: gb\n")).country == "GB"
    assert ClinicProfile.load(_profile(tmp_path, "name: Demo\ncountry: ''\n")).country == "US"


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: Demo\ncountry: USA\n", "two-letter ISO 3166"),
        ("name: Demo\ncountry: '1A'\n", "two-letter ISO 3166"),
        ("name: Demo\ncountry: NO\n", "put the value in quotes"),  # YAML reads NO as false
    ],
)
def test_bad_country_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigurationError, match=message):
        ClinicProfile.load(_profile(tmp_path, text))


def test_twilio_settings_default_to_empty():
    settings = Settings.from_env({})
    assert (settings.twilio_auth_token, settings.twilio_webhook_url) == ("", "")


def test_twilio_settings_from_the_environment():
    url = "https://bot.example.com/webhooks/twilio/webhook"
    settings = Settings.from_env({"TWILIO_AUTH_TOKEN": " twilio-token-abc ", "TWILIO_WEBHOOK_URL": f" {url} "})
    assert (settings.twilio_auth_token, settings.twilio_webhook_url) == ("twilio-token-abc", url)
    assert (
        Settings.from_env({"TWILIO_WEBHOOK_URL": "http://localhost:5005/x"}).twilio_webhook_url
        == "http://localhost:5005/x"
    )


@pytest.mark.parametrize(
    "url",
    [
        "bot.example.com/webhooks/twilio/webhook",
        "/webhooks/twilio/webhook",
        "ftp://bot.example.com/x",
        "https://",
        "https:/x",
    ],
)
def test_twilio_webhook_url_must_be_absolute_http(url):
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({"TWILIO_WEBHOOK_URL": url})
    message = str(caught.value)
    assert message.startswith("TWILIO_WEBHOOK_URL must be an absolute http(s) URL such as https://")
    assert repr(url) in message


def test_the_twilio_token_stays_out_of_the_repr():
    settings = Settings.from_env(
        {"TWILIO_AUTH_TOKEN": "twilio-secret-0f9e8d", "TWILIO_WEBHOOK_URL": "https://bot.example.com/w"}
    )
    assert "twilio-secret" not in repr(settings)
    assert "https://bot.example.com/w" in repr(settings)  # the URL is no secret and helps debugging


def test_several_widget_sites_may_call_the_rest_channel(tmp_path):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), "CORS_ORIGINS": " https://a.example, https://b.example "})
    assert settings.cors_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize("raw, expected", [("", 0), ("0", 0), ("2", 2)])
def test_staff_proxies_counts_reverse_proxies(tmp_path, raw, expected):
    assert Settings.from_env({"VAR_DIR": str(tmp_path), "STAFF_PROXIES": raw}).staff_proxies == expected


@pytest.mark.parametrize("raw", ["-1", "one", "1.5"])
def test_a_bad_proxy_count_is_a_clear_error(tmp_path, raw):
    with pytest.raises(ConfigurationError, match="STAFF_PROXIES must be a whole number of at least 0"):
        Settings.from_env({"VAR_DIR": str(tmp_path), "STAFF_PROXIES": raw})


@pytest.mark.parametrize("raw, instances", [("", 2), ("3", 3), ("1", 1)])
def test_the_production_profile_runs_two_rasa_servers_by_default(tmp_path, raw, instances):
    assert Settings.from_env({"VAR_DIR": str(tmp_path), "RASA_INSTANCES": raw}).rasa_instances == instances


@pytest.mark.parametrize("raw", ["0", "two", "-1", "1.5"])
def test_a_bad_rasa_instances_is_a_clear_error(tmp_path, raw):
    with pytest.raises(ConfigurationError, match="RASA_INSTANCES must be a whole number of at least 1"):
        Settings.from_env({"VAR_DIR": str(tmp_path), "RASA_INSTANCES": raw})


@pytest.mark.parametrize(
    "env, workers, concurrency",
    [({}, 1, 1), ({"SANIC_WORKERS": "2", "MESSAGE_CONCURRENCY": "4"}, 2, 4)],
)
def test_rasa_serves_one_worker_and_one_message_at_a_time_by_default(tmp_path, env, workers, concurrency):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), **env})
    assert (settings.sanic_workers, settings.message_concurrency) == (workers, concurrency)


@pytest.mark.parametrize(
    "name", ["SANIC_WORKERS", "MESSAGE_CONCURRENCY", "MESSAGE_QUEUE_LIMIT", "PATIENT_ADDRESS_LIMIT"]
)
@pytest.mark.parametrize("raw", ["0", "two", "-1"])
def test_a_bad_worker_or_concurrency_count_is_a_clear_error(tmp_path, name, raw):
    with pytest.raises(ConfigurationError, match=f"{name} must be a whole number of at least 1"):
        Settings.from_env({"VAR_DIR": str(tmp_path), name: raw})


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, (100, 120, 0)),
        ({"MESSAGE_QUEUE_LIMIT": "5", "PATIENT_ADDRESS_LIMIT": "30", "PATIENT_PROXIES": "1"}, (5, 30, 1)),
    ],
)
def test_abuse_limits_default_to_a_line_of_100_and_120_requests_per_address_trusting_no_proxy(tmp_path, env, expected):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), **env})
    assert (settings.message_queue_limit, settings.patient_address_limit, settings.patient_proxies) == expected


@pytest.mark.parametrize("raw", ["-1", "one"])
def test_a_bad_patient_proxy_count_is_a_clear_error(tmp_path, raw):
    with pytest.raises(ConfigurationError, match="PATIENT_PROXIES must be a whole number of at least 0"):
        Settings.from_env({"VAR_DIR": str(tmp_path), "PATIENT_PROXIES": raw})


def test_each_rasa_server_is_the_rasa_url_unless_named():
    assert Settings.from_env({"RASA_URL": "http://lb.example:8080/"}).rasa_instance_urls == ("http://lb.example:8080",)
    named = Settings.from_env({"RASA_INSTANCE_URLS": "http://10.0.0.1:5005, http://10.0.0.2:5005/"})
    assert named.rasa_instance_urls == ("http://10.0.0.1:5005", "http://10.0.0.2:5005")
    with pytest.raises(ConfigurationError, match="RASA_INSTANCE_URLS must be an absolute http"):
        Settings.from_env({"RASA_INSTANCE_URLS": "http://10.0.0.1:5005 rasa-2:5005"})
