"""BM25 over passages (bm25s with Snowball stemming), saved as .npy + JSON, no pickle.

bm25s builds and saves the index. Reading and scoring it needs only its three score
arrays (a sparse column per term) and the vocabulary, so answering never imports bm25s
(and scipy with it): a cold ``ask`` starts that much sooner.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import Stemmer

from embeddings.search import Hit

_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_POSSESSIVE = re.compile(r"'s$")
# bm25s's English stop words (bm25s.stopwords.STOPWORDS_EN), plus question words.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with "
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


@lru_cache(maxsize=1 << 16)
def _term(token: str) -> str | None:
    """A lower-cased token's index term, ``None`` for a stop word. Cached: the same few
    thousand words come back in every question and sentence, and folding and stemming
    one takes several regex passes."""
    word = _POSSESSIVE.sub("", token)
    if word in STOPWORDS:
        return None
    return _STEMMER.stemWord(_american(word))


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words dropped, spelling folded, Snowball-stemmed word tokens."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return [term for token in _TOKEN.findall(text) if (term := _term(token)) is not None]


_ARRAYS = ("data", "indices", "indptr")


class SparseIndex:
    """BM25 scores of every passage for a query; ids are passage ids.

    Holds bm25s's precomputed scores as a compressed sparse column matrix (one column
    per term: ``data`` and ``indices`` between ``indptr[t]`` and ``indptr[t + 1]``).
    """

    def __init__(
        self, arrays: dict[str, np.ndarray], vocabulary: dict[str, int], size: int
    ) -> None:
        self._data = arrays["data"]
        self._indices = arrays["indices"]
        self._indptr = arrays["indptr"]
        self._vocabulary = vocabulary
        self._retriever: Any = None  # bm25s, only for an index built in this process
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> SparseIndex:
        import bm25s

        retriever = bm25s.BM25()
        # An empty token list would break bm25s; a placeholder keeps ids aligned.
        tokens = [tokenize(t) or ["\u2205"] for t in texts]
        if not texts:
            empty = {"data": np.zeros(0, np.float32), "indices": np.zeros(0, np.int32)}
            index = cls({**empty, "indptr": np.zeros(1, np.int32)}, {}, 0)
            index._retriever = retriever
            return index
        retriever.index(tokens, show_progress=False)
        index = cls(
            {name: np.asarray(retriever.scores[name]) for name in _ARRAYS},
            {k: v for k, v in (retriever.vocab_dict or {}).items() if k != ""},
            len(texts),
        )
        index._retriever = retriever
        return index

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> SparseIndex:
        """Read what bm25s saved (``*.csc.index.npy``, ``vocab.index.json``) directly."""
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") not in ("lucene", "robertson", "atire"):
            raise ValueError(f"unsupported BM25 variant {params.get('method')!r}")
        if size == 0:
            empty = {"data": np.zeros(0, np.float32), "indices": np.zeros(0, np.int32)}
            return cls({**empty, "indptr": np.zeros(1, np.int32)}, {}, 0)
        arrays = {
            name: np.load(folder / f"{name}.csc.index.npy", allow_pickle=False) for name in _ARRAYS
        }
        vocabulary = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        if not isinstance(vocabulary, dict) or int(params.get("num_docs", size)) != size:
            raise ValueError("the vocabulary or the passage count doesn't match")
        columns = len(arrays["indptr"]) - 1
        # bm25s adds the empty token to the vocabulary without a column of its own.
        vocabulary = {str(k): int(v) for k, v in vocabulary.items() if k != ""}
        if any(not 0 <= v < columns for v in vocabulary.values()):
            raise ValueError("the vocabulary points outside the score matrix")
        if len(arrays["data"]) != len(arrays["indices"]) or (
            len(arrays["indices"]) and int(arrays["indices"].max()) >= size
        ):
            raise ValueError("the score arrays don't match")
        return cls(arrays, vocabulary, size)

    def document_frequency(self, term: str) -> int:
        """In how many passages a (stemmed) term occurs."""
        column = self._vocabulary.get(term)
        if column is None or self.size == 0:
            return 0
        return int(self._indptr[column + 1] - self._indptr[column])

    def idf(self, term: str) -> float:
        """BM25's idf; a term no passage has gets the highest idf possible."""
        df = self.document_frequency(term)
        return float(np.log(1.0 + (self.size - df + 0.5) / (df + 0.5)))

    def known_terms(self, query: str) -> list[str]:
        """The query's stemmed terms that occur in the indexed passages."""
        return [t for t in tokenize(query) if t in self._vocabulary]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is indexed); a term
        that occurs twice in the query counts twice, as in bm25s."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in self.known_terms(query) if self.size else []:
            column = self._vocabulary[term]
            start, end = int(self._indptr[column]), int(self._indptr[column + 1])
            np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores

    def search(self, query: str, k: int, allowed: Sequence[int] | None = None) -> list[Hit]:
        scores = self.scores(query)
        if allowed is not None:
            mask = np.full(self.size, -np.inf, dtype=np.float32)
            mask[list(allowed)] = 0.0
            scores = scores + mask
        order = np.argsort(-scores, kind="stable")[: max(k, 0)]
        return [Hit(int(i), float(scores[i])) for i in order if scores[i] > 0]
