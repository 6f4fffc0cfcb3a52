"""Every answer is traceable to the clinic's facts, and every fact to the article."""
import dataclasses

import pytest

from bot.facts import ARTICLE_FILE, FactBook, check, claims, response_texts


def test_responses_facts_and_article_agree():
    if not ARTICLE_FILE.exists():
        pytest.fail(f"{ARTICLE_FILE} not found: the project expects ../shared beside it")
    problems, _ = check()
    assert problems == []


def test_claims_are_numbers_and_product_names():
    text = "Numbing takes 45-60 minutes, then the SkinPen (FDA-approved) works about ten minutes under {clinic_name}."
    assert claims(text) == {"45", "60", "skinpen", "fda", "ten"}


def test_numbered_steps_and_placeholders_are_not_claims():
    assert claims("Steps:\n1. Numb\n2. Needle\nCall {emergency_number}") == set()


def test_a_policy_change_shows_which_responses_must_change():
    book = FactBook.load()
    changed = dataclasses.replace(
        book.facts["first_48_hours"],
        text="For the first 72 hours, no sweating and no makeup; keep hair back and use a clean pillowcase.",
    )
    book.facts["first_48_hours"] = changed
    problems = book.response_problems(response_texts())
    assert any(p.startswith("'utter_aftercare_first_48h' states ['48']") for p in problems), problems


def test_an_invented_number_or_product_is_caught():
    book = FactBook.load()
    responses = {"utter_faq_device": "We use the DermaPen 4, with needles 2.5 mm deep."}
    [problem] = [p for p in book.response_problems(responses) if p.startswith("'utter_faq_device' states")]
    assert "'2.5', '4', 'dermapen'" in problem


def test_an_faq_answer_must_name_its_facts():
    book = FactBook.load()
    problems = book.response_problems({**response_texts(), "utter_faq_new_question": "Some answer."})
    assert problems == ["'utter_faq_new_question' names no facts in clinic/facts.yml"]


def test_a_fact_must_quote_the_article():
    book = FactBook.load()
    book.facts["frequency"] = dataclasses.replace(
        book.facts["frequency"], text="CIT should be done 3 times a year.", source="CIT every month."
    )
    problems = book.article_problems(ARTICLE_FILE.read_text(encoding="utf-8"))
    assert "fact 'frequency': its source is not a verbatim quote of the article" in problems
    assert "fact 'frequency': states ['3'] but its source does not" in problems
