"""Add a document to a corpus folder: parse it first (a bad file writes nothing), then
save it under a free name made from its title, and record where it came from."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import CorpusError
from corpus.loading import corpus_files, format_for, parse_bytes
from corpus.model import Document
from corpus.sources import forget_source, record_source

MAX_NAME_CHARS = 60


@dataclass(frozen=True, slots=True)
class Added:
    """The saved file and the document parsed from it (``document.path`` is its name)."""

    path: Path
    document: Document


def add_document(folder: Path, name: str, data: bytes, source_url: str | None = None) -> Added:
    """Save ``data`` (a file called ``name``) into ``folder`` as a new document.

    Raises :class:`CorpusError` (and writes nothing) when the type isn't read, the file
    can't be parsed, or the same file is already in the corpus."""
    format_for(name)  # an unsupported type is refused before anything else
    suffix = Path(name).suffix.lower()
    document = parse_bytes(data, name)
    if not folder.is_dir():
        raise CorpusError(folder, "the corpus folder does not exist")
    digest = hashlib.sha256(data).hexdigest()
    for existing in corpus_files(folder):
        try:
            same = (
                existing.stat().st_size == len(data)
                and hashlib.sha256(existing.read_bytes()).hexdigest() == digest
            )
        except OSError:
            continue
        if same:
            relative = existing.relative_to(folder).as_posix()
            raise CorpusError(name, f"is already in the corpus as {relative}")
    stem = slug(document.title) or slug(Path(name).stem) or "document"
    target = _write_new(folder, stem, suffix, data)
    relative = target.relative_to(folder).as_posix()
    if source_url:
        record_source(folder, relative, source_url)
    document = dataclasses.replace(
        document, path=relative, source_url=source_url or document.source_url
    )
    return Added(target, document)


def remove_added(added: Added, folder: Path) -> None:
    """Undo :func:`add_document` (when the index can't be updated with it)."""
    added.path.unlink(missing_ok=True)
    forget_source(folder, added.document.path)


def slug(text: str) -> str:
    """``Keep the Library Open on Sundays!`` -> ``keep-the-library-open-on-sundays``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:MAX_NAME_CHARS].rstrip("-")
    return out


def _write_new(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to the first free ``stem[-N]suffix``; never replaces a file."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".adding-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        for n in range(1, 1000):
            target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(tmp, target)  # fails if the name is taken: no overwrite, no race
            except FileExistsError:
                continue
            return target
        raise CorpusError(folder, f"no free file name for {stem}{suffix}")
    finally:
        os.unlink(tmp)
