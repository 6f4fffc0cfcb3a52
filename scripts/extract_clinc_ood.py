"""Write the out-of-domain test set from CLINC150 (`tests/data/ood/clinc150.yml`).

CLINC150 (Larson et al., 2019, github.com/clinc/oos-eval, CC BY 3.0) holds crowd-written
queries to a general assistant: banking, travel, cooking, cars, timers, unit conversions,
work and more, plus queries outside all of them. None of it is about a skin clinic, so
the assistant must answer every one with its out-of-scope answer (or another deflection),
never a clinic fact. The small_talk and meta domains are left out: greetings, thanks,
"are you a bot" and "yes"/"no" are small talk for us too.

Two test queries of every remaining intent and 100 of the out-of-scope test queries
(chosen with a fixed seed) are kept, less any that equal one of our training examples
("why is the sky blue"): such a query measures memory, not understanding. Nothing of
this file may enter the training data (tests/understanding/test_independent_sets.py checks).

    python -m scripts.extract_clinc_ood /work/.mirror/clinc+oos-eval/repo
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

import yaml

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "ood" / "clinc150.yml"
LEFT_OUT_DOMAINS = ("small_talk", "meta")
PER_INTENT = 2
OOS_QUERIES = 100
SEED = 150


def _git_file(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True, capture_output=True, text=True
    ).stdout


def _training_texts() -> Set[str]:
    """Our NLU training examples, lower-cased without punctuation."""
    texts: Set[str] = set()
    for path in (OUT.parents[3] / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            texts.update(_folded(line.lstrip(" -")) for line in (block.get("examples") or "").splitlines())
    return texts


def _folded(text: str) -> str:
    return re.sub(r"[^\w ]", "", " ".join(text.lower().split())).strip()


def build(repo: Path) -> Dict[str, List[str]]:
    """Domain -> queries, from a clone of clinc/oos-eval."""
    data = json.loads(_git_file(repo, "data/data_full.json"))
    domains = json.loads(_git_file(repo, "data/domains.json"))
    by_intent: Dict[str, List[str]] = {}
    for text, intent in data["test"]:
        by_intent.setdefault(intent, []).append(text)
    selected: Dict[str, List[str]] = {}
    for domain, intents in domains.items():
        if domain in LEFT_OUT_DOMAINS:
            continue
        selected[domain] = [text for intent in intents for text in by_intent[intent][:PER_INTENT]]
    oos = [text for text, _ in data["oos_test"]]
    selected["out_of_scope"] = random.Random(SEED).sample(oos, OOS_QUERIES)
    known = _training_texts()
    return {domain: [text for text in texts if _folded(text) not in known] for domain, texts in selected.items()}


def main(argv: List[str]) -> int:
    repo = Path(argv[0])
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    header = (
        "# Out-of-domain queries from CLINC150 (github.com/clinc/oos-eval, commit "
        f'{commit[:12]}),\n# CC BY 3.0: Larson et al., "An Evaluation Dataset for Intent Classification and\n'
        '# Out-of-Scope Prediction", EMNLP 2019. Written by scripts/extract_clinc_ood.py; never trained on.\n'
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(header + yaml.safe_dump({"queries": build(repo)}, sort_keys=False, allow_unicode=True, width=1000))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
