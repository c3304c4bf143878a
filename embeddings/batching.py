"""Micro-batching: questions that arrive together are embedded in one model call.

No timer and no waiting: a lone question goes straight to the model. While the model is
busy with one batch, questions from other threads queue up; when it is free, the first
of them takes every queued question (up to ``max_batch``) into the next call. So under
load each forward pass serves many askers, and alone an asker pays one forward pass.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embeddings.embedder import Embedder, Vectors


@dataclass(slots=True)
class _Request:
    text: str
    vector: Vectors | None = None
    error: BaseException | None = None
    done: bool = False


def embed_queries(embedder: Embedder, texts: Sequence[str]) -> Vectors:
    """Several questions in one call where the embedder supports it, else one by one."""
    batched = getattr(embedder, "embed_queries", None)
    if batched is not None:
        return np.asarray(batched(texts), dtype=np.float32)
    return np.stack([embedder.embed_query(t) for t in texts])


class MicroBatchingEmbedder:
    """An :class:`Embedder` whose ``embed_query`` is safe to call from many threads at
    once, coalescing concurrent calls into batched calls of the wrapped embedder (which
    is never called concurrently for questions)."""

    def __init__(self, inner: Embedder, max_batch: int = 64) -> None:
        self.inner = inner
        self._max_batch = max_batch
        self._pending: list[_Request] = []
        self._busy = False
        self._changed = threading.Condition()
        self.calls = 0  # batched model calls made, for benchmarks and tests

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def queued(self) -> int:
        """Questions waiting for the model right now."""
        with self._changed:
            return len(self._pending)

    def load(self) -> None:
        load = getattr(self.inner, "load", None)
        if load is not None:
            load()

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_documents(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return embed_queries(self.inner, texts)

    def embed_query(self, text: str) -> Vectors:
        request = _Request(text)
        with self._changed:
            self._pending.append(request)
            while True:
                while not request.done and self._busy:
                    self._changed.wait()
                if request.done:
                    break
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                self._busy = True
                self._changed.release()
                try:
                    self._serve(batch)
                finally:
                    self._changed.acquire()
                    self._busy = False
                    self._changed.notify_all()
        if request.error is not None:
            raise request.error
        assert request.vector is not None
        return request.vector

    def _serve(self, batch: list[_Request]) -> None:
        """Embed ``batch`` in one call; every request gets its vector or the error."""
        try:
            self.calls += 1
            vectors = embed_queries(self.inner, [r.text for r in batch])
            for request, vector in zip(batch, vectors, strict=True):
                request.vector = vector
        except BaseException as exc:  # each waiting asker sees the failure, not a hang
            for request in batch:
                request.error = exc
        finally:
            for request in batch:
                request.done = True
