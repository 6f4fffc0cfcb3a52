"""E-mail staff about a new handoff.

The e-mail carries what staff need to call the patient back (that is its purpose), so
it goes only to the configured staff addresses, over STARTTLS by default. Headers are
built only from the handoff's id, kind and channel, each cleaned of line breaks, and
patient text goes only into the body: a name like "Eve\\r\\nBcc: x@evil.example"
cannot add a header or a recipient.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Iterator, Sequence, Tuple

from bot.handoffs.request import clean_text
from bot.handoffs.view import HandoffView

KIND_TITLES = {
    "booking": "booking request",
    "question": "question for the team",
    "screening": "screening result",
}


class SmtpNotifier:
    """Sends one plain-text e-mail per handoff; raises smtplib/OS errors (callers log them)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        user: str = "",
        password: str = "",
        starttls: bool = True,
        timeout: float = 10.0,
        staff_url: str = "",
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.recipients: Tuple[str, ...] = tuple(recipients)
        self.user = user
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.staff_url = staff_url.rstrip("/")

    def notify(self, handoff: HandoffView) -> None:
        message = self.compose(handoff)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message, from_addr=self.sender, to_addrs=list(self.recipients))

    def compose(self, handoff: HandoffView) -> EmailMessage:
        """The e-mail for `handoff` (recipients are also passed explicitly to the server)."""
        title = f"New {KIND_TITLES.get(handoff.kind, 'handoff')} #{handoff.id} via {clean_text(handoff.channel)}"
        message = EmailMessage()
        message["Subject"] = title
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        received = handoff.created_at.strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"{title}, received {received}.", ""]
        lines += [f"{label}: {value}" for label, value in _details(handoff)]
        if self.staff_url:
            lines += ["", f"See it in the staff API: {self.staff_url}/api/handoffs/{handoff.id}"]
        message.set_content("\n".join(lines) + "\n")
        return message


def _details(handoff: HandoffView) -> Iterator[Tuple[str, str]]:
    contact = handoff.contact
    if contact and handoff.contact_kind:
        contact = f"{contact} ({handoff.contact_kind})"
    for label, value in (
        ("Name", handoff.name),
        ("Contact", contact),
        ("Preferred time", handoff.preferred_time),
        ("Concern", handoff.concern),
        ("Question", handoff.question),
        ("Screening outcome", handoff.screening_outcome),
    ):
        if value:
            yield label, clean_text(value)
    for question, answer in (handoff.screening_answers or {}).items():
        yield f"  {clean_text(question)}", clean_text(_answer(answer))


def _answer(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
