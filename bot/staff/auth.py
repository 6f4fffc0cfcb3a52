"""The credentials of a staff API request: the token of an `Authorization: Bearer <token>` header.

Which token it is, and whether it is live, is `ApiTokens.authenticate`'s job; here only
the header's shape is checked, so a request without a plausible token costs no query.
"""

from __future__ import annotations

from typing import Optional

MAX_TOKEN_LENGTH = 512  # far above any token we issue or accept from STAFF_API_TOKEN


def bearer_token(header: Optional[str]) -> Optional[str]:
    """The token of `Bearer <token>` (scheme in any case, surrounding spaces ignored), else None.

    Exactly one credential: "Bearer a b" is refused rather than read as "a".
    """
    scheme, _, credentials = (header or "").strip().partition(" ")
    token = credentials.strip()
    if scheme.lower() != "bearer" or not token or " " in token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token
