"""Talk to the SMS webhook as Twilio does: form posts signed with the account's auth token.

Signatures are computed with the `twilio` library itself, so the tests check our
channel against Twilio's algorithm rather than against our own reading of it.
"""

from __future__ import annotations

import itertools
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from typing import Dict, List, Optional, Sequence, Tuple, Union

from twilio.request_validator import RequestValidator

_sids = itertools.count(1)


def new_sid() -> str:
    """A fresh MessageSid in Twilio's shape (SM + 32 hex digits)."""
    return f"SM{next(_sids):032x}"


def sms_params(phone: str, body: str, sid: Optional[str] = None) -> Dict[str, str]:
    """The fields Twilio posts for an inbound SMS, as a real webhook carries them."""
    sid = sid or new_sid()
    return {
        "ToCountry": "US",
        "ToState": "NY",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "NY",
        "SmsStatus": "received",
        "FromCity": "NEW YORK",
        "Body": body,
        "FromCountry": "US",
        "To": "+15550100999",
        "ToZip": "",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "ApiVersion": "2010-04-01",
    }


def post(
    url: str,
    params: Union[Dict[str, str], Sequence[Tuple[str, str]]],
    token: Optional[str],
    signed_url: Optional[str] = None,
    signature: Optional[str] = None,
) -> Tuple[int, str]:
    """(status, body) of a form post to `url`, signed for `signed_url` (default: `url`) with `token`.

    `token=None` sends no signature header; `signature` overrides the computed one (and
    is needed when `params` is a list of pairs, which may repeat a name).
    """
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if token is not None:
        headers["X-Twilio-Signature"] = signature or RequestValidator(token).compute_signature(
            signed_url or url, params
        )
    data = urllib.parse.urlencode(params).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def messages(twiml: str) -> List[str]:
    """The SMS bodies of a TwiML <Response> (parsing fails loudly on malformed XML)."""
    root = ElementTree.fromstring(twiml)
    assert root.tag == "Response", twiml
    assert all(child.tag == "Message" for child in root), twiml
    return [child.text or "" for child in root]
