"""BM25: scores read straight from bm25s's saved arrays equal bm25s's own, and answering
never imports bm25s (nor scipy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np

from corpus import load_corpus
from embeddings.passages import Chunking, chunk_documents
from embeddings.sparse import SparseIndex, tokenize

QUERIES = [
    "Seth Rich leaked the DNC emails",
    "sanctions sanctions Russia",  # a repeated term counts twice
    "NATO expansion Bucharest summit Georgia",
    "petrodollar reserve currency oil",
    "zzzz unknown words only",
]


def test_saved_scores_match_bm25s(article_corpus_dir: Path, tmp_path: Path) -> None:
    passages = chunk_documents(load_corpus(article_corpus_dir).documents, Chunking())
    texts = [p.embedding_text for p in passages]
    built = SparseIndex.build(texts)
    built.save(tmp_path / "sparse")
    loaded = SparseIndex.load(tmp_path / "sparse", len(texts))
    reference = bm25s.BM25.load(str(tmp_path / "sparse"), allow_pickle=False)
    for query in QUERIES:
        terms = [t for t in tokenize(query) if t in (reference.vocab_dict or {})]
        expected = (
            np.asarray(reference.get_scores(terms), dtype=np.float32)
            if terms
            else np.zeros(len(texts), dtype=np.float32)
        )
        np.testing.assert_allclose(loaded.scores(query), expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(built.scores(query), expected, rtol=1e-6, atol=1e-6)
    assert loaded.scores("Seth Rich").max() > 0
    assert loaded.document_frequency(tokenize("Bucharest")[0]) >= 1


def test_loading_an_index_does_not_import_bm25s_or_scipy(fake_knowledge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = (
        "import sys\n"
        "from embeddings.index import load_index\n"
        f"index = load_index(__import__('pathlib').Path({str(tmp_path / 'index')!r}))\n"
        "assert index.sparse.search('Seth Rich', 3)\n"
        "print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
