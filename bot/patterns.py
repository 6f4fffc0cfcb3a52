r"""Regular expressions for what patients write: RE2, in time linear in the text.

Why: Python's `re` backtracks, so a pattern with adjacent or nested repetition can take
time polynomial in a message's length. One ~540-character message kept the action
server busy ~5 s on the contact reader's lead-in pattern, and longer ones for minutes,
while other patients waited (issue 15). RE2 (`google-re2`) matches in one pass over the
text whatever the pattern, and refuses what would need backtracking (lookaround,
backreferences): a pattern that compiles here cannot be slow. `Delimited` gives the
one-character lookbehind and lookahead our readers use ("a whole word") without them.

Every pattern applied to patient text is compiled here and listed by `registered()`, so
the tests run each over adversarial input. Patterns applied only to our own files stay
on `re`.

The meaning is `re`'s where RE2's own differs. RE2 knows word characters (for `\w` and
`\b`) only in ASCII, and its Unicode tables are not Python's. So a pattern reads the
text with each non-ASCII letter as "_" and each non-ASCII decimal digit as "0" (as
IGNORECASE has it, "İ", "ı", "ſ" and "K" read as "i", "s" and "k"), character for
character: `\w`, `\d` and `\b` then find what `re`'s find ("Björn" holds no word "rn").
Such a pattern may not name "_" or a non-ASCII letter itself; one that does is read as
it is, with `re`'s classes spelled out, and may not use `\b`. `search`, `match` and
`finditer` take `pos` and `endpos` as `re` does.

What stays different, and no reader meets: in a pattern that names a digit
("\b(19|20)\d\d\b"), `\b` next to a non-ASCII digit ("٣"); `$` only at the very end,
where `re` also matches before a final newline (our patterns see text without one, or
take it in with `\s*` or `\W*` first).
"""

from __future__ import annotations

import functools
import re
import sys
import weakref
from array import array
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import re2

IGNORECASE = re.IGNORECASE
"""The only flag: case-insensitive matching."""

Span = Tuple[int, int]

