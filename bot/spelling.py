"""Correcting misspelt question words before retrieval.

A reader types "waht does the autor thnk about sendng wepons to ukrane?". A word is
left alone when the corpus uses it or when it is an English word, so real words and
names are never "corrected" (a capitalised word inside the question, which may be a
name, only ever becomes one of the corpus's names: "Ukrane" -> "Ukraine"); acronyms
(all capitals) and words under four letters are left alone too. Any other word is
compared (rapidfuzz, optimal string alignment distance: a swap of two letters is one
edit) with the corpus's own words and the English word list, within one edit (two
for words of eight letters or more) and with the same first letter (readers rarely
mistype that one: "Nord" is not "Word"). Of the closest, a word of the corpus that
English doesn't know (a name, a term of the document: "Dolchstosslegende",
"craigsummers") comes first, then the more common English word ("author" before
"actor" for "autor"). Before all of these, for a name, the word the question puts in front
decides: a name the corpus writes right after that word wins ("Michael Keny" reads as
"Michael Kenny" when the corpus has both "Ken" and "Kenny", because it has "Michael
Kenny").

The English list is :func:`corpus.english.english_counts`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from corpus.english import english_counts

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
MIN_LENGTH = 4


@cache
def _english_words() -> tuple[str, ...]:
    return tuple(english_counts())


@dataclass(frozen=True, slots=True)
class Correction:
    word: str
    replacement: str


class Speller:
    """Corrects the words of a question that neither the corpus nor English knows."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        split = [_WORD.findall(text) for text in texts]
        for found in split:
            for word in found:
                self.counts[word.lower()] += 1
                capitalised[word.lower()] += word[0].isupper()
        self._words = tuple(w for w in self.counts if len(w) >= MIN_LENGTH - 1)
        # Words the corpus writes with a capital most of the time: its names.
        self.names = frozenset(w for w, n in capitalised.items() if 2 * n > self.counts[w])
        # A name with the word the corpus writes before it ("michael", "kenny"): a few
        # entries a name, so this stays small for large corpora.
        self.pairs: Counter[tuple[str, str]] = Counter(
            (before.lower(), word.lower())
            for found in split
            for before, word in pairwise(found)
            if word.lower() in self.names
        )

    def knows(self, word: str) -> bool:
        """Whether the corpus uses ``word`` (any case)."""
        return word.lower() in self.counts

    def correction(self, word: str, name: bool = False, previous: str = "") -> str | None:
        """The word ``word`` most likely misspells, or ``None`` to keep it. A ``name``
        (capitalised inside the question) is only corrected to one of the corpus's names;
        ``previous`` is the question's word before it, if any."""
        lower = word.lower()
        if len(lower) < MIN_LENGTH or not lower.isalpha() or (word.isupper() and len(word) > 1):
            return None
        english = english_counts()
        if lower in self.counts or lower in english:
            return None
        limit = 1 if len(lower) < 8 else 2
        candidates: dict[str, int] = {}
        for words in (self._words, _english_words()):
            for found, distance, _ in process.extract(
                lower, words, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                if found[0] == lower[0] and (not name or found in self.names):
                    candidates[found] = int(distance)
        if not candidates:
            return None

        before = previous.lower()

        def rank(term: str) -> tuple[int, int, bool, int, int, str]:
            own_term = term in self.counts and term not in english
            follows = self.pairs[before, term]
            return (
                -candidates[term],
                follows,
                own_term,
                english.get(term, 0),
                self.counts[term],
                term,
            )

        return max(candidates, key=rank)

    def correct(self, text: str) -> tuple[str, list[Correction]]:
        """``text`` with misspelt words replaced (a leading capital kept), and the
        corrections made."""
        corrections: list[Correction] = []
        last = [""]  # the question's word before the one being replaced

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            before = text[: match.start()].rstrip()
            inside = bool(before) and not before.endswith((".", "?", "!"))
            previous, last[0] = (last[0] if inside else ""), word
            fixed = self.correction(word, name=inside and word[0].isupper(), previous=previous)
            if fixed is None:
                return word
            if word[0].isupper():
                fixed = fixed[0].upper() + fixed[1:]
            corrections.append(Correction(word, fixed))
            return fixed

        return _WORD.sub(replace, text), corrections
