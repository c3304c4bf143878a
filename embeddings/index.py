"""The on-disk index: a folder of plain files, written atomically.

    INDEX_DIR/
      manifest.json     format version, model id, dimension, corpus fingerprint, chunking
      dense.faiss       normalised passage vectors in a FAISS inner-product index
      passages.jsonl    one passage a line, with its part's metadata and sentences
      sentences.npy     one normalised vector per sentence (for building answers)
      sparse/           BM25 (bm25s: .npy + JSON)

A new index is written to a temporary sibling folder and renamed into place, so a crash
mid-build leaves the previous index usable. Nothing is pickled.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from corpus.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from corpus.loading import Corpus
from embeddings.embedder import Embedder, Vectors
from embeddings.passages import Chunking, Passage, chunk_documents
from embeddings.sparse import SparseIndex

# 2: passages capped at 1.5 x max_words and never only an overlap sentence.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
PASSAGES = "passages.jsonl"
SENTENCES = "sentences.npy"
SPARSE = "sparse"

Progress = Callable[[int, int], None]


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
        )


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """What an index must have been built from to be current."""

    model: str
    corpus_fingerprint: str
    chunking: Chunking

    def staleness(self, manifest: Manifest) -> str | None:
        """Why an index with ``manifest`` is stale for this spec, or ``None`` if current."""
        if manifest.format_version != FORMAT_VERSION:
            return f"index format {manifest.format_version}, this version reads {FORMAT_VERSION}"
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
    batch_size: int = 64,
) -> PassageIndex:
    """Chunk, embed and index every document of ``corpus`` (in memory)."""
    started = time.perf_counter()
    passages = chunk_documents(corpus.documents, chunking)
    sentences = [s for p in passages for s in p.sentences]
    texts = [p.embedding_text for p in passages] + sentences
    dimension = embedder.dimension
    vectors = _embed_batched(embedder, texts, dimension, batch_size, progress)
    passage_vectors, sentence_vectors = vectors[: len(passages)], vectors[len(passages) :]
    dense = faiss.IndexFlatIP(dimension)
    if len(passages):
        dense.add(passage_vectors)
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


def _embed_batched(
    embedder: Embedder,
    texts: Sequence[str],
    dimension: int,
    batch_size: int,
    progress: Progress | None,
) -> Vectors:
    chunks = []
    for start in range(0, len(texts), batch_size):
        chunks.append(embedder.embed_documents(texts[start : start + batch_size]))
        if progress:
            progress(min(start + batch_size, len(texts)), len(texts))
    if not chunks:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.ascontiguousarray(np.vstack(chunks), dtype=np.float32)


def save_index(index: PassageIndex, folder: Path) -> None:
    """Write ``index`` to ``folder`` atomically (temporary sibling, then rename)."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    staging.chmod(0o755)
    try:
        faiss.write_index(index.dense, str(staging / DENSE))
        with open(staging / PASSAGES, "w", encoding="utf-8") as out:
            for passage in index.passages:
                out.write(json.dumps(passage.to_json(), ensure_ascii=False) + "\n")
        np.save(staging / SENTENCES, index.sentence_vectors, allow_pickle=False)
        index.sparse.save(staging / SPARSE)
        # The manifest goes last: a folder without one was never finished.
        _write_json(staging / MANIFEST, asdict(index.manifest))
        previous = None
        if folder.exists():
            previous = folder.parent / f".{folder.name}.old-{os.getpid()}-{time.time_ns()}"
            os.rename(folder, previous)
        os.rename(staging, folder)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the index in ``folder``; missing or corrupt raise accordingly."""
    path = folder / MANIFEST
    if not folder.exists():
        raise IndexMissingError(f"no index at {folder}; build it with `article-bot rebuild-index`")
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
    if spec is not None and (reason := spec.staleness(manifest)):
        raise IndexStaleError(f"the index at {folder} is stale: {reason}")
    try:
        dense = faiss.read_index(str(folder / DENSE))
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
    if problems:
        raise IndexCorruptError(folder, "; ".join(problems))
    return PassageIndex(manifest, passages, dense, sentence_vectors, sparse)
