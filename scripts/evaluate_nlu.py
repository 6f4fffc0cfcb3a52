"""Compare NLU pipelines on the held-out set and by cross-validation (`make eval`).

For each pipeline config (default: docs/pipelines/*.yml) it trains an NLU model on
data/nlu/, parses every message of tests/data/nlu_holdout.yml (never trained on) and
reports intent accuracy and macro-F1, out-of-scope recall (off-topic messages that get
the out-of-scope or fallback answer), the false-fallback rate (in-scope messages that
get the fallback or out-of-scope answer), a sweep of the fallback threshold, and, unless
--folds 0, intent macro-F1 from `rasa test nlu --cross-validation`. Results go to
results/quality/ as JSON and to stdout as the Markdown table of docs/quality.md.

    python -m scripts.evaluate_nlu                      # all pipelines, 3-fold CV
    python -m scripts.evaluate_nlu docs/pipelines/c5-shorthand-diet-no-transformer.yml --folds 0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from bot.settings import PROJECT_ROOT

HOLDOUT = PROJECT_ROOT / "tests" / "data" / "nlu_holdout.yml"
OUT = PROJECT_ROOT / "results" / "quality"
FALLBACK = "nlu_fallback"
# Off-topic: everything the article cannot answer (other topics, prices and insurance,
# other health problems, unanswerable CIT details). Each gets a deflection that offers
# the team, as does the fallback; a deflection of an in-scope message is a false fallback.
OFF_TOPIC = {"out_of_scope", "ask_price", "ask_other_health", "faq_not_covered"}
DEFLECTIONS = OFF_TOPIC | {FALLBACK}
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
AMBIGUITIES = (0.0, 0.05, 0.1)
MAX_FALSE_FALLBACK = 0.02  # the operating point: best OOS recall within this budget


@dataclass(frozen=True)
class Prediction:
    """One held-out message: its label, what the pipeline said, and DIET's own top guess."""

    text: str
    label: str
    predicted: str
    model_intent: str
    model_confidence: float
    model_margin: float


@dataclass
class Scores:
    """The figures docs/quality.md reports for one pipeline on the held-out set."""

    accuracy: float
    macro_f1: float
    macro_f1_5: float  # over intents with at least 5 held-out messages: one message is no F1
    oos_recall: float
    false_fallback: float
    messages: int


def load_examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (line[2:].strip(), block["intent"])
        for block in data["nlu"]
        for line in block["examples"].strip().splitlines()
        if line.startswith("- ")
    ]


def held_out_examples() -> List[Tuple[str, str]]:
    """The held-out set minus any message that also occurs in the training data.

    The held-out set was written without looking at data/nlu/, but short messages
    ("hi", "thanks") inevitably coincide; those would measure memory, not understanding.
    """
    trained = {
        text.lower() for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml") for text, _ in load_examples(path)
    }
    return [(text, label) for text, label in load_examples(HOLDOUT) if text.lower() not in trained]


