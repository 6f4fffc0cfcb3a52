"""The signed Twilio channel, served for real, with Rasa replaced by a scripted bot.

What the patient texts reaches the scripted bot only when Twilio signed it; what the
bot answers comes back as TwiML, numbered, and within the rules carriers set.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import Dict, Iterator, List, Optional

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.handoffs.service import HandoffService
from bot.handoffs.store import HandoffStore
from bot.rasa_server import takeover as takeover_module
from bot.rasa_server.channels.admission import Overloaded
from bot.rasa_server.channels.twilio import TwilioInput
from bot.rasa_server.tracker_store import FastSQLTrackerStore
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings
from bot.sms.outbox import SmsOutbox
from bot.sms.store import Claim, SmsStore, SmsStoreUnavailable
from tests import twilio_client
from tests.actions.conftest import RecordingNotifier
from tests.clock import Clock
from tests.http_server import serving

TOKEN = "test-auth-token"
PATH = "/webhooks/twilio/webhook"
PHONE = "+16465550123"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


class ScriptedBot:
    """Stands in for Rasa: answers with text and two buttons, or raises when told to."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []
        self.fail = False
        self.silent = False  # as Rasa is when its action server is down mid-form

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail:
            raise RuntimeError("the model crashed")
        if self.silent:
            return
        await message.output_channel.send_text_with_buttons(
            message.sender_id,
            f"You said <{message.text}> & more",
            [{"title": "Aftercare", "payload": "/aftercare_first_48h"}, {"title": "Pain", "payload": "/faq_pain"}],
        )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> Iterator[SmsStore]:
    url = f"sqlite:///{tmp_path / 'sms.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield SmsStore(session_factory(engine), clock=clock)
    engine.dispose()


@pytest.fixture
def bot() -> ScriptedBot:
    return ScriptedBot()


def _settings(tmp_path, **overrides) -> Settings:
    base = Settings.from_env({"VAR_DIR": str(tmp_path / "var"), "TWILIO_AUTH_TOKEN": TOKEN})
    return dataclasses.replace(base, **overrides)


def _serve(settings: Settings, store: SmsStore, bot: ScriptedBot, domain: Domain):
    app = Sanic(f"twilio-test-{uuid.uuid4().hex}")
    app.ctx.agent = SimpleNamespace(domain=domain)
    app.blueprint(TwilioInput(settings, store).blueprint(bot), url_prefix="/webhooks/twilio")
    return serving(app)


@pytest.fixture
def url(tmp_path, store, bot, domain) -> Iterator[str]:
    with _serve(_settings(tmp_path), store, bot, domain) as base:
        yield base + PATH


def _text(url: str, body: str, phone: str = PHONE, sid: str = "") -> List[str]:
    status, twiml = twilio_client.post(url, twilio_client.sms_params(phone, body, sid or None), TOKEN)
    assert status == 200, twiml
    return twilio_client.messages(twiml)


# --- signatures ----------------------------------------------------------------------


def test_a_signed_message_reaches_the_bot_in_the_numbers_sms_conversation_on_the_twilio_channel(url, bot):
    _text(url, "hello")
    [message] = bot.received
    assert (message.text, message.sender_id, message.input_channel) == ("hello", f"sms:{PHONE}", "twilio")
    assert message.output_channel.name() == "twilio"  # so Rasa picks the SMS response variants


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90IGEgc2lnbmF0dXJl", "forged"],
    ids=["missing", "empty", "wrong", "garbage"],
)
def test_unsigned_or_forged_requests_are_refused_and_nothing_is_processed(url, bot, store, signature):
    params = twilio_client.sms_params(PHONE, "book me in")
    if signature is None:
        status, _ = twilio_client.post(url, params, token=None)
    else:
        status, _ = twilio_client.post(url, params, TOKEN, signature=signature or " ")
    assert status == 403
    assert bot.received == []
    assert store.claim(params["MessageSid"], PHONE).new  # never recorded either


def test_a_signature_made_with_another_token_is_refused(url, bot):
    status, _ = twilio_client.post(url, twilio_client.sms_params(PHONE, "hi"), "someone-elses-token")
    assert status == 403 and bot.received == []


