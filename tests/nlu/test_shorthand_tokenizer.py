"""SMS shorthand and synonyms reach the featurizers as the words the model knows."""
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.shorthand_tokenizer import ShorthandTokenizer, shorthand_lemmas


def _tokens(text):
    tokenizer = ShorthandTokenizer(ShorthandTokenizer.get_default_config())
    return tokenizer.tokenize(Message(data={"text": text}), "text")


def test_lemmas_spell_out_shorthand_and_fold_synonyms():
    tokens = _tokens("how lng til the red goes away 2day? Dermapen b4 my appt")
    assert [t.lemma for t in tokens] == [
        "how", "long", "until", "the", "red", "goes", "away", "today", "microneedling", "before", "my", "appointment",
    ]  # fmt: skip


def test_the_text_itself_is_kept():
    tokens = _tokens("Dermapen b4 my appt")
    assert [t.text for t in tokens] == ["Dermapen", "b4", "my", "appt"]


def test_multi_word_variants_are_left_to_the_words_themselves():
    assert "derma pen" not in shorthand_lemmas()
    assert shorthand_lemmas()["tmrw"] == "tomorrow"
