"""Find and load every document in a corpus folder."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import CorpusError
from corpus.export_format import looks_like_export, parse_export
from corpus.model import Document, DocumentKind
from corpus.plain_text import parse_plain
from corpus.threads import link_replies

DOCUMENT_SUFFIXES: dict[str, DocumentKind] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


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
    """Documents under ``folder``: .txt / .md files, not hidden, not READMEs, sorted."""
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
            continue
        if path.stem.upper() == "README":
            continue
        files.append(path)
    return sorted(files)


def decode_document(data: bytes, path: str) -> str:
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(path, "looks like a binary file (NUL byte), not text", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} can't be decoded)", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str, path: str, suffix: str = ".txt") -> Document:
    """Parse a document's text; the export format is recognised by its content."""
    if not text.strip():
        raise CorpusError(path, "the document is empty", 1)
    if looks_like_export(text):
        return link_replies(parse_export(text, path))
    kind = DOCUMENT_SUFFIXES.get(suffix.lower(), "text")
    return parse_plain(text, path, kind)


def load_document(path: Path, folder: Path) -> Document:
    relative = path.relative_to(folder).as_posix()
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise CorpusError(relative, f"is {size // 1_048_576} MiB; the limit is 20 MiB")
    data = path.read_bytes()
    document = parse_document(decode_document(data, relative), relative, path.suffix)
    return dataclasses.replace(document, fingerprint=hashlib.sha256(data).hexdigest())


def load_corpus(folder: Path) -> Corpus:
    """Load every document; a broken one becomes a problem, the others still load.

    Raises :class:`CorpusError` only when nothing at all can be loaded.
    """
    if not folder.is_dir():
        raise CorpusError(folder, "the corpus folder does not exist")
    documents: list[Document] = []
    problems: list[CorpusError] = []
    digest = hashlib.sha256()
    for path in corpus_files(folder):
        relative = path.relative_to(folder).as_posix()
        digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        try:
            documents.append(load_document(path, folder))
        except CorpusError as exc:
            problems.append(exc)
        except OSError as exc:
            problems.append(CorpusError(relative, f"can't be read ({exc.strerror})"))
    if not documents:
        detail = "; ".join(str(p) for p in problems) or "no .txt or .md files"
        raise CorpusError(folder, f"no document could be loaded ({detail})")
    return Corpus(folder, tuple(documents), tuple(problems), digest.hexdigest())
