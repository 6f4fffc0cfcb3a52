"""Whose conversation a message belongs to: every channel keeps its conversations in its own namespace.

Rasa keys a conversation by its sender id alone, and every channel shares one tracker
store. A client-chosen id shared across channels let a POST to the REST channel with an
SMS patient's phone number as `sender` continue that patient's text conversation. So
each channel turns what it was given into an id of its own namespace, and no channel
can produce another's:

- REST (`POST /webhooks/rest/webhook`, the evaluation and API clients): `rest:<sender>`,
  the sender the client chose;
- the website widget: `widget:<id>`, an id the server issued and signed
  (`bot.rasa_server.channels.widget_tokens`); a client can only continue a conversation it was given;
- SMS: `sms:<E.164 number>`, the sender's number, from a webhook whose Twilio signature
  was checked. Only this namespace proves a phone number, so the actions read a patient's
  number from it (`sms_number`) and from nothing else.

This module imports nothing of Rasa's: the action server and the staff process read it too.
"""

from __future__ import annotations

from typing import Optional

REST = "rest"
WIDGET = "widget"
SMS = "sms"
NAMESPACES = (REST, WIDGET, SMS)
SEPARATOR = ":"


def conversation_id(namespace: str, key: str) -> str:
    """The sender id Rasa stores for `key` in `namespace` ("rest", "widget" or "sms")."""
    if namespace not in NAMESPACES:
        raise ValueError(f"unknown conversation namespace {namespace!r}")
    return f"{namespace}{SEPARATOR}{key}"


def namespace_of(sender_id: str) -> Optional[str]:
    """The namespace of a sender id, or None for an id stored before namespaces existed."""
    namespace, separator, _ = sender_id.partition(SEPARATOR)
    return namespace if separator and namespace in NAMESPACES else None


def sms_number(sender_id: str) -> Optional[str]:
    """The verified phone number of an SMS conversation; None for every other conversation."""
    if namespace_of(sender_id) != SMS:
        return None
    return sender_id[len(SMS) + len(SEPARATOR) :] or None
