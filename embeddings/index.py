"""The on-disk index: a folder of plain files, written atomically.

    INDEX_DIR/
      .article-bot-index  marker: article-bot wrote this folder (see index_folder.py)
      manifest.json       format version, model id, dimension, corpus fingerprint,
                          chunking, and the SHA-256 of every other file
      dense.faiss         normalised passage vectors in a FAISS inner-product index
      passages.jsonl      one passage a line, with its part's metadata and sentences
      sentences.npy       one normalised vector per sentence (for building answers)
      sparse/             BM25 (bm25s: .npy + JSON)

A new index is written to a temporary sibling folder and renamed into place, so a crash
mid-build leaves the previous index usable. Every file is checked against its SHA-256
before FAISS or numpy reads it, and vectors must be finite and of unit length. Nothing
is pickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from corpus.errors import IndexCorruptError, IndexMissingError, IndexStaleError, ModelError
from corpus.loading import Corpus
from embeddings.dense import DEFAULT_APPROXIMATE_ABOVE, build_dense, prepare
from embeddings.embedder import Embedder, Vectors
from embeddings.index_folder import (
    DENSE,
    MANIFEST,
    MARKER,
    PASSAGES,
    SENTENCES,
    SPARSE,
    Staging,
    begin_index,
    replace_index,
)
from embeddings.passages import Chunking, Passage, chunk_documents
from embeddings.sparse import SparseIndex
from embeddings.vector_cache import VectorCache

# 2: passages capped at 1.5 x max_words and never only an overlap sentence.
# 3: a marker file and the SHA-256 of every file in the manifest.
FORMAT_VERSION = 3
# A stored vector's length may differ from 1 by float32 rounding, not more.
NORM_TOLERANCE = 1e-3
_NORM_ROWS = 4096

# (stage, done, total): "reading" counts document parts chunked, "loading the model"
# goes 0 -> 1, "embedding" counts texts embedded (only those not in the cache).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How an index is built (not what from): none of these makes an index stale."""

    cache: VectorCache | None = None  # vectors by (model, text): embed only new text
    approximate_above: int = DEFAULT_APPROXIMATE_ABOVE  # passages; more means IVF search
    batch_size: int = 64


DEFAULT_BUILD = BuildOptions()


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    model: str
    dimension: int
    corpus_fingerprint: str
    chunking: dict[str, int]
    passages: int
    sentences: int
    documents: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""
    build_seconds: float = 0.0
    # SHA-256 of every file but the manifest and the marker, by path inside the folder.
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            format_version=int(data["format_version"]),
            model=str(data["model"]),
            dimension=int(data["dimension"]),
            corpus_fingerprint=str(data["corpus_fingerprint"]),
            chunking={str(k): int(v) for k, v in data["chunking"].items()},
            passages=int(data["passages"]),
            sentences=int(data["sentences"]),
            documents=list(data.get("documents", [])),
            created_at=str(data.get("created_at", "")),
            build_seconds=float(data.get("build_seconds", 0.0)),
            files={str(k): str(v) for k, v in data.get("files", {}).items()},
        )


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """What an index must have been built from to be current."""

    model: str
    corpus_fingerprint: str
    chunking: Chunking

    def staleness(self, manifest: Manifest) -> str | None:
        """Why an index with ``manifest`` is stale for this spec, or ``None`` if current."""
        if manifest.model != self.model:
            return f"built with model {manifest.model!r}, configured model is {self.model!r}"
        if manifest.chunking != self.chunking.as_dict():
            return "built with other chunking settings"
        if manifest.corpus_fingerprint != self.corpus_fingerprint:
            return "the corpus files changed since it was built"
        return None


@dataclass(frozen=True)
class PassageIndex:
    """An index in memory: passages, their dense and sparse indexes, sentence vectors."""

    manifest: Manifest
    passages: tuple[Passage, ...]
    dense: faiss.Index
    sentence_vectors: Vectors
    sparse: SparseIndex

    def sentence_vector_rows(self, passage: Passage) -> Vectors:
        start = passage.first_sentence
        return self.sentence_vectors[start : start + len(passage.sentences)]


