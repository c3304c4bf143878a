"""BM25 over passages (bm25s with Snowball stemming), saved as .npy + JSON, no pickle."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from embeddings.search import Hit

_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
STOPWORDS = frozenset(bm25s.stopwords.STOPWORDS_EN) | frozenset(
    "what who whom which how why when where did does do say said says about think thinks "
    "according would could should his her he she they them their its has have had".split()
)


# British and American spellings of one word ("neighbours" / "neighbors", "criticise" /
# "criticize", "centre" / "center") are folded together on both sides, question and
# passage, so the folding can't separate words that were the same.
_SPELLING = [
    (re.compile(r"(?<=\w{3})our(s|ed|ing|hood|hoods|ly)?$"), r"or\1"),
    (re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{3})tre(s)?$"), r"ter\1"),
    (re.compile(r"(?<=\w{3})ence$"), "ense"),
]


def _american(word: str) -> str:
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words dropped, spelling folded, Snowball-stemmed word tokens."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    words = [re.sub(r"'s$", "", w) for w in _TOKEN.findall(text)]
    return [_STEMMER.stemWord(_american(w)) for w in words if w not in STOPWORDS]


class SparseIndex:
    """BM25 scores of every passage for a query; ids are passage ids."""

    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> SparseIndex:
        retriever = bm25s.BM25()
        # An empty token list would break bm25s; a placeholder keeps ids aligned.
        tokens = [tokenize(t) or ["\u2205"] for t in texts]
        if texts:
            retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> SparseIndex:
        bm25s_logger = logging.getLogger("bm25s")
        previous = bm25s_logger.level
        bm25s_logger.setLevel(logging.WARNING)
        try:
            retriever = bm25s.BM25.load(str(folder), allow_pickle=False)
        finally:
            bm25s_logger.setLevel(previous)
        return cls(retriever, size)

    def document_frequency(self, term: str) -> int:
        """In how many passages a (stemmed) term occurs."""
        column = (self._retriever.vocab_dict or {}).get(term)
        if column is None or self.size == 0:
            return 0
        indptr = self._retriever.scores["indptr"]
        return int(indptr[column + 1] - indptr[column])

    def idf(self, term: str) -> float:
        """BM25's idf; a term no passage has gets the highest idf possible."""
        df = self.document_frequency(term)
        return float(np.log(1.0 + (self.size - df + 0.5) / (df + 0.5)))

    def known_terms(self, query: str) -> list[str]:
        """The query's stemmed terms that occur in the indexed passages."""
        vocab = self._retriever.vocab_dict or {}
        return [t for t in tokenize(query) if t in vocab]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is indexed)."""
        terms = self.known_terms(query)
        if not terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)

    def search(self, query: str, k: int, allowed: Sequence[int] | None = None) -> list[Hit]:
        scores = self.scores(query)
        if allowed is not None:
            mask = np.full(self.size, -np.inf, dtype=np.float32)
            mask[list(allowed)] = 0.0
            scores = scores + mask
        order = np.argsort(-scores, kind="stable")[: max(k, 0)]
        return [Hit(int(i), float(scores[i])) for i in order if scores[i] > 0]
