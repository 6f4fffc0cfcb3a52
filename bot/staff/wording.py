"""Plain words for the console: what staff read instead of column values and codes.

Kept apart from the templates so every page (and its tests) says a thing the same way,
and so screening labels come from `clinic/screening.yml`, which the medical director
edits, rather than from code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from jinja2 import pass_context

from bot.office_hours import OfficeHours
from bot.screening.interview import Screening
from bot.text import waited

CHANNELS = {"rest": "Website", "widget": "Website", "twilio": "SMS"}
# What each kind asks staff to do, after the kind's own name (the filter and the API use the names).
KINDS = {
    "booking": "Booking: arrange a consultation",
    "question": "Question: get back to the patient",
    "screening": "Screening: a provider reviews it, then book",
    "red_flag": "Red flag: call the patient now",
}
STATUSES = {"new": "New", "contacted": "Contacted", "closed": "Closed"}
CONTACT_KINDS = {"phone": "phone", "email": "e-mail"}
OUTCOMES = {
    "candidate": "May be a good candidate (a provider confirms at the consultation)",
    "not_recommended": "Not recommended for now (answered yes to a screening question)",
    "needs_review": "A provider needs to review this before treatment",
}
REASONS = {
    "fallback": "the bot did not understand",
    "unsure": "the bot was unsure",
    "out_of_scope": "outside what the bot covers",
    "not_covered": "not covered by the clinic's article",
}
ACTIONS = {
    "view_transcript": "Viewed the conversation",
    "status_change": "Changed the status",
    "add_note": "Added a note",
    "view_unanswered": "Viewed unanswered messages",
    "login": "Signed in",
    "login_failed": "Failed sign-in",
    "logout": "Signed out",
    "take_over": "Took the conversation over",
    "staff_reply": "Replied to the patient",
    "hand_back": "Handed the conversation back to the assistant",
}
REVIEW_KEY = (
    "review"  # where a handoff's screening answers list conditions for a provider (actions/handoff_requests.py)
)


def channel_name(channel: Optional[str]) -> str:
    """'Website' for the REST channel (the widget), 'SMS' for Twilio, otherwise the channel's own name."""
    return CHANNELS.get(channel or "", channel or "unknown")


def red_flag_groups(groups: Sequence[str]) -> str:
    """A red flag's symptom groups as staff read them: 'breathing, redness worsening'."""
    return ", ".join(group.replace("_", " ") for group in groups) or "unspecified"


def when(moment: Optional[datetime], hours: Optional[OfficeHours] = None) -> str:
    """A timestamp as staff read it, on the clinic's clocks when `hours` gives its time zone:
    '2026-03-01 04:05 EST'; without it in UTC, which the database keeps: '2026-03-01 09:05 UTC'.
    The zone is always named, so no one mistakes one for the other."""
    if not moment:
        return ""
    if hours is None:
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return hours.local(moment).strftime("%Y-%m-%d %H:%M %Z")


def after_hours(moment: Optional[datetime], hours: Optional[OfficeHours]) -> bool:
    """Whether `moment` fell outside the clinic's opening hours (never, when none are set)."""
    return bool(moment and hours and hours.known and not hours.is_open(moment))


def contact_links(contact: Optional[str], kind: Optional[str]) -> List[Tuple[str, str]]:
    """(label, href) to reach a patient from the console: call and text a phone number,
    write to an e-mail address. Only characters a number or an address may hold reach the
    href, so a stored contact can never become another kind of link."""
    if not contact:
        return []
    if kind == "phone":
        number = "".join(char for char in contact if char == "+" or "0" <= char <= "9")
        return [("Call", f"tel:{number}"), ("Text", f"sms:{number}")] if number.strip("+") else []
    if kind == "email" and "@" in contact:
        return [("E-mail", f"mailto:{quote(contact, safe='@+.')}")]
    return []


def yes_no(value: Any) -> str:
    """A screening answer: True is 'Yes', False 'No', anything else 'Not answered'."""
    return {True: "Yes", False: "No"}.get(value, "Not answered") if isinstance(value, bool) else "Not answered"


def screening_lines(answers: Optional[Mapping[str, Any]], screening: Screening) -> List[Tuple[str, str]]:
    """(question label, answer) for each screening question, then the conditions a provider must review.

    Keys the screening file no longer knows are shown under their own name rather than
    dropped: a record must never look more complete than it is.
    """
    if not answers:
        return []
    labels = {question.slot: question.label for question in screening.questions}
    lines = [(labels[slot], yes_no(answers.get(slot))) for slot in labels if slot in answers]
    lines += [(key, yes_no(value)) for key, value in answers.items() if key not in labels and key != REVIEW_KEY]
    review = answers.get(REVIEW_KEY)
    if review:
        conditions = {condition.key: condition.label for condition in screening.labeling_conditions}
        named = [conditions.get(key.strip(), key.strip()) for key in str(review).split(",") if key.strip()]
        lines.append(("For a provider to review", "; ".join(named)))
    return lines


def action_text(action: str, detail: Optional[str]) -> str:
    """An audit entry in words: 'Changed the status from New to Contacted', 'Added a note'."""
    text = ACTIONS.get(action, action)
    if action != "status_change" or not detail:
        return text
    before, arrow, after = detail.partition(" -> ")
    if not arrow:
        return f"{text}: {detail}"
    return f"{text} from {STATUSES.get(before, before)} to {STATUSES.get(after, after)}"


def reason_counts(reasons: Mapping[str, int]) -> str:
    """'the bot was unsure (3), outside what the bot covers (1)', most frequent first."""
    ordered: List[Tuple[str, int]] = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{REASONS.get(reason, reason)} ({count})" for reason, count in ordered)


def kind_title(kind: str) -> str:
    """A kind's own name, without what it asks of staff: "Booking", for headings."""
    return KINDS.get(kind, kind).partition(":")[0]


def template_filters() -> Dict[str, Any]:
    """The filters the console's templates use, by name."""
    return {
        "channel_name": channel_name,
        # on the clinic's clocks: `render` puts its `office_hours` in every page's context
        "when": pass_context(lambda context, moment: when(moment, context.get("office_hours"))),
        "after_hours": pass_context(lambda context, moment: after_hours(moment, context.get("office_hours"))),
        "kind_name": lambda kind: KINDS.get(kind, kind),
        "kind_title": kind_title,
        "status_name": lambda status: STATUSES.get(status, status),
        "contact_kind_name": lambda kind: CONTACT_KINDS.get(kind or "", kind or ""),
        "outcome_name": lambda outcome: OUTCOMES.get(outcome or "", outcome or ""),
        "action_text": lambda entry: action_text(entry.action, entry.detail),
        "reason_counts": reason_counts,
        "red_flag_groups": red_flag_groups,
        "waited": waited,
        "contact_links": contact_links,
    }
