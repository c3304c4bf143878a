"""Open the corpus and its index together, rebuilding a missing or stale index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus import BUNDLED_CORPUS
from corpus.adding import add_document, remove_added
from corpus.errors import ConfigurationError, IndexCorruptError, IndexMissingError, IndexStaleError
from corpus.loading import Corpus, load_corpus
from corpus.model import Document
from embeddings.embedder import Embedder
from embeddings.index import (
    DEFAULT_BUILD,
    BuildOptions,
    IndexSpec,
    PassageIndex,
    Progress,
    build_index,
    load_index,
    save_index,
)
from embeddings.index_folder import begin_index
from embeddings.passages import Chunking

Notify = Callable[[str], None]
# A build that runs longer than this says how far it got, and again at this interval.
PROGRESS_NOTE_SECONDS = 30.0


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
    reason: str | None = None,
    notify: Notify = lambda message: None,
    options: BuildOptions = DEFAULT_BUILD,
) -> tuple[PassageIndex, BuildReport]:
    """Build and save the index of ``corpus``. The folder is checked first (and what killed
    builds left beside it removed), before the model loads or anything is embedded."""
    started = time.perf_counter()
    staging = begin_index(index_dir, corpus.folder)
    for leftover in staging.removed:
        notify(f"removed {leftover}, left beside the index by an interrupted build")
    if reason:
        notify(f"{reason}; building it now")
    else:
        notify(f"building the index of {len(corpus.documents):,} document(s)")
    try:
        index = build_index(
            corpus, embedder, chunking, progress=_Pacer(notify, progress), options=options
        )
    except BaseException:
        staging.discard()
        raise
    index = save_index(index, index_dir, staging)
    report = BuildReport(
        len(corpus.documents),
        len(index.passages),
        time.perf_counter() - started,
        reason or "requested",
    )
    return index, report


def add_and_rebuild(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    chunking: Chunking,
    name: str,
    data: bytes,
    source_url: str | None = None,
    progress: Progress | None = None,
    options: BuildOptions = DEFAULT_BUILD,
) -> tuple[Document, Knowledge, BuildReport]:
    """Add a document (parsed first: a bad file writes nothing) and rebuild the index.
    If the index can't be rebuilt, the new file is taken out again, so the corpus and the
    index stay as they were. The bundled article's folder is part of the installed
    package, so documents are never added there."""
    if corpus_dir.resolve() == BUNDLED_CORPUS.resolve():
        raise ConfigurationError(
            "the corpus folder is the bundled article's, part of the package; set "
            "ARTICLE_BOT_CORPUS_DIR to a folder of your own to add documents to"
        )
    added = add_document(corpus_dir, name, data, source_url)
    try:
        corpus = load_corpus(corpus_dir)
        index, report = rebuild(
            corpus,
            embedder,
            chunking,
            index_dir,
            progress,
            f"added {added.document.path}",
            options=options,
        )
    except BaseException:
        remove_added(added, corpus_dir)
        raise
    document = corpus.document(added.document.path) or added.document
    return document, Knowledge(corpus, index), report


class _Pacer:
    """Passes progress on, and says in a line every :data:`PROGRESS_NOTE_SECONDS` how far
    a long build got (in whatever stage it is: reading, loading the model, embedding) and,
    while embedding, about how long it has left, so a long build is never silent."""

    def __init__(self, notify: Notify, progress: Progress | None) -> None:
        self._notify = notify
        self._progress = progress
        self._embedding_started = self._last = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(stage, done, total)
        now = time.monotonic()
        if stage == "embedding" and done <= 0:  # the estimate counts embedding time only
            self._embedding_started = now
        if now - self._last < PROGRESS_NOTE_SECONDS or done >= total:
            return
        if stage == "embedding" and done > 0:
            left = (now - self._embedding_started) * (total - done) / done
            note = (
                f"{done:,} of {total:,} texts embedded ({done / total:.0%}), "
                f"about {_duration(left)} left"
            )
        elif stage == "embedding":
            note = f"embedding {total:,} texts"
        elif stage == "reading":
            note = (
                f"{done:,} of {total:,} parts of documents cut into passages"
                if done > 0
                else f"cutting {total:,} parts of documents into passages"
            )
        else:
            note = stage
        self._last = now
        self._notify(f"building the index: {note}")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def open_knowledge(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    chunking: Chunking,
    notify: Notify = lambda message: None,
    progress: Progress | None = None,
    options: BuildOptions = DEFAULT_BUILD,
) -> Knowledge:
    """Load the corpus and its index; a missing, stale or damaged index is rebuilt (and
    said so through ``notify``), if the folder is one article-bot wrote. Otherwise
    :class:`IndexLocationError` says why it won't write there. Vectors in the options'
    cache are reused, so only new or changed text is embedded."""
    corpus = load_corpus(corpus_dir, _stage(progress, "loading documents"))
    for problem in corpus.problems:
        notify(f"skipped a document: {problem}")
    try:
        index = load_index(index_dir, index_spec(corpus, embedder, chunking))
    except (IndexMissingError, IndexStaleError) as exc:
        why = str(exc)
        index = _rebuild_noted(
            corpus, embedder, chunking, index_dir, progress, notify, why, options
        )
    except IndexCorruptError as exc:
        why = f"the index at {exc.folder} is damaged ({exc.detail})"
        index = _rebuild_noted(
            corpus, embedder, chunking, index_dir, progress, notify, why, options
        )
    return Knowledge(corpus, index)


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    """``progress`` for one stage, as a (done, total) callback."""
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _rebuild_noted(
    corpus: Corpus,
    embedder: Embedder,
    chunking: Chunking,
    index_dir: Path,
    progress: Progress | None,
    notify: Notify,
    why: str,
    options: BuildOptions,
) -> PassageIndex:
    index, report = rebuild(corpus, embedder, chunking, index_dir, progress, why, notify, options)
    notify(
        f"built the index: {report.documents} document(s), {report.passages} passages "
        f"in {report.seconds:.1f}s"
    )
    return index
