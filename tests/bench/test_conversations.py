from bench.conversations import OURS, STOCK

# The patient rate limit as shipped (PATIENT_RATE_LIMIT): one conversation must fit in it.
RATE_LIMIT = 20


def test_every_conversation_fits_in_the_patient_rate_limit() -> None:
    assert all(0 < len(conversation) < RATE_LIMIT for conversation in (*OURS, *STOCK))


def test_ours_mixes_questions_with_both_forms() -> None:
    openings = {conversation[0] for conversation in OURS}
    assert "Am I a good candidate for microneedling?" in openings
    assert "I'd like to book a consultation" in openings
    assert len(openings) >= 5