def test_a_signed_body_that_was_changed_on_the_way_is_refused(url, bot):
    params = twilio_client.sms_params(PHONE, "what is CIT?")
    signature = twilio_client.RequestValidator(TOKEN).compute_signature(url, params)
    status, _ = twilio_client.post(url, {**params, "From": "+15550100111"}, TOKEN, signature=signature)
    assert status == 403 and bot.received == []


def test_behind_a_proxy_the_signature_is_checked_against_the_configured_public_url(tmp_path, store, bot, domain):
    public = "https://bot.clinic.example/webhooks/twilio/webhook"
    with _serve(_settings(tmp_path, twilio_webhook_url=public), store, bot, domain) as base:
        params = twilio_client.sms_params(PHONE, "hi")
        assert twilio_client.post(base + PATH, params, TOKEN)[0] == 403  # signed for the internal URL
        assert twilio_client.post(base + PATH, params, TOKEN, signed_url=public)[0] == 200
    assert len(bot.received) == 1


def test_without_an_auth_token_every_request_is_refused_with_a_log_line(tmp_path, store, bot, domain, caplog):
    with _serve(_settings(tmp_path, twilio_auth_token=""), store, bot, domain) as base:
        status, _ = twilio_client.post(base + PATH, twilio_client.sms_params(PHONE, "hi"), "")
        assert status == 403
    assert bot.received == []
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text


@pytest.mark.parametrize("missing", ["MessageSid", "AccountSid", "From", "To", "Body"])
def test_a_signed_request_without_what_twilio_always_sends_is_a_400(url, bot, missing):
    params = twilio_client.sms_params(PHONE, "hi")
    params.pop(missing)
    assert twilio_client.post(url, params, TOKEN)[0] == 400
    assert bot.received == []


# --- replays -------------------------------------------------------------------------


def _concatenated(params) -> str:
    """What Twilio's signature covers besides the URL: each name and value, in name order, no separator."""
    return "".join(name + value for name, value in sorted(params.items()))


def _shifted(params: Dict[str, str]) -> Dict[str, str]:
    """The same signed request with parameter boundaries moved: MessageSid swallowed by the
    value before it, and SmsSid (the old fallback) given three more characters: a new SID."""
    shifted = dict(params)
    sid = shifted.pop("MessageSid")
    shifted["FromZip"] += "MessageSid" + sid
    shifted["SmsSid"] += "Sms"
    shifted["Status"] = shifted.pop("SmsStatus")
    return shifted


def test_a_replay_with_shifted_parameter_boundaries_is_not_processed_as_a_new_message(url, bot, store, caplog):
    params = twilio_client.sms_params(PHONE, "yes")
    assert _text(url, "yes", sid=params["MessageSid"])
    signature = twilio_client.RequestValidator(TOKEN).compute_signature(url, params)
    replay = _shifted(params)
    assert replay["SmsSid"] != params["MessageSid"] and _concatenated(replay) == _concatenated(params)
    assert twilio_client.RequestValidator(TOKEN).validate(url, replay, signature)  # still signed: only its shape tells

    status, body = twilio_client.post(url, replay, TOKEN, signature=signature)
    assert status == 400 and "<Message>" not in body
    assert [m.text for m in bot.received] == ["yes"]
    assert store.claim(replay["SmsSid"], PHONE).new  # never recorded as a message
    assert "'Status'" in caplog.text and "yes" not in caplog.text.replace("'Status'", "")  # names, never values


