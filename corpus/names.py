"""Matching people's names as written by readers against the names in a document.

Readers misspell and abbreviate ("Micheal Kenny", "Cornell" for "cornel lencar",
"Craig Summers" for "craigsummers", "Mr. Larison"), so names are compared as
normalised keys with a fuzzy ratio rather than exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from corpus.english import most_common

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "general", "gen"})

COMMON_ENGLISH = 500
"""Words among the 500 most frequent in English (SymSpell's list, see
:mod:`corpus.english`) are too common to be read as a person's name on their own, even
when a commenter is called that ("Will Harrington" is not meant by "will Russia ...").
500 reaches "article", "author" and "comment" but stops before common first names
("Michael" is 890th, "Paul" 902nd)."""


def _common(word: str) -> bool:
    return word in most_common(COMMON_ENGLISH)


_WORD = re.compile(r"[^\W_][\w.'’-]*", re.UNICODE)


@lru_cache(maxsize=65_536)
def name_key(name: str) -> str:
    """A comparison key: NFKC, lower case, honorifics dropped, letters and digits only.
    (Kept: every question compares its word runs with every commenter's name.)"""
    kept = [w for w in words(name) if w.rstrip(".") not in HONORIFICS]
    return "".join(re.sub(r"[\W_]", "", w) for w in kept)


def words(text: str) -> list[str]:
    """Lower-cased words as :func:`find_people` counts positions (possessives dropped)."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for word in _WORD.findall(text):
        word = re.sub(r"['’]s$", "", word).strip(".'’-")
        if word:
            out.append(word)
    return out


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    return fuzz.ratio(a, b) >= 85


def match_person(mention: str, people: Iterable[str]) -> str | None:
    """The person in ``people`` that ``mention`` most likely names, or ``None``.

    A mention matches a whole name ("Michael Kenny", "craigsummers") or one
    distinctive part of it ("Kenny", "Larison", "Cornell" for "cornel lencar").
    """
    key = name_key(mention)
    if len(key) < 3:
        return None
    return _matcher(tuple(people))(key)


@lru_cache(maxsize=8)
def _matcher(people: tuple[str, ...]) -> Callable[[str], str | None]:
    """Best match by name key among ``people``, remembered: every question compares its
    runs of words with every name, and the same few words come back."""

    @lru_cache(maxsize=4096)
    def best_match(key: str) -> str | None:
        best: tuple[float, str] | None = None
        for person in people:
            score = _match_score(key, person)
            if score and (best is None or score > best[0]):
                best = (score, person)
        return best[1] if best else None

    return best_match


@lru_cache(maxsize=16_384)
def _person_keys(person: str) -> tuple[str, tuple[str, ...]]:
    """A person's whole-name key and distinctive parts; asked for every question, so kept."""
    parts = [re.sub(r"[\W_]", "", w) for w in words(person)]
    return name_key(person), tuple(p for p in parts if len(p) >= 4 and p not in HONORIFICS)


def _match_score(key: str, person: str) -> float:
    person_key, parts = _person_keys(person)
    if not person_key:
        return 0.0
    if _similar(key, person_key):
        return 100.0 + fuzz.ratio(key, person_key)
    if len(parts) > 1 and not _common(key):
        return max((fuzz.ratio(key, p) for p in parts if _similar(key, p)), default=0.0)
    return 0.0


@dataclass(frozen=True, slots=True)
class NameMention:
    """A person named in a piece of text: who, and at which word it starts."""

    person: str
    position: int


def find_people(text: str, people: Sequence[str]) -> list[NameMention]:
    """Every person of ``people`` that ``text`` names, in order of first mention.

    Looks at runs of one to three words, so "Dr. Bill Wedin", "Gazza's view" and
    "what did micheal kenny say" are all found.
    """
    tokens = words(text)
    people = tuple(people)  # one key for every run's look-up (see _matcher)
    found: dict[str, int] = {}
    taken: set[int] = set()
    for person in people:
        # Names too short to match fuzzily ("b.") count only when written exactly.
        if len(name_key(person)) < 3:
            pattern = r"(?<![\w.])" + re.escape(person.strip()) + r"(?![\w])"
            if m := re.search(pattern, text):
                found[person] = len(words(text[: m.start()]))
    for size in (3, 2, 1):
        for start in range(len(tokens) - size + 1):
            span = range(start, start + size)
            if taken.intersection(span):
                continue
            chunk = tokens[start : start + size]
            if size == 1 and (_common(chunk[0]) or len(chunk[0]) < 3):
                continue
            if any(_common(w) and w not in HONORIFICS for w in (chunk[0], chunk[-1])):
                continue
            matched = match_person(" ".join(chunk), people)
            if matched is None:
                continue
            taken.update(span)
            if matched not in found or start < found[matched]:
                found[matched] = start
    return [NameMention(p, pos) for p, pos in sorted(found.items(), key=lambda kv: kv[1])]
