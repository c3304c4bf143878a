"""What an overview selects: sentences of the document with the role each plays.

The overview methods (:mod:`bot.overview`, :mod:`bot.themes`, :mod:`bot.stance`) return
these as data; the answering core turns them into cited quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from embeddings.embedder import Vectors
from embeddings.index import PassageIndex
from embeddings.passages import Passage

Role = Literal[
    "opening",
    "question",
    "thesis",
    "support",
    "recommendation",
    "closing",
    "evidence",
    "counterpoint",
    "rebuttal",
    "concession",
    "theme",
    "agrees",
    "disagrees",
    "objection",
    "exchange",
]
Confidence = Literal["clear", "likely", "weak"]


@dataclass(frozen=True, slots=True)
class Pick:
    """Sentences of one passage to quote (positions in ``passage.sentences``), the role
    they play, and for a theme or a stance the comments behind it."""

    passage: Passage
    positions: tuple[int, ...]
    role: Role
    members: tuple[int, ...] = ()
    confidence: Confidence | None = None
    group: int = 0


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a part, located in the index (row of its vector)."""

    passage: Passage
    position: int
    row: int

    @property
    def text(self) -> str:
        return self.passage.sentences[self.position]

    @property
    def words(self) -> int:
        return len(self.text.split())


def part_sentences(index: PassageIndex, passages: list[Passage]) -> list[Sentence]:
    """The sentences of ``passages`` in order, each once (overlapping passages repeat
    a sentence at their seam)."""
    seen: set[tuple[object, str]] = set()
    out: list[Sentence] = []
    for passage in passages:
        for position, text in enumerate(passage.sentences):
            key = (passage.part_key, text)
            if key in seen:
                continue
            seen.add(key)
            out.append(Sentence(passage, position, passage.first_sentence + position))
    return out


def vectors_of(index: PassageIndex, sentences: list[Sentence]) -> Vectors:
    rows = [s.row for s in sentences]
    if not rows:
        return np.zeros((0, index.sentence_vectors.shape[1]), dtype=np.float32)
    return index.sentence_vectors[rows]


def centroid(vectors: Vectors) -> Vectors:
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


_QUOTED = re.compile(r"^(blockquote>)?\s*[“\"”].*[”\"“][.…]*$")


def own_voice(text: str) -> bool:
    """A sentence in the speaker's own voice: not an ``@Name`` line, not a quote of
    someone else, not a bare address."""
    stripped = text.strip()
    return (
        len(stripped.split()) >= 4
        and not stripped.startswith(("@", "blockquote>"))
        and not _QUOTED.match(stripped)
    )


def flat_text(text: str) -> str:
    """Lower case, words only, single spaces: for finding a quoted line in a sentence."""
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def group_by_passage(sentences: list[tuple[Sentence, Role]]) -> Iterator[Pick]:
    """Consecutive sentences of one passage with one role become one pick."""
    current: list[tuple[Sentence, Role]] = []
    for item in sentences:
        if current and (
            current[-1][0].passage.id != item[0].passage.id or current[-1][1] != item[1]
        ):
            yield _pick(current)
            current = []
        current.append(item)
    if current:
        yield _pick(current)


def _pick(items: list[tuple[Sentence, Role]]) -> Pick:
    return Pick(items[0][0].passage, tuple(s.position for s, _ in items), items[0][1])
