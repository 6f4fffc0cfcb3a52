"""SMS shorthand and synonyms reach the featurizers as the words the model knows."""

from rasa.shared.nlu.training_data.message import Message

from bot.rasa_server.components.shorthand_tokenizer import ShorthandTokenizer, shorthand_lemmas


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


def test_editing_the_terms_file_changes_the_training_fingerprint(tmp_path, monkeypatch):
    import bot.rasa_server.components.shorthand_tokenizer as module

    before = ShorthandTokenizer.fingerprint_addon({})
    edited = tmp_path / "terms.yml"
    edited.write_text("treatment: [treatment, tx, trtmnt]\n", encoding="utf-8")
    monkeypatch.setattr(module, "TERMS_FILE", edited)
    assert ShorthandTokenizer.fingerprint_addon({}) != before


def test_the_served_pipeline_does_not_need_spacy():
    """spaCy is installed only for `make eval`; `make run` must work without it.

    Where spaCy is not installed (`make test`'s venv) the served modules are imported here
    and must not have tried to import it; where it is, a fresh interpreter that cannot
    import spaCy must import them (about 20 s of TensorFlow start-up, so only then).
    """
    import importlib
    import importlib.util
    import subprocess
    import sys

    served = (
        "bot.rasa_server.components.shorthand_tokenizer", "bot.rasa_server.components.red_flag_detector",
        "bot.rasa_server.nlg", "actions.fallback",
    )  # fmt: skip
    if importlib.util.find_spec("spacy") is None:
        for module in served:
            importlib.import_module(module)
        assert "spacy" not in sys.modules or sys.modules["spacy"] is None
        return
    code = "import sys; sys.modules['spacy'] = None\n" + "".join(f"import {module}\n" for module in served)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
