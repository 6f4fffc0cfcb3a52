"""Trace every answer to the clinic's facts, and every fact to the article.

`clinic/facts.yml` holds the facts in our words with a verbatim quote of the article,
and says which facts each response rests on. The checks here are deliberately
mechanical: a response may only state numbers (durations, percentages, counts) and
product or device names that its facts state, and a fact may only state numbers that
its quote states. Wording is free; facts are not.

    python -m bot.facts      # lists every inconsistency; exit status 1 if there is one
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Set, Tuple

import yaml

from bot.settings import PROJECT_ROOT
from bot.text import normalize

FACTS_FILE = PROJECT_ROOT / "clinic" / "facts.yml"
ARTICLE_FILE = PROJECT_ROOT.parent / "shared" / "seed" / "cit-article.txt"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"

# "one" is left out: it is mostly a pronoun ("one of our providers").
_NUMBER_WORDS = r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice|half|quarter|dozen"
_NUMBER = re.compile(rf"\d+(?:\.\d+)?|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
# CamelCase brand names (SkinPen, LightStim, SkinBetter) and acronyms (FDA, PRP).
_NAME = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b|\b[A-Z]{2,}\b")
# Multi-word names that neither pattern catches.
_KNOWN_NAMES = ("Canfield", "Visia", "Platelet Rich Plasma", "United States")
# Not claims: the treatment's own name (defined by the article), and SMS itself with
# the keywords carriers require us to name (HELP, STOP, START).
_NOT_CLAIMS = {"cit", "sms", "help", "stop", "start"}
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_ENUMERATION = re.compile(r"^\s*\d+\.\s", re.MULTILINE)


def claims(text: str) -> Set[str]:
    """The checkable claims of a text: numbers and product/device names, lower-cased.

    Clinic placeholders and the numbers of a numbered list are not claims.
    """
    text = _ENUMERATION.sub(" ", _PLACEHOLDER.sub(" ", text))
    found = {m.group(0).lower() for m in _NUMBER.finditer(text)}
    found |= {m.group(0).lower() for m in _NAME.finditer(text)}
    found |= {name.lower() for name in _KNOWN_NAMES if name.lower() in text.lower()}
    return found - _NOT_CLAIMS


@dataclass(frozen=True)
class Fact:
    """One clinic fact: our wording, its article section and the verbatim quote."""

    key: str
    section: str
    text: str
    source: str


class FactBook:
    """The facts and which responses rest on which facts."""

    def __init__(self, facts: Mapping[str, Fact], answers: Mapping[str, List[str]]) -> None:
        self.facts = dict(facts)
        self.answers = {name: list(keys) for name, keys in answers.items()}

    @classmethod
    def load(cls, path: Path = FACTS_FILE) -> "FactBook":
        """Read `clinic/facts.yml`."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        facts = {key: Fact(key=key, **spec) for key, spec in (raw.get("facts") or {}).items()}
        return cls(facts, raw.get("answers") or {})

    def article_problems(self, article: str) -> List[str]:
        """Facts whose quote is not in the article, or whose wording adds a number."""
        folded = normalize(article)
        problems = []
        for fact in self.facts.values():
            if normalize(fact.source) not in folded:
                problems.append(f"fact '{fact.key}': its source is not a verbatim quote of the article")
            extra = _numbers(fact.text) - _numbers(fact.source)
            if extra:
                problems.append(f"fact '{fact.key}': states {sorted(extra)} but its source does not")
        return problems

    def response_problems(self, responses: Mapping[str, str]) -> List[str]:
        """Responses that state a claim their facts do not contain, or name no facts."""
        problems = []
        for name in sorted(set(self.answers) - set(responses)):
            problems.append(f"'{name}' is listed under answers but is not a response in the domain")
        for name, text in sorted(responses.items()):
            keys = self.answers.get(name)
            if keys is None:
                if name.startswith(("utter_faq_", "utter_aftercare_")):
                    problems.append(f"'{name}' names no facts in clinic/facts.yml")
                keys = []
            unknown = [k for k in keys if k not in self.facts]
            if unknown:
                problems.append(f"'{name}' rests on unknown fact(s) {unknown}")
            backed = set().union(*(claims(self.facts[k].text) for k in keys if k in self.facts))
            unbacked = claims(text) - backed
            if unbacked:
                problems.append(f"'{name}' states {sorted(unbacked)}, which its facts {keys} do not")
        return problems

    def unused(self) -> List[str]:
        """Facts no response rests on (worth a look: a fact the bot never states)."""
        used = {key for keys in self.answers.values() for key in keys}
        return sorted(set(self.facts) - used)


def _numbers(text: str) -> Set[str]:
    return {m.group(0).lower() for m in _NUMBER.finditer(text)}


def response_texts(domain_file: Path = DOMAIN_FILE) -> Dict[str, str]:
    """Each response's text and button titles (every variation), as one string."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    texts = {}
    for name, variants in domain.get("responses", {}).items():
        parts: List[str] = []
        for variant in variants:
            parts.append(variant.get("text", ""))
            parts.extend(button["title"] for button in variant.get("buttons", []))
        texts[name] = "\n".join(parts)
    return texts


def check(article_file: Optional[Path] = ARTICLE_FILE) -> Tuple[List[str], List[str]]:
    """(problems, unused facts) for the project's domain, facts and article."""
    book = FactBook.load()
    problems = book.response_problems(response_texts())
    if article_file is not None:
        problems += book.article_problems(article_file.read_text(encoding="utf-8"))
    return problems, book.unused()


def main() -> int:
    """Print every inconsistency between responses, facts and the article."""
    problems, unused = check()
    for problem in problems:
        print(problem)
    for key in unused:
        print(f"note: fact '{key}' is not used by any response")
    if not problems:
        print("Every response states only what its facts state, and every fact quotes the article.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