def build_index(
    corpus: Corpus,
    embedder: Embedder,
    chunking: Chunking,
    progress: Progress | None = None,
    options: BuildOptions = DEFAULT_BUILD,
) -> PassageIndex:
    """Chunk, embed and index every document of ``corpus`` (in memory).

    Texts whose vectors are in the options' cache are not embedded again; when every
    text is there the model is not even loaded.
    """
    started = time.perf_counter()
    passages = chunk_documents(corpus.documents, chunking, _reading(progress, corpus))
    sentences = [s for p in passages for s in p.sentences]
    texts = [p.embedding_text for p in passages] + sentences
    vectors = embed_texts(embedder, texts, options.batch_size, progress, options.cache)
    if problem := vector_problem(vectors):
        raise ModelError(f"the model {embedder.model_id!r} returned unusable vectors ({problem})")
    dimension = int(vectors.shape[1])
    passage_vectors, sentence_vectors = vectors[: len(passages)], vectors[len(passages) :]
    dense = build_dense(passage_vectors, options.approximate_above)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=embedder.model_id,
        dimension=dimension,
        corpus_fingerprint=corpus.fingerprint,
        chunking=chunking.as_dict(),
        passages=len(passages),
        sentences=len(sentences),
        documents=[
            {
                "path": d.path,
                "title": d.title,
                "sha256": d.fingerprint,
                "paragraphs": len(d.paragraphs),
                "comments": len(d.comments),
            }
            for d in corpus.documents
        ],
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 3),
    )
    sparse = SparseIndex.build([p.embedding_text for p in passages])
    return PassageIndex(manifest, tuple(passages), dense, sentence_vectors, sparse)


def _reading(progress: Progress | None, corpus: Corpus) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total = sum(len(d.paragraphs) + len(d.comments) for d in corpus.documents)
    progress("reading", 0, total)
    return lambda done: progress("reading", done, total)


def embed_texts(
    embedder: Embedder,
    texts: Sequence[str],
    batch_size: int = 64,
    progress: Progress | None = None,
    cache: VectorCache | None = None,
) -> Vectors:
    """Vectors for ``texts`` (rows, in order): from ``cache`` where it has them, else
    embedded once per distinct text, shortest first so each batch pads to its own
    length, and stored in the cache batch by batch (an interrupted build keeps them)."""
    distinct = list(dict.fromkeys(texts))
    model = embedder.model_id
    known = cache.get(model, distinct) if cache is not None else {}
    missing = sorted((t for t in distinct if t not in known), key=len)
    if missing:
        load = getattr(embedder, "load", None)
        if load is not None:
            if progress:
                progress("loading the model", 0, 1)
            load()
            if progress:
                progress("loading the model", 1, 1)
        if progress:
            progress("embedding", 0, len(missing))
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            vectors = np.asarray(embedder.embed_documents(batch), dtype=np.float32)
            known.update(zip(batch, vectors, strict=True))
            if cache is not None:
                cache.put(model, batch, vectors)
            if progress:
                progress("embedding", start + len(batch), len(missing))
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.ascontiguousarray(np.stack([known[t] for t in texts]), dtype=np.float32)


def vector_problem(vectors: np.ndarray) -> str | None:
    """Why ``vectors`` (rows) can't be searched, or ``None``: every value must be finite and
    every row of unit length (a zero row, for a text with nothing to embed, is allowed)."""
    if vectors.size == 0:
        return None
    if not np.isfinite(vectors).all():
        return "non-finite values"
    # In float64, a block of rows at a time: a float64 copy of every vector at once was
    # most of a start's time at 50,000 vectors (and 150 MB).
    norms = np.concatenate(
        [
            np.linalg.norm(vectors[start : start + _NORM_ROWS].astype(np.float64), axis=1)
            for start in range(0, len(vectors), _NORM_ROWS)
        ]
    )
    off = np.flatnonzero((np.abs(norms - 1.0) > NORM_TOLERANCE) & (norms != 0.0))
    if off.size:
        return f"row {int(off[0])} has length {norms[off[0]]:.4f}, not 1"
    return None


def save_index(index: PassageIndex, folder: Path, staging: Staging | None = None) -> PassageIndex:
    """Write ``index`` to ``folder`` atomically (a marked staging sibling, then rename).

    ``staging`` comes from :func:`begin_index` when the caller checked the folder before
    building; without it the folder is checked now. Returns the index with the manifest
    as written (with the files' SHA-256).
    """
    staging = staging or begin_index(folder)
    try:
        faiss.write_index(index.dense, str(staging.path / DENSE))
        with open(staging.path / PASSAGES, "w", encoding="utf-8") as out:
            for passage in index.passages:
                out.write(json.dumps(passage.to_json(), ensure_ascii=False) + "\n")
        np.save(staging.path / SENTENCES, index.sentence_vectors, allow_pickle=False)
        index.sparse.save(staging.path / SPARSE)
        manifest = replace(index.manifest, files=_file_digests(staging.path))
        # The manifest goes last: a folder without one was never finished.
        _write_json(staging.path / MANIFEST, asdict(manifest))
        replace_index(staging)
    except BaseException:
        staging.discard()
        raise
    return replace(index, manifest=manifest)


