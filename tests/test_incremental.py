"""Incremental builds: the embedding cache keyed by (model, text) means a rebuild embeds
only what is new; with nothing new the model is not even loaded."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import rebuild
from corpus import load_corpus
from embeddings.index import BuildOptions, build_index, load_index
from embeddings.passages import Chunking, Passage
from embeddings.vector_cache import VectorCache
from tests.fakes import HashingEmbedder

CHUNKING = Chunking()
SECOND_DOCUMENT = Path(__file__).parent / "corpora" / "bike-lanes" / "protected-bike-lanes.md"


class LoadCountingEmbedder(HashingEmbedder):
    """Counts model loads (the real backends load lazily; a build with everything cached
    must not load at all)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    def load(self) -> None:
        self.loads += 1


@pytest.fixture
def cache(tmp_path: Path) -> VectorCache:
    return VectorCache(tmp_path / "cache" / "embeddings.sqlite")


def texts_of(passages: list[Passage] | tuple[Passage, ...]) -> set[str]:
    return {p.embedding_text for p in passages} | {s for p in passages for s in p.sentences}


def build(corpus_dir: Path, index_dir: Path, cache: VectorCache) -> LoadCountingEmbedder:
    embedder = LoadCountingEmbedder()
    rebuild(load_corpus(corpus_dir), embedder, CHUNKING, index_dir, options=BuildOptions(cache))
    return embedder


def test_a_rebuild_with_nothing_changed_embeds_nothing_and_loads_no_model(
    article_corpus_dir: Path, tmp_path: Path, cache: VectorCache
) -> None:
    first = build(article_corpus_dir, tmp_path / "index", cache)
    index = load_index(tmp_path / "index")
    # Each distinct text is embedded once (a one-sentence paragraph is both).
    assert sorted(first.embedded) == sorted(texts_of(index.passages))
    assert first.loads == 1

    again = build(article_corpus_dir, tmp_path / "index", cache)
    assert again.embedded == [] and again.calls == 0 and again.loads == 0
    rebuilt = load_index(tmp_path / "index")
    np.testing.assert_array_equal(rebuilt.sentence_vectors, index.sentence_vectors)
    np.testing.assert_array_equal(
        rebuilt.dense.reconstruct_n(0, rebuilt.dense.ntotal),
        index.dense.reconstruct_n(0, index.dense.ntotal),
    )


def test_editing_one_comment_embeds_only_that_comments_passages_and_sentences(
    article_corpus_dir: Path, tmp_path: Path, cache: VectorCache
) -> None:
    build(article_corpus_dir, tmp_path / "index", cache)
    before = load_index(tmp_path / "index")
    article = next(article_corpus_dir.iterdir())
    comment = load_corpus(article_corpus_dir).documents[0].comments[4]
    first_words = comment.text.split("\n")[0][:60]
    text = article.read_text(encoding="utf-8")
    assert text.count(first_words) == 1
    article.write_text(text.replace(first_words, "Edited: " + first_words), encoding="utf-8")

    edited = build(article_corpus_dir, tmp_path / "index", cache)
    after = load_index(tmp_path / "index")
    changed = [p for p in after.passages if p.comment_number == comment.number]
    assert edited.embedded, "the edit must be embedded"
    assert set(edited.embedded) <= texts_of(changed)
    assert set(edited.embedded) == texts_of(changed) - texts_of(before.passages)
    assert any(t.startswith("Edited: ") for t in edited.embedded)


def test_adding_a_document_embeds_only_that_document(
    article_corpus_dir: Path, tmp_path: Path, cache: VectorCache
) -> None:
    build(article_corpus_dir, tmp_path / "index", cache)
    shutil.copy(SECOND_DOCUMENT, article_corpus_dir / SECOND_DOCUMENT.name)
    added = build(article_corpus_dir, tmp_path / "index", cache)
    index = load_index(tmp_path / "index")
    new = [p for p in index.passages if p.document == SECOND_DOCUMENT.name]
    old = [p for p in index.passages if p.document != SECOND_DOCUMENT.name]
    assert new and old
    assert set(added.embedded) == texts_of(new) - texts_of(old)


def test_vectors_come_back_exactly_and_per_model(tmp_path: Path, cache: VectorCache) -> None:
    vectors = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    cache.put("model-a", ["one", "two", "three"], vectors)
    found = cache.get("model-a", ["three", "one", "four"])
    assert set(found) == {"one", "three"}
    np.testing.assert_array_equal(found["three"], vectors[2])
    assert cache.get("model-b", ["one"]) == {}
    # Plain SQLite with raw float32 blobs: readable without our code, nothing pickled.
    with sqlite3.connect(cache.path) as db:
        [(blob,)] = db.execute("SELECT vector FROM vectors LIMIT 1").fetchall()
    assert len(blob) == 8 * 4


def test_a_damaged_cache_is_set_aside_and_the_build_still_works(
    article_corpus_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cache" / "embeddings.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    embedder = HashingEmbedder()
    index = build_index(
        load_corpus(article_corpus_dir), embedder, CHUNKING, options=BuildOptions(VectorCache(path))
    )
    assert len(index.passages) > 0 and embedder.embedded
    assert (tmp_path / "cache" / "embeddings.sqlite.damaged").is_file()
    assert VectorCache(path).get(embedder.model_id, embedder.embedded[:1])


def test_progress_starts_before_the_model_loads_and_counts_only_new_texts(
    article_corpus_dir: Path, cache: VectorCache
) -> None:
    corpus = load_corpus(article_corpus_dir)
    events: list[tuple[str, int, int]] = []
    embedder = LoadCountingEmbedder()
    build_index(
        corpus, embedder, CHUNKING, lambda *event: events.append(event), BuildOptions(cache)
    )
    stages = list(dict.fromkeys(stage for stage, _, _ in events))
    assert stages == ["reading", "loading the model", "embedding"]
    assert events[0] == ("reading", 0, events[0][2]) and events[0][2] > 0
    assert events[-1] == ("embedding", len(embedder.embedded), len(embedder.embedded))

    events.clear()
    build_index(
        corpus, LoadCountingEmbedder(), CHUNKING, lambda *e: events.append(e), BuildOptions(cache)
    )
    assert {stage for stage, _, _ in events} == {"reading"}
