"""An inbound SMS webhook as Twilio posts it, and nothing else.

Twilio signs a webhook over its URL and its parameters concatenated as name + value in
sorted order, with no separator (`twilio.request_validator`). The signature therefore
cannot tell `MessageSid=SM…01&NumMedia=0` from `MessageSid=SM…01N&umMedia=0`: moving
the boundary between parameters keeps a captured request's signature valid. A replay
shifted that way would carry a MessageSid that was never handled, get past the dedup in
`bot.sms.store`, be processed again as a new message in the patient's conversation, and
its answer would go to whoever sent it. So a signed request is an inbound message only
when it has exactly the shape Twilio gives one:

- MessageSid is `SM` (SMS) or `MM` (MMS) and 32 lowercase hex digits; SmsSid and
  SmsMessageSid, when present, are that same SID; AccountSid is `AC` + 32 hex digits
  and MessagingServiceSid `MG` + 32;
- From is a phone number in E.164 form (the SMS conversation is keyed by it);
- MessageSid, AccountSid, From, To and Body are present (Body may be empty: an MMS);
- every parameter is one Twilio documents for an inbound SMS or MMS
  (`INBOUND_PARAMETERS`), and none comes twice.

With the SID's shape fixed, no shift can make a new SID, so a shifted replay keeps the
SID of the message it was cut from, and the dedup answers it as a retry (the same
number, never processed again). Twilio says it may add parameters without notice: a
new one is refused with a log line naming it (never its value); add it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Sequence, Union

from bot import patterns

SID = patterns.compile(r"(SM|MM)[0-9a-f]{32}")
ACCOUNT_SID = patterns.compile(r"AC[0-9a-f]{32}")
SERVICE_SID = patterns.compile(r"MG[0-9a-f]{32}")
E164 = patterns.compile(r"\+[1-9][0-9]{6,14}")
MAX_MEDIA = 10  # an MMS carries at most 10 media files: MediaUrl0..9, MediaContentType0..9

REQUIRED = ("MessageSid", "AccountSid", "From", "To", "Body")
# What Twilio's request to an incoming-message webhook carries for an SMS or an MMS
# (twilio.com/docs/messaging/guides/webhook-request): the message, the geographic
# fields it looks up when it can, Advanced Opt-Out's keyword type, Add-ons' results.
INBOUND_PARAMETERS = frozenset(
    {
        *REQUIRED,
        "SmsSid",
        "SmsMessageSid",
        "MessagingServiceSid",
        "NumMedia",
        "NumSegments",
        "ReferralNumMedia",
        "SmsStatus",
        "ApiVersion",
        "FromCity",
        "FromState",
        "FromZip",
        "FromCountry",
        "ToCity",
        "ToState",
        "ToZip",
        "ToCountry",
        "OptOutType",
        "AddOns",
        *(f"MediaUrl{n}" for n in range(MAX_MEDIA)),
        *(f"MediaContentType{n}" for n in range(MAX_MEDIA)),
    }
)
_SHAPES = {"AccountSid": ACCOUNT_SID, "MessagingServiceSid": SERVICE_SID, "From": E164}
_SAME_SID = ("SmsSid", "SmsMessageSid")


@dataclass(frozen=True)
class InboundSms:
    """The parts of an inbound SMS the channel uses."""

    sid: str
    phone: str
    body: str


class NotInbound(ValueError):
    """A signed request that is not an inbound SMS as Twilio sends one; the message says why
    (parameter names only, never values: they are a patient's)."""


def read_inbound(form: Mapping[str, Union[str, Sequence[str]]]) -> InboundSms:
    """The message of a webhook's form fields (each name with the list of its values).

    Raises NotInbound for anything Twilio would not have posted for an inbound SMS or MMS.
    """
    unknown = sorted(name for name in form if name not in INBOUND_PARAMETERS)
    if unknown:
        raise NotInbound(f"unknown parameter(s) {', '.join(map(repr, unknown))[:200]}")
    values = {name: _single(name, value) for name, value in form.items()}
    missing = [name for name in REQUIRED if name not in values]
    if missing:
        raise NotInbound(f"missing {', '.join(missing)}")
    sid = values["MessageSid"]
    if not SID.fullmatch(sid):
        raise NotInbound("MessageSid is not SM or MM and 32 hex digits")
    for name, shape in _SHAPES.items():
        if name in values and not shape.fullmatch(values[name]):
            raise NotInbound(f"{name} is malformed")
    for name in _SAME_SID:
        if name in values and values[name] != sid:
            raise NotInbound(f"{name} differs from MessageSid")
    return InboundSms(sid=sid, phone=values["From"], body=values["Body"])


def _single(name: str, value: Union[str, Sequence[str]]) -> str:
    """The one value of `name`; a parameter posted twice is never Twilio's."""
    if isinstance(value, str):
        return value
    items: List[str] = list(value)
    if len(items) != 1:
        raise NotInbound(f"{name} is posted {len(items)} times")
    return items[0]
