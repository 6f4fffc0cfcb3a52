"""Submit a handoff: store it first, then tell staff.

Order matters: the record is the promise made to the patient, so it is committed
before any notification, and a failed notification is logged, never allowed to undo or
hide the record (staff still see it in the staff API). Only a newly created handoff is
announced; a retried submission returns the existing one quietly.

The contact is read again, with the booking form's own reader, before it is stored:
whatever filled the slots, staff are only ever given a phone number or e-mail address
`bot.booking` accepts. A handoff whose contact fails is still stored, without it (a red
flag or a request must reach a person; staff have the conversation), and a warning
says so.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from typing import Optional

from bot.booking import canonical_contact
from bot.db.engine import get_engine, session_factory
from bot.handoffs.notify import Notifier, notifier_from_settings
from bot.handoffs.request import HandoffRequest
from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from bot.settings import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmitResult:
    """The stored handoff, and whether this submission created it (False: it already existed)."""

    handoff: HandoffView
    created: bool


class HandoffService:
    """What the actions call; raises HandoffStoreUnavailable when the record cannot be stored."""

    def __init__(self, store: HandoffStore, notifier: Notifier, region: str = "US") -> None:
        """`region`: the clinic's country, in which a local phone number is read."""
        self._store = store
        self._notifier = notifier
        self._region = region

    def submit(self, request: HandoffRequest) -> SubmitResult:
        """Store `request` (idempotently, its contact checked again) and notify staff if it is new."""
        handoff, created = self._store.add(self._with_checked_contact(request))
        if created:
            try:
                self._notifier.notify(handoff)
            except Exception:  # the record is safe; a notifier bug must not turn into a failed request
                logger.exception("handoff %d is stored but staff could not be notified", handoff.id)
        return SubmitResult(handoff=handoff, created=created)

    def _with_checked_contact(self, request: HandoffRequest) -> HandoffRequest:
        """`request` with its contact as `bot.booking` reads it (the kind from the reader), or without one."""
        if request.contact is None:
            return request
        contact = canonical_contact(request.contact, self._region)
        if contact is None:
            logger.warning(
                "a %s handoff from the %s channel is stored without its contact, which is not a phone number "
                "or e-mail address the booking form accepts", request.kind, request.channel,
            )  # fmt: skip
            return dataclasses.replace(request, contact=None, contact_kind=None)
        return dataclasses.replace(request, contact_kind=contact.kind)


_service: Optional[HandoffService] = None
_service_lock = threading.Lock()


def get_handoff_service() -> HandoffService:
    """The process's service, built from settings on first use (no database work at import)."""
    global _service
    with _service_lock:
        if _service is None:
            settings = get_settings()
            store = HandoffStore(session_factory(get_engine(settings.database_url)))
            _service = HandoffService(store, notifier_from_settings(settings), settings.clinic.country)
        return _service
