"""Which channel a test renders a domain response on."""

from typing import Any, Dict, List


def response_channel(responses: Dict[str, List[Dict[str, Any]]], name: str) -> str:
    """The website's channel ("rest"), unless the response exists only for one channel (SMS keywords)."""
    channels = {variant.get("channel") for variant in responses[name]}
    return "rest" if None in channels else sorted(channels)[0]
