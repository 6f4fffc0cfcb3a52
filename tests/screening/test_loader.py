"""Loading clinic/screening.yml: a mistake in the file stops start-up with a clear message."""

import copy
from types import SimpleNamespace

import pytest
import yaml

from bot.screening import loader
from bot.screening.loader import get_screening, load_screening
from bot.settings import PROJECT_ROOT, ConfigurationError

REAL_FILE = PROJECT_ROOT / "clinic" / "screening.yml"
REAL = yaml.load(REAL_FILE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def write(tmp_path, raw):
    path = tmp_path / "screening.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def changed(change):
    raw = copy.deepcopy(REAL)
    change(raw)
    return raw


def question(raw, slot):
    return next(q for q in raw["questions"] if q["slot"] == slot)


def test_a_round_trip_of_the_real_file_loads_the_same_questions(tmp_path):
    assert load_screening(write(tmp_path, REAL)).questions == load_screening(REAL_FILE).questions


def test_yes_and_no_written_without_quotes_stay_words(tmp_path):
    path = tmp_path / "screening.yml"
    text = REAL_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace("    - yess\n", "    - on\n"), encoding="utf-8")
    assert "\n    - yes\n" in path.read_text(encoding="utf-8")  # unquoted in the clinic's file
    screening = load_screening(path)
    assert screening.interpret("on", asked="keloids") == {"keloids": True}
    assert screening.interpret("no", asked="keloids") == {"keloids": False}


def test_optional_word_lists_may_be_left_out(tmp_path):
    def drop(raw):
        del question(raw, "keloids")["denied_by"]
        question(raw, "active_acne").pop("no_words")
        question(raw, "keloids")["does_not_count"] = []

    screening = load_screening(write(tmp_path, changed(drop)))
    assert screening.interpret("I get keloids") == {"keloids": True}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw.pop("candidate"), r"the file: missing candidate"),
        (lambda raw: raw.update(intro_text="hi"), r"the file: unknown entry 'intro_text'"),
        (lambda raw: raw["answers"].pop("unsure_words"), r"answers: missing unsure_words"),
        (lambda raw: raw["answers"].update(no_words=[]), r"answers.no_words: needs a list"),
        (lambda raw: raw.update(intro="  "), r"intro: must be a non-empty piece of text"),
        (lambda raw: raw.update(questions=[]), r"questions: must be a list"),
        (lambda raw: raw["questions"][0].update(slot="smoker"), r"questions\[0\].slot: unknown slot"),
        (lambda raw: raw["questions"].pop(), r"questions: need one question for each of"),
        (lambda raw: raw["questions"][1].update(slot="pregnant_or_nursing"), r"need one question for each"),
        (lambda raw: raw["questions"][2].pop("reask"), r"questions\[2\]: missing reask"),
        (lambda raw: raw["questions"][2].update(words=[]), r"\(keloids\).words: needs a list"),
        (lambda raw: raw["questions"][2].update(words="keloid"), r"\(keloids\).words: needs a list"),
        (lambda raw: raw["questions"][2].update(words=[["keloid"]]), r"each entry must be a word"),
        (lambda raw: raw["questions"][2].update(words=["kel*oid"]), r"'kel\*oid' a \* may only come"),
        (lambda raw: raw["questions"][1].update(no_words=["clear?"]), r"\(active_acne\).no_words: 'clear\?'"),
        (lambda raw: raw["questions"][0].update(ask=""), r"\(pregnant_or_nursing\).ask: must be a non-empty"),
        (lambda raw: raw["review"].update(text="A provider checks."), r"must contain \{conditions"),
        (lambda raw: raw["review"].update(conditions="accutane"), r"review.conditions: must be a list"),
        (lambda raw: raw["review"]["conditions"][1].update(key="isotretinoin"), r"may appear only once"),
        (lambda raw: raw["review"]["conditions"][0].update(key="blood thinners"), r"must be one word"),
        (lambda raw: raw["review"]["conditions"][0].pop("mentioned_as"), r"\[0\]: missing mentioned_as"),
        (
            lambda raw: raw["questions"][2].update(review_instead="acne"),
            r"\(keloids\).review_instead: 'acne' is not a key",
        ),
        (lambda raw: raw["questions"][2].update(review_instead=""), r"\(keloids\).review_instead: must be a non-empty"),
        (
            lambda raw: raw["review"]["conditions"][4].update(with_any=[]),
            r"\(raised_acne_scars\).with_any: needs a list",
        ),
    ],
)
def test_a_malformed_file_is_a_clear_configuration_error(tmp_path, change, message):
    path = write(tmp_path, changed(change))
    with pytest.raises(ConfigurationError, match=message) as raised:
        load_screening(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file: must be a set"),
        ("- just\n- a list\n", "the file: must be a set"),
        ("intro: [unclosed\n", "not valid YAML"),
        ("intro: hi\n  answers: {\n", "not valid YAML"),
    ],
)
def test_text_that_is_not_a_screening_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "screening.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_screening(path)


def test_a_missing_or_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="screening file not found"):
        load_screening(tmp_path / "nope.yml")
    (tmp_path / "binary.yml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_screening(tmp_path / "binary.yml")


@pytest.fixture
def fresh_cache():
    get_screening.cache_clear()
    yield
    get_screening.cache_clear()


def test_get_screening_reads_the_configured_file_once(fresh_cache, tmp_path, monkeypatch):
    def renamed(raw):
        raw["questions"][0]["label"] = "Expecting or breastfeeding"

    path = write(tmp_path, changed(renamed))
    monkeypatch.setattr(loader, "get_settings", lambda: SimpleNamespace(screening_file=path))
    first = get_screening()
    assert first.questions[0].label == "Expecting or breastfeeding"
    assert get_screening() is first


def test_get_screening_works_with_the_real_settings(fresh_cache):
    assert [q.slot for q in get_screening().questions] == list(loader.SLOTS)
