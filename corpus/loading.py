"""Find and load every document in a corpus folder; name every file that isn't loaded."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import CorpusError
from corpus.formats import FORMATS, Format
from corpus.model import Document, DocumentKind
from corpus.sources import SOURCES_FILE, read_sources
from corpus.text_format import decode_text, parse_text_document

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# The most text one document may have. Indexing time grows with the text, not the file
# (a 20 MiB PDF may hold little text): benchmarks/build_speed.py measured 0.29 KB of text
# a second on 2 busy cores and about 10 KB/s on idle ones, so this is one to 30 minutes
# of embedding. The README (Reliability) has the figures.
MAX_DOCUMENT_CHARS = 500_000


@dataclass(frozen=True, slots=True)
class Corpus:
    """The documents that loaded, the problems with those that didn't, and a fingerprint
    of every candidate file (so fixing a broken file makes an index stale)."""

    folder: Path
    documents: tuple[Document, ...]
    problems: tuple[CorpusError, ...]
    fingerprint: str

    def document(self, path: str) -> Document | None:
        return next((d for d in self.documents if d.path == path), None)


def corpus_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` that is meant as a document, sorted: all files except
    hidden ones, names starting with ``_`` and READMEs. Files of a type no parser reads
    are included (the loader reports them)."""
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        # Not only regular files: a broken link is named as unreadable, not passed over.
        if path.is_dir() or path.stem.upper() == "README":
            continue
        files.append(path)
    return sorted(files)


def decode_document(data: bytes, path: str) -> str:
    return decode_text(data, path)


def parse_document(text: str, path: str, suffix: str = ".txt") -> Document:
    """Parse a text document's decoded text (the export is recognised by its content)."""
    kind: DocumentKind = "markdown" if suffix.lower() in (".md", ".markdown") else "text"
    return parse_text_document(text, path, kind)


def format_for(relative: str) -> Format:
    """The registered format for a file name, or a CorpusError saying which types are read."""
    suffix = Path(relative).suffix
    fmt = FORMATS.for_suffix(suffix)
    if fmt is None:
        shown = suffix or "no suffix"
        raise CorpusError(
            relative, f"unsupported file type ({shown}); article-bot reads {FORMATS.describe()}"
        )
    return fmt


def _check_size(relative: str, size: int) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise CorpusError(relative, f"is {size / 1_048_576:.0f} MiB; the limit is 20 MiB")


def _check_text(relative: str, document: Document) -> None:
    chars = sum(len(p.text) for p in document.paragraphs)
    chars += sum(len(c.text) for c in document.comments)
    if chars > MAX_DOCUMENT_CHARS:
        raise CorpusError(
            relative,
            f"has {chars:,} characters of text; the limit is {MAX_DOCUMENT_CHARS:,} "
            "(more would take too long to index); split it into smaller documents",
        )


def parse_bytes(data: bytes, relative: str) -> Document:
    """Parse a file's bytes with the parser registered for its suffix."""
    fmt = format_for(relative)
    _check_size(relative, len(data))
    try:
        document = fmt.parse(data, relative)
    except CorpusError:
        raise
    except Exception as exc:  # a third-party parser failing on a malformed file
        raise CorpusError(
            relative, f"can't be read as {fmt.name} ({type(exc).__name__}: {exc})"
        ) from None
    _check_text(relative, document)
    return dataclasses.replace(document, fingerprint=hashlib.sha256(data).hexdigest())


def load_document(path: Path, folder: Path) -> Document:
    relative = path.relative_to(folder).as_posix()
    format_for(relative)
    _check_size(relative, path.stat().st_size)
    return parse_bytes(path.read_bytes(), relative)


def load_corpus(folder: Path, progress: Callable[[int, int], None] | None = None) -> Corpus:
    """Load every document; every other file becomes a problem naming why (unsupported
    type, unreadable, too large, can't be parsed), and the others still load.
    ``progress`` is told (files done, files) before the first file and after each.

    Raises :class:`CorpusError` only when nothing at all can be loaded.
    """
    if not folder.is_dir():
        raise CorpusError(folder, "the corpus folder does not exist")
    documents: list[Document] = []
    problems: list[CorpusError] = []
    digest = hashlib.sha256()
    try:
        sources = read_sources(folder)
        if sources:
            digest.update(SOURCES_FILE.encode() + b"\0" + repr(sorted(sources.items())).encode())
    except CorpusError as exc:
        sources = {}
        problems.append(exc)
    files = corpus_files(folder)
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files))
        relative = path.relative_to(folder).as_posix()
        try:
            document = load_document(path, folder)
        except CorpusError as exc:
            problems.append(exc)
            continue
        except OSError as exc:
            problems.append(CorpusError(relative, f"can't be read ({exc.strerror or exc})"))
            continue
        digest.update(relative.encode() + b"\0" + bytes.fromhex(document.fingerprint))
        if relative in sources:
            document = dataclasses.replace(document, source_url=sources[relative])
        documents.append(document)
    if progress is not None:
        progress(len(files), len(files))
    if not documents:
        detail = "; ".join(str(p) for p in problems) or "no documents"
        raise CorpusError(folder, f"no document could be loaded ({detail})")
    return Corpus(folder, tuple(documents), tuple(problems), digest.hexdigest())
