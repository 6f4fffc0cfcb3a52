"""A handoff view full of personal data, to check where that data may and may not go."""

from datetime import datetime, timezone

from bot.handoffs.view import HandoffView

NAME, CONTACT, SENDER = "Ana Lima", "ana.lima@example.com", "+15550100100"


def handoff(**changes) -> HandoffView:
    values = dict(
        id=12,
        kind="booking",
        status="new",
        sender_id=SENDER,
        channel="rest",
        name=NAME,
        contact=CONTACT,
        contact_kind="email",
        preferred_time="Tuesday morning",
        concern="acne scars",
        question=None,
        screening_answers={"pregnant_or_nursing": False, "isotretinoin": None},
        screening_outcome="candidate",
        created_at=datetime(2026, 3, 4, 15, 30, tzinfo=timezone.utc),
        updated_at=datetime(2026, 3, 4, 15, 30, tzinfo=timezone.utc),
    )
    values.update(changes)
    return HandoffView(**values)
