"""The dense index: exact up to a size, IVF above it, and search over either."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import open_knowledge
from embeddings.dense import build_dense
from embeddings.embedder import normalise
from embeddings.index import BuildOptions, load_index
from embeddings.passages import Chunking
from embeddings.search import dense_search
from tests.fakes import HashingEmbedder


def clustered(count: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, dimension))
    rows = centres[rng.integers(0, 40, count)] + 0.5 * rng.standard_normal((count, dimension))
    return normalise(rows)


def test_small_is_exact_and_large_is_ivf_with_high_recall() -> None:
    vectors = clustered(4000)
    assert isinstance(build_dense(vectors, approximate_above=4000), faiss.IndexFlatIP)
    ivf = build_dense(vectors, approximate_above=1000)
    assert isinstance(ivf, faiss.IndexIVFFlat) and ivf.ntotal == 4000
    exact = build_dense(vectors, approximate_above=10_000)
    queries = clustered(50, seed=1)
    found = sum(
        len(
            {h.passage_id for h in dense_search(ivf, q, 10)}
            & {h.passage_id for h in dense_search(exact, q, 10)}
        )
        for q in queries
    )
    assert found / (50 * 10) >= 0.95
    np.testing.assert_allclose(ivf.reconstruct(123), vectors[123], atol=1e-6)


def test_a_search_among_allowed_ids_is_exact_on_ivf_too() -> None:
    vectors = clustered(3000)
    ivf = build_dense(vectors, approximate_above=1000)
    exact = build_dense(vectors, approximate_above=10_000)
    allowed = list(range(7, 3000, 97))  # 31 passages scattered over every group
    query = clustered(1, seed=5)[0]
    got = dense_search(ivf, query, 5, allowed)
    want = dense_search(exact, query, 5, allowed)
    assert [h.passage_id for h in got] == [h.passage_id for h in want]
    np.testing.assert_allclose([h.score for h in got], [h.score for h in want], rtol=1e-5)


def test_an_ivf_index_is_saved_loaded_and_answers(article_corpus_dir: Path, tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    options = BuildOptions(approximate_above=20)
    knowledge = open_knowledge(
        article_corpus_dir, tmp_path / "index", embedder, Chunking(), options=options
    )
    assert isinstance(knowledge.index.dense, faiss.IndexIVFFlat)
    loaded = load_index(tmp_path / "index")
    assert isinstance(loaded.dense, faiss.IndexIVFFlat) and loaded.dense.nprobe > 1
    reply = Answerer(knowledge, embedder, AnswerSettings()).answer(
        "What did Gazza say about the DNC emails?"
    )
    assert reply.found and reply.citations