def test_a_shift_that_keeps_every_name_known_leaves_the_sid_and_is_answered_as_the_retry_it_is(url, bot):
    params = twilio_client.sms_params(PHONE, "what is CIT?")
    first = _text(url, "what is CIT?", sid=params["MessageSid"])
    signature = twilio_client.RequestValidator(TOKEN).compute_signature(url, params)
    replay = dict(params)
    replay["FromCity"] += "FromCountry" + replay.pop("FromCountry")  # FromCity swallows FromCountry
    assert _concatenated(replay) == _concatenated(params)
    status, body = twilio_client.post(url, replay, TOKEN, signature=signature)
    assert status == 200 and twilio_client.messages(body) == first
    assert len(bot.received) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"MessageSid": "SM123", "SmsSid": "SM123", "SmsMessageSid": "SM123"},
        {"MessageSid": "SM" + "A" * 32},  # Twilio's SIDs are lowercase hex
        {"MessageSid": "XX" + "0" * 32},
        {"SmsSid": "SM" + "f" * 32},  # not the MessageSid
        {"AccountSid": "AC123"},
        {"MessagingServiceSid": "MGnope"},
        {"From": "+1 646 555 0123"},
        {"From": "+16465550123MessageSid"},
        {"Status": "received"},
        {"Nonsense": ""},
    ],
)
def test_a_signed_request_twilio_would_not_send_is_refused(url, bot, change):
    params = {**twilio_client.sms_params(PHONE, "hi"), **change}
    assert twilio_client.post(url, params, TOKEN)[0] == 400
    assert bot.received == []


def test_a_parameter_posted_twice_is_refused_though_the_signature_holds(url, bot):
    params = twilio_client.sms_params(PHONE, "hi")
    signature = twilio_client.RequestValidator(TOKEN).compute_signature(url, params)
    twice = [*params.items(), ("Body", "hi")]  # the validator reads each value once: still valid
    assert twilio_client.post(url, twice, TOKEN, signature=signature)[0] == 400
    assert bot.received == []


def test_an_mms_sid_with_media_is_a_message(url, bot):
    sid = "MM" + "ab" * 16
    params = {**twilio_client.sms_params(PHONE, "", sid=sid), "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x",
              "MediaContentType0": "image/jpeg"}  # fmt: skip
    assert twilio_client.post(url, params, TOKEN)[0] == 200
    assert [m.sender_id for m in bot.received] == [f"sms:{PHONE}"]


def test_a_sid_claimed_again_from_another_number_gets_no_reply_and_no_processing(url, bot):
    sid = twilio_client.new_sid()
    _text(url, "my name is Priya Shah", sid=sid)
    assert _text(url, "my name is Priya Shah", phone="+15550100002", sid=sid) == []
    assert len(bot.received) == 1


# --- production ----------------------------------------------------------------------


def _prod(tmp_path, **env) -> Settings:
    profile = tmp_path / "profile.yml"
    profile.write_text("name: Skin Clinic\nphone: (212) 555-0188\ntime_zone: America/New_York\n")
    base = {"VAR_DIR": str(tmp_path / "var"), "CLINIC_PROFILE": str(profile), "RUN_PROFILE": "prod",
            "CORS_ORIGINS": "https://www.clinic.example", "TWILIO_AUTH_TOKEN": TOKEN}  # fmt: skip
    return Settings.from_env({**base, **env})


def test_in_production_the_channel_refuses_to_start_without_its_public_url(tmp_path):
    with pytest.raises(ConfigurationError, match="TWILIO_WEBHOOK_URL"):
        TwilioInput(_prod(tmp_path))
    TwilioInput(_prod(tmp_path, TWILIO_WEBHOOK_URL="https://bot.clinic.example/webhooks/twilio/webhook"))
    TwilioInput(_prod(tmp_path, TWILIO_AUTH_TOKEN=""))  # SMS off: every webhook is refused anyway
    TwilioInput(_settings(tmp_path))  # a laptop: the URL the request came to


# --- replies -------------------------------------------------------------------------


def test_the_reply_is_escaped_twiml_with_buttons_as_a_numbered_list(url):
    bodies = _text(url, "</Message><Message>evil")
    assert bodies[-1] == ("You said <</Message><Message>evil> & more\n\nReply 1: Aftercare\nReply 2: Pain")
    assert "/faq_pain" not in "".join(bodies)


def test_a_number_reply_sends_that_buttons_payload(url, bot):
    _text(url, "hi")
    _text(url, " 2 ")
    assert bot.received[-1].text == "/faq_pain"
    _text(url, "7")  # not on the menu: the patient's own text
    assert bot.received[-1].text == "7"


