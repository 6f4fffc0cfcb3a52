"""E-mail staff about a new handoff.

The e-mail carries what staff need to call the patient back (that is its purpose), so
it goes only to the configured staff addresses, over STARTTLS by default. Headers are
built only from the handoff's id, kind and channel, each cleaned of line breaks, and
patient text goes only into the body: a name like "Eve\\r\\nBcc: x@evil.example"
cannot add a header or a recipient.

A red flag's subject starts with "RED FLAG" and names its symptom groups (validated
names, never patient text), so staff see it first in any inbox; its body leads with
what the patient wrote, how to reach them, and the link to the staff console.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Iterator, Optional, Sequence, Tuple

from bot.handoffs.request import clean_text
from bot.handoffs.view import HandoffView
from bot.settings import Settings

KIND_TITLES = {
    "booking": "booking request",
    "question": "question for the team",
    "screening": "screening result",
    "red_flag": "red flag",
}
CHANNEL_NAMES = {"rest": "website chat", "widget": "website chat", "twilio": "SMS"}


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

    @classmethod
    def from_settings(cls, settings: Settings) -> Optional["SmtpNotifier"]:
        """The clinic's mail server as configured, or None when SMTP_HOST is not set."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            recipients=settings.staff_email,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            staff_url=settings.staff_public_url,
        )

    def notify(self, handoff: HandoffView) -> None:
        self._send(self.compose(handoff), self.recipients)

    def patient_wrote(self, recipient: str, handoff_id: Optional[int]) -> None:
        """Tell the staff member who took a conversation over that the patient wrote again.

        Only a link: no patient text leaves the console by e-mail for a message staff
        will read there anyway.
        """
        message = self._message("A patient wrote again in a conversation you took over", to=(recipient,))
        link = f"{self.staff_url}/handoffs/{handoff_id}" if self.staff_url and handoff_id else self.staff_url
        lines = [
            "A patient wrote again in a conversation you took over, and the assistant is not answering them.",
            "",
            f"Reply in the staff console: {link}" if link else "Reply in the staff console.",
        ]
        message.set_content("\n".join(lines) + "\n")
        self._send(message, (recipient,))

    def report(self, subject: str, body: str) -> None:
        """A plain-text report to the staff addresses (the weekly digest, bot.staff.digest)."""
        message = self._message(subject)
        message.set_content(body)
        self._send(message, self.recipients)

    def _send(self, message: EmailMessage, recipients: Sequence[str]) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message, from_addr=self.sender, to_addrs=list(recipients))

    def compose(self, handoff: HandoffView) -> EmailMessage:
        """The e-mail for `handoff` (recipients are also passed explicitly to the server)."""
        if handoff.is_red_flag:
            return self._compose_red_flag(handoff)
        title = f"New {KIND_TITLES.get(handoff.kind, 'handoff')} #{handoff.id} via {clean_text(handoff.channel)}"
        message = self._message(title)
        received = handoff.created_at.strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"{title}, received {received}.", ""]
        lines += [f"{label}: {value}" for label, value in _details(handoff)]
        if self.staff_url:
            lines += ["", f"See it in the staff API: {self.staff_url}/api/handoffs/{handoff.id}"]
        message.set_content("\n".join(lines) + "\n")
        return message

    def _compose_red_flag(self, handoff: HandoffView) -> EmailMessage:
        """A patient reported a warning symptom: what they wrote, how to reach them, where to look."""
        groups = ", ".join(clean_text(group) for group in handoff.red_flags) or "unspecified"
        channel = CHANNEL_NAMES.get(handoff.channel, clean_text(handoff.channel))
        message = self._message(f"RED FLAG #{handoff.id}: {groups} (via {channel})")
        contact = handoff.contact
        if contact and handoff.contact_kind:
            contact = f"{contact} ({handoff.contact_kind})"
        received = handoff.created_at.strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"A patient reported a red-flag symptom at {received}. Please contact them now.",
            "",
            f"Message: {clean_text(handoff.question or '') or '(no text: the patient chose a button)'}",
            f"Channel: {channel}",
            f"Red-flag groups: {groups}",
            f"Contact: {clean_text(contact) if contact else 'not known (see the conversation in the staff console)'}",
        ]
        if handoff.name:
            lines.append(f"Name: {clean_text(handoff.name)}")
        if self.staff_url:
            lines += [
                "",
                f"Open it in the staff console: {self.staff_url}/handoffs/{handoff.id}",
                f"Staff API: {self.staff_url}/api/handoffs/{handoff.id}",
            ]
        message.set_content("\n".join(lines) + "\n")
        return message

    def _message(self, subject: str, to: Optional[Sequence[str]] = None) -> EmailMessage:
        """An e-mail from us to `to` (default: the staff addresses) with `subject` (kept to one
        line), no body yet."""
        message = EmailMessage()
        message["Subject"] = clean_text(subject)
        message["From"] = self.sender
        message["To"] = ", ".join(clean_text(address) for address in (to or self.recipients))
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
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
