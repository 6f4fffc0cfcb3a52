"""Requests are cleaned and checked before they reach the database."""

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.models import column_limit
from bot.handoffs.request import HandoffRequest, clean_text


def _booking(**changes):
    values = dict(
        kind="booking",
        sender_id="patient-1",
        channel="rest",
        name="Ana Lima",
        contact="+15550100100",
        contact_kind="phone",
        preferred_time="Tuesday morning",
        concern="acne scars",
    )
    values.update(changes)
    return HandoffRequest(**values)


def test_text_is_cleaned_of_control_characters_and_extra_spaces():
    request = _booking(name="  Ana\x00\x1b[31m  \r\n Lima\t", concern="scars\u2028and pores")
    assert request.name == "Ana[31m Lima"
    assert request.concern == "scars and pores"


def test_markup_quotes_and_emoji_are_kept_as_typed():
    name = '<b>O\'Brien</b> "Jo" \U0001f469\u200d\U0001f52c'
    assert _booking(name=name).name == name


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "call"}, "kind"),
        ({"contact_kind": "fax"}, "contact_kind"),
        ({"screening_outcome": "maybe"}, "screening_outcome"),
        ({"sender_id": " \x00 "}, "sender_id"),
        ({"channel": ""}, "channel"),
        ({"name": "x" * 101}, "name"),
        ({"contact": "1" * 255}, "contact"),
        ({"name": 42}, "name"),
        ({"contact": None}, "contact_kind"),
        ({"screening_answers": ["yes"]}, "screening_answers"),
        ({"screening_answers": {"pregnant": float("nan")}}, "screening_answers"),
        ({"screening_answers": {"pregnant": {"nested": True}}}, "screening_answers"),
        ({"screening_answers": {"": True}}, "screening_answers"),
    ],
)
def test_invalid_requests_are_refused_naming_the_field(changes, field):
    with pytest.raises(ValueError, match=field):
        _booking(**changes)


def test_free_text_is_cut_to_its_column_with_a_visible_mark():
    request = _booking(kind="question", question="why " * 400, concern="c" * 500, preferred_time="t" * 300)
    for field in ("question", "concern", "preferred_time"):
        value = getattr(request, field)
        assert len(value) == column_limit(field)
        assert value.endswith("\u2026")


def test_empty_optional_text_becomes_none():
    request = HandoffRequest(kind="question", sender_id="p", channel="rest", name="  ", question="\x00")
    assert (request.name, request.question) == (None, None)


def test_screening_answers_are_copied_and_cleaned():
    answers = {"pregnant_or_nursing": False, "isotretinoin\n": None, "notes": "none\x07", "age": 34}
    request = HandoffRequest(
        kind="screening", sender_id="p", channel="rest", screening_answers=answers, screening_outcome="candidate"
    )
    assert request.screening_answers == {"pregnant_or_nursing": False, "isotretinoin": None, "notes": "none", "age": 34}
    answers["age"] = 99
    assert request.screening_answers["age"] == 34


def test_the_same_request_typed_again_has_the_same_dedupe_key():
    assert _booking().dedupe_key == _booking(name=" ana  LIMA ", channel="sms").dedupe_key
    assert len(_booking().dedupe_key) == 64


@pytest.mark.parametrize(
    "changes",
    [{"sender_id": "patient-2"}, {"kind": "question"}, {"preferred_time": "Friday"}, {"contact": "+15550100101"}],
)
def test_different_details_have_different_dedupe_keys(changes):
    assert _booking().dedupe_key != _booking(**changes).dedupe_key


def test_repr_shows_no_personal_data():
    shown = repr(_booking())
    assert "Ana" not in shown and "555" not in shown and "patient-1" not in shown


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=300), question=st.text(max_size=1500))
def test_any_text_is_stored_cleaned_within_limits_or_refused(name, question):
    try:
        request = HandoffRequest(kind="question", sender_id="p", channel="rest", name=name, question=question)
    except ValueError as exc:
        assert "name" in str(exc)
        assert len(clean_text(name)) > column_limit("name")
        return
    assert request.name == (clean_text(name) or None)
    assert len(request.question or "") <= column_limit("question")
    for value in (request.name or "", request.question or ""):
        assert value == value.strip()
        assert not any(ord(char) < 32 or ord(char) == 127 for char in value)


# ----- red flags -----------------------------------------------------------------


def _red_flag(**changes):
    values = dict(
        kind="red_flag", sender_id="+16465550123", channel="twilio", question="I can't breathe", red_flags=["breathing"]
    )
    values.update(changes)
    return HandoffRequest(**values)


@pytest.mark.parametrize(
    "given, stored",
    [
        (["breathing"], "breathing"),
        (("swelling", "breathing", "swelling"), "swelling,breathing"),
        (" Fever , infection ", "fever,infection"),
        (["redness_worsening"], "redness_worsening"),
        (["unspecified"], "unspecified"),
    ],
)
def test_red_flag_groups_are_stored_comma_separated_in_order_without_repeats(given, stored):
    request = _red_flag(red_flags=given)
    assert request.red_flags == stored
    assert request.groups == tuple(stored.split(","))


@pytest.mark.parametrize(
    "changes",
    [
        {"red_flags": None},
        {"red_flags": []},
        {"red_flags": ""},
        {"red_flags": ["breathing", "can't breathe"]},
        {"red_flags": ["x\r\nBcc: thief@evil.example"]},
        {"red_flags": [3]},
        {"red_flags": ["g" * 33]},
        {"red_flags": [f"group_{number:02d}" for number in range(30)]},
        {"kind": "question", "red_flags": ["fever"]},
    ],
)
def test_bad_red_flag_groups_are_refused(changes):
    with pytest.raises(ValueError, match="red_flags"):
        _red_flag(**changes)


def test_other_kinds_have_no_groups_and_keep_their_dedupe_keys():
    assert _booking().red_flags is None and _booking().groups == ()
    # hashed as before red flags existed, so an open handoff's retry still finds it
    details = {
        "kind": "booking",
        "sender_id": "patient-1",
        "name": "ana lima",
        "contact": "+15550100100",
        "contact_kind": "phone",
        "preferred_time": "tuesday morning",
        "concern": "acne scars",
        "question": "",
        "screening_answers": None,
        "screening_outcome": None,
    }
    encoded = json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert _booking().dedupe_key == hashlib.sha256(encoded).hexdigest()


def test_a_red_flag_key_depends_on_sender_groups_and_the_last_alert_not_the_words():
    key = _red_flag().red_flag_key(after=None)
    assert key == _red_flag(question="still can't breathe", channel="rest").red_flag_key(after=None)
    assert key == _red_flag(red_flags="breathing,breathing").red_flag_key(after=None)
    assert _red_flag(red_flags="swelling,breathing").red_flag_key(None) == _red_flag(
        red_flags="breathing,swelling"
    ).red_flag_key(None)
    for other in (
        _red_flag(sender_id="+16465550124").red_flag_key(after=None),
        _red_flag(red_flags=["breathing", "swelling"]).red_flag_key(after=None),
        _red_flag().red_flag_key(after=7),
    ):
        assert other != key
