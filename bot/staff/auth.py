"""Bearer-token check for the staff API, in constant time so timing reveals nothing."""
from __future__ import annotations

import hmac
from typing import Optional


def is_authorized(header: Optional[str], token: str) -> bool:
    """Whether an `Authorization` header carries exactly `Bearer <token>`.

    Sanic keeps undecodable header bytes as surrogates; "surrogateescape" turns them
    back into bytes, so a garbled header is a wrong token rather than a crash.
    """
    scheme, _, credentials = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return False
    return hmac.compare_digest(credentials.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8"))
