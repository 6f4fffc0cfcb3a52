"""Pieces of a message read again for a request the whole reading lost."""

from bot.understanding.framed_request import FRAMING, REQUESTS, asks, request_pieces


def test_details_are_taken_out_and_each_sentence_is_a_piece():
    text = "Hello, I prefer speak with a human person please. My phone is 555-0105, name Lucía"
    assert request_pieces(text) == ["Hello, I prefer speak with a human person please."]
    text = "Thank you. My name is Patricia Greene and my phone number is 555-0163. Can someone call me?"
    pieces = request_pieces(text)
    assert "Can someone call me?" in pieces
    assert not any("Patricia" in piece or "0163" in piece for piece in pieces)


def test_a_message_of_one_piece_without_details_has_none():
    assert request_pieces("r u a bot") == []
    assert request_pieces("617-555-0142") == []


def test_two_sentences_are_read_apart():
    assert request_pieces("r u a bot? i want a human") == ["r u a bot?", "i want a human"]


def test_requests_and_framing_intents_do_not_overlap():
    assert not FRAMING & REQUESTS


def test_a_question_decides_only_beside_details_and_only_with_a_question_mark():
    assert asks("bot_challenge", "i want a human", "request_human")
    assert asks("inform", "oh wait, is the consultation free btw?", "faq_consultation")
    assert not asks("inform", "the consultation is free", "faq_consultation")
    assert not asks("bot_challenge", "is the consultation free?", "faq_consultation")
    assert not asks("inform", "are you a bot?", "bot_challenge")


def test_inside_a_form_only_questions_decide():
    assert not asks("inform", "please call me rather than her", "request_human", in_form=True)
    assert asks("inform", "is the consultation free btw?", "faq_consultation", in_form=True)
