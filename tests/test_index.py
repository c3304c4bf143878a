"""The index folder: manifest, round trip, no pickle, staleness, corruption, atomic
rebuilds, and search over the arrays."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.knowledge import index_spec, open_knowledge
from corpus import load_corpus
from corpus.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from embeddings.embedder import Vectors
from embeddings.index import FORMAT_VERSION, IndexSpec, build_index, load_index, save_index
from embeddings.passages import Chunking
from embeddings.search import Hit, dense_search, reciprocal_rank_fusion
from tests.fakes import HashingEmbedder

DEFAULT_CHUNKING = Chunking()


class FailingEmbedder(HashingEmbedder):
    """Embeds the first ``good_batches`` batches, then fails like a crashed model would."""

    def __init__(self, good_batches: int = 1) -> None:
        super().__init__()
        self.good_batches = good_batches

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if self.calls >= self.good_batches:
            raise RuntimeError("model crashed mid-build")
        return super().embed_documents(texts)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def built(article_corpus_dir: Path, index_dir: Path, fake_embedder: HashingEmbedder) -> Path:
    open_knowledge(article_corpus_dir, index_dir, fake_embedder, Chunking())
    return index_dir


def spec_for(
    corpus_dir: Path, embedder: HashingEmbedder, chunking: Chunking = DEFAULT_CHUNKING
) -> IndexSpec:
    return index_spec(load_corpus(corpus_dir), embedder, chunking)


def leftovers(index_dir: Path) -> list[str]:
    return sorted(
        p.name for p in index_dir.parent.iterdir() if p.name.startswith(f".{index_dir.name}")
    )


# --- manifest and round trip -------------------------------------------------------------


def test_manifest_records_what_the_index_was_built_from(
    built: Path, article_corpus_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    corpus = load_corpus(article_corpus_dir)
    assert manifest["format_version"] == FORMAT_VERSION == 3
    assert manifest["model"] == "test:hashing-bag-of-words"
    assert manifest["dimension"] == fake_embedder.dimension == 256
    assert manifest["corpus_fingerprint"] == corpus.fingerprint
    assert len(manifest["corpus_fingerprint"]) == 64
    assert manifest["chunking"] == {"max_words": 80, "overlap_max_words": 25}
    assert manifest["passages"] == 80
    [document] = manifest["documents"]
    assert document["path"] == "rapprochement-with-russia.txt"
    assert (document["paragraphs"], document["comments"]) == (11, 19)
    assert sorted(p.name for p in built.iterdir()) == [
        ".article-bot-index",
        "dense.faiss",
        "manifest.json",
        "passages.jsonl",
        "sentences.npy",
        "sparse",
    ]


def test_save_and_load_round_trip(article_corpus_dir: Path, index_dir: Path) -> None:
    embedder = HashingEmbedder()
    corpus = load_corpus(article_corpus_dir)
    index = save_index(build_index(corpus, embedder, Chunking()), index_dir)
    loaded = load_index(index_dir, index_spec(corpus, embedder, Chunking()))
    assert loaded.passages == index.passages
    assert loaded.manifest == index.manifest
    assert loaded.dense.ntotal == index.dense.ntotal == len(index.passages)
    np.testing.assert_array_equal(loaded.sentence_vectors, index.sentence_vectors)
    query = embedder.embed_query("Seth Rich DNC emails leaked")
    assert dense_search(loaded.dense, query, 5) == dense_search(index.dense, query, 5)
    assert loaded.sparse.search("Seth Rich leaked", 5) == index.sparse.search("Seth Rich leaked", 5)
    assert loaded.sparse.search("Seth Rich leaked", 1)[0].passage_id in {
        p.id for p in loaded.passages if p.comment_number == 17
    }


def test_nothing_is_pickled(built: Path) -> None:
    files = [p for p in built.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".pkl", ".pickle", ".pt", ".joblib")]
    npy = [p for p in files if p.suffix == ".npy"]
    assert len(npy) >= 2  # sentence vectors and the BM25 arrays
    for path in npy:
        array = np.load(path, allow_pickle=False)
        assert array.dtype != object, path
    for path in files:
        if path.suffix in (".json", ".jsonl"):
            for line in (
                path.read_text(encoding="utf-8").splitlines()
                if path.suffix == ".jsonl"
                else [path.read_text(encoding="utf-8")]
            ):
                json.loads(line)


def test_a_missing_index_says_how_to_build_it(index_dir: Path) -> None:
    with pytest.raises(IndexMissingError, match="article-bot rebuild-index"):
        load_index(index_dir)


# --- staleness ---------------------------------------------------------------------------


def test_an_index_is_current_for_what_it_was_built_from(
    built: Path, article_corpus_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    load_index(built, spec_for(article_corpus_dir, fake_embedder))


def test_stale_when_a_corpus_file_changes(
    built: Path, article_corpus_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    article = article_corpus_dir / "rapprochement-with-russia.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="corpus files changed"):
        load_index(built, spec_for(article_corpus_dir, fake_embedder))


def test_stale_when_a_document_is_added(
    built: Path, article_corpus_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    (article_corpus_dir / "notes.md").write_text("# Notes\n\nA paragraph.\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="corpus files changed"):
        load_index(built, spec_for(article_corpus_dir, fake_embedder))


def test_stale_when_the_model_changes(built: Path, article_corpus_dir: Path) -> None:
    other = HashingEmbedder(model_id="test:another-model")
    with pytest.raises(IndexStaleError, match="test:another-model"):
        load_index(built, spec_for(article_corpus_dir, other))


def test_stale_when_chunking_changes(
    built: Path, article_corpus_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    with pytest.raises(IndexStaleError, match="chunking"):
        load_index(built, spec_for(article_corpus_dir, fake_embedder, Chunking(max_words=60)))


def test_open_knowledge_rebuilds_a_stale_index_and_says_so(
    built: Path, article_corpus_dir: Path
) -> None:
    notices: list[str] = []
    embedder = HashingEmbedder(model_id="test:another-model")
    knowledge = open_knowledge(
        article_corpus_dir, built, embedder, Chunking(), notify=notices.append
    )
    assert knowledge.index.manifest.model == "test:another-model"
    assert any("stale" in n and "building it now" in n for n in notices)
    assert any(n.startswith("built the index: 1 document(s), 80 passages") for n in notices)
    assert leftovers(built) == []


def test_open_knowledge_reuses_a_current_index(built: Path, article_corpus_dir: Path) -> None:
    embedder = HashingEmbedder()
    notices: list[str] = []
    open_knowledge(article_corpus_dir, built, embedder, Chunking(), notify=notices.append)
    assert notices == []
    assert embedder.calls == 0


# --- corruption --------------------------------------------------------------------------


def truncate_faiss(folder: Path) -> None:
    path = folder / "dense.faiss"
    path.write_bytes(path.read_bytes()[:100])


def break_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text('{"format_version": 1, "model": ', encoding="utf-8")


def drop_a_passage(folder: Path) -> None:
    path = folder / "passages.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def garble_a_passage(folder: Path) -> None:
    path = folder / "passages.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3]) + "{not json\n" + "".join(lines[4:]), encoding="utf-8")


def delete_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def truncate_sentences(folder: Path) -> None:
    path = folder / "sentences.npy"
    path.write_bytes(path.read_bytes()[:200])


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        (truncate_faiss, "dense.faiss doesn't match its SHA-256 in manifest.json"),
        (break_manifest, "manifest.json can't be read"),
        (delete_manifest, "manifest.json is missing"),
        (drop_a_passage, "passages.jsonl doesn't match its SHA-256"),
        (garble_a_passage, "passages.jsonl doesn't match its SHA-256"),
        (truncate_sentences, "sentences.npy doesn't match its SHA-256"),
    ],
)
def test_a_corrupt_index_says_how_to_rebuild_and_is_rebuilt_with_a_note(
    built: Path,
    article_corpus_dir: Path,
    fake_embedder: HashingEmbedder,
    damage,
    detail: str,  # type: ignore[no-untyped-def]
) -> None:
    damage(built)
    with pytest.raises(IndexCorruptError) as caught:
        load_index(built, spec_for(article_corpus_dir, fake_embedder))
    message = str(caught.value)
    assert detail in message
    assert "rebuild it with `article-bot rebuild-index`" in message
    assert str(built) in message
    # The folder is the bot's own (marker), so opening it rebuilds, saying why in one line.
    notices: list[str] = []
    knowledge = open_knowledge(
        article_corpus_dir, built, fake_embedder, Chunking(), notify=notices.append
    )
    assert len(knowledge.index.passages) == 80
    assert notices[0].startswith(f"the index at {built} is damaged (") and detail in notices[0]
    assert notices[0].endswith("; building it now")
    load_index(built, spec_for(article_corpus_dir, fake_embedder))


# --- atomic rebuilds ---------------------------------------------------------------------


def test_a_build_that_fails_midway_leaves_the_previous_index(
    built: Path, article_corpus_dir: Path, fake_embedder: HashingEmbedder
) -> None:
    old_spec = spec_for(article_corpus_dir, fake_embedder)
    before = load_index(built, old_spec)
    article = article_corpus_dir / "rapprochement-with-russia.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nA change.\n", encoding="utf-8")

    failing = FailingEmbedder(good_batches=1)
    with pytest.raises(RuntimeError, match="mid-build"):
        open_knowledge(article_corpus_dir, built, failing, Chunking())
    assert failing.calls == 1  # it really got part of the way

    after = load_index(built, old_spec)
    assert after.manifest == before.manifest
    assert after.passages == before.passages
    assert leftovers(built) == []


def test_replacing_an_index_leaves_no_temporary_folders(
    built: Path, article_corpus_dir: Path
) -> None:
    for model in ("test:a", "test:b"):
        open_knowledge(article_corpus_dir, built, HashingEmbedder(model_id=model), Chunking())
    assert load_index(built).manifest.model == "test:b"
    assert leftovers(built) == []
    assert sorted(p.name for p in built.parent.iterdir()) == ["corpus", "index", "work"]


# --- search ------------------------------------------------------------------------------


def small_index(vectors: list[list[float]]) -> faiss.Index:
    array = np.asarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatIP(array.shape[1])
    index.add(array)
    return index


def test_dense_search_ranks_by_inner_product() -> None:
    index = small_index([[1, 0], [0, 1], [0.6, 0.8]])
    hits = dense_search(index, np.asarray([1, 0], dtype=np.float32), 3)
    assert [h.passage_id for h in hits] == [0, 2, 1]
    assert hits[0].score == pytest.approx(1.0)
    assert all(isinstance(h, Hit) for h in hits)


def test_dense_search_clamps_k_to_the_index_size() -> None:
    index = small_index([[1, 0], [0, 1], [0.6, 0.8]])
    hits = dense_search(index, np.asarray([0, 1], dtype=np.float32), 50)
    assert sorted(h.passage_id for h in hits) == [0, 1, 2]
    assert dense_search(index, np.asarray([0, 1], dtype=np.float32), 0) == []
    assert dense_search(faiss.IndexFlatIP(2), np.asarray([0, 1], dtype=np.float32), 5) == []


def test_dense_search_honours_allowed_ids() -> None:
    index = small_index([[1, 0], [0.9, 0.1], [0, 1], [0.5, 0.5]])
    hits = dense_search(index, np.asarray([1, 0], dtype=np.float32), 10, allowed=[2, 3])
    assert [h.passage_id for h in hits] == [3, 2]
    assert dense_search(index, np.asarray([1, 0], dtype=np.float32), 10, allowed=[]) == []


def test_dense_search_drops_the_minus_one_labels() -> None:
    # Two allowed ids but only one exists: FAISS pads the second result with -1.
    index = small_index([[1, 0], [0, 1]])
    hits = dense_search(index, np.asarray([1, 0], dtype=np.float32), 10, allowed=[1, 99])
    assert hits == [Hit(1, pytest.approx(0.0))]


def test_filtered_search_on_a_real_index_stays_in_scope(built: Path) -> None:
    index = load_index(built)
    embedder = HashingEmbedder()
    gazza = [p.id for p in index.passages if p.author == "Gazza"]
    query = embedder.embed_query("Russia Putin Trump")
    dense = dense_search(index.dense, query, 10, allowed=gazza)
    sparse = index.sparse.search("Russia Putin Trump", 10, allowed=gazza)
    assert dense and {h.passage_id for h in dense} <= set(gazza)
    assert sparse and {h.passage_id for h in sparse} <= set(gazza)
    everything = dense_search(index.dense, query, 10)
    assert not {h.passage_id for h in everything} <= set(gazza)


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([[Hit(1, 0.9), Hit(2, 0.8)], [Hit(2, 5.0), Hit(3, 4.0)]])
    assert [h.passage_id for h in fused] == [2, 1, 3]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
