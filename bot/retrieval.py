"""Hybrid retrieval: dense (FAISS) and BM25 rankings fused by reciprocal rank fusion,
within the scope a question names (a commenter's comments, the article, the comments)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.questions import Scope
from embeddings.embedder import Vectors
from embeddings.index import PassageIndex
from embeddings.passages import Passage
from embeddings.search import dense_search, reciprocal_rank_fusion

CANDIDATES = 30


@dataclass(frozen=True, slots=True)
class Ranked:
    """A retrieved passage with its fused score and the dense / BM25 scores behind it."""

    passage: Passage
    fused: float
    dense: float
    sparse: float


@dataclass(frozen=True, slots=True)
class Retrieval:
    ranked: tuple[Ranked, ...]
    matched_terms: tuple[str, ...]

    @property
    def best_dense(self) -> float:
        return max((r.dense for r in self.ranked), default=-1.0)


def scope_ids(index: PassageIndex, scope: Scope) -> list[int] | None:
    """Passage ids inside ``scope``; ``None`` means all."""
    if scope.commenters:
        wanted = set(scope.commenters)
        return [p.id for p in index.passages if p.source_type == "comment" and p.author in wanted]
    if scope.source is not None:
        return [p.id for p in index.passages if p.source_type == scope.source]
    return None


def retrieve(
    index: PassageIndex, query: str, query_vector: Vectors, scope: Scope, k: int = CANDIDATES
) -> Retrieval:
    allowed = scope_ids(index, scope)
    if allowed is not None and not allowed:
        allowed = None
    dense_hits = dense_search(index.dense, query_vector, k, allowed)
    sparse_hits = index.sparse.search(query, k, allowed)
    fused = reciprocal_rank_fusion([dense_hits, sparse_hits])
    dense_scores = {h.passage_id: h.score for h in dense_hits}
    sparse_scores = {h.passage_id: h.score for h in sparse_hits}
    missing = [h.passage_id for h in fused if h.passage_id not in dense_scores]
    if missing:
        vectors = np.vstack([index.dense.reconstruct(i) for i in missing])
        dense_scores.update(zip(missing, (vectors @ query_vector).tolist(), strict=True))
    ranked = tuple(
        Ranked(index.passages[h.passage_id], h.score, dense_scores[h.passage_id],
               sparse_scores.get(h.passage_id, 0.0))
        for h in fused[:k]
    )
    return Retrieval(ranked, tuple(index.sparse.known_terms(query)))
