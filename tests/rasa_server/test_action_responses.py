"""bot.rasa_server.action_responses validates action-server answers exactly as Rasa does.

install() swaps Rasa's RemoteAction._validate_action_result for one that builds its
JSON Schema validator once. A response Rasa accepts must still be accepted (or custom
actions stop working), and one Rasa rejects must still be rejected with the same
jsonschema.ValidationError (same message, same suffix, same place in the response), so
the logs and Rasa's error handling are unchanged. Each case runs Rasa's original and
ours side by side; a hypothesis property extends it to arbitrary JSON-like answers.
Rasa's original is put back after every test.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any, Callable, Dict, Iterator, List

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet as RasaSlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import events as sdk
from rasa_sdk.executor import CollectingDispatcher

from bot.rasa_server import action_responses

Validate = Callable[[RemoteAction, Any], bool]

SUFFIX = (
    ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
    f"is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
)

# Captured at import, before any test could install ours.
RASA_ORIGINAL: Validate = RemoteAction.__dict__["_validate_action_result"]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Validate]:
    """Ours installed on RemoteAction for one test; Rasa's original restored afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_ORIGINAL)
    action_responses.install()
    yield RemoteAction.__dict__["_validate_action_result"]


def action() -> RemoteAction:
    return RemoteAction("action_submit_booking", EndpointConfig(url="http://localhost:5055/webhook"))


def outcome(validate: Validate, response: Any) -> Dict[str, Any]:
    """What `validate` does with `response`: accepts it, or the error it raises, field by field."""
    try:
        result = validate(action(), response)
    except ValidationError as error:
        assert type(error) is ValidationError  # not a subclass, not a SchemaError
        return {
            "accepted": False,
            "message": error.message,
            "path": list(error.absolute_path),
            "schema_path": list(error.absolute_schema_path),
            "validator": error.validator,
            "instance": error.instance,
            "context": sorted(sub.message for sub in error.context),
            "str": str(error),
        }
    return {"accepted": True, "result": result}


def sdk_response(events: List[Dict[str, Any]], **utterances: Any) -> Dict[str, Any]:
    """A response as rasa-sdk's action server builds it."""
    dispatcher = CollectingDispatcher()
    if utterances:
        dispatcher.utter_message(**utterances)
    return {"events": events, "responses": dispatcher.messages}


def user_event(**overrides: Any) -> Dict[str, Any]:
    event = {
        "event": "user",
        "timestamp": 1700000000.5,
        "text": "book me in",
        "input_channel": "rest",
        "message_id": "abc",
        "parse_data": {
            "text": "book me in",
            "intent": {"name": "book_appointment", "confidence": 0.97},
            "intent_ranking": [{"name": "book_appointment", "confidence": 0.97}],
            "entities": [{"entity": "time", "value": "tomorrow", "start": 0, "end": 8, "extractor": None}],
        },
    }
    event.update(overrides)
    return event


