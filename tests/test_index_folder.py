"""Never delete what the bot didn't write, and never trust index bytes unchecked: target
refusal, the marker, leftovers of killed builds, checksums and vector checks."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.knowledge import index_spec, open_knowledge, rebuild
from corpus import load_corpus
from corpus.errors import IndexCorruptError, IndexLocationError, IndexStaleError, ModelError
from embeddings.embedder import Vectors
from embeddings.index import load_index
from embeddings.index_folder import MARKER
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def user_folder(folder: Path) -> dict[str, bytes]:
    (folder / "photos").mkdir(parents=True)
    (folder / "thesis.txt").write_text("three years of work\n", encoding="utf-8")
    (folder / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    return snapshot(folder)


def build(corpus_dir: Path, index_dir: Path, embedder: HashingEmbedder | None = None) -> list[str]:
    notices: list[str] = []
    open_knowledge(
        corpus_dir, index_dir, embedder or HashingEmbedder(), Chunking(), notify=notices.append
    )
    return notices


# --- refusing a target the bot didn't write (rows 1 and 8) -------------------------------


def test_a_folder_of_the_users_files_is_refused_and_kept(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    folder = tmp_path / "my-files"
    before = user_folder(folder)
    embedder = HashingEmbedder()
    with pytest.raises(IndexLocationError) as caught:
        open_knowledge(article_corpus_dir, folder, embedder, Chunking())
    message = str(caught.value)
    assert message == (
        f"won't write the index to {folder}: it holds files article-bot didn't write "
        "(photos, thesis.txt); set ARTICLE_BOT_INDEX_DIR to a new or empty folder"
    )
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "my-files", "work"]
    assert embedder.calls == 0  # refused before anything was embedded
    # The same through an explicit rebuild.
    with pytest.raises(IndexLocationError, match="didn't write"):
        rebuild(load_corpus(article_corpus_dir), embedder, Chunking(), folder)
    assert snapshot(folder) == before


def test_an_index_folder_with_a_file_added_by_the_user_is_refused(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / "manifest.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(IndexLocationError, match=r"didn't write \(notes\.txt\)"):
        build(article_corpus_dir, folder)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_a_regular_file_is_refused_not_moved_aside(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    target = tmp_path / "index"
    target.write_text("a file of the user's\n", encoding="utf-8")
    with pytest.raises(IndexLocationError, match="it is a file, not a folder"):
        build(article_corpus_dir, target)
    assert target.read_text(encoding="utf-8") == "a file of the user's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index", "work"]


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (lambda corpus: corpus, "it is the corpus folder"),
        (lambda corpus: corpus / "index", "it lies inside the corpus folder"),
        (lambda corpus: corpus / "sub" / ".index", "it lies inside the corpus folder"),
        (lambda corpus: corpus.parent, "lies inside it"),
    ],
)
def test_the_corpus_folder_and_anything_inside_it_are_refused(
    article_corpus_dir: Path,
    where,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    before = snapshot(article_corpus_dir)
    with pytest.raises(IndexLocationError, match=reason):
        build(article_corpus_dir, where(article_corpus_dir))
    assert snapshot(article_corpus_dir) == before
    assert not (article_corpus_dir / "index").exists()


@pytest.mark.parametrize(
    "where",
    [
        lambda tmp: tmp / "a-file" / "index",
        lambda tmp: tmp / "a-file" / "deeper" / "index",
        lambda tmp: Path("/proc/article-bot-test/index"),
        lambda tmp: Path("/proc/sys/article-bot/index"),
    ],
)
def test_an_unwritable_place_is_one_line_before_anything_is_embedded(
    tmp_path: Path,
    article_corpus_dir: Path,
    where,  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "a-file").write_text("x\n", encoding="utf-8")
    embedder = HashingEmbedder()
    with pytest.raises(IndexLocationError) as caught:
        open_knowledge(article_corpus_dir, where(tmp_path), embedder, Chunking())
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"won't write the index to {where(tmp_path)}: ")
    assert embedder.calls == 0
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "x\n"


def test_an_empty_folder_is_used(tmp_path: Path, article_corpus_dir: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    notices = build(article_corpus_dir, folder)
    assert notices[0].startswith(f"no index at {folder}")
    assert (folder / MARKER).is_file()


def test_an_index_from_before_markers_is_rebuilt_cleanly(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    """A format-2 index (no marker, no checksums) is recognised as the bot's and replaced."""
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    (folder / MARKER).unlink()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 2
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexStaleError, match="index format 2, this version reads 3"):
        load_index(folder)
    notices = build(article_corpus_dir, folder)
    assert "index format 2" in notices[0]
    assert (folder / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- leftovers of killed builds (row 15) -------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_build_removes_what_killed_builds_left_and_only_that(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    pid = dead_pid()
    killed_new = tmp_path / f".index.new-{pid}-k1ll3d0x"
    killed_old = tmp_path / f".index.old-{pid}-1764072000000000000"
    legacy_new = tmp_path / ".index.new-ab12_xyz"  # written by a build before markers
    for staging in (killed_new, killed_old, legacy_new):
        staging.mkdir()
        (staging / "dense.faiss").write_bytes(b"partial")
    (killed_new / MARKER).write_text("marker\n", encoding="utf-8")
    live = tmp_path / f".index.new-{os.getpid()}-l1ve0000"  # a build running right now
    live.mkdir()
    users = tmp_path / ".index.new-notes"
    users.mkdir()
    (users / "todo.txt").write_text("mine\n", encoding="utf-8")
    other_index = tmp_path / f".other.new-{pid}-k1ll3d0x"
    other_index.mkdir()

    notices = build(article_corpus_dir, folder, HashingEmbedder(model_id="test:changed"))
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert left == sorted([live.name, users.name, other_index.name])
    assert (users / "todo.txt").read_text(encoding="utf-8") == "mine\n"
    removed = [n for n in notices if n.startswith("removed ")]
    assert len(removed) == 3
    assert all(n.endswith("left beside the index by an interrupted build") for n in removed)
    assert load_index(folder).manifest.model == "test:changed"


# --- integrity (row 4) -------------------------------------------------------------------


def flip_bytes(path: Path, offset: int, count: int = 8) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_bytes_inside_the_vectors_are_caught_before_faiss_reads_them(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    dense = folder / "dense.faiss"
    size = dense.stat().st_size
    flip_bytes(dense, size // 2)
    assert dense.stat().st_size == size
    faiss.read_index(str(dense))  # FAISS itself reads the damaged file without complaint
    with pytest.raises(IndexCorruptError, match=r"dense\.faiss doesn't match its SHA-256"):
        load_index(folder)
    notices = build(article_corpus_dir, folder)
    assert notices == [
        f"the index at {folder} is damaged (dense.faiss doesn't match its SHA-256 in "
        "manifest.json); building it now",
        "built the index: 1 document(s), 80 passages in " + notices[1].rsplit(" in ", 1)[1],
    ]
    load_index(folder)


def rewrite_with_checksums(folder: Path, name: str, data: bytes) -> None:
    """Damage a file and fix up its checksum, as if the manifest were rewritten too."""
    (folder / name).write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256(data).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    ("bad", "detail"),
    [
        (np.nan, "sentence vectors: non-finite values"),
        (np.inf, "sentence vectors: non-finite values"),
        (3.0, "sentence vectors: row 5 has length"),
    ],
)
def test_vectors_that_are_not_finite_or_not_unit_length_are_refused(
    tmp_path: Path, article_corpus_dir: Path, bad: float, detail: str
) -> None:
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    vectors = np.load(folder / "sentences.npy", allow_pickle=False)
    vectors[5] = vectors[5] * bad if np.isfinite(bad) else bad
    np.save(tmp_path / "v.npy", vectors, allow_pickle=False)
    rewrite_with_checksums(folder, "sentences.npy", (tmp_path / "v.npy").read_bytes())
    with pytest.raises(IndexCorruptError, match=detail):
        load_index(folder)


def test_passage_vectors_are_checked_too(tmp_path: Path, article_corpus_dir: Path) -> None:
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    dense = faiss.read_index(str(folder / "dense.faiss"))
    vectors = dense.reconstruct_n(0, dense.ntotal)
    vectors[7] *= 0.5
    damaged = faiss.IndexFlatIP(dense.d)
    damaged.add(vectors)
    faiss.write_index(damaged, str(tmp_path / "d.faiss"))
    rewrite_with_checksums(folder, "dense.faiss", (tmp_path / "d.faiss").read_bytes())
    with pytest.raises(IndexCorruptError, match=r"passage vectors: row 7 has length 0\.5"):
        load_index(folder)


class NanEmbedder(HashingEmbedder):
    def embed_documents(self, texts):  # type: ignore[no-untyped-def]
        vectors: Vectors = super().embed_documents(texts)
        vectors[len(vectors) // 2] = np.nan
        return vectors


def test_a_model_returning_bad_vectors_writes_no_index(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    folder = tmp_path / "index"
    build(article_corpus_dir, folder)
    before = snapshot(folder)
    with pytest.raises(ModelError, match="unusable vectors \\(non-finite values\\)"):
        build(article_corpus_dir, folder, NanEmbedder(model_id="test:nan"))
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index", "work"]
    load_index(folder, index_spec(load_corpus(article_corpus_dir), HashingEmbedder(), Chunking()))
