"""The dense (vector) index: exact inner-product search, or IVF above a size.

Up to ``approximate_above`` passages the index is exact (``IndexFlatIP``). Above it,
search scans every vector per question, so it switches to an inverted-file index
(``IndexIVFFlat``, inner product): vectors are grouped around ``sqrt(n)`` centroids and a
question scans the ``NPROBE`` nearest groups. ``benchmarks/performance.py --only ann``
measures recall@10 against exact search at 1M vectors. The IVF keeps a direct map so a
passage's vector can still be read back (``reconstruct``) for exact re-scoring.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

from embeddings.embedder import Vectors

DEFAULT_APPROXIMATE_ABOVE = 200_000
NPROBE = 48
TRAINING_PER_LIST = 50  # faiss wants at least 39 training vectors per centroid


def build_dense(
    vectors: Vectors, approximate_above: int = DEFAULT_APPROXIMATE_ABOVE, seed: int = 0
) -> faiss.Index:
    """An inner-product index over ``vectors`` (rows), exact or IVF by size."""
    count, dimension = vectors.shape
    if count <= approximate_above:
        flat = faiss.IndexFlatIP(dimension)
        if count:
            flat.add(vectors)
        return flat
    lists = max(16, int(math.sqrt(count)))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
    sample = min(count, lists * TRAINING_PER_LIST)
    rows = np.random.default_rng(seed).choice(count, sample, replace=False)
    index.train(np.ascontiguousarray(vectors[np.sort(rows)]))
    index.add(vectors)
    prepare(index)
    return index


def prepare(index: faiss.Index) -> faiss.Index:
    """Search settings that are not stored in the file: IVF probes and the direct map."""
    if isinstance(index, faiss.IndexIVF):
        index.nprobe = min(NPROBE, index.nlist)
        index.make_direct_map()
    return index


def is_exact(index: faiss.Index) -> bool:
    return isinstance(index, faiss.IndexFlat)