VALID: Dict[str, Any] = {
    "empty": {},
    "no events, no responses": {"events": [], "responses": []},
    "sdk slots and loop": sdk_response(
        [sdk.SlotSet("booking_name", "Ann"), sdk.SlotSet("requested_slot", None), sdk.ActiveLoop(None)]
    ),
    "sdk utterance with buttons": sdk_response(
        [sdk.SlotSet("booking_confirmed", True)],
        text="Book it?",
        buttons=[{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
    ),
    "sdk response by name with variables": sdk_response([], response="utter_ask_booking_name", name="Ann"),
    "sdk every kind of event": sdk_response(
        [
            sdk.FollowupAction("action_listen"),
            sdk.ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0),
            sdk.BotUttered("hello", {"buttons": []}, {"utter_action": "utter_greet"}),
            sdk.Restarted(),
            sdk.AllSlotsReset(),
            sdk.ReminderScheduled("remind", datetime.datetime(2025, 1, 1, 9, 30), name="r1"),
            sdk.ReminderCancelled("r1"),
            sdk.ConversationPaused(),
            sdk.ConversationResumed(),
            sdk.UserUtteranceReverted(),
            sdk.ActionReverted(),
            sdk.StoryExported(),
            sdk.SessionStarted(),
            sdk.ActionExecutionRejected("booking_form"),
            sdk.LoopInterrupted(True),
            sdk.ActiveLoop("booking_form"),
            sdk.AgentUttered("hi"),
        ]
    ),
    "user event with full parse data": {"events": [user_event()]},
    "slot with any value": {"events": [{"event": "slot", "name": "form_misses", "value": {"count": [1, None]}}]},
    "slot with metadata and null timestamp": {
        "events": [{"event": "slot", "name": "x", "value": 1, "timestamp": None, "metadata": {"k": "v"}}]
    },
    "entities event": {"events": [{"event": "entities", "entities": [{"entity": "name", "value": "Ann"}]}]},
    "unknown top-level keys": {"events": [], "responses": [], "extra": {"anything": [1, 2]}},
    "responses of arbitrary objects": {"responses": [{}, {"custom": {"blocks": [1]}}]},
}

INVALID: Dict[str, Any] = {
    "events is an object": {"events": {"event": "slot", "name": "x", "value": 1}},
    "events is a string": {"events": "slot"},
    "events is null": {"events": None},
    "event without event key": {"events": [{"name": "x", "value": 1}]},
    "event is a string": {"events": ["slot"]},
    "unknown event type": {"events": [{"event": "teleport"}]},
    "event type not a string": {"events": [{"event": 7}]},
    "slot without value": {"events": [{"event": "slot", "name": "x"}]},
    "slot name not a string": {"events": [{"event": "slot", "name": 3, "value": 1}]},
    "timestamp is a string": {"events": [{"event": "restart", "timestamp": "yesterday"}]},
    "timestamp is a boolean": {"events": [{"event": "restart", "timestamp": True}]},
    "metadata is a list": {"events": [{"event": "restart", "metadata": []}]},
    "entities event without entities": {"events": [{"event": "entities"}]},
    "entity without value": {"events": [{"event": "entities", "entities": [{"entity": "name"}]}]},
    "user event with intent confidence as text": {
        "events": [user_event(parse_data={"intent": {"name": "greet", "confidence": "high"}})]
    },
    "user event with entity start as float": {
        "events": [user_event(parse_data={"entities": [{"entity": "e", "value": 1, "start": 0.5}]})]
    },
    "sdk user event without parse data": sdk_response([sdk.UserUttered("hi")]),
    "action event with boolean name": {"events": [{"event": "action", "name": True}]},
    "responses is an object": {"responses": {"text": "hi"}},
    "responses is a string": {"responses": "hi"},
    "response is a string": {"responses": ["hi"]},
    "response is null": {"responses": [None]},
    "several errors at once": {"events": [{"event": "slot"}, {"noevent": 1}], "responses": ["x", 1]},
    "one bad among good events": {"events": [sdk.SlotSet("a", 1), {"event": "nope"}, sdk.Restarted()]},
    "a list": [],
    "a string": "ok",
    "null": None,
    "a number": 200,
}


@pytest.mark.parametrize("response", VALID.values(), ids=VALID.keys())
def test_what_rasa_accepts_is_accepted(installed, response):
    assert outcome(RASA_ORIGINAL, response) == {"accepted": True, "result": True}
    assert outcome(installed, response) == {"accepted": True, "result": True}


@pytest.mark.parametrize("response", INVALID.values(), ids=INVALID.keys())
def test_what_rasa_rejects_is_rejected_with_the_same_error(installed, response):
    rasa = outcome(RASA_ORIGINAL, response)
    ours = outcome(installed, response)
    assert rasa["accepted"] is False
    assert rasa["message"].endswith(SUFFIX)
    assert ours == rasa


def test_a_rejection_names_the_problem_before_the_suffix(installed):
    ours = outcome(installed, {"events": "slot"})
    assert ours["message"] == "'slot' is not of type 'array'" + SUFFIX
    assert ours["path"] == ["events"]


def test_errors_do_not_accumulate_suffixes_across_calls(installed):
    """The validator is shared between calls; each error is new and gets the suffix once."""
    bad = {"responses": "hi"}
    messages = [outcome(installed, bad)["message"] for _ in range(3)]
    assert messages == [outcome(RASA_ORIGINAL, bad)["message"]] * 3
    assert messages[0].count(SUFFIX) == 1
    assert outcome(installed, VALID["sdk slots and loop"])["accepted"] is True  # still usable afterwards


def test_the_response_is_not_modified(installed):
    response = sdk_response([sdk.SlotSet("booking_name", "Ann")], text="Thanks!")
    before = repr(response)
    installed(action(), response)
    assert repr(response) == before


# --- install -------------------------------------------------------------------------


def test_install_replaces_rasas_function_and_is_idempotent(installed):
    assert RemoteAction.__dict__["_validate_action_result"] is action_responses._validate_action_result
    assert installed is not RASA_ORIGINAL
    action_responses.install()
    action_responses.install()
    assert RemoteAction.__dict__["_validate_action_result"] is action_responses._validate_action_result
    assert outcome(RemoteAction._validate_action_result, {"events": []})["accepted"] is True


def test_installing_under_monkeypatch_is_undone():
    """The pattern of the `installed` fixture puts back whatever was there before (Rasa's
    original, or ours when an earlier test built a channel, which installs it)."""
    before = RemoteAction.__dict__["_validate_action_result"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RemoteAction, "_validate_action_result", RASA_ORIGINAL)
        action_responses.install()
        assert RemoteAction.__dict__["_validate_action_result"] is action_responses._validate_action_result
    assert RemoteAction.__dict__["_validate_action_result"] is before


def test_remote_actions_validate_with_ours_not_with_jsonschema_validate(installed, monkeypatch):
    """A custom action run by Rasa goes through our validator: jsonschema.validate is never called."""

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Rasa's per-call jsonschema.validate was used")

    monkeypatch.setattr(jsonschema, "validate", forbidden)
    with pytest.raises(AssertionError):
        RASA_ORIGINAL(action(), {})

    domain = Domain.from_yaml(
        """
        version: "3.1"
        slots:
          booking_name:
            type: text
            mappings: [{type: custom}]
        responses:
          utter_thanks:
          - text: "Thanks, {booking_name}!"
        """
    )
    answers: List[Any] = [
        sdk_response([sdk.SlotSet("booking_name", "Ann")], response="utter_thanks"),
        {"events": [{"event": "slot", "name": "booking_name"}]},
    ]

    async def run_action() -> Any:
        remote = action()

        async def request(**kwargs: Any) -> Any:
            return answers.pop(0)

        remote.action_endpoint.request = request  # type: ignore[assignment]
        tracker = DialogueStateTracker.from_events("patient", [RasaSlotSet("booking_name", "Ann")], domain.slots)
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        output = CollectingOutputChannel()
        first = await remote.run(output, nlg, tracker, domain)
        with pytest.raises(ValidationError) as rejected:
            await remote.run(output, nlg, tracker, domain)
        return first, rejected.value

    events, error = asyncio.run(asyncio.wait_for(run_action(), 30))
    assert [event.as_dict()["event"] for event in events] == ["bot", "slot"]
    assert events[0].text == "Thanks, Ann!"
    assert error.message == (
        "{'event': 'slot', 'name': 'booking_name'} is not valid under any of the given schemas" + SUFFIX
    )


# --- any JSON-like answer ------------------------------------------------------------

EVENT_NAMES = [
    "user",
    "action",
    "slot",
    "entities",
    "user_featurization",
    "cancel_reminder",
    "reminder",
    "action_execution_rejected",
    "form_validation",
    "loop_interrupted",
    "form",
    "active_loop",
    "reset_slots",
    "resume",
    "pause",
    "followup",
    "export",
    "restart",
    "undo",
    "rewind",
    "bot",
    "session_started",
    "agent",
    "teleport",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
# Keys the schema looks at, so that the generated answers reach deep into it.
KEYS = [
    "event",
    "name",
    "value",
    "timestamp",
    "metadata",
    "text",
    "entities",
    "entity",
    "start",
    "end",
    "parse_data",
    "intent",
    "confidence",
    "intent_ranking",
    "policy",
    "response_selector",
    "data",
]
schema_like = st.recursive(
    scalars | st.sampled_from(EVENT_NAMES),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)
events = st.lists(
    st.fixed_dictionaries({"event": st.sampled_from(EVENT_NAMES)}, optional={key: schema_like for key in KEYS[1:]}),
    max_size=3,
)
answers = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {}, optional={"events": events | json_values, "responses": st.lists(json_values, max_size=3) | json_values}
    ),
)


# Rasa's original checks the schema on every call (tens of milliseconds): 120 examples.
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=answers)
def test_any_answer_gets_rasas_verdict_and_message(installed, answer):
    assert outcome(installed, answer) == outcome(RASA_ORIGINAL, answer)


def test_the_generated_answers_include_accepted_and_rejected_ones():
    """Guards the property above against a strategy that only ever produces one verdict."""
    verdicts = set()

    @settings(max_examples=120, deadline=None, database=None)
    @given(answer=answers)
    def collect(answer: Any) -> None:
        verdicts.add(outcome(action_responses._validate_action_result, answer)["accepted"])

    collect()
    assert verdicts == {True, False}
