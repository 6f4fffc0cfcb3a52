"""Finding a phone number or e-mail address in a patient's message.

Validation is left to `phonenumbers` and `email-validator`; the regular expressions here
only find *candidates* (tokens with an '@', runs of digits) and never decide validity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot import patterns
from bot.booking.clauses import Span, prepare
from bot.booking.time_expressions import without_times

# A token with an '@', delimited by spaces and the punctuation that wraps addresses in
# prose ("<a@b.com>", "(a@b.com)", "mailto:a@b.com"); edge punctuation is stripped after.
_EMAIL_TOKEN = patterns.compile(r"[^\s<>(),;:\[\]\"]*@[^\s<>(),;:\[\]\"]*")
_EMAIL_EDGE = ".'!?*_"
# Any phone-like run (7+ digits with separators), valid or not, for other readers to ignore.
_PHONE_RUN = patterns.compile(r"\+?\d(?:[\s().-]{0,3}\d){6,}")
# What makes a failed answer look like a try at a number.
_DIGIT_RUN = patterns.compile(r"\d{3}")
_BARE_NUMBER = patterns.compile(r"[\d\s().+-]*\d[\d\s().+-]*")
# The words that introduce a contact ("sure, my cell is", "email me at"), blanked with it.
# (Under `re`, `\s*:?\s*$` after a long run of spaces made this one cubic in the message:
# issue 15. RE2 reads it in one pass.)
_LEAD_IN = patterns.compile(
    r"(?:(?:sure|ok|okay|yes|yeah|and|or|it'?s|it\s+is|here'?s|here\s+is)[\s,]+)*"
    r"(?:(?:you\s+can\s+)?(?:call|text|email|e-mail|reach|contact)\s+me(?:\s+(?:at|on|via))?"
    r"|(?:(?:my|the|our)\s+)?(?:cell|cellphone|mobile|phone|number|email|e-mail|tel|telephone)"
    r"(?:\s+(?:number|no\.?|#|address))?(?:\s+is)?)?"
    r"\s*:?\s*$",
    patterns.IGNORECASE,
)


@dataclass(frozen=True)
class Contact:
    """A validated way to reach the patient.

    `value` is canonical (E.164 phone, normalized e-mail) for storing and de-duplicating;
    `display` is what the assistant reads back to the patient.
    """

    kind: str  # "phone" | "email"
    value: str
    display: str


@dataclass(frozen=True)
class ContactResult:
    """What a message says about contact details.

    `attempted` is True when no valid contact was found but the message looks like a try
    at one (an '@', a bare number, or a run of 3+ digits outside a date or clock time
    such as "Dec 3, 2025" or "1030am"), so the form can re-ask with an example instead of
    treating the answer as off-topic.
    """

    contact: Optional[Contact]
    attempted: bool


def _email_candidates(text: str) -> List[Tuple[Span, str]]:
    found = []
    for match in _EMAIL_TOKEN.finditer(text):
        token = match.group(0)
        address = token.strip(_EMAIL_EDGE)  # never empty: the '@' is not an edge character
        start = match.start() + token.index(address)
        found.append(((start, start + len(address)), address))
    return found


def _email(address: str) -> Optional[Contact]:
    try:
        normalized = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    return Contact(kind="email", value=normalized, display=normalized)


def _phones(text: str, region: str) -> List[Tuple[Span, Contact]]:
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        number = match.number
        if not phonenumbers.is_valid_number(number):
            continue
        local = phonenumbers.region_code_for_number(number) == region
        style = phonenumbers.PhoneNumberFormat.NATIONAL if local else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        contact = Contact(
            kind="phone",
            value=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            display=phonenumbers.format_number(number, style),
        )
        found.append(((match.start, match.end), contact))
    return found


def _overlaps(span: Span, others: List[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def find_contact(text: str, region: str = "US") -> ContactResult:
    """The first valid phone number or e-mail address in the text.

    When a message has both, the one written first wins: patients tend to lead with the
    channel they prefer. Phone numbers without a country code are read as numbers of
    `region` (the clinic's country) and displayed in its national format; others are
    displayed internationally. Digits inside an e-mail address are never a phone number.
    """
    text = prepare(text)
    region = region.upper()
    emails = _email_candidates(text)
    email_spans = [span for span, _ in emails]
    found = [(span, contact) for span, address in emails if (contact := _email(address))]
    found += [(span, contact) for span, contact in _phones(text, region) if not _overlaps(span, email_spans)]
    if found:
        return ContactResult(contact=min(found, key=lambda item: item[0])[1], attempted=False)
    attempted = (
        "@" in text
        or bool(_DIGIT_RUN.search(without_times(text)))
        or bool(_BARE_NUMBER.fullmatch(text.strip()))
    )
    return ContactResult(contact=None, attempted=attempted)


def canonical_contact(value: object, region: str = "US") -> Optional[Contact]:
    """The contact `value` is, when it is exactly one this reader gives: an E.164 phone
    number or a normalized e-mail address (`Contact.value`); None for anything else.

    What the forms store in `booking_contact`, and what a handoff stores, is checked
    with this again: a slot set some other way than through `find_contact` (a forged
    payload, a bug) never reaches staff as a way to reach the patient.
    """
    found = find_contact(value, region).contact if isinstance(value, str) else None
    return found if found is not None and found.value == value else None


def contact_spans(text: str) -> List[Span]:
    """Where the text gives (or tries to give) contact details, with their lead-in words.

    Other readers blank these spans; valid or not, a phone number is not a name or a time.
    """
    spans = [span for span, _ in _email_candidates(text)]
    spans += [match.span() for match in _PHONE_RUN.finditer(text)]
    return [(_LEAD_IN.search(text[:start]).start(), end) for start, end in sorted(spans)]
