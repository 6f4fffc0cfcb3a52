"""The report classifier learns report vs not from labelled sets (bot.understanding.report_classifier)."""

from pathlib import Path

import pytest

from bot.understanding.report_classifier import LabelledMessage, ReportClassifier, leave_one_out, read_sets, sets_digest

REPORTS = [
    "my lips are swelling up since the treatment",
    "cant breathe properly, chest tight",
    "there is yellow pus on my cheek today",
    "fever 39 and chills tonight",
    "my face keeps bleeding and wont stop",
    "eyes blurry since this morning",
]
NON_REPORTS = [
    "what does an infection look like?",
    "will my face swell after it?",
    "no fever, no pus, just pink",
    "can I wear makeup the next day?",
    "how long does the redness last",
    "I had a cold sore last year, can I still book?",
]


def _write(path: Path, reports, non_reports) -> Path:
    lines = ["escalate:", "  swelling:"] + [f'    - "{text}"' for text in reports]
    lines += ["no_escalate:", "  symptom_question:"] + [f'    - "{text}"' for text in non_reports]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def classifier() -> ReportClassifier:
    return ReportClassifier.fit(REPORTS + NON_REPORTS, [True] * len(REPORTS) + [False] * len(NON_REPORTS))


def test_it_tells_reports_from_questions_it_has_learned(classifier):
    reports = classifier.probabilities(REPORTS)
    others = classifier.probabilities(NON_REPORTS)
    assert all(0.0 <= p <= 1.0 for p in reports + others)
    assert min(reports) > max(others)


def test_a_saved_classifier_loads_with_the_same_probabilities(classifier, tmp_path):
    classifier.save(tmp_path)
    loaded = ReportClassifier.load(tmp_path)
    texts = ["my tongue feels thick", "when can I exercise?"]
    assert loaded.probabilities(texts) == pytest.approx(classifier.probabilities(texts))
    assert loaded.probability(texts[0]) == pytest.approx(classifier.probability(texts[0]))
    assert loaded.probabilities([]) == []


def test_training_twice_on_the_same_data_gives_the_same_model():
    labels = [True] * len(REPORTS) + [False] * len(NON_REPORTS)
    first = ReportClassifier.fit(REPORTS + NON_REPORTS, labels)
    second = ReportClassifier.fit(REPORTS + NON_REPORTS, labels)
    assert first.probabilities(REPORTS) == second.probabilities(REPORTS)


def test_read_sets_labels_every_message_with_its_group_and_file(tmp_path):
    path = _write(tmp_path / "writer_x.yml", REPORTS[:2], NON_REPORTS[:1])
    assert read_sets([path]) == [
        LabelledMessage(REPORTS[0], True, "swelling", "writer_x.yml"),
        LabelledMessage(REPORTS[1], True, "swelling", "writer_x.yml"),
        LabelledMessage(NON_REPORTS[0], False, "symptom_question", "writer_x.yml"),
    ]


def test_the_digest_changes_with_a_sets_content(tmp_path):
    path = _write(tmp_path / "writer_x.yml", REPORTS, NON_REPORTS)
    before = sets_digest([path])
    assert sets_digest([path]) == before
    _write(path, REPORTS[:-1], NON_REPORTS)
    assert sets_digest([path]) != before


def test_leave_one_out_scores_each_writer_with_a_classifier_that_never_saw_them():
    # Writer "a" alone says "zzq" of a report; writer "b" says it of a non-report. Scored
    # without its own file, each writer's "zzq" message gets the *other* writer's label.
    messages = [LabelledMessage(t, True, "g", "a") for t in REPORTS] + [
        LabelledMessage(t, False, "g", "a") for t in NON_REPORTS
    ]
    messages += [LabelledMessage(t + " please", True, "g", "b") for t in REPORTS]
    messages += [LabelledMessage(t + " thanks", False, "g", "b") for t in NON_REPORTS]
    messages.append(LabelledMessage("zzq zzq zzq", True, "g", "a"))
    messages.append(LabelledMessage("zzq zzq zzq zzq", False, "g", "b"))
    scored = dict((m.text, p) for m, p in leave_one_out(messages))
    assert len(scored) == len(messages)
    assert scored["zzq zzq zzq"] < 0.5 < scored["zzq zzq zzq zzq"]
