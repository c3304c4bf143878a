"""Hybrid retrieval within the scope a question names.

Three rankings are fused by weighted reciprocal rank fusion:

- dense: half the passage's cosine, half its best sentence's cosine, so a passage with
  one sentence squarely on the question is not drowned by its neighbours;
- BM25 (bm25s, stemmed), so rare names and words are found;
- phrases: passages holding two consecutive content words of the question
  ("Iraq war", "protection racket"), which a bag of words can't see.

The retrieval also reports the evidence abstention needs: cosines and how much of the
question's vocabulary (weighted by rarity) the document uses at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from bot.questions import Scope
from bot.reporting import reporting_terms
from corpus.loading import Corpus
from corpus.model import Comment
from embeddings.embedder import Vectors
from embeddings.index import PassageIndex
from embeddings.passages import Passage
from embeddings.search import Hit, dense_search, reciprocal_rank_fusion
from embeddings.sparse import tokenize

CANDIDATES = 30
RRF_K = 20
WEIGHTS = {"dense": 1.0, "sparse": 1.0, "phrase": 0.5}
# When the dense ranking's first passage leads its second by this much (passage plus
# best-sentence cosine), it goes first whatever the word matches say: in small documents
# common words make BM25 noisy, and a clear semantic winner is the better bet.
CONFIDENT_DENSE_MARGIN = 0.2


@dataclass(frozen=True, slots=True)
class Ranked:
    """A retrieved passage with its fused score and the evidence behind it."""

    passage: Passage
    fused: float
    dense: float
    sentence: float
    sparse: float


@dataclass(frozen=True, slots=True)
class Retrieval:
    ranked: tuple[Ranked, ...]
    coverage: float
    """Share of the question's content words (idf-weighted) that the document uses."""

    @property
    def best_dense(self) -> float:
        return max((r.dense for r in self.ranked), default=-1.0)

    @property
    def best_sentence(self) -> float:
        return max((r.sentence for r in self.ranked), default=-1.0)