def test_each_phone_number_has_its_own_menu(url, bot):
    _text(url, "hi", phone="+15550100001")
    _text(url, "1", phone="+15550100002")  # this number never saw a menu
    assert bot.received[-1].text == "1"


def test_the_first_text_of_a_conversation_opens_with_the_privacy_notice(url, clock):
    first = _text(url, "hi")
    assert len(first) == 2 and "about a symptom" in first[0] and "not for emergencies" in first[0]
    assert len(_text(url, "and aftercare?")) == 1
    clock.now += timedelta(minutes=61)  # the domain's session expiry: a new conversation
    assert "about a symptom" in _text(url, "back again")[0]


def test_a_retried_message_sid_is_answered_as_before_and_processed_once(url, bot):
    sid = twilio_client.new_sid()
    first = _text(url, "what is CIT?", sid=sid)
    again = _text(url, "what is CIT?", sid=sid)
    assert again == first
    assert len(bot.received) == 1


def test_a_bot_failure_still_answers_with_how_to_reach_the_clinic(url, bot):
    bot.fail = True
    [body] = _text(url, "hello")
    assert "can't answer texts right now" in body and "Emergency: 911." in body


def test_when_the_bot_answers_nothing_the_patient_is_not_left_in_silence(url, bot):
    _text(url, "hi")
    bot.silent = True
    [body] = _text(url, "Priya Shah")
    assert "can't answer texts right now" in body and "Emergency: 911." in body


def test_a_database_outage_answers_with_an_apology_not_a_500(tmp_path, bot, domain):
    def unavailable(*args, **kwargs):
        raise SmsStoreUnavailable("the SMS database is unavailable: connection refused")

    broken = SimpleNamespace(claim=unavailable)
    with _serve(_settings(tmp_path), broken, bot, domain) as base:
        status, twiml = twilio_client.post(base + PATH, twilio_client.sms_params(PHONE, "hi"), TOKEN)
    assert status == 200
    assert "can't answer texts right now" in twilio_client.messages(twiml)[0]


def test_a_carriers_inverted_exclamation_mark_is_read_as_at(url, bot):
    _text(url, "my email is priya¡example.com")
    assert bot.received[-1].text == "my email is priya@example.com"


# --- carrier keywords ----------------------------------------------------------------


def test_stop_is_confirmed_once_then_nothing_is_sent_until_start(url, bot):
    _text(url, "hi")
    [confirmation] = _text(url, "STOP")
    assert "unsubscribed" in confirmation and "START" in confirmation
    assert _text(url, "stop") == []  # answered once
    assert _text(url, "how long does the redness last?") == []
    assert _text(url, "HELP") == []
    assert [m.text for m in bot.received] == ["hi"]
    [welcome] = _text(url, "START")
    assert "subscribed again" in welcome
    assert _text(url, "how long does the redness last?")
    assert bot.received[-1].text == "how long does the redness last?"


def test_the_opt_out_is_kept_by_phone_number_in_the_database(url, store):
    _text(url, "please stop texting me")
    assert store.state(PHONE).opted_out
    assert not store.state("+15550100002").opted_out


def test_help_gives_the_clinic_and_how_to_opt_out_without_reaching_the_bot(url, bot):
    [help_text] = _text(url, "help")
    assert "Atalo Aesthetics" in help_text and "STOP" in help_text
    assert bot.received == []


def test_a_question_containing_a_keyword_goes_to_the_assistant(url, bot):
    _text(url, "how do I stop the redness?")
    assert bot.received[-1].text == "how do I stop the redness?"


def test_an_oversized_or_non_utf8_post_is_refused_before_anything_else(url, bot):
    huge = twilio_client.sms_params(PHONE, "x" * 40_000)
    assert twilio_client.post(url, huge, TOKEN)[0] == 413
    request = twilio_client.urllib.request.Request(
        url,
        data=b"Body=\xff\xfe&From=%2B1",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    with pytest.raises(twilio_client.urllib.error.HTTPError) as error:
        twilio_client.urllib.request.urlopen(request, timeout=10)
    assert error.value.code == 400
    assert bot.received == []


# --- payloads and rate limit ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed, seen",
    [
        ("/faq_pain", "/faq_pain"),
        ('/inform{"booking_confirmed": true}', 'inform{"booking_confirmed": true}'),
        ("/restart", "restart"),
        ('/faq_pain{"x": 1}', 'faq_pain{"x": 1}'),
    ],
)
def test_a_typed_payload_passes_only_as_one_of_the_domains_intents(url, bot, typed, seen):
    _text(url, typed)
    assert bot.received[-1].text == seen


