"""Handoffs: booking requests, questions for a person and screening results for staff.

The Rasa actions build a `HandoffRequest` and call
`bot.handoffs.service.get_handoff_service().submit(...)` (from a worker thread: it does
database I/O). The record is committed before anyone is notified, so a patient who is
told "the team will contact you" always has a record behind that sentence.
"""

from bot.db.session import DatabaseUnavailable


class HandoffStoreUnavailable(DatabaseUnavailable):
    """The handoff database cannot be reached, is locked, or has no schema yet.

    The only database error callers need to handle: the actions then tell the patient
    to contact the clinic directly, and the staff API answers 503.
    """
