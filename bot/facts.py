"""Trace every answer to the clinic's facts, and every fact to the article.

`clinic/facts.yml` holds the facts in our words with a verbatim quote of the article,
and says which facts each response rests on. The checks here are deliberately
mechanical: a response may only state numbers (durations, percentages, counts) and
product or device names that its facts state, and a fact may only state numbers that
its quote states. Wording is free; facts are not.

Some statements are the clinic's protocol, not the article's: above all, which signs
after a treatment to call the clinic or the emergency number about. Such a fact says
`source: clinic_protocol` instead of quoting the article, and carries the medical
director's sign-off (`signed_off_by`, `signed_off_on`). It is accepted without a quote,
but reported while unsigned, with every answer that rests on it. A fact may also list
`mentions`: words every variant (web and SMS) of an answer resting on it must use, so
an answer cannot quietly drop a warning sign (whole words; "swell*/swollen": either,
and a `*` at the end means any ending, so "faint*" covers "fainting").

    python -m bot.facts                     # every inconsistency (exit status 1 if any),
                                            # then unsigned clinic protocol as notes
    python -m bot.facts --require-sign-off  # also fail while protocol is unsigned (release)
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

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


# `source` of a fact that is the clinic's own protocol rather than a quote of the article.
CLINIC_PROTOCOL = "clinic_protocol"
SIGN_OFF_FIELDS = ("signed_off_by", "signed_off_on")


@dataclass(frozen=True)
class Fact:
    """One clinic fact: our wording, its article section and the verbatim quote.

    A clinic protocol fact has `source: clinic_protocol` and the medical director's
    sign-off instead of a quote; `mentions` are words every answer resting on it uses.
    """

    key: str
    section: str
    text: str
    source: str
    mentions: Tuple[str, ...] = ()
    signed_off_by: str = ""
    signed_off_on: str = ""

    @property
    def is_protocol(self) -> bool:
        return self.source == CLINIC_PROTOCOL

    @property
    def signed(self) -> bool:
        return bool(self.signed_off_by and self.signed_off_on)

    @classmethod
    def from_yaml(cls, key: str, spec: Mapping[str, Any]) -> "Fact":
        """One entry of `facts:`; sign-off values are kept as text (YAML reads a date as a date)."""
        values = dict(spec)
        values["mentions"] = tuple(str(word) for word in values.get("mentions") or ())
        for name in SIGN_OFF_FIELDS:
            values[name] = "" if values.get(name) is None else str(values[name]).strip()
        return cls(key=key, **values)


class FactBook:
    """The facts and which responses rest on which facts."""

    def __init__(self, facts: Mapping[str, Fact], answers: Mapping[str, List[str]]) -> None:
        self.facts = dict(facts)
        self.answers = {name: list(keys) for name, keys in answers.items()}

    @classmethod
    def load(cls, path: Path = FACTS_FILE) -> "FactBook":
        """Read `clinic/facts.yml`."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        facts = {key: Fact.from_yaml(key, spec) for key, spec in (raw.get("facts") or {}).items()}
        return cls(facts, raw.get("answers") or {})

    def article_problems(self, article: str) -> List[str]:
        """Facts whose quote is not in the article, or whose wording adds a number.

        Clinic protocol facts quote nothing: they are checked for their sign-off fields
        instead (`protocol_problems`).
        """
        folded = normalize(article)
        problems = []
        for fact in self.facts.values():
            if fact.is_protocol:
                continue
            if fact.signed_off_by or fact.signed_off_on:
                problems.append(
                    f"fact '{fact.key}': only clinic protocol (source: {CLINIC_PROTOCOL}) is signed off; "
                    "an article fact quotes the article"
                )
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

    def protocol_problems(self) -> List[str]:
        """Clinic protocol facts whose sign-off is half filled in, or not a date."""
        problems = []
        for fact in self.facts.values():
            if not fact.is_protocol:
                continue
            if bool(fact.signed_off_by) != bool(fact.signed_off_on):
                problems.append(
                    f"fact '{fact.key}': a sign-off needs both signed_off_by (who) and signed_off_on (when)"
                )
            if fact.signed_off_on and not _is_date(fact.signed_off_on):
                problems.append(f"fact '{fact.key}': signed_off_on must be a date like 2024-05-31")
        return problems

    def mention_problems(self, variants: Mapping[str, Sequence[str]]) -> List[str]:
        """Answers with a variant (web or SMS) that leaves out words one of its facts must be named by."""
        problems = []
        for name, keys in sorted(self.answers.items()):
            for key in keys:
                fact = self.facts.get(key)
                if fact is None or not fact.mentions:
                    continue
                for number, text in enumerate(variants.get(name, ()), start=1):
                    missing = [word for word in fact.mentions if not mentions(text, word)]
                    if missing:
                        problems.append(f"'{name}' (variant {number}) rests on '{key}' but does not say {missing}")
        return problems

    def unsigned(self) -> List[str]:
        """Clinic protocol facts the medical director has not signed off yet."""
        return sorted(key for key, fact in self.facts.items() if fact.is_protocol and not fact.signed)

    def answers_on_unsigned(self) -> Dict[str, List[str]]:
        """Response -> the unsigned clinic protocol facts it rests on."""
        unsigned = set(self.unsigned())
        found = {name: [key for key in keys if key in unsigned] for name, keys in self.answers.items()}
        return {name: keys for name, keys in sorted(found.items()) if keys}

    def unused(self) -> List[str]:
        """Facts no response rests on (worth a look: a fact the bot never states)."""
        used = {key for keys in self.answers.values() for key in keys}
        return sorted(set(self.facts) - used)


