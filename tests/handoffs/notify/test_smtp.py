"""SmtpNotifier against a real SMTP server (aiosmtpd) on a free local port."""

from email import message_from_bytes, policy
from typing import Iterator, Optional

import pytest

from bot.handoffs.notify.smtp import SmtpNotifier
from tests.handoffs.notify.handoffs import CONTACT, NAME, handoff
from tests.handoffs.notify.smtp_server import PASSWORD, Inbox, smtp_server
from tests.ports import free_port

STAFF = ("front-desk@clinic.example", "nurse@clinic.example")
SENDER = "assistant@clinic.example"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp_port(inbox: Inbox) -> Iterator[int]:
    with smtp_server(inbox) as port:
        yield port


def _notifier(port: int, user: str = "", password: str = "", staff_url: Optional[str] = None) -> SmtpNotifier:
    return SmtpNotifier(
        "127.0.0.1",
        port,
        SENDER,
        STAFF,
        user=user,
        password=password,
        starttls=False,
        timeout=10,
        staff_url=staff_url if staff_url is not None else "https://staff.clinic.example/",
    )


def test_staff_get_a_short_plain_text_mail_with_the_details(inbox, smtp_port):
    _notifier(smtp_port).notify(handoff())
    [(sender, recipients, raw)] = inbox.messages
    assert (sender, recipients) == (SENDER, list(STAFF))
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "New booking request #12 via rest"
    assert message["To"] == ", ".join(STAFF)
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert f"Name: {NAME}" in body
    assert f"Contact: {CONTACT} (email)" in body
    assert "Preferred time: Tuesday morning" in body
    assert "pregnant_or_nursing: no" in body and "isotretinoin: -" in body
    assert "https://staff.clinic.example/api/handoffs/12" in body


def test_a_question_handoff_has_its_own_subject_and_no_link_without_a_staff_url(inbox, smtp_port):
    _notifier(smtp_port, staff_url="").notify(handoff(kind="question", question="Can a nurse call me?"))
    message = message_from_bytes(inbox.messages[0][2], policy=policy.default)
    assert message["Subject"] == "New question for the team #12 via rest"
    assert "Question: Can a nurse call me?" in message.get_content()
    assert "/api/handoffs" not in message.get_content()


def test_patient_text_cannot_add_headers_or_recipients(inbox, smtp_port):
    attack = "Eve\r\nBcc: thief@evil.example\r\n\r\nfake body"
    _notifier(smtp_port).notify(handoff(name=attack, channel="rest\r\nBcc: thief@evil.example", concern=attack))
    [(_, recipients, raw)] = inbox.messages
    assert recipients == list(STAFF)
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert "thief@evil.example" not in "".join(
        f"{name}: {value}" for name, value in message.items() if name != "Subject"
    )
    assert "\n" not in message["Subject"]
    assert "Name: Eve Bcc: thief@evil.example fake body" in message.get_content()


def test_it_logs_in_when_a_user_is_configured(inbox):
    with smtp_server(inbox, with_login=True) as port:
        _notifier(port, user="assistant", password=PASSWORD.decode()).notify(handoff())
    assert inbox.logins == [(b"assistant", PASSWORD)]
    assert len(inbox.messages) == 1


def test_an_unreachable_server_raises_for_the_caller_to_log():
    with pytest.raises(OSError):
        _notifier(free_port()).notify(handoff())


def _red_flag(**changes):
    values = dict(
        kind="red_flag",
        channel="twilio",
        name=None,
        contact="+16465550123",
        contact_kind="phone",
        preferred_time=None,
        concern=None,
        question="my lips are swelling and I can't breathe",
        screening_answers=None,
        screening_outcome=None,
        red_flags=("swelling", "breathing"),
    )
    values.update(changes)
    return handoff(**values)


def test_a_red_flag_mail_says_red_flag_first_with_message_channel_groups_contact_and_link(inbox, smtp_port):
    _notifier(smtp_port).notify(_red_flag())
    [(_, recipients, raw)] = inbox.messages
    assert recipients == list(STAFF)
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "RED FLAG #12: swelling, breathing (via SMS)"
    body = message.get_content()
    lines = body.splitlines()
    assert lines[0].startswith("A patient reported a red-flag symptom at 2026-03-04 15:30 UTC.")
    for line in (
        "Message: my lips are swelling and I can't breathe",
        "Channel: SMS",
        "Red-flag groups: swelling, breathing",
        "Contact: +16465550123 (phone)",
        "Open it in the staff console: https://staff.clinic.example/handoffs/12",
    ):
        assert line in lines, body


def test_a_red_flag_without_contact_says_so_and_website_is_named(inbox, smtp_port):
    composed = _notifier(smtp_port).compose(
        _red_flag(channel="rest", contact=None, contact_kind=None, red_flags=("unspecified",), name=NAME)
    )
    assert composed["Subject"] == "RED FLAG #12: unspecified (via website chat)"
    body = composed.get_content()
    assert "Contact: not known (see the conversation in the staff console)" in body
    assert f"Name: {NAME}" in body


def test_a_red_flags_patient_text_stays_in_the_body(inbox, smtp_port):
    attack = "help\r\nBcc: thief@evil.example\r\n\r\nfake"
    _notifier(smtp_port).notify(_red_flag(question=attack, channel="rest\r\nBcc: thief@evil.example"))
    [(_, recipients, raw)] = inbox.messages
    message = message_from_bytes(raw, policy=policy.default)
    assert recipients == list(STAFF) and message["Bcc"] is None
    assert "\n" not in message["Subject"] and message["Subject"].startswith("RED FLAG #12")
    assert "Message: help Bcc: thief@evil.example fake" in message.get_content()


def test_the_staff_member_who_took_a_conversation_over_gets_a_link_and_no_patient_text(inbox, smtp_port):
    _notifier(smtp_port).patient_wrote("ana@clinic.example", 12)
    [(sender, recipients, raw)] = inbox.messages
    assert (sender, recipients) == (SENDER, ["ana@clinic.example"])
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "ana@clinic.example"
    assert message["Subject"] == "A patient wrote again in a conversation you took over"
    assert "https://staff.clinic.example/handoffs/12" in message.get_content()
