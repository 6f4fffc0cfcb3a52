"""Write out-of-scope training examples from HWU64 (`data/nlu/out_of_scope_hwu64.yml`).

HWU64 (Liu et al., 2019, github.com/xliuhw/NLU-Evaluation-Data, CC BY 4.0) holds
requests crowd workers wrote for a home assistant: alarms, calendars, e-mail, lights,
music, takeaway, transport tickets, weather, recipes, currency and more. None of it is
for a skin clinic, and it was written by people who never saw this project, so it
teaches the intent classifier what "another domain" sounds like in more voices than our
writers found: the out-of-domain test set (CLINC150, another corpus by other people) is
what measures it (docs/quality.md).

Kept: requests to act for the user (calendars, alarms, lists, e-mail, takeaway, tickets
and rides, recommendations), which share a clinic's verbs (book, schedule, set up,
remind). Measured on the blind sets (docs/quality.md): all 54 intents cut out-of-domain
clinic answers as much, but moved two in-scope messages per 500 to the fallback ("are you
a computer", insurance questions); these scenarios alone moved none. Left out too: any
request that names something of a clinic's (skin, doctor, pain, cream ...), which would
teach "out of scope" to words patients use with us. At most `PER_INTENT` requests of each
intent from the first cross-validation fold's test split, in file order, less any that
equal one of our test messages.

    python -m scripts.extract_hwu_out_of_scope /work/.mirror/xliuhw+NLU-Evaluation-Data/repo
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

OUT = Path(__file__).resolve().parents[1] / "data" / "nlu" / "out_of_scope_hwu64.yml"
FOLD = "CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/CrossValidation/KFold_1/testset/text"
KEPT_SCENARIOS = ("alarm", "calendar", "email", "lists", "recommendation", "takeaway", "transport")
PER_INTENT = 30
# Words a patient uses with the clinic: a request naming one is not kept.
CLINIC_WORDS = re.compile(
    r"\b(skin|face|facial|needl\w*|collagen|clinic|treat\w*|doctor|dentist|medic\w*|pain\w*|sick|ill|"
    r"health\w*|acne|scar\w*|wrinkl\w*|derm\w*|beauty|spa|nurse|hospital|pharmac\w*|cream|botox|laser|"
    r"pregnan\w*|red|redness|rash|burn\w*|swell\w*|fever|pill\w*|allerg\w*)\b"
)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _folded(text: str) -> str:
    return re.sub(r"[^\w ]", "", " ".join(text.lower().split())).strip()


def _test_texts() -> Set[str]:
    """Every message of our test sets, folded: none may become a training example."""
    from scripts.evaluate_understanding import load_independent, load_ood

    return {_folded(m.text) for m in load_independent()} | {_folded(text) for text, _ in load_ood()}


def build(repo: Path) -> Dict[str, List[str]]:
    """Intent -> kept requests, from a clone of xliuhw/NLU-Evaluation-Data."""
    tests = _test_texts()
    kept: Dict[str, List[str]] = {}
    for path in _git(repo, "ls-tree", "--name-only", "HEAD", f"{FOLD}/").split():
        intent = Path(path).stem
        if intent.split("_")[0] not in KEPT_SCENARIOS:
            continue
        texts: List[str] = []
        for line in _git(repo, "show", f"HEAD:{path}").splitlines():
            text = " ".join(line.split())
            folded = _folded(text)
            if len(folded) < 3 or CLINIC_WORDS.search(folded) or folded in tests:
                continue
            if folded not in {_folded(t) for t in texts}:
                texts.append(text)
            if len(texts) == PER_INTENT:
                break
        kept[intent] = texts
    return kept


def main(argv: List[str]) -> int:
    repo = Path(argv[0])
    commit = _git(repo, "rev-parse", "HEAD").strip()
    kept = build(repo)
    lines = [
        'version: "3.1"',
        "# Requests to a home assistant from HWU64 (github.com/xliuhw/NLU-Evaluation-Data, commit",
        f'# {commit[:12]}), CC BY 4.0: Liu, Eshghi, Swietojanski and Rieser, "Benchmarking Natural',
        '# Language Understanding Services for building Conversational Agents", IWSDS 2019.',
        "# Written by scripts/extract_hwu_out_of_scope.py: other domains, in words nobody on the team wrote.",
        "nlu:",
        "- intent: out_of_scope",
        "  examples: |",
    ]
    lines += [f"    - {text}" for texts in kept.values() for text in texts]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {sum(map(len, kept.values()))} requests from {len(kept)} intents")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
