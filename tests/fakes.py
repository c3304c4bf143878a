"""Deterministic stand-ins for speed: no model, same interface."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from embeddings.embedder import Vectors, normalise


class HashingEmbedder:
    """A hashed bag of lower-cased words: texts sharing words get similar vectors."""

    def __init__(self, dimension: int = 256, model_id: str = "test:hashing-bag-of-words") -> None:
        self._dimension = dimension
        self._model_id = model_id
        self.calls = 0
        self.embedded: list[str] = []  # every document text embedded, in order

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
        return vector

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.embedded.extend(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return normalise(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> Vectors:
        self.calls += 1
        return normalise(self._vector(text)[None, :])[0]
