"""Where an index may be written, and the staging folders a build writes into.

article-bot replaces an index folder whole, so it only ever replaces or deletes a folder
it wrote itself: one that carries its marker file (or, from before markers, a manifest)
and holds nothing but index files. A folder of the user's files, a regular file and the
corpus folder (or anything inside it) are refused with one line, before anything is
embedded.

A build writes into a marked sibling ``.NAME.new-PID-XXXX`` and renames it into place
(the old index goes to ``.NAME.old-PID-NS`` for a moment). A build killed midway leaves
those behind; the next build removes the ones whose process is gone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import IndexLocationError

MARKER = ".article-bot-index"
MARKER_TEXT = (
    "This folder is an article-bot index. article-bot replaces it whole when it rebuilds\n"
    "the index: don't keep other files here.\n"
)
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
PASSAGES = "passages.jsonl"
SENTENCES = "sentences.npy"
SPARSE = "sparse"
# Everything a build writes at the top of an index folder. A folder holding anything
# else is not the bot's to replace.
INDEX_ENTRIES = frozenset({MARKER, MANIFEST, DENSE, PASSAGES, SENTENCES, SPARSE})
# ``.NAME.new-PID-XXXX`` / ``.NAME.old-PID-NS``; builds before markers wrote
# ``.NAME.new-XXXXXXXX`` (no pid).
_STAGING = re.compile(r"\.(?P<name>.+)\.(?:new|old)-(?:(?P<pid>\d+)-)?[A-Za-z0-9_]+")


def written_by_article_bot(folder: Path) -> bool:
    """Whether ``folder`` is an index article-bot wrote (and nothing else is in it)."""
    try:
        entries = {entry.name for entry in folder.iterdir()}
    except OSError:
        return False
    if not entries <= INDEX_ENTRIES:
        return False
    if (folder / MARKER).is_file():
        return True
    # An index written before markers (format 2) is known by its manifest.
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"format_version", "corpus_fingerprint"} <= set(data)


def check_index_target(folder: Path, corpus_dir: Path | None = None) -> Path:
    """The absolute index folder, if article-bot may write an index there.

    Raises :class:`IndexLocationError` (one line) for the corpus folder or a folder
    inside it, a regular file, a folder of other files, or a place under a file.
    """
    folder = folder.resolve()
    if corpus_dir is not None:
        corpus = corpus_dir.resolve()
        if folder == corpus:
            raise IndexLocationError(folder, "it is the corpus folder")
        if corpus in folder.parents:
            raise IndexLocationError(folder, f"it lies inside the corpus folder {corpus}")
        if folder in corpus.parents:
            raise IndexLocationError(folder, f"the corpus folder {corpus} lies inside it")
    if folder.exists():
        if not folder.is_dir():
            raise IndexLocationError(folder, "it is a file, not a folder")
        if any(folder.iterdir()) and not written_by_article_bot(folder):
            others = sorted(e.name for e in folder.iterdir() if e.name not in INDEX_ENTRIES)
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            what = f" ({shown})" if others else ""
            raise IndexLocationError(folder, f"it holds files article-bot didn't write{what}")
    else:
        ancestor = next(p for p in folder.parents if p.exists())
        if not ancestor.is_dir():
            raise IndexLocationError(folder, f"{ancestor} is a file, not a folder")
    return folder


@dataclass(frozen=True, slots=True)
class Staging:
    """A marked temporary sibling of ``folder`` that a build writes into."""

    folder: Path
    path: Path
    removed: tuple[str, ...] = ()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def begin_index(folder: Path, corpus_dir: Path | None = None) -> Staging:
    """Check ``folder``, remove what interrupted builds left beside it, and create the
    staging folder a new index is written into: all before anything is embedded, so an
    unwritable place is reported at once."""
    folder = check_index_target(folder, corpus_dir)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexLocationError(folder, f"can't create {folder.parent} ({exc.strerror})") from None
    removed = remove_leftovers(folder)
    try:
        path = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.new-{os.getpid()}-", dir=folder.parent)
        )
    except OSError as exc:
        raise IndexLocationError(
            folder, f"can't write in {folder.parent} ({exc.strerror})"
        ) from None
    try:
        path.chmod(0o755)
        (path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(path, ignore_errors=True)
        raise IndexLocationError(
            folder, f"can't write in {folder.parent} ({exc.strerror})"
        ) from None
    return Staging(folder, path, removed)


def replace_index(staging: Staging) -> None:
    """Rename the finished staging folder into place; the old index is removed after."""
    folder = check_index_target(staging.folder)
    previous = None
    if folder.exists():
        previous = folder.parent / f".{folder.name}.old-{os.getpid()}-{time.time_ns()}"
        os.rename(folder, previous)
    os.rename(staging.path, folder)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def remove_leftovers(folder: Path) -> tuple[str, ...]:
    """Remove the staging folders of builds that were killed (their process is gone).

    Only folders named as a build names them and holding nothing but index files go.
    """
    removed = []
    for sibling in sorted(folder.parent.glob(f".{glob_escape(folder.name)}.*")):
        match = _STAGING.fullmatch(sibling.name)
        if not match or match["name"] != folder.name or sibling.is_symlink():
            continue
        if not sibling.is_dir() or (match["pid"] and _alive(int(match["pid"]))):
            continue
        try:
            if not {e.name for e in sibling.iterdir()} <= INDEX_ENTRIES:
                continue
            shutil.rmtree(sibling)
        except OSError:
            continue
        removed.append(sibling.name)
    return tuple(removed)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
