"""Where each document came from: ``_sources.json`` in the corpus folder maps a file
(relative path) to the URL it was fetched from. ``article-bot add`` writes it; the loader
reads it so citations and document listings can show the source. The file's name starts
with ``_``, so it is never taken for a document."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from corpus.errors import CorpusError

SOURCES_FILE = "_sources.json"


def read_sources(folder: Path) -> dict[str, str]:
    """The recorded sources; a missing file is none, an unreadable one a CorpusError."""
    path = folder / SOURCES_FILE
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(SOURCES_FILE, f"can't be read ({exc})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CorpusError(SOURCES_FILE, f"is not valid JSON ({exc.msg})", exc.lineno) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise CorpusError(SOURCES_FILE, "must map file names to URLs")
    return data


def record_source(folder: Path, relative: str, url: str) -> None:
    """Add ``relative -> url`` to the sources file."""
    sources = _readable_sources(folder)
    sources[relative] = url
    _write_sources(folder, sources)


def forget_source(folder: Path, relative: str) -> None:
    """Drop ``relative`` from the sources file (the file goes when it is empty)."""
    sources = _readable_sources(folder)
    if sources.pop(relative, None) is None:
        return
    if sources:
        _write_sources(folder, sources)
    else:
        (folder / SOURCES_FILE).unlink(missing_ok=True)


def _readable_sources(folder: Path) -> dict[str, str]:
    try:
        return read_sources(folder)
    except CorpusError:
        return {}


def _write_sources(folder: Path, sources: dict[str, str]) -> None:
    """Written to a temporary file and renamed into place, so it is never half written."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sources-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(dict(sorted(sources.items())), out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(tmp, folder / SOURCES_FILE)
