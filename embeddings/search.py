"""Search as a function over vectors: query vectors in, passage ids and scores out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from embeddings.embedder import Vectors


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage id with its score (higher is better; cosine for dense search)."""

    passage_id: int
    score: float


def dense_search(
    index: faiss.Index, query: Vectors, k: int, allowed: Sequence[int] | None = None
) -> list[Hit]:
    """Top ``k`` passages by inner product, optionally only among ``allowed`` ids.

    ``k`` is clamped to the index size; FAISS pads with ``-1`` labels when it has fewer
    than ``k`` results, and those are dropped. On an approximate (IVF) index a search
    among ``allowed`` ids is exact over their stored vectors: probing only the nearest
    groups could miss every allowed passage.
    """
    k = min(k, index.ntotal if allowed is None else len(allowed))
    if k <= 0:
        return []
    params = None
    if allowed is not None and not isinstance(index, faiss.IndexFlat):
        ids = np.asarray(sorted(set(allowed)), dtype=np.int64)
        vectors = index.reconstruct_batch(ids)
        scores = vectors @ np.asarray(query, dtype=np.float32).reshape(-1)
        best = np.argsort(-scores, kind="stable")[:k]
        return [Hit(int(ids[i]), float(scores[i])) for i in best]
    if allowed is not None:
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]  # SWIG kwargs
    scores, labels = index.search(
        np.asarray(query, dtype=np.float32).reshape(1, -1), k, params=params
    )
    return [Hit(int(i), float(s)) for i, s in zip(labels[0], scores[0], strict=True) if i >= 0]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Hit]], k: int = 60, weights: Sequence[float] | None = None
) -> list[Hit]:
    """Fuse ranked lists: each passage scores sum(weight / (k + rank)) over the lists."""
    weights = [1.0] * len(rankings) if weights is None else weights
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.passage_id] = fused.get(hit.passage_id, 0.0) + weight / (k + rank)
    return [Hit(i, s) for i, s in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))]