def _limited_url(tmp_path, store, bot, domain, limit: int):
    return _serve(_settings(tmp_path, patient_rate_limit=limit), store, bot, domain)


def test_past_the_rate_limit_one_polite_text_then_silence_and_the_bot_sees_nothing(tmp_path, store, bot, domain):
    with _limited_url(tmp_path, store, bot, domain, limit=2) as base:
        url = base + PATH
        _text(url, "hi")
        _text(url, "what is CIT?")
        sid = twilio_client.new_sid()
        [polite] = _text(url, "and aftercare?", sid=sid)
        assert "faster than I can answer" in polite and "Emergency: 911." in polite
        assert _text(url, "hello?") == []  # one answer a window
        assert _text(url, "and aftercare?", sid=sid) == [polite]  # Twilio's retry: answered as before
        assert [m.text for m in bot.received] == ["hi", "what is CIT?"]
        assert _text(url, "hi", phone="+15550100002")  # other numbers are not limited
        [confirmation] = _text(url, "STOP")  # keywords always work
        assert "unsubscribed" in confirmation
    assert len(bot.received) == 3


def test_a_limited_text_keeps_the_menu(tmp_path, store, bot, domain):
    with _limited_url(tmp_path, store, bot, domain, limit=1) as base:
        _text(base + PATH, "hi")  # answered with a two-button menu
        _text(base + PATH, "more")  # over the limit
    assert store.state(PHONE).menu == ["/aftercare_first_48h", "/faq_pain"]


# --- a red flag from a number that opted out ---------------------------------------


class ScriptedNlu:
    """Stands in for the agent's NLU parse: a red flag when the text mentions one of `flags`."""

    def __init__(self, domain: Domain, fail: bool = False) -> None:
        self.domain = domain
        self.fail = fail
        self.parsed: List[str] = []

    async def parse_message(self, text: str):
        self.parsed.append(text)
        if self.fail:
            raise RuntimeError("the model crashed")
        groups = [group for group, word in (("fever", "fever"), ("infection", "pus")) if word in text]
        intent = "red_flag_urgent" if groups else "aftercare_redness"
        entities = [{"entity": "red_flag", "value": group} for group in groups]
        return {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities}


