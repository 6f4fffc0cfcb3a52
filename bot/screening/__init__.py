"""Eligibility screening for CIT: the questions, what the patient's answers mean, the outcome.

The eligibility form calls:

    screening = get_screening()
    screening.next_question(answers)           # the Question to ask, or None when done
    screening.interpret(text, asked=slot)      # {"pregnant_or_nursing": False, ...}
    screening.review_conditions(text)          # labeling conditions a provider must review
    screening.outcome(answers, review=keys)    # Outcome(kind, messages, reasons)

The wording and word lists live in `clinic/screening.yml` (edited by the clinic's
medical director); this package reads them and has no Rasa import.
"""

from bot.screening.interview import (
    CANDIDATE,
    NEEDS_REVIEW,
    NOT_RECOMMENDED,
    Outcome,
    Question,
    ReviewCondition,
    Screening,
)
from bot.screening.loader import SLOTS, get_screening, load_screening

__all__ = [
    "CANDIDATE",
    "NEEDS_REVIEW",
    "NOT_RECOMMENDED",
    "SLOTS",
    "Outcome",
    "Question",
    "ReviewCondition",
    "Screening",
    "get_screening",
    "load_screening",
]
