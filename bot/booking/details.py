"""One patient message read for all three booking details at once.

Patients answer "what's your name?" with "Priya Shah, 646-555-0123, Saturdays are
best", so the form reads every detail from every message; which question it just asked
decides only which *bare* answers count ("sam" is a name only after "what's your name?").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.booking.clauses import blank, prepare
from bot.booking.contact import ContactResult, find_contact
from bot.booking.name import locate_name
from bot.booking.preferred_time import find_preferred_time

ASKED_NAME = "name"
ASKED_CONTACT = "contact"
ASKED_PREFERRED_TIME = "preferred_time"


@dataclass(frozen=True)
class BookingDetails:
    """What one message says; None (or a contact of None) where it says nothing."""

    name: Optional[str]
    contact: ContactResult
    preferred_time: Optional[str]


def read_details(
    text: str, *, asked: Optional[str], region: str = "US", home: str = "", time_before: Optional[str] = None
) -> BookingDetails:
    """Read name, contact and preferred time from one message.

    `asked` is the detail the form asked for last ("name", "contact", "preferred_time"),
    or None; any other value is treated as None. `region` and `home` (the clinic's
    country and own number) are how a phone number without a country or area code is read;
    `time_before` is the preferred time a new one would replace. A bare name is removed before looking
    for times, so "April" after "what's your name?" is a name, not a month.
    """
    text = prepare(text)
    name = locate_name(text, asked=asked == ASKED_NAME)
    rest = blank(text, [name.span]) if name else text
    return BookingDetails(
        name=name.name if name else None,
        contact=find_contact(text, region, home),
        preferred_time=find_preferred_time(rest, asked=asked == ASKED_PREFERRED_TIME, before=time_before),
    )
