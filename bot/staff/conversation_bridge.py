"""The staff process's client of the Rasa servers' staff bridge (take over, reply, hand back).

The Rasa server changes the conversation under its lock (`bot.rasa_server.takeover` says
why the staff process never writes the tracker store itself); this sends it the request
with STAFF_BRIDGE_TOKEN and turns its answer into a result or a `BridgeError` whose
message is safe to show staff.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import aiohttp

TIMEOUT_S = 10.0


class BridgeError(RuntimeError):
    """The Rasa server refused or could not be reached; `status` is its HTTP status (0: unreachable)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class ConversationBridge:
    """POSTs to `<rasa_url>/webhooks/staff/<action>` with the shared token."""

    def __init__(self, rasa_url: str, token: Callable[[], str]) -> None:
        """`token` is read at each call: the launcher makes its file before the servers start."""
        self.base = f"{rasa_url.rstrip('/')}/webhooks/staff"
        self._token = token

    async def take_over(
        self, sender_id: str, staff_name: str, actor: str, handoff_id: Optional[int] = None
    ) -> List[Dict[str, Any]]:
        body: Dict[str, Any] = {"sender_id": sender_id, "staff": _staff(staff_name, actor)}
        if handoff_id is not None:
            body["handoff_id"] = handoff_id
        return await self._post("takeover", body)

    async def reply(self, sender_id: str, staff_name: str, actor: str, text: str) -> List[Dict[str, Any]]:
        return await self._post("reply", {"sender_id": sender_id, "staff": _staff(staff_name, actor), "text": text})

    async def hand_back(self, sender_id: str, staff_name: str, actor: str) -> List[Dict[str, Any]]:
        return await self._post("handback", {"sender_id": sender_id, "staff": _staff(staff_name, actor)})

    async def _post(self, action: str, body: Dict[str, Any]) -> List[Dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self._token()}"}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as session:
                async with session.post(f"{self.base}/{action}", json=body, headers=headers) as response:
                    answer = await response.json(content_type=None)
                    status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise BridgeError(f"the assistant could not be reached ({type(exc).__name__})") from exc
        if status != 200 or not isinstance(answer, dict):
            error = answer.get("error") if isinstance(answer, dict) else None
            raise BridgeError(str(error or f"the assistant answered {status}"), status)
        return list(answer.get("events") or [])


def _staff(name: str, actor: str) -> Dict[str, str]:
    return {"name": name, "actor": actor}
