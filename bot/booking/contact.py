"""Finding a phone number or e-mail address in a patient's message.

Validation is left to `phonenumbers` and `email-validator`; the regular expressions here
only find *candidates* (tokens with an '@', runs of digits) and never decide validity.

A phone number is taken when libphonenumber finds it valid, or, in a country where
every number has the same length (the North American plan's ten digits), when it has
that length: the table of assigned ranges rejects fictional numbers (the demo clinic's
own (555) 010-0100) and lags new ranges, and a patient told "that isn't a complete
number" about a complete one gives up. Where lengths vary (the UK), validity is the
only sign that a number is whole. A local
number without its area code ("555-0175", as people say it to a local business) gets
the clinic's own area code, and the read-back shows the patient the whole number to
confirm or correct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple, cast

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
# A local number as written without an area code: "555-0175", "555 0175", "5550175".
_LOCAL_SHAPE = patterns.compile(r"\d{3}[\s.-]?\d{4}")
# What makes a failed answer look like a try at a number.
_DIGIT_RUN = patterns.compile(r"\d{3}")
_BARE_NUMBER = patterns.compile(r"[\d\s().+-]*\d[\d\s().+-]*")
# The words that introduce a contact ("sure, my cell is", "email me at"), blanked with it.
# (Under `re`, `\s*:?\s*$` after a long run of spaces made this one cubic in the message:
# issue 15. RE2 reads it in one pass.)
_LEAD_IN = patterns.compile(
    r"(?:(?:sure|ok|okay|yes|yeah|and|or|use|try|it'?s|it\s+is|here'?s|here\s+is)[\s,]+)*"
    r"(?:(?:you\s+can\s+)?(?:call|text|email|e-mail|reach|contact)\s+me(?:\s+(?:at|on|via))?"
    r"|(?:(?:my|the|our|her|his|their)\s+)?(?:(?:home|work|office)\s+)?(?:cell|cellphone|mobile|phone|landline|whatsapp|number|email|e-mail|tel|telephone)"
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


def area_code(home: str, region: str) -> str:
    """The area code of the clinic's own number `home`, which a local number shares ("" if none).

    In the North American plan every area code is the first three digits; elsewhere
    libphonenumber knows the geographic ones of valid numbers.
    """
    try:
        number = phonenumbers.parse(home, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 1:
        return national[:3]
    return national[: phonenumbers.length_of_geographical_area_code(number)]


def _complete(number: phonenumbers.PhoneNumber) -> bool:
    """Valid, or of the one length every number of its country has."""
    if phonenumbers.is_valid_number(number):
        return True
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_country_code(cast(int, number.country_code))  # set on every parsed number
    )
    lengths = metadata.general_desc.possible_length if metadata and metadata.general_desc else ()
    return len(lengths) == 1 and len(phonenumbers.national_significant_number(number)) == lengths[0]


def _phone(match: phonenumbers.PhoneNumberMatch, region: str, area: str) -> Optional[phonenumbers.PhoneNumber]:
    """The whole number a match gives: as written, or a local one with the clinic's area code."""
    if _complete(match.number):
        return match.number
    local = phonenumbers.is_possible_number_with_reason(match.number)
    if local != phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY or not area:
        return None
    if not _LOCAL_SHAPE.fullmatch(match.raw_string):
        return None  # "12 3456 7" is no way of writing a local number
    number = phonenumbers.parse(area + phonenumbers.national_significant_number(match.number), region)
    return number if _complete(number) else None


def _phones(text: str, region: str, area: str) -> List[Tuple[Span, Contact]]:
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        number = _phone(match, region, area)
        if number is None:
            continue
        local = number.country_code == phonenumbers.country_code_for_region(region)
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


def find_contact(text: str, region: str = "US", home: str = "") -> ContactResult:
    """The first valid phone number or e-mail address in the text.

    When a message has both, the one written first wins: patients tend to lead with the
    channel they prefer. Phone numbers without a country code are read as numbers of
    `region` (the clinic's country) and displayed in its national format; others are
    displayed internationally. A local number without an area code takes the area code
    of `home`, the clinic's own number (none without it). Digits inside an e-mail
    address are never a phone number.
    """
    text = prepare(text)
    region = region.upper()
    emails = _email_candidates(text)
    email_spans = [span for span, _ in emails]
    found = [(span, contact) for span, address in emails if (contact := _email(address))]
    found += [
        (span, contact)
        for span, contact in _phones(text, region, area_code(home, region))
        if not _overlaps(span, email_spans)
    ]
    if found:
        return ContactResult(contact=min(found, key=lambda item: item[0])[1], attempted=False)
    attempted = (
        "@" in text or bool(_DIGIT_RUN.search(without_times(text))) or bool(_BARE_NUMBER.fullmatch(text.strip()))
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
    # _LEAD_IN matches empty: it is always found
    return [(cast(patterns.Match, _LEAD_IN.search(text[:start])).start(), end) for start, end in sorted(spans)]
