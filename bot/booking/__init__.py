"""Reading a patient's booking details (name, contact, preferred time, concern) from free text.

Pure Python (no Rasa imports): the booking form's validation actions call these on every
message. `read_details` is the entry point; the single readers are exported for forms
that validate one slot at a time.
"""

from bot.booking.concern import find_concern
from bot.booking.confirmation import read_confirmation
from bot.booking.contact import Contact, ContactResult, canonical_contact, find_contact
from bot.booking.details import BookingDetails, read_details
from bot.booking.name import corrected_name, find_name, validate_name
from bot.booking.preferred_time import find_preferred_time

__all__ = [
    "BookingDetails",
    "Contact",
    "ContactResult",
    "canonical_contact",
    "find_concern",
    "find_contact",
    "corrected_name",
    "find_name",
    "find_preferred_time",
    "read_confirmation",
    "read_details",
    "validate_name",
]
