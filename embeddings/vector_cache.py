"""The embedding cache: a vector per (model id, text), so a rebuild embeds only new text.

One SQLite file (``CACHE_DIR/embeddings.sqlite``); each row is the SHA-256 of model id and
text, the dimension, and the vector as raw little-endian float32 bytes (no pickle). A
damaged or unreadable cache is never an error for a build: it is set aside and the
build embeds what it must.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from embeddings.embedder import Vectors

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key BLOB PRIMARY KEY,
    dimension INTEGER NOT NULL,
    vector BLOB NOT NULL
) WITHOUT ROWID
"""
_CHUNK = 500  # keys per SELECT (SQLite's parameter limit is 32766; keep statements small)


def _key(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\0{text}".encode()).digest()


class VectorCache:
    """Vectors by (model id, text) in one SQLite file; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.execute("SELECT key FROM vectors LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            self._set_aside()
            try:
                db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                db.execute(_SCHEMA)
            except (sqlite3.Error, OSError):
                return None
        except OSError:
            return None  # no cache (read-only place): builds still work, just slower
        self._db = db
        return db

    def _set_aside(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            damaged = self.path.with_name(self.path.name + suffix)
            if damaged.exists():
                damaged.replace(damaged.with_name(damaged.name + ".damaged"))

    def get(self, model: str, texts: Iterable[str]) -> dict[str, Vectors]:
        """The cached vector of each of ``texts`` that has one."""
        wanted = {_key(model, t): t for t in texts}
        found: dict[str, Vectors] = {}
        with self._lock:
            db = self._connect()
            if db is None:
                return found
            keys = list(wanted)
            try:
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(
                        f"SELECT key, dimension, vector FROM vectors WHERE key IN ({marks})", chunk
                    )
                    for key, dimension, blob in rows:
                        vector = np.frombuffer(blob, dtype="<f4")
                        if vector.shape == (dimension,) and np.isfinite(vector).all():
                            found[wanted[key]] = vector.astype(np.float32)
            except sqlite3.Error:
                return {}
        return found

    def put(self, model: str, texts: Sequence[str], vectors: Vectors) -> None:
        """Remember ``vectors`` (rows) for ``texts``; a failure to write is not an error."""
        rows = [
            (_key(model, t), int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._lock:
            db = self._connect()
            if db is None:
                return
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            except sqlite3.Error:
                pass

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
