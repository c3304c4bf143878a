"""Open the corpus and its index together, rebuilding a missing or stale index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import IndexMissingError, IndexStaleError
from corpus.loading import Corpus, load_corpus
from embeddings.embedder import Embedder
from embeddings.index import IndexSpec, PassageIndex, Progress, build_index, load_index, save_index
from embeddings.passages import Chunking

Notify = Callable[[str], None]


@dataclass(frozen=True)
class Knowledge:
    """A loaded corpus and the index built from exactly those files."""

    corpus: Corpus
    index: PassageIndex


@dataclass(frozen=True, slots=True)
class BuildReport:
    documents: int
    passages: int
    seconds: float
    reason: str


def index_spec(corpus: Corpus, embedder: Embedder, chunking: Chunking) -> IndexSpec:
    return IndexSpec(embedder.model_id, corpus.fingerprint, chunking)


def rebuild(
    corpus: Corpus,
    embedder: Embedder,
    chunking: Chunking,
    index_dir: Path,
    progress: Progress | None = None,
    reason: str = "requested",
) -> tuple[PassageIndex, BuildReport]:
    started = time.perf_counter()
    index = build_index(corpus, embedder, chunking, progress=progress)
    save_index(index, index_dir)
    report = BuildReport(
        len(corpus.documents), len(index.passages), time.perf_counter() - started, reason
    )
    return index, report


def open_knowledge(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    chunking: Chunking,
    notify: Notify = lambda message: None,
    progress: Progress | None = None,
) -> Knowledge:
    """Load the corpus and its index; a missing or stale index is rebuilt (and said so
    through ``notify``). A corrupt index raises :class:`IndexCorruptError`."""
    corpus = load_corpus(corpus_dir)
    for problem in corpus.problems:
        notify(f"skipped a document: {problem}")
    try:
        index = load_index(index_dir, index_spec(corpus, embedder, chunking))
    except (IndexMissingError, IndexStaleError) as exc:
        notify(f"{exc}; building it now")
        index, report = rebuild(corpus, embedder, chunking, index_dir, progress, str(exc))
        notify(
            f"built the index: {report.documents} document(s), {report.passages} passages "
            f"in {report.seconds:.1f}s"
        )
    return Knowledge(corpus, index)