def mentions(text: str, word: str) -> bool:
    """Whether `text` uses `word`: whole words, "a/b" for either, a final `*` for any ending.

    Case, curly quotes and hyphens do not matter: "cold sore" matches "cold-sore".
    """
    folded = _fold(text)
    for choice in word.split("/"):
        choice = choice.strip()
        open_ending = choice.endswith("*")
        pattern = re.escape(_fold(choice.rstrip("*")))
        if re.search(rf"(?<![a-z0-9_]){pattern}{'' if open_ending else '(?![a-z0-9_])'}", folded):
            return True
    return False


def _fold(text: str) -> str:
    return " ".join(normalize(text).replace("-", " ").split())


def _is_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _numbers(text: str) -> Set[str]:
    return {m.group(0).lower() for m in _NUMBER.finditer(text)}


def response_texts(domain_file: Path = DOMAIN_FILE) -> Dict[str, str]:
    """Each response's text and button titles (every variation), as one string."""
    return {name: "\n".join(parts) for name, parts in response_variants(domain_file, buttons=True).items()}


def response_variants(domain_file: Path = DOMAIN_FILE, buttons: bool = False) -> Dict[str, List[str]]:
    """Each response's variation texts (web, SMS, conditioned), in domain order.

    With `buttons`, each variation's button titles follow its text as separate entries.
    """
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    texts: Dict[str, List[str]] = {}
    for name, variants in domain.get("responses", {}).items():
        parts: List[str] = []
        for variant in variants:
            parts.append(variant.get("text", ""))
            if buttons:
                parts.extend(button["title"] for button in variant.get("buttons", []))
        texts[name] = parts
    return texts


def check(article_file: Optional[Path] = ARTICLE_FILE) -> Tuple[List[str], List[str]]:
    """(problems, unused facts) for the project's domain, facts and article."""
    book = FactBook.load()
    problems = book.response_problems(response_texts())
    problems += book.mention_problems(response_variants())
    problems += book.protocol_problems()
    if article_file is not None:
        problems += book.article_problems(article_file.read_text(encoding="utf-8"))
    return problems, book.unused()


def main(argv: Optional[List[str]] = None) -> int:
    """Print every inconsistency between responses, facts and the article, then what awaits sign-off."""
    parser = argparse.ArgumentParser(description="Check answers against clinic/facts.yml and the article.")
    parser.add_argument(
        "--require-sign-off", action="store_true",
        help="also fail while a clinic protocol fact lacks the medical director's sign-off (before a release)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    problems, unused = check()
    book = FactBook.load()
    for problem in problems:
        print(problem)
    for key in unused:
        print(f"note: fact '{key}' is not used by any response")
    unsigned = book.unsigned()
    for key in unsigned:
        print(
            f"note: fact '{key}' is clinic protocol (not from the article) and not signed off by the medical director"
        )
    for name, keys in book.answers_on_unsigned().items():
        print(f"note: '{name}' rests on unsigned clinic protocol {keys}")
    if not problems:
        print(
            "Every response states only what its facts state, and every fact quotes the article or is clinic protocol."
        )
    if unsigned:
        print(
            f"{len(unsigned)} clinic protocol fact(s) await the medical director's sign-off "
            "(signed_off_by and signed_off_on in clinic/facts.yml)."
        )
    failed = bool(problems) or (args.require_sign_off and bool(unsigned))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