def _file_digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST, MARKER)
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Check every file against its SHA-256 in the manifest (before anything parses it)."""
    listed = set(manifest.files)
    for required in (DENSE, PASSAGES, SENTENCES):
        if required not in listed:
            raise IndexCorruptError(folder, f"manifest.json has no checksum for {required}")
    for name, expected in sorted(manifest.files.items()):
        path = folder / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise IndexCorruptError(folder, f"manifest.json lists a file outside it: {name}")
        try:
            actual = _sha256(path)
        except OSError:
            raise IndexCorruptError(folder, f"{name} is missing") from None
        if actual != expected:
            raise IndexCorruptError(folder, f"{name} doesn't match its SHA-256 in manifest.json")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the index in ``folder``; missing or corrupt raise accordingly."""
    path = folder / MANIFEST
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        raise IndexMissingError(f"no index at {folder}; build it with `article-bot rebuild-index`")
    if not folder.is_dir():
        raise IndexCorruptError(folder, "it is a file, not an index folder")
    if not path.exists():
        raise IndexCorruptError(folder, "manifest.json is missing")
    try:
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(folder, f"manifest.json can't be read: {exc}") from None


def load_index(folder: Path, spec: IndexSpec | None = None) -> PassageIndex:
    """Load and check the index in ``folder``.

    Raises :class:`IndexMissingError`, :class:`IndexStaleError` (when ``spec`` is given
    and differs) or :class:`IndexCorruptError`.
    """
    manifest = read_manifest(folder)
    if manifest.format_version != FORMAT_VERSION:
        reason: str | None = (
            f"index format {manifest.format_version}, this version reads {FORMAT_VERSION}"
        )
    else:
        reason = spec.staleness(manifest) if spec is not None else None
    if reason:
        raise IndexStaleError(f"the index at {folder} is stale: {reason}")
    verify_files(folder, manifest)
    try:
        dense = prepare(faiss.read_index(str(folder / DENSE)))
    except (RuntimeError, OSError) as exc:
        raise IndexCorruptError(
            folder, f"{DENSE} can't be read: {str(exc).splitlines()[0]}"
        ) from None
    try:
        with open(folder / PASSAGES, encoding="utf-8") as rows:
            passages = tuple(Passage.from_json(json.loads(line)) for line in rows if line.strip())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(folder, f"{PASSAGES} can't be read: {exc}") from None
    try:
        sentence_vectors = np.load(folder / SENTENCES, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(folder, f"{SENTENCES} can't be read: {exc}") from None
    try:
        sparse = SparseIndex.load(folder / SPARSE, len(passages))
    except Exception as exc:  # bm25s raises a variety of errors on damaged files
        raise IndexCorruptError(folder, f"{SPARSE}/ can't be read: {exc}") from None
    problems = []
    if dense.ntotal != len(passages) or manifest.passages != len(passages):
        problems.append(
            f"{dense.ntotal} vectors, {len(passages)} passages, manifest says {manifest.passages}"
        )
    if dense.d != manifest.dimension:
        problems.append(f"vectors have dimension {dense.d}, manifest says {manifest.dimension}")
    if (
        sentence_vectors.shape != (manifest.sentences, manifest.dimension)
        or sentence_vectors.dtype != np.float32
    ):
        problems.append("sentence vectors don't match the manifest")
    if sum(len(p.sentences) for p in passages) != manifest.sentences:
        problems.append("passages and sentence vectors disagree")
    if any(p.id != i for i, p in enumerate(passages)):
        problems.append("passage ids are out of order")
    if not problems:
        problems += [
            f"{name} vectors: {problem}"
            for name, vectors in (
                ("passage", _stored_vectors(dense)),
                ("sentence", sentence_vectors),
            )
            if (problem := vector_problem(vectors))
        ]
    if problems:
        raise IndexCorruptError(folder, "; ".join(problems))
    return PassageIndex(manifest, passages, dense, sentence_vectors, sparse)


def _stored_vectors(dense: faiss.Index) -> Vectors:
    if dense.ntotal == 0:
        return np.zeros((0, dense.d), dtype=np.float32)
    return np.asarray(dense.reconstruct_n(0, dense.ntotal), dtype=np.float32)
