"""Turn the bot's messages into SMS text and TwiML.

An SMS has no buttons, so a message's buttons become one numbered list in the same
text ("Reply 1: ...") and the patient answers with the number. Numbering runs on
across all messages of one reply, so each number means one thing. Texts are kept
to the GSM-7 alphabet where we write them (domain responses): one character
outside it (a curly quote, an emoji) makes the whole SMS UCS-2, which splits it into
70-character segments and triples the patient's message count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Sequence
from xml.sax.saxutils import escape

from bot import patterns

# Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab and newlines).
_XML_ILLEGAL = patterns.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# What one SMS answer may cost a patient: two segments. A lone GSM-7 SMS holds 160
# characters, but split messages carry a header, leaving 153 per segment, so two hold
# 306 (the "320" often quoted is 2 x 160); extension characters count twice.
SMS_MAX_SEPTETS = 306

# The GSM 03.38 basic alphabet and its extension table (each extension character
# costs two septets, but it does not switch the message to UCS-2).
_GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = "^{}\\[~]|€\f"
GSM7 = frozenset(_GSM7_BASIC + _GSM7_EXTENSION)


def non_gsm7(text: str) -> List[str]:
    """Characters of `text` outside GSM-7, in order of first appearance (empty: it fits GSM-7)."""
    seen: List[str] = []
    for char in text:
        if char not in GSM7 and char not in seen:
            seen.append(char)
    return seen


def septets(text: str) -> int:
    """The GSM-7 length of `text`: extension characters (such as { } [ ] and the euro sign) take two."""
    return sum(2 if char in _GSM7_EXTENSION else 1 for char in text)


def menu_lines(titles: Sequence[str], first_number: int = 1) -> str:
    """'Reply 1: Title' lines for the buttons of one message."""
    return "\n".join(f"Reply {number}: {title}" for number, title in enumerate(titles, start=first_number))


def sms_body(text: str, titles: Sequence[str], first_number: int = 1) -> str:
    """One SMS: the message text, then its buttons as a numbered list (no internal payloads)."""
    text = (text or "").strip()
    if not titles:
        return text
    menu = menu_lines(titles, first_number)
    return f"{text}\n\n{menu}" if text else menu


@dataclass
class SmsReply:
    """What one patient message gets back: SMS bodies in order, and what each number means."""

    bodies: List[str] = field(default_factory=list)
    menu: List[str] = field(default_factory=list)  # menu[n - 1] is the payload of "n"


def build_reply(messages: Iterable[Mapping[str, Any]]) -> SmsReply:
    """Collect the bot's messages (Rasa's collected dicts) into SMS bodies and one menu.

    Images and custom payloads have no SMS form and are left out; a button without a
    title or payload is skipped rather than shown as a blank choice.
    """
    reply = SmsReply()
    for message in messages:
        buttons = [
            button
            for button in message.get("buttons") or []
            if isinstance(button, Mapping) and str(button.get("title") or "").strip() and button.get("payload")
        ]
        titles = [str(button["title"]).strip() for button in buttons]
        body = sms_body(str(message.get("text") or ""), titles, first_number=len(reply.menu) + 1)
        if body:
            reply.bodies.append(body)
            reply.menu.extend(str(button["payload"]) for button in buttons)
    return reply


def twiml(bodies: Sequence[str]) -> str:
    """A TwiML messaging response with one <Message> per body, XML-escaped.

    An empty list is a valid response that sends nothing (for example to an opted-out
    number, or a retried message whose reply was already sent).
    """
    messages = "".join(f"<Message>{escape(_XML_ILLEGAL.sub('', body))}</Message>" for body in bodies)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>'


def number_choice(text: str, menu: Sequence[str]) -> str:
    """The payload of the menu choice when `text` is just its number ("2", "2.", "#2"), else `text`."""
    candidate = text.strip().rstrip(".)!").lstrip("#").strip()
    if candidate.isdigit() and candidate.isascii() and 1 <= int(candidate) <= len(menu):
        return menu[int(candidate) - 1]
    return text