@pytest.fixture
def handoff_store(tmp_path, store) -> Iterator[HandoffStore]:
    """Where a red flag the assistant could not take is stored (the SMS store's database)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'sms.db'}")
    yield HandoffStore(session_factory(engine))
    engine.dispose()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def handoffs(handoff_store, notifier) -> HandoffService:
    return HandoffService(handoff_store, notifier)


def _serve_with_nlu(
    settings: Settings, store: SmsStore, bot: ScriptedBot, nlu: ScriptedNlu, handoffs: Optional[HandoffService] = None
):
    app = Sanic(f"twilio-test-{uuid.uuid4().hex}")
    app.ctx.agent = nlu
    app.blueprint(TwilioInput(settings, store, handoffs).blueprint(bot), url_prefix="/webhooks/twilio")
    return serving(app)


def test_an_opted_out_red_flag_reaches_the_assistant_but_nothing_is_sent(tmp_path, store, bot, domain):
    nlu = ScriptedNlu(domain)
    with _serve_with_nlu(_settings(tmp_path), store, bot, nlu) as base:
        url = base + PATH
        _text(url, "STOP")
        sid = twilio_client.new_sid()
        assert _text(url, "I have a fever of 102 and pus", sid=sid) == []
        assert _text(url, "how long does the redness last?") == []
        assert _text(url, "I have a fever of 102 and pus", sid=sid) == []  # Twilio's retry: handled once
    assert [(m.text, m.sender_id, m.input_channel) for m in bot.received] == [
        ("I have a fever of 102 and pus", f"sms:{PHONE}", "twilio")
    ]
    assert nlu.parsed == ["I have a fever of 102 and pus", "how long does the redness last?"]
    assert store.claim(sid, PHONE) == Claim(new=False, reply=[])
    assert store.state(PHONE).opted_out and store.state(PHONE).last_message_at is None


def test_an_opted_out_red_flag_is_passed_on_when_the_parse_fails_and_still_answered_with_nothing(
    tmp_path, store, bot, domain
):
    bot.fail = True  # and the assistant fails too: still nothing goes back to the number
    with _serve_with_nlu(_settings(tmp_path), store, bot, ScriptedNlu(domain, fail=True)) as base:
        _text(base + PATH, "STOP")
        assert _text(base + PATH, "my face is bright red and hot on day 5") == []
    assert [m.text for m in bot.received] == ["my face is bright red and hot on day 5"]


def test_an_opted_out_numbers_payload_is_read_as_text_not_as_an_intent(tmp_path, store, bot, domain):
    nlu = ScriptedNlu(domain)
    with _serve_with_nlu(_settings(tmp_path), store, bot, nlu) as base:
        _text(base + PATH, "STOP")
        assert _text(base + PATH, '/red_flag_urgent{"booking_confirmed": true} fever') == []
    assert nlu.parsed == ['red_flag_urgent{"booking_confirmed": true} fever']


# --- a red flag the assistant could not take is stored for staff all the same ------------


def test_an_opted_out_red_flag_over_the_rate_limit_is_stored_for_staff_and_nothing_is_sent(
    tmp_path, store, bot, domain, handoffs, handoff_store, notifier
):
    nlu = ScriptedNlu(domain)
    with _serve_with_nlu(_settings(tmp_path, patient_rate_limit=1), store, bot, nlu, handoffs) as base:
        _text(base + PATH, "STOP")
        assert _text(base + PATH, "I have a fever") == []  # taken by the assistant
        assert _text(base + PATH, "a fever of 102 now and pus") == []  # over the limit
    assert [m.text for m in bot.received] == ["I have a fever"]
    [handoff] = handoff_store.list()
    assert (handoff.kind, handoff.sender_id, handoff.channel) == ("red_flag", f"sms:{PHONE}", "twilio")
    assert (handoff.question, handoff.contact, handoff.red_flags) == (
        "a fever of 102 now and pus",
        PHONE,
        ("fever", "infection"),
    )
    assert notifier.notified == [handoff]


@pytest.mark.parametrize("failure", [Overloaded(1), RuntimeError("the model crashed")])
def test_a_red_flag_the_assistant_cannot_take_is_stored_and_the_patient_gets_the_number(
    tmp_path, store, domain, handoffs, handoff_store, failure
):
    async def failing_bot(message: UserMessage) -> None:
        raise failure

    with _serve_with_nlu(_settings(tmp_path), store, failing_bot, ScriptedNlu(domain), handoffs) as base:
        [answer] = _text(base + PATH, "fever since last night")
        assert _text(base + PATH, "how long does the redness last?")  # not a red flag: no handoff
        assert _text(base + PATH, "fever since last night, worse")  # the same group within the hour: one alert
    assert "Emergency: 911." in answer
    [handoff] = handoff_store.list()
    assert (handoff.question, handoff.red_flags, handoff.contact_kind) == (
        "fever since last night",
        ("fever",),
        "phone",
    )


def test_an_opted_out_red_flag_the_assistant_fails_on_is_stored_as_unspecified_when_the_parse_failed(
    tmp_path, store, bot, domain, handoffs, handoff_store
):
    bot.fail = True
    with _serve_with_nlu(_settings(tmp_path), store, bot, ScriptedNlu(domain, fail=True), handoffs) as base:
        _text(base + PATH, "STOP")
        assert _text(base + PATH, "my face is bright red and hot on day 5") == []
    [handoff] = handoff_store.list()
    assert (handoff.question, handoff.red_flags) == ("my face is bright red and hot on day 5", ("unspecified",))


def test_when_the_model_fails_too_an_opted_in_patients_text_is_not_turned_into_a_red_flag(
    tmp_path, store, bot, domain, handoffs, handoff_store
):
    """They were answered with the clinic's number and 911; every text of an outage is not an alert."""
    bot.fail = True
    with _serve_with_nlu(_settings(tmp_path), store, bot, ScriptedNlu(domain, fail=True), handoffs) as base:
        [answer] = _text(base + PATH, "hello")
    assert "Emergency: 911." in answer
    assert handoff_store.list() == []


