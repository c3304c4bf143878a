"""The main themes among the comments, by clustering them with the same model.

Each comment is one vector: the mean of its own-voice sentences (quoted lines and
``@Name`` lines left out, so a reply is grouped by what it says, not by what it quotes).
The vectors are centred first (the mean comment vector is subtracted and each is
normalised again): every comment on one article shares its topic, and that shared
direction would otherwise outweigh what sets the comments apart. Comments are then
grouped by average-linkage agglomerative clustering on cosine similarity, down to about
√n groups (at most :data:`MAX_THEMES`). A theme is a group of at least two
comments; each is shown with its size, its comments, and the sentence that stands for it:
the closest to the group's centre among those that state something on their own (a
question, a sentence leaning on the one before, "It closed…", or a short one counts
for less).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from bot.picks import (
    Pick,
    Sentence,
    centroid,
    flat_text,
    own_voice,
    part_sentences,
    vectors_of,
)
from corpus.model import Document
from embeddings.embedder import Vectors
from embeddings.index import PassageIndex
from embeddings.passages import Passage

MAX_THEMES = 5
# A representative sentence is short enough to quote and long enough to say something.
QUOTE_WORDS = (6, 40)
# A sentence that leans on the one before ("It closed…", "Those are…") or only asks
# states its theme less clearly than one that stands on its own: what it costs.
_LEANING = re.compile(
    r"^(?:it|this|that|these|those|they|he|she|such|so|thus|hence|therefore|and|but|or|which"
    r"|then)\b",
    re.IGNORECASE,
)
QUESTION_COST = 0.2
LEANING_COST = 0.1
SHORT_WORDS = 10
SHORT_COST = 0.05


@dataclass(frozen=True, slots=True)
class CommentView:
    """One comment: its number, its own-voice sentences and their mean vector."""

    number: int
    sentences: list[Sentence]
    vector: Vectors


def comment_views(index: PassageIndex, document: Document) -> list[CommentView]:
    """Each comment of ``document`` with its own-voice sentences (not the lines it
    quotes) and their mean vector."""
    by_comment: dict[int, list[Passage]] = {}
    for passage in index.passages:
        if passage.document == document.path and passage.comment_number is not None:
            by_comment.setdefault(passage.comment_number, []).append(passage)
    views = []
    for number, passages in sorted(by_comment.items()):
        comment = document.comment(number)
        quoted = [flat_text(q) for q in comment.quotes] if comment else []
        sentences = part_sentences(index, passages)
        own = [
            s
            for s in sentences
            if own_voice(s.text) and not any(_within_quote(s.text, q) for q in quoted)
        ] or sentences
        if own:
            views.append(CommentView(number, own, centroid(vectors_of(index, own))))
    return views


def _within_quote(sentence: str, quote: str) -> bool:
    flat = flat_text(sentence)
    return len(flat) >= 12 and flat in quote


def centred(vectors: Vectors) -> Vectors:
    """``vectors`` minus their mean, normalised again (what sets each apart)."""
    if len(vectors) < 2:
        return vectors
    shifted = vectors - vectors.mean(axis=0)
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return shifted / np.where(norms > 0, norms, 1.0)


def cluster(vectors: Vectors, groups: int) -> list[list[int]]:
    """Average-linkage agglomerative clustering on cosine similarity, down to
    ``groups`` clusters; clusters as lists of row indexes, largest first."""
    clusters = [[i] for i in range(len(vectors))]
    if len(vectors) == 0:
        return []
    similarity = vectors @ vectors.T
    while len(clusters) > max(groups, 1):
        best = (-2.0, 0, 1)
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                linkage = float(similarity[np.ix_(clusters[a], clusters[b])].mean())
                if linkage > best[0]:
                    best = (linkage, a, b)
        _, a, b = best
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]
    return sorted(clusters, key=lambda c: (-len(c), c[0]))


def _unclear(text: str) -> float:
    """How much less clearly ``text`` states a theme on its own: a question, a sentence
    leaning on the one before, a short one."""
    stripped = text.strip()
    cost = QUESTION_COST if stripped.endswith("?") else 0.0
    cost += LEANING_COST if _LEANING.match(stripped) else 0.0
    return cost + (SHORT_COST if len(stripped.split()) < SHORT_WORDS else 0.0)


def theme_count(comments: int) -> int:
    return max(1, min(MAX_THEMES, round(math.sqrt(comments))))


def comment_themes(index: PassageIndex, document: Document, limit: int) -> tuple[list[Pick], int]:
    """One pick per theme (then second voices for the largest, while ``limit`` allows),
    and how many comments were read. ``Pick.members`` lists the theme's comments and
    ``Pick.group`` numbers the theme from 1."""
    views = comment_views(index, document)
    if not views:
        return [], 0
    raw = np.stack([v.vector for v in views])
    mean = raw.mean(axis=0)
    vectors = centred(raw)
    clusters = [c for c in cluster(vectors, theme_count(len(views))) if len(c) >= 2]
    if not clusters:
        clusters = [list(range(len(views)))]
    picks: list[Pick] = []
    quoted: set[int] = set()
    rounds = 0
    while len(picks) < limit and rounds < 2:
        for group, members in enumerate(clusters, start=1):
            if len(picks) >= limit:
                break
            if rounds and len(members) < 3:
                continue
            centre = centroid(vectors[members])
            numbers = tuple(views[m].number for m in members)
            candidates = [
                s
                for m in members
                if views[m].number not in quoted
                for s in views[m].sentences
                if QUOTE_WORDS[0] <= s.words <= QUOTE_WORDS[1]
            ] or [s for m in members if views[m].number not in quoted for s in views[m].sentences]
            if not candidates:
                continue
            scores = (vectors_of(index, candidates) - mean) @ centre
            scores -= np.array([_unclear(s.text) for s in candidates])
            best = candidates[int(np.argmax(scores))]
            number = best.passage.comment_number
            assert number is not None
            quoted.add(number)
            picks.append(Pick(best.passage, (best.position,), "theme", numbers, group=group))
        rounds += 1
    picks.sort(key=lambda p: (p.group, p.passage.comment_number or 0))
    return picks, len(views)
