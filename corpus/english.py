"""General English word frequencies, for telling ordinary words from names and typos.

The list is SymSpell's (the ``symspellpy`` package): the 82,765 most frequent English
words with their counts in Google Books Ngrams, most frequent first.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources


@cache
def english_counts() -> Mapping[str, int]:
    """Lower-case word -> its count, most frequent first."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        if word and count.strip().isdigit():
            counts[word] = int(count)
    return counts


@cache
def most_common(limit: int) -> frozenset[str]:
    """The ``limit`` most frequent English words ("the", "will", "said", "article"...)."""
    return frozenset(list(english_counts())[:limit])
