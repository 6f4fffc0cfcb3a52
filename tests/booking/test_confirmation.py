import pytest

from bot.booking import read_confirmation


@pytest.mark.parametrize(
    "text",
    [
        "yes", "Yes please!", "y", "yep", "ya all good", "perfect, go ahead", "go ahead", "yes that's all correct thanks",
        "sounds good", "Looks good to me, thanks!", "that's right", "all correct ty", "everything is correct",
        "Thats perfect thank you", "correct", "k", "👍", "✅ thanks", "Sí, gracias", "yes, go for it", "book it",
        "Everything looks right. Thank you!", "grand so, go ahead", "sim, tá certo, pode mandar",
        "isso, confirmado", "aye that's spot on", "That is all correct. Thank you kindly.",
    ],
)  # fmt: skip
def test_a_plain_yes_in_any_words_confirms(text):
    assert read_confirmation(text) is True


@pytest.mark.parametrize(
    "text",
    ["no", "n", "Nope, wrong number", "not quite", "actually make it thursdays", "wait, the email is wrong",
     "that's not right", "hold on"],
)  # fmt: skip
def test_a_no_or_the_start_of_a_correction_is_no(text):
    assert read_confirmation(text) is False


@pytest.mark.parametrize(
    "text",
    ["ok but the number is wrong", "yes except the time", "Yes. Do I need to bring anything?", "Lena Kowalski",
     "what happens next?", "fridays instead", ""],
)  # fmt: skip
def test_a_yes_with_a_reservation_or_anything_else_is_neither(text):
    assert read_confirmation(text) is None