_LETTER_STAND_IN = "_"
_DIGIT_STAND_IN = "0"
# The non-ASCII letters `re`'s IGNORECASE matches to ASCII ones (tests check the list).
_ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_ASCII_WORD = ((ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z")))
_ASCII_DIGIT = ((ord("0"), ord("9")),)
_QUANTIFIER = re.compile(r"\{(\d*)(,\d*)?\}")  # these three read our own pattern text
_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_FIND_ALL = "finditer"
_ANCHORS = {
    "search": re2._Anchor.UNANCHORED, _FIND_ALL: re2._Anchor.UNANCHORED,
    "match": re2._Anchor.ANCHOR_START, "fullmatch": re2._Anchor.ANCHOR_BOTH,
}  # fmt: skip
_NO_SPAN = (-1, -1)


def _every_character() -> str:
    codes = array("I", range(0xD800))
    codes.extend(range(0xE000, sys.maxunicode + 1))
    return codes.tobytes().decode(f"utf-32-{sys.byteorder[0]}e")


@functools.lru_cache(maxsize=None)
def _python_ranges(escape: str) -> Tuple[Span, ...]:
    """The characters `re`'s \\w, \\d or \\s matches, as code point ranges: read from
    `re` itself, because RE2's Unicode tables are not the ones of this Python."""
    text = _every_character()
    return tuple((ord(text[run.start()]), ord(text[run.end() - 1])) for run in re.finditer(escape + "+", text))


def _complement(ranges: Sequence[Span]) -> List[Span]:
    gaps, low = [], 0
    for start, end in sorted(ranges):
        if start > low:
            gaps.append((low, start - 1))
        low = max(low, end + 1)
    return gaps + [(low, sys.maxunicode)] if low <= sys.maxunicode else gaps


def _ranges(ranges: Sequence[Span]) -> str:
    return "".join(f"\\x{{{low:x}}}" if low == high else f"\\x{{{low:x}}}-\\x{{{high:x}}}" for low, high in ranges)


class PatternError(ValueError):
    """A pattern RE2 cannot use; the message names the pattern and why."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(
            f"RE2 cannot compile {pattern!r}: {reason} (patterns here match in linear time, "
            "so they have no lookaround (?= (?! (?<= (?<! and no backreferences)"
        )
        self.pattern = pattern


class _Reading(NamedTuple):
    """How a pattern reads the non-ASCII letters and digits of a text (see `_readable`)."""

    digits: bool  # non-ASCII decimal digits as "0" (the pattern names no digit itself)
    folds: bool  # under IGNORECASE, the letters of `_ASCII_FOLDS` as their ASCII letters


def _perl_class(code: str, reading: Optional[_Reading]) -> Tuple[Span, ...]:
    r"""What `re`'s \w \d \s \W \D \S match in the text as `reading` has it."""
    escape = code.lower()
    if escape == "s" or reading is None:
        ranges = _python_ranges("\\" + escape)
    else:  # the text's other word characters are ASCII stand-ins by now
        ascii_ranges = _ASCII_WORD if escape == "w" else _ASCII_DIGIT
        ranges = ascii_ranges if reading.digits else ascii_ranges + _python_ranges(r"\d")
    return tuple(_complement(ranges)) if code.isupper() else tuple(ranges)


class _Perl(NamedTuple):
    """A \\w-like escape in the pattern, spelled out once the pattern's reading is known."""

    code: str
    in_class: bool

    def spelled(self, reading: Optional[_Reading]) -> str:
        ranges = _ranges(_perl_class(self.code, reading))
        return ranges if self.in_class else f"(?-i:[{ranges}])"  # never folded, as in `re`


class _Translation(NamedTuple):
    pattern: str  # in RE2's syntax
    reading: Optional[_Reading]  # None: the text is read as it is


def _translate(pattern: str, flags: int) -> _Translation:
    r"""`pattern` in RE2's syntax with `re`'s meaning (see the module's docstring).

    A class with \w, \d or \s in it is kept from IGNORECASE, as `re` keeps those (RE2
    would fold U+0345 into a Greek letter), so it may not name a letter with case itself.
    """
    out: List[Union[str, _Perl]] = []
    literals: List[str] = []  # the characters the pattern names itself
    boundaries = False
    i, class_start = 0, None  # where the [...] we are in opened
    class_out, class_perl, class_literals = 0, False, 0  # ... in `out`; whether it holds \w or the like
    while i < len(pattern):
        char, in_class = pattern[i], class_start is not None
        if char == "\\" and i + 1 < len(pattern):
            code = pattern[i + 1]
            i += 2
            if code in _HEX_WIDTH:
                digits = pattern[i : i + _HEX_WIDTH[code]]
                try:
                    literals.append(chr(int(digits, 16) if len(digits) == _HEX_WIDTH[code] else -1))
                except ValueError:
                    raise PatternError(pattern, f"bad escape \\{code}{digits}") from None
                out.append(f"\\x{{{digits}}}")
                i += len(digits)
            elif code in "wWdDsS":
                out.append(_Perl(code, in_class))
                class_perl = class_perl or in_class
            elif code == "Z" and not in_class:
                out.append(r"\z")
            elif code.isdigit() and code != "0" and not in_class:
                raise PatternError(pattern, f"backreference \\{code}")
            else:
                boundaries = boundaries or (code in "bB" and not in_class)
                literals += [] if code.isalnum() else [code]  # \n, \t, \b name no letter
                out.append("\\" + code)
            continue
        if not in_class and (name := _GROUP_NAME.match(pattern, i)):
            out.append(name.group())
            i = name.end()
            continue
        if not in_class and (count := _QUANTIFIER.match(pattern, i)) and count.group() not in ("{}", "{,}"):
            low, high = count.groups()
            out.append(f"{{{low or 0}{high or ''}}}")  # re's {,n} is {0,n}
            i = count.end()
            continue
        if in_class:
            assert class_start is not None  # in_class is set together with it (our own patterns, at import)
            first = i == class_start + 1 or (i == class_start + 2 and pattern[i - 1] == "^")
            if char == "]" and not first:  # "[]a]": a literal ]
                class_start = None
                if class_perl and flags & IGNORECASE:
                    if any(c.lower() != c.upper() for c in literals[class_literals:]):
                        raise PatternError(pattern, r"a [...] with \w, \d or \s may not name a letter under IGNORECASE")
                    out[class_out:class_out] = ["(?-i:"]
                    out.append("])")
                    i += 1
                    continue
        elif char == "[":
            class_start, class_out, class_perl, class_literals = i, len(out), False, len(literals)
        literals.append(char)
        out.append(char)
        i += 1
    reading: Optional[_Reading] = _Reading(
        digits=not any(char.isascii() and char.isdigit() for char in literals), folds=bool(flags & IGNORECASE)
    )
    if any(char == _LETTER_STAND_IN or (not char.isascii() and char.isalnum()) for char in literals):
        if boundaries:
            raise PatternError(pattern, r'\b with "_" or a non-ASCII letter in the same pattern')
        reading = None
    spelled = "".join(part.spelled(reading) if isinstance(part, _Perl) else part for part in out)
    return _Translation(spelled, reading)


def _stand_in(char: str, reading: Optional[_Reading]) -> str:
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    if reading is None or char.isascii() or not char.isalnum():
        return char
    if char.isdecimal():
        return _DIGIT_STAND_IN if reading.digits else char
    return _ASCII_FOLDS.get(char, _LETTER_STAND_IN) if reading.folds else _LETTER_STAND_IN


@functools.lru_cache(maxsize=32)
def _readable(text: str, reading: Optional[_Reading]) -> str:
    """Non-ASCII `text` as a pattern with `reading` reads it, character for character
    (so offsets hold); lone surrogates (which no channel lets through, and UTF-8 cannot
    carry) as U+FFFD. Cached: one message is read by many patterns in a row."""
    if reading is None:
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            pass
    return "".join(_stand_in(char, reading) for char in text)


class Match:
    """A match, as `re.Match` has it: `group`, `groups`, `groupdict`, `start`, `end`, `span`."""

    __slots__ = ("string", "_spans", "_names")

    def __init__(self, string: str, spans: Sequence[Span], names: Dict[str, int]) -> None:
        self.string = string
        self._spans = spans
        self._names = names

    def _index(self, group: Union[int, str]) -> int:
        index = self._names[group] if isinstance(group, str) else group
        if not 0 <= index < len(self._spans):
            raise IndexError(f"no such group: {group!r}")
        return index

    def span(self, group: Union[int, str] = 0) -> Span:
        return self._spans[0] if group == 0 else self._spans[self._index(group)]

    def start(self, group: Union[int, str] = 0) -> int:
        return self.span(group)[0]

    def end(self, group: Union[int, str] = 0) -> int:
        return self.span(group)[1]

    def group(self, *groups: Union[int, str]):
        found = [self[group] for group in groups or (0,)]
        return found[0] if len(found) == 1 else tuple(found)

    def __getitem__(self, group: Union[int, str]) -> Optional[str]:
        start, end = self.span(group)
        return None if start < 0 else self.string[start:end]

    def groups(self, default: Optional[str] = None) -> Tuple[Optional[str], ...]:
        return tuple(default if found is None else found for found in (self[i] for i in range(1, len(self._spans))))

    def groupdict(self, default: Optional[str] = None) -> Dict[str, Optional[str]]:
        return {name: default if self[name] is None else self[name] for name in self._names}

    def __repr__(self) -> str:
        return f"<patterns.Match span={self.span()} match={self.group()!r}>"


Replacement = Union[str, Callable[[Match], str]]


class Pattern:
    """A compiled RE2 pattern with the methods of `re.Pattern` our readers use.

    `sub` takes a plain string (no group references: pass a function for those) or a
    function of the match.
    """

    __slots__ = ("pattern", "flags", "_re", "_compiled", "_reading", "_names", "__weakref__")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if flags & ~IGNORECASE:
            raise ValueError(f"unsupported flags {flags!r}: only IGNORECASE")
        translation = _translate(pattern, flags)
        options = re2.Options()
        options.case_sensitive = not flags & IGNORECASE
        options.log_errors = False
        try:
            self._re = re2.compile(translation.pattern, options)
        except re2.error as exc:
            reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise PatternError(pattern, reason) from None
        self._compiled = self._re._regexp  # the C++ RE2 object, for `_ascii_matches` (google-re2 is pinned)
        self.pattern = pattern
        self.flags = flags
        self._reading = translation.reading
        self._names = self._re.groupindex
        _REGISTRY.add(self)

    @property
    def groups(self) -> int:
        return self._re.groups

    @property
    def program_size(self) -> int:
        """RE2's compiled size: the work per character read is at most proportional to it."""
        return self._re.programsize

    def _matches(self, anchor: str, text: str, pos: int, endpos: Optional[int]) -> Iterator[Match]:
        # Cut at `endpos`, as `re` reads it: the text ends there, for `$` and `\b` too.
        subject = text if endpos is None else text[:endpos]
        if not subject.isascii():
            subject = _readable(subject, self._reading)
        if subject.isascii():
            yield from self._ascii_matches(anchor, text, subject.encode("ascii"), pos)
            return
        found = getattr(self._re, "search" if anchor == _FIND_ALL else anchor)(subject, pos)
        for raw in self._re.finditer(subject, pos) if anchor == _FIND_ALL else [found]:
            if raw is not None:
                yield Match(text, tuple(raw.span(i) for i in range(self._re.groups + 1)), self._names)

    def _ascii_matches(self, anchor: str, text: str, subject: bytes, pos: int) -> Iterator[Match]:
        """What `google-re2` does for any text, less its offset bookkeeping (ASCII: a
        byte is a character), which costs more than the match itself on short texts."""
        pos, end, mode = max(0, min(pos, len(subject))), len(subject), _ANCHORS[anchor]
        while True:
            spans = self._compiled.Match(mode, subject, pos, end)
            if spans[0] == _NO_SPAN:
                return
            yield Match(text, tuple(spans), self._names)
            if anchor != _FIND_ALL or pos == end:
                return
            pos = pos + 1 if spans[0][1] == pos else spans[0][1]  # past an empty match, as `re`

    def search(self, text: str, pos: int = 0, endpos: Optional[int] = None) -> Optional[Match]:
        return next(self._matches("search", text, pos, endpos), None)

    def match(self, text: str, pos: int = 0, endpos: Optional[int] = None) -> Optional[Match]:
        return next(self._matches("match", text, pos, endpos), None)

    def fullmatch(self, text: str, pos: int = 0, endpos: Optional[int] = None) -> Optional[Match]:
        return next(self._matches("fullmatch", text, pos, endpos), None)

    def finditer(self, text: str, pos: int = 0, endpos: Optional[int] = None) -> Iterator[Match]:
        return self._matches(_FIND_ALL, text, pos, endpos)

    def findall(self, text: str) -> List[Any]:
        """As `re`: the whole matches, the one group's text, or a tuple of all groups."""
        if self.groups == 0:
            return [match.group() for match in self.finditer(text)]
        if self.groups == 1:
            return [match.groups("")[0] for match in self.finditer(text)]
        return [match.groups("") for match in self.finditer(text)]

    def sub(self, repl: Replacement, text: str) -> str:
        if isinstance(repl, str) and "\\" in repl:
            raise ValueError("group references are not supported: pass a function of the match")
        return _replace(self.finditer(text), repl, text)

    def split(self, text: str) -> List[Optional[str]]:
        """As `re`: the pieces between matches, with the groups' text in between."""
        pieces: List[Optional[str]] = []
        end = 0
        for match in self.finditer(text):
            pieces.append(text[end : match.start()])
            pieces.extend(match[group] for group in range(1, self.groups + 1))
            end = match.end()
        return pieces + [text[end:]]

    def __repr__(self) -> str:
        return f"patterns.compile({self.pattern!r})"


def _replace(matches: Iterator[Match], repl: Replacement, text: str) -> str:
    pieces, end = [], 0
    for match in matches:
        start, next_end = match.span()
        pieces += [text[end:start], repl(match) if callable(repl) else repl]
        end = next_end
    return "".join(pieces) + text[end:]


class Alternative(NamedTuple):
    """One branch of a `Delimited` pattern: `re`'s `(?<![not_before])pattern(?![not_after])`.

    `not_before` and `not_after` are the inside of a character class (r"\\w'"); None for
    no condition on that side.
    """

    pattern: str
    not_before: Optional[str] = None
    not_after: Optional[str] = None


class Delimited:
    """Branches that look one character behind and ahead, as `re`'s lookaround does, in RE2.

    RE2 cannot look around, so each branch matches the character before its hit (any
    character when it has no `not_before`) and the one after (or the end of the text),
    and the hit is what lies between. The search for the next hit restarts one character
    before the last hit's end, where that hit's context may begin, so hits sharing a
    context character ("sat sat") are all found. Because every branch takes exactly one
    character before its hit, the leftmost match is the leftmost hit and the branches
    keep their order: the hits are those `re` finds with the lookaround pattern. A hit at
    the very start, with no character before it, is tried first.
    """

    def __init__(self, alternatives: Sequence[Alternative], flags: int = 0) -> None:
        def branches(at_start: bool) -> str:
            return "|".join(
                ("" if at_start else f"[^{branch.not_before}]" if branch.not_before else "(?s:.)")
                + f"(?P<hit{i}>{branch.pattern})"
                + (f"(?:[^{branch.not_after}]|$)" if branch.not_after else "")
                for i, branch in enumerate(alternatives)
            )

        self._hits = [f"hit{i}" for i in range(len(alternatives))]
        self._at_start = Pattern(f"(?:{branches(at_start=True)})", flags)
        self._later = Pattern(branches(at_start=False), flags)

    def _hit(self, match: Match) -> Match:
        span = next(match.span(name) for name in self._hits if match.start(name) >= 0)
        return Match(match.string, (span, *match._spans[1:]), match._names)

    def finditer(self, text: str) -> Iterator[Match]:
        """The hits, left to right, as `re.finditer` gives them."""
        found, pos = self._at_start.match(text), 0
        while True:
            found = found or self._later.search(text, pos)
            if found is None:
                return
            hit = self._hit(found)
            yield hit
            found, pos = None, max(hit.end() - 1, hit.start())

    def search(self, text: str) -> Optional[Match]:
        return next(self.finditer(text), None)

    def sub(self, repl: Replacement, text: str) -> str:
        return _replace(self.finditer(text), repl, text)


_REGISTRY: "weakref.WeakSet[Pattern]" = weakref.WeakSet()


def compile(pattern: str, flags: int = 0) -> Pattern:  # noqa: A001 - `re.compile`'s name, on purpose
    """`pattern` compiled by RE2 with `re`'s meaning; PatternError when RE2 cannot match it."""
    return Pattern(pattern, flags)


def registered() -> Tuple[Pattern, ...]:
    """Every pattern compiled here and still in use (the modules' and loaded clinic files')."""
    return tuple(_REGISTRY)
