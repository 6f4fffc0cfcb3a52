"""A trained classifier: does this message report a warning symptom happening now?

The hand-written parts of the red-flag decision (the clinic's patterns, the report
guard's cues) reached 92% of the reports of writers they were not tuned on; the intent
classifier hears symptom words but not what is said of them. This classifier learns the
boundary itself (report vs general question, denial, history, expected aftercare) from
the blind-written sets in `data/red_flags/`, each message labelled by its writer.

Measured leave-one-writer-out on those sets (docs/safety.md): trained on every writer
but one and scored on the one left out, it generalizes to a new writer's wording far
better than the rules did, which is what a patient's next message is.

Word and character n-grams (character n-grams carry typos and SMS shorthand: "breth",
"cnt", "swolen") into a logistic regression with balanced classes. Deterministic (no
random state: `lbfgs` from zeros): the same data give the same probabilities, checked by
scoring the leave-one-writer-out run twice.
No Rasa import: the detector component, the evaluation script and the tests share it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import joblib
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from bot.text import normalize

# Inverse regularisation strength, chosen leave-one-writer-out on data/red_flags
# (docs/safety.md): 1, 4 and 10 were tried on twenty writers (10 kept the most recall at
# each false-alarm rate), then 3, 10 and 30 on twenty-four: 30 kept as much recall at
# fewer false alarms.
REGULARIZATION_C = 30.0
FILE_NAME = "report_classifier.joblib"


@dataclass(frozen=True)
class LabelledMessage:
    """One message of a blind set: whether it must escalate, its group and its file."""

    text: str
    escalate: bool
    group: str
    source: str


def read_sets(paths: Iterable[Path]) -> List[LabelledMessage]:
    """Every message of the given set files (`escalate:` / `no_escalate:` by group), in order."""
    messages: List[LabelledMessage] = []
    for path in paths:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for key, escalate in (("escalate", True), ("no_escalate", False)):
            for group, texts in (raw.get(key) or {}).items():
                messages.extend(LabelledMessage(str(text), escalate, group, Path(path).name) for text in texts or [])
    return messages


def sets_digest(paths: Sequence[Path]) -> str:
    """A digest of the files' names and contents: a change to them retrains the classifier."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class ReportClassifier:
    """The probability that a message reports a present warning symptom."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    @classmethod
    def fit(cls, texts: Sequence[str], escalate: Sequence[bool]) -> "ReportClassifier":
        """Train on labelled messages (both labels must occur)."""
        features = make_union(
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, preprocessor=normalize
            ),
            TfidfVectorizer(
                analyzer="word",
                ngram_range=(1, 2),
                sublinear_tf=True,
                preprocessor=normalize,
                token_pattern=r"[a-z0-9']+|\?",
            ),
        )
        model = LogisticRegression(C=REGULARIZATION_C, class_weight="balanced", max_iter=2000)
        pipeline = make_pipeline(features, model)
        pipeline.fit(list(texts), [bool(label) for label in escalate])
        return cls(pipeline)

    @classmethod
    def from_sets(cls, paths: Sequence[Path]) -> "ReportClassifier":
        """Train on every message of the given set files."""
        messages = read_sets(paths)
        return cls.fit([m.text for m in messages], [m.escalate for m in messages])

    def probabilities(self, texts: Sequence[str]) -> List[float]:
        """For each text, the probability that it reports a present warning symptom."""
        if not texts:
            return []
        report_column = list(self._pipeline.classes_).index(True)
        return [float(row[report_column]) for row in self._pipeline.predict_proba(list(texts))]

    def probability(self, text: str) -> float:
        """`probabilities` for one text."""
        return self.probabilities([text])[0]

    def save(self, directory: Path) -> Path:
        """Write the trained pipeline into `directory` (Rasa's model storage)."""
        path = Path(directory) / FILE_NAME
        joblib.dump(self._pipeline, path)
        return path

    @classmethod
    def load(cls, directory: Path) -> "ReportClassifier":
        """Read a pipeline written by `save` (only ever our own trained model's file)."""
        return cls(joblib.load(Path(directory) / FILE_NAME))


def leave_one_out(
    messages: Sequence[LabelledMessage],
    always: Sequence[Tuple[str, bool]] = (),
) -> List[Tuple[LabelledMessage, float]]:
    """Each message scored by a classifier trained on every *other writer's* file.

    This is how the classifier meets a new patient's wording: nothing of the scored
    writer's style was in its training data. `always` (text, label) pairs are in every
    training run (the NLU examples, as in `RedFlagDetector.train`).
    """
    scored: List[Tuple[LabelledMessage, float]] = []
    for source in sorted({m.source for m in messages}):
        train = [m for m in messages if m.source != source]
        test = [m for m in messages if m.source == source]
        classifier = ReportClassifier.fit(
            [m.text for m in train] + [text for text, _ in always],
            [m.escalate for m in train] + [label for _, label in always],
        )
        scored.extend(zip(test, classifier.probabilities([m.text for m in test])))
    return scored
