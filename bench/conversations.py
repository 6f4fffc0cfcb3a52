"""The messages each assistant gets under load: whole conversations, as its patients
(or, for the stock assistant, its users) would type them.

Ours mixes what a clinic's chat sees most (FAQ and aftercare questions, small talk,
out-of-scope questions) with the two forms (eligibility screening one question at a
time, and a booking request read back and confirmed, which writes a handoff through the
action server). FAQ and aftercare come up more often than forms, so they appear twice.
The stock `rasa init` assistant gets its own greet/mood/bot/goodbye conversations.
Every conversation is shorter than the patient rate limit (20 messages a minute), and
the load generator gives each one a new sender id.
"""

from __future__ import annotations

from typing import Tuple

Conversation = Tuple[str, ...]

FAQ: Conversation = (
    "hi",
    "What is collagen induction therapy?",
    "how does microneedling actually work?",
    "does the pen hurt??",
    "how lng does the numbing cream have to sit on b4 they start",
    "thanks!",
)
AFTERCARE: Conversation = (
    "how long will I be red after microneedling?",
    "can i still go to my spin class tmrw?",
    "its day 3 and my skin is peeling, is that normal?",
    "when am i allowed to wear makeup again?",
    "thank you",
)
SMALLTALK: Conversation = (
    "hello",
    "are you a bot?",
    "what can you do",
    "how much is microneedling at ur place?",
    "ok bye",
)
SCREENING: Conversation = (
    "Am I a good candidate for microneedling?",
    "no",
    "no",
    "no",
    "thanks",
)
BOOKING: Conversation = (
    "I'd like to book a consultation",
    "Nadia Romero",
    "9175550163",
    "saturday mornings",
    "yes",
    "bye",
)
OURS: Tuple[Conversation, ...] = (FAQ, AFTERCARE, SMALLTALK, SCREENING, FAQ, AFTERCARE, BOOKING)

STOCK: Tuple[Conversation, ...] = (
    ("hello there", "I am feeling great", "are you a bot?", "goodbye"),
    ("hey", "I am sad", "yes", "bye"),
    ("good morning", "not very good", "no", "see you later"),
)