class Retriever:
    def __init__(self, index: PassageIndex, corpus: Corpus) -> None:
        self.index = index
        self._comments: dict[tuple[str, int], Comment] = {
            (d.path, c.number): c for d in corpus.documents for c in d.comments
        }
        self._terms = [tokenize(passage.text) for passage in index.passages]
        self._phrases: dict[tuple[str, str], list[int]] = defaultdict(list)
        for passage, terms in zip(index.passages, self._terms, strict=True):
            for pair in sorted(_pairs(terms, reporting_terms(passage.text))):
                self._phrases[pair].append(passage.id)

    def scope_ids(self, scope: Scope) -> list[int] | None:
        """Passage ids inside ``scope``; ``None`` means all passages."""
        passages = self.index.passages
        if scope.replying_to:
            ids = [p.id for p in passages if self._replies_to(p, scope)]
            return ids or self._comment_ids(scope.commenters + scope.replying_to)
        if scope.commenters:
            return self._comment_ids(scope.commenters)
        if scope.source is not None:
            return [p.id for p in passages if p.source_type == scope.source]
        return None

    def _comment_ids(self, authors: tuple[str, ...]) -> list[int]:
        wanted = set(authors)
        return [
            p.id for p in self.index.passages if p.source_type == "comment" and p.author in wanted
        ]

    def _replies_to(self, passage: Passage, scope: Scope) -> bool:
        if scope.commenters and passage.author not in scope.commenters:
            return False
        return any(c.author in scope.replying_to for c in self.replied_comment(passage))

    def replied_comment(self, passage: Passage) -> list[Comment]:
        """The comments that the comment holding ``passage`` answers."""
        if passage.source_type != "comment" or passage.comment_number is None:
            return []
        comment = self._comments.get((passage.document, passage.comment_number))
        if comment is None:
            return []
        found = (self._comments.get((passage.document, n)) for n in comment.replies_to)
        return [c for c in found if c is not None]

    def retrieve(
        self, query: str, query_vector: Vectors, scope: Scope, k: int = CANDIDATES
    ) -> Retrieval:
        allowed = self.scope_ids(scope)
        if allowed is not None and not allowed:
            allowed = None
        allowed_set = None if allowed is None else set(allowed)
        dense_hits = dense_search(self.index.dense, query_vector, k, allowed)
        sparse_hits = self.index.sparse.search(query, k, allowed)
        phrase_hits = self._phrase_search(query, allowed_set)[:k]

        cosine = {h.passage_id: h.score for h in dense_hits}
        candidates = list(
            dict.fromkeys(
                [h.passage_id for h in dense_hits]
                + [h.passage_id for h in sparse_hits]
                + [h.passage_id for h in phrase_hits]
            )
        )
        missing = [i for i in candidates if i not in cosine]
        if missing:
            vectors = np.vstack([self.index.dense.reconstruct(i) for i in missing])
            cosine.update(zip(missing, (vectors @ query_vector).tolist(), strict=True))
        sentence = {
            i: float((self.index.sentence_vector_rows(self.index.passages[i]) @ query_vector).max())
            for i in candidates
        }
        combined = {i: cosine[i] + sentence[i] for i in candidates}
        dense_ranking = sorted(candidates, key=lambda i: -combined[i])
        fused = reciprocal_rank_fusion(
            [[Hit(i, 0.0) for i in dense_ranking], sparse_hits, phrase_hits],
            k=RRF_K,
            weights=[WEIGHTS["dense"], WEIGHTS["sparse"], WEIGHTS["phrase"]],
        )
        if len(dense_ranking) > 1:
            lead = dense_ranking[0]
            if combined[lead] - combined[dense_ranking[1]] >= CONFIDENT_DENSE_MARGIN:
                fused = [h for h in fused if h.passage_id == lead] + [
                    h for h in fused if h.passage_id != lead
                ]
        sparse = {h.passage_id: h.score for h in sparse_hits}
        ranked = tuple(
            Ranked(
                self.index.passages[h.passage_id],
                h.score,
                cosine[h.passage_id],
                sentence[h.passage_id],
                sparse.get(h.passage_id, 0.0),
            )
            for h in fused[:k]
        )
        return Retrieval(ranked, self.coverage(query))

    def _phrase_search(self, query: str, allowed: set[int] | None) -> list[Hit]:
        counts: dict[int, int] = defaultdict(int)
        for pair in _pairs(tokenize(query), reporting_terms(query)):
            for passage_id in self._phrases.get(pair, ()):
                if allowed is None or passage_id in allowed:
                    counts[passage_id] += 1
        return [Hit(i, float(n)) for i, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def coverage(self, query: str) -> float:
        """Idf-weighted share of the question's content words that occur in the document."""
        share = self._share(query, self.in_document)
        return 0.0 if share is None else share

    def in_document(self, term: str) -> bool:
        """Whether any passage holds the index term ``term``."""
        return self.index.sparse.document_frequency(term) > 0

    def topic_coverage(self, query: str, scope: Scope) -> float | None:
        """The same share among the passages in ``scope``, leaving out the names that set
        it: how much of "What did Gazza say about NATO?" Gazza's comments use. ``None``
        when the question has no other content words."""
        allowed = self.scope_ids(scope)
        if not allowed:
            return self._share(query, self.in_document)
        used = {t for i in allowed for t in self._terms[i]}
        names = frozenset(t for name in scope.named for t in tokenize(name))
        return self._share(query, used.__contains__, ignore=names)

    def term_weights(self, query: str, ignore: frozenset[str] = frozenset()) -> dict[str, float]:
        """The query's content words (stemmed), each weighted by its rarity (BM25 idf).

        The words that only name a speaker's act or the document's parts
        (:mod:`bot.reporting`) are left out."""
        terms = dict.fromkeys(tokenize(query))
        reporting = reporting_terms(query)
        return {
            t: self.index.sparse.idf(t) for t in terms if t not in reporting and t not in ignore
        }

    def _share(
        self, query: str, present: Callable[[str], bool], ignore: frozenset[str] = frozenset()
    ) -> float | None:
        """Idf-weighted share of the query's content words for which ``present`` holds;
        ``None`` when it has none."""
        weights = self.term_weights(query, ignore)
        total = sum(weights.values())
        if total <= 0:
            return None
        return sum(w for t, w in weights.items() if present(t)) / total


def _pairs(terms: list[str], reporting: frozenset[str]) -> set[tuple[str, str]]:
    """Consecutive content words, passing over the ``reporting`` ones ("Putin said war"
    holds the pair putin-war)."""
    return set(pairwise(t for t in terms if t not in reporting))