def macro_f1(labels: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the labels that occur in the reference."""
    scores = []
    for intent in sorted(set(labels)):
        tp = sum(1 for y, p in zip(labels, predicted) if y == intent and p == intent)
        fp = sum(1 for y, p in zip(labels, predicted) if y != intent and p == intent)
        fn = sum(1 for y, p in zip(labels, predicted) if y == intent and p != intent)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def score(predictions: Sequence[Prediction], predicted: Optional[Sequence[str]] = None) -> Scores:
    """Held-out figures; `predicted` overrides the pipeline's answers (threshold sweep)."""
    answers = list(predicted) if predicted is not None else [p.predicted for p in predictions]
    labels = [p.label for p in predictions]
    sizes = Counter(labels)
    robust = [(y, a) for y, a in zip(labels, answers) if sizes[y] >= 5]
    off = [a for p, a in zip(predictions, answers) if p.label in OFF_TOPIC]
    on = [a for p, a in zip(predictions, answers) if p.label not in OFF_TOPIC]
    return Scores(
        accuracy=sum(y == a for y, a in zip(labels, answers)) / len(labels),
        macro_f1=macro_f1(labels, answers),
        macro_f1_5=macro_f1([y for y, _ in robust], [a for _, a in robust]),
        oos_recall=sum(a in DEFLECTIONS for a in off) / len(off) if off else 0.0,
        false_fallback=sum(a in DEFLECTIONS for a in on) / len(on) if on else 0.0,
        messages=len(labels),
    )


def with_threshold(predictions: Sequence[Prediction], threshold: float, ambiguity: float) -> List[str]:
    """What the pipeline would answer with another FallbackClassifier setting.

    Red-flag overrides (confidence 1.0 from the rules) are kept as they are.
    """
    answers = []
    for p in predictions:
        if p.predicted.startswith("red_flag_") and p.predicted != p.model_intent:
            answers.append(p.predicted)
        elif p.model_confidence < threshold or p.model_margin < ambiguity:
            answers.append(FALLBACK)
        else:
            answers.append(p.model_intent)
    return answers


async def _parse_all(model: Path, examples: Iterable[Tuple[str, str]]) -> List[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    predictions = []
    for text, label in examples:
        result = await agent.parse_message(text)
        ranking = [r for r in result.get("intent_ranking", []) if r["name"] != FALLBACK]
        top = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        predictions.append(
            Prediction(
                text, label, result["intent"]["name"], top["name"], top["confidence"], top["confidence"] - second
            )
        )
    return predictions


def _rasa(*args: str) -> float:
    """Run a Rasa CLI command from the project root; return its wall time in seconds.

    Rasa's training cache is off, so the time is a full training's, every time.
    """
    started = time.monotonic()
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0"}
    subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL, env=env
    )
    return time.monotonic() - started


def cross_validate(config: Path, folds: int, out: Path) -> Dict[str, float]:
    """Intent macro-F1 and accuracy on the test folds of `rasa test nlu --cross-validation`."""
    seconds = _rasa("test", "nlu", "--config", str(config), "--nlu", "data/nlu", "--cross-validation",
                    "--folds", str(folds), "--out", str(out), "--no-plot")  # fmt: skip
    report = json.loads((out / "intent_report.json").read_text())
    return {"cv_macro_f1": report["macro avg"]["f1-score"], "cv_accuracy": report["accuracy"], "cv_seconds": seconds}


def evaluate(config: Path, folds: int, rescore: bool = False) -> Dict:
    """Train on data/nlu, score on the held-out set, optionally cross-validate.

    With `rescore`, the model and cross-validation figures of an earlier run are reused
    and only the held-out scoring is redone.
    """
    out = OUT / config.stem
    out.mkdir(parents=True, exist_ok=True)
    previous = json.loads((out / "summary.json").read_text()) if rescore else {}
    if rescore:
        train_seconds = previous["train_seconds"]
    else:
        train_seconds = _rasa("train", "nlu", "--config", str(config), "--nlu", "data/nlu",
                              "--out", str(out), "--fixed-model-name", "nlu")  # fmt: skip
    predictions = asyncio.run(_parse_all(out / "nlu.tar.gz", held_out_examples()))
    result = {
        **{k: v for k, v in previous.items() if k.startswith("cv_")},
        "config": str(config.relative_to(PROJECT_ROOT)),
        "train_seconds": round(train_seconds, 1),
        "holdout": asdict(score(predictions)),
        "sweep": {
            f"{t:.2f}/{a:.2f}": asdict(score(predictions, with_threshold(predictions, t, a)))
            for t in THRESHOLDS
            for a in AMBIGUITIES
        },
        "errors": [asdict(p) for p in predictions if p.predicted != p.label],
    }
    result["operating_point"] = operating_point(result["sweep"])
    if folds and not rescore:
        result.update(cross_validate(config, folds, out / "cv"))
    (out / "summary.json").write_text(json.dumps(result, indent=2))
    return result


def operating_point(sweep: Dict[str, Dict]) -> Dict:
    """The fallback setting with the best OOS recall (then accuracy) within the false-fallback budget.

    When no setting meets the budget, the one with the fewest false fallbacks.
    """
    within = {k: v for k, v in sweep.items() if v["false_fallback"] <= MAX_FALSE_FALLBACK}
    if within:
        key = max(within, key=lambda k: (within[k]["oos_recall"], within[k]["accuracy"]))
    else:  # no setting meets the budget: report the one that comes closest
        key = min(sweep, key=lambda k: (sweep[k]["false_fallback"], -sweep[k]["oos_recall"]))
        within = sweep
    threshold, ambiguity = (float(x) for x in key.split("/"))
    return {"threshold": threshold, "ambiguity_threshold": ambiguity, **within[key]}


def table(results: List[Dict]) -> str:
    """The comparison as the Markdown table of docs/quality.md."""
    lines = [
        "| pipeline | CV intent macro-F1 | held-out macro-F1 (intents with >= 5) | held-out accuracy "
        "| OOS recall | false fallback | fallback threshold / ambiguity | train s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        op = r["operating_point"]
        cv = f"{r['cv_macro_f1']:.3f}" if "cv_macro_f1" in r else "-"
        lines.append(
            f"| {Path(r['config']).stem} | {cv} | {op['macro_f1']:.3f} ({op['macro_f1_5']:.3f}) | {op['accuracy']:.3f} | "
            f"{op['oos_recall']:.1%} | {op['false_fallback']:.1%} | {op['threshold']:.2f} / "
            f"{op['ambiguity_threshold']:.2f} | {r['train_seconds']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Evaluate the given (or all) pipeline configs and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=3, help="cross-validation folds; 0 skips it")
    parser.add_argument("--rescore", action="store_true", help="reuse earlier models and CV; redo held-out scoring")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    configs = [c.resolve() for c in args.configs] or sorted((PROJECT_ROOT / "docs" / "pipelines").glob("*.yml"))
    results = [evaluate(config, args.folds, args.rescore) for config in configs]
    print(table(results))
    for r in results:
        print(f"\n{Path(r['config']).stem}: fallback threshold / ambiguity sweep on the held-out set")
        for key, s in r["sweep"].items():
            print(
                f"  {key}: accuracy {s['accuracy']:.3f}  OOS recall {s['oos_recall']:.1%}  false fallback {s['false_fallback']:.1%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
