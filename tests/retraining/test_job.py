"""Issue 20's done-when: unanswered messages are seeded, staff assign them through the console
(its routes, CSRF and all), the retrain job runs on a tiny project (three intents, our own
TextIntentClassifier, which trains in well under a second), and the gate keeps a good
candidate and rejects one made worse on purpose (trained without the red-flag intent's
examples).

Training and scoring run in this process (Rasa's `train_nlu` and one Agent per model), so
Rasa and TensorFlow are imported once; as child processes each `rasa train` imported them
again (96 s before). The model is tests/tiny_model.py's (no skops to import). The
child-process trainer and scorer `make retrain` uses are tested on their own below."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from bot.db.engine import make_engine, session_factory
from bot.retraining import job
from bot.retraining.progress import KEPT, REJECTED
from bot.retraining.reviews import Reviews
from scripts.model_parse import parse_all
from tests.staff.fixtures import csrf_of
from tests.tiny_model import CONFIG, nlu_yaml, train_nlu_model

TRAINING = {
    "greet": ["hello", "hi there", "good morning", "hey", "hi, anyone there?"],
    "faq_pain": ["does it hurt", "is microneedling painful", "how much pain is there", "will it sting"],
    "red_flag_urgent": ["my face is swollen and hot", "there is pus on my cheek", "I have a fever since the treatment"],
}
# The sets the gate scores: never trained on.
SETS = {
    "independent": {"good morning to you": "greet", "is the needling painful": "faq_pain"},
    "red_flags": {"there is pus on my face": "red_flag_urgent", "my cheek is swollen and hot": "red_flag_urgent"},
}
# What patients sent that the assistant did not understand; staff assign them in the console.
UNANSWERED = ["how sore will i be after", "is there much pain, call me on 917 555 0163"]


def _score(model: Path) -> Dict[str, float]:
    """Accuracy per set, with one load of the model."""
    texts = [(name, text, intent) for name, cases in SETS.items() for text, intent in cases.items()]
    parsed = parse_all([text for _, text, _ in texts], model)
    right = [(name, p["intent"]["name"] == intent) for (name, _, intent), p in zip(texts, parsed)]
    return {name: sum(ok for n, ok in right if n == name) / len(SETS[name]) for name in SETS}


def _plan(project: Path, data: Path, reports: Path) -> job.Plan:
    return job.Plan(
        reviewed_file=data / "reviewed.yml",
        nlu_files=lambda: sorted(data.glob("*.yml")),
        intents=set(TRAINING),
        held_out=set(),
        current_model=project / "models" / "current.tar.gz",
        candidates=project / "candidates",
        reports=reports,
        train=lambda out: train_nlu_model(project / "config.yml", data, out),
        score=_score,
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_assigned_messages_retrain_and_the_gate_keeps_a_good_model_and_rejects_a_worse_one(
    signed_in, transcripts, clock, settings, tmp_path
):
    from bot.transcripts.unanswered import UnansweredMessage

    for number, text in enumerate(UNANSWERED, start=1):
        transcripts.unanswered_messages.append(UnansweredMessage(f"rest:p{number}", text, clock(), "fallback", number))
    page = signed_in.get("/unanswered")
    assert page.status_code == 200 and "917 555 0163" not in page.text and "[contact]" in page.text
    keys = re.findall(r'name="key" value="([^"]+)"', page.text)
    assert len(keys) == 2
    answer = signed_in.post("/unanswered/review", data={
        "csrf_token": csrf_of(page.text), "key": keys, "decision": "assign", "intent": "faq_pain", "days": "30",
    })  # fmt: skip
    assert answer.status_code == 303
    assert "Nothing left to review" in signed_in.get("/unanswered").text
    engine = make_engine(settings.database_url)
    assigned = Reviews(session_factory(engine)).training_examples()
    engine.dispose()
    assert sorted(assigned) == [("faq_pain", "how sore will i be after"), ("faq_pain", "is there much pain, [contact]")]

    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "config.yml").write_text(CONFIG)
    (project / "data" / "nlu.yml").write_text(nlu_yaml(TRAINING))
    worse = project / "worse"
    worse.mkdir()
    (worse / "nlu.yml").write_text(nlu_yaml({k: v for k, v in TRAINING.items() if k != "red_flag_urgent"}))
    (worse / "other.yml").write_text(
        nlu_yaml({"greet": ["hiya"], "red_flag_urgent": ["ok"]})
    )  # keeps the intent, loses its meaning
    reports = tmp_path / "reports"
    good_plan = _plan(project, project / "data", reports)
    (project / "models").mkdir()
    first = job._train(good_plan, project / "models" / "start")  # the "current" model
    first.rename(good_plan.current_model)

    kept = job.run(good_plan, assigned)
    assert kept.state == KEPT, kept.error or kept.verdict
    written = yaml.safe_load((project / "data" / "reviewed.yml").read_text())
    assert [block["intent"] for block in written["nlu"]] == ["faq_pain"]
    assert len(written["nlu"][0]["examples"]) == 2 and "0163" not in str(written)
    assert kept.baseline["red_flags"] == 1.0  # the rejection below is a real drop
    assert "| red_flags | 1.0000 | 1.0000 | ok |" in (reports / job.LATEST_REPORT).read_text()

    before = good_plan.current_model.read_bytes()
    rejected = job.run(_plan(project, worse, reports), assigned)
    assert rejected.state == REJECTED
    assert rejected.verdict is not None and [c.name for c in rejected.verdict.comparisons if c.dropped] == ["red_flags"]
    assert good_plan.current_model.read_bytes() == before
    assert not (worse / "reviewed.yml").exists()  # the rejected data is not left for `make train`


def _python(code: str) -> List[str]:
    return [sys.executable, "-c", code]


def test_the_command_trainer_takes_the_model_its_command_leaves(tmp_path):
    train = job.command_trainer(lambda out: _python(f"open({str(out / 'candidate.tar.gz')!r}, 'w').write('model')"))
    assert train(tmp_path) == tmp_path / "candidate.tar.gz"


@pytest.mark.parametrize(
    "code, said",
    [
        ("import sys; print('out of memory', file=sys.stderr); sys.exit(3)", "exit 3): out of memory"),
        ("pass", "exit 0)"),
    ],
)
def test_a_training_command_that_fails_or_leaves_no_model_is_an_error_saying_so(tmp_path, code, said):
    with pytest.raises(RuntimeError, match="training failed") as failure:
        job.command_trainer(lambda out: _python(code))(tmp_path)
    assert said in str(failure.value)


def test_the_command_scorer_reads_the_last_line_as_scores_and_a_failure_says_why(tmp_path):
    lines = "print('loading'); print('{\"a\": 0.5, \"b\": 1}')"
    assert job.command_scorer(lambda model: _python(lines))(tmp_path / "m.tar.gz") == {"a": 0.5, "b": 1.0}
    broken = "import sys; print('no such model', file=sys.stderr); sys.exit(2)"
    with pytest.raises(RuntimeError, match=r"exit 2\): no such model"):
        job.command_scorer(lambda model: _python(broken))(tmp_path / "m.tar.gz")