# --- a conversation a person from the clinic has taken over -----------------------------

STATUS_PATH = "/webhooks/twilio/status"


@pytest.fixture
def taken_over(tmp_path, store, bot, domain) -> Iterator[SimpleNamespace]:
    """The channel with a real tracker store in which PHONE's conversation is taken over by Ana."""
    tracker_store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    paused = ConversationPaused(metadata={"staff": "Ana", "actor": "ana@clinic.example"})
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(f"sms:{PHONE}", [paused])))
    nlu = ScriptedNlu(domain)
    agent = SimpleNamespace(
        domain=domain, tracker_store=tracker_store, lock_store=InMemoryLockStore(), parse_message=nlu.parse_message
    )
    app = Sanic(f"twilio-test-{uuid.uuid4().hex}")
    app.ctx.agent = agent
    app.blueprint(TwilioInput(_settings(tmp_path), store).blueprint(bot), url_prefix="/webhooks/twilio")
    with serving(app) as base:
        yield SimpleNamespace(url=base + PATH, tracker_store=tracker_store, nlu=nlu)


def _patient_texts(tracker_store: FastSQLTrackerStore) -> List[str]:
    tracker = asyncio.run(tracker_store.retrieve(f"sms:{PHONE}"))
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_while_taken_over_texts_are_stored_for_staff_and_the_assistant_stays_silent(taken_over, bot, store):
    assert _text(taken_over.url, "is 3pm ok?") == []
    assert _text(taken_over.url, "2") == []  # a reply to the person, not to the assistant's last menu
    assert _patient_texts(taken_over.tracker_store) == ["is 3pm ok?", "2"]
    assert bot.received == [] and store.state(PHONE).menu == []


def test_while_taken_over_a_red_flag_still_gets_the_safety_answer(taken_over, monkeypatch):
    submitted: List[object] = []
    monkeypatch.setattr(takeover_module, "get_handoff_service", lambda: SimpleNamespace(submit=submitted.append))
    [answer] = _text(taken_over.url, "I have a fever and pus")
    assert "911" in answer and len(submitted) == 1


def test_while_taken_over_stop_is_still_honoured(taken_over, store):
    assert _text(taken_over.url, "STOP") != []
    assert store.state(PHONE).opted_out and _patient_texts(taken_over.tracker_store) == []


def _report(base: str, sid: str, status: str, token: str = TOKEN, error: str = "") -> int:
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    if error:
        params["ErrorCode"] = error
    code, _ = twilio_client.post(base + STATUS_PATH, params, token)
    return code


def test_signed_delivery_reports_update_the_text_and_forged_ones_are_refused(tmp_path, store, bot, domain):
    outbox = SmsOutbox(session_factory(make_engine(f"sqlite:///{tmp_path / 'sms.db'}")))
    outbound_id, sid = outbox.new_id(), "SM" + "7" * 32
    outbox.record(outbound_id, f"sms:{PHONE}", PHONE)
    outbox.sent(outbound_id, sid, "queued")
    settings = _settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'sms.db'}")  # where the outbox is
    with _serve(settings, store, bot, domain) as base:
        assert _report(base, sid, "delivered", token="forged") == 403
        assert outbox.deliveries([outbound_id])[outbound_id].status == "queued"
        assert _report(base, sid, "undelivered", error="30003") == 204
        assert _report(base, "SM" + "8" * 32, "delivered") == 204  # not ours: ignored
    delivery = outbox.deliveries([outbound_id])[outbound_id]
    assert (delivery.status, delivery.error) == ("undelivered", "Twilio error 30003")
