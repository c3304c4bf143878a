"""Overview answers: the article's argument, the comments' themes, who agrees with whom,
the strongest objection, an exchange between two commenters.

:class:`OverviewAnswerer` reads the question's intent (:mod:`bot.intents`), runs the
matching method over each document it concerns (:mod:`bot.overview`,
:mod:`bot.themes`, :mod:`bot.stance`) and returns the picks as a cited reply.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.intents import ARTICLE_KINDS, Candidate, Intent, IntentReader, choose
from bot.knowledge import Knowledge
from bot.overview import ArticleShape, article_shape, key_sentences
from bot.picks import Pick, centroid
from bot.replies import Citation, Quote, Reply, Role, citation_label, not_found
from bot.stance import ARTICLE, Polarity, StanceReader, exchange, stance_picks, strongest_objection
from bot.themes import comment_themes
from bot.thresholds import Thresholds
from corpus.model import Document
from corpus.names import words
from embeddings.embedder import Embedder, Vectors
from embeddings.sparse import tokenize

# A word in at least this share of a document's passages is its everyday vocabulary
# ("Russia" in a piece about Russia): it doesn't give an overview question a topic.
EVERYDAY_SHARE = 0.25
# The answer text stays under this, so with its list of sources an overview fits one
# Telegram message (4,096 characters).
MAX_ANSWER_CHARS = 2800


class OverviewAnswerer:
    def __init__(
        self,
        knowledge: Knowledge,
        embedder: Embedder,
        limit: int,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.embedder = embedder
        self.limit = limit
        self.thresholds = thresholds or Thresholds()
        self._reader: IntentReader | None = None
        self._shapes: dict[str, ArticleShape] = {}
        self._stances: dict[str, StanceReader] = {}
        passages = knowledge.index.passages
        self._everyday_terms = {
            term
            for term in {t for p in passages for t in tokenize(p.text)}
            if knowledge.index.sparse.document_frequency(term) >= EVERYDAY_SHARE * len(passages)
        }
        self._title_words = {w for d in knowledge.corpus.documents for w in words(d.title)}

    def intent(
        self, question: str, people: Sequence[str], source: str | None = None
    ) -> Intent | None:
        found = self.candidates(question, people, source)
        return choose(found, self.thresholds, tuple(dict.fromkeys(people)))

    def candidates(
        self, question: str, people: Sequence[str], source: str | None = None
    ) -> list[Candidate]:
        """The overview kinds ``question`` may ask for, before thresholds (see
        :meth:`bot.intents.IntentReader.candidates`)."""
        if self._reader is None:
            # Built on first use: the exemplars cost one batch of model passes.
            self._reader = IntentReader(self.embedder, self._everyday, self.thresholds)
        names = [a for d in self.knowledge.corpus.documents for a in d.commenters]
        names += [d.author for d in self.knowledge.corpus.documents if d.author]
        comments = any(d.comments for d in self.knowledge.corpus.documents)
        return self._reader.candidates(question, people, names, source, comments)

    def _everyday(self, word: str) -> bool:
        if word in self._title_words:
            return True
        terms = tokenize(word)
        return bool(terms) and all(t in self._everyday_terms for t in terms)

    def answer(self, question: str, intent: Intent) -> Reply:
        documents = self._documents(question, intent)
        budget = max(1, self.limit // max(1, len(documents)))
        builder = _ReplyBuilder(len(self.knowledge.corpus.documents) > 1)
        for document in documents:
            self._section(builder, document, intent, budget)
        detail: dict[str, object] = {"overview": intent.kind, **builder.detail}
        if not builder.citations:
            reason = builder.reason or "no_match"
            return not_found(question, reason, "overview", **detail)
        return Reply(
            question,
            "answered",
            "overview",
            detail=detail,
            quotes=tuple(builder.quotes),
            citations=tuple(builder.citations),
        )

    def _documents(self, question: str, intent: Intent) -> list[Document]:
        """The documents the question is about: the one whose title it names, else all
        that have what the intent needs (comments for a comment overview)."""
        documents = list(self.knowledge.corpus.documents)
        if intent.kind in ("themes", "agree", "disagree", "objection", "exchange"):
            documents = [d for d in documents if d.comments]
        if intent.people:
            documents = [d for d in documents if set(intent.people) & set(d.commenters)]
        asked = set(words(question))
        titled = [
            d
            for d in documents
            if len(asked & _content_words(d.title)) >= max(1, len(_content_words(d.title)) // 2)
        ]
        return titled or documents

    def _section(
        self, builder: _ReplyBuilder, document: Document, intent: Intent, limit: int
    ) -> None:
        kind = intent.kind
        if kind in ARTICLE_KINDS:
            picks = key_sentences(self._shape(document), kind, limit)
            if not picks and kind in ("evidence", "counterpoints"):
                builder.reason = "no_" + kind
            for pick in picks:
                builder.quote(pick)
        elif kind == "themes":
            picks, read = comment_themes(self.knowledge.index, document, limit)
            if not picks:
                builder.reason = "no_comments"
                return
            themed = {n for p in picks for n in p.members}
            builder.detail["comments"] = read
            builder.detail["apart"] = [
                c.number for c in document.comments if c.number not in themed
            ]
            for pick in picks:
                builder.quote(pick)
        elif kind in ("agree", "disagree"):
            self._stance(builder, document, intent, limit)
        elif kind == "objection":
            picks = strongest_objection(self._stance_reader(document), limit)
            if not picks:
                builder.reason = "no_objection"
            for pick in picks:
                builder.quote(pick)
        elif kind == "exchange":
            first, second = intent.people[:2]
            builder.detail["people"] = [first, second]
            picks = exchange(self._stance_reader(document), (first, second), limit)
            if not picks:
                builder.reason = "no_exchange"
            for pick in picks:
                builder.quote(pick)

    def _stance(
        self, builder: _ReplyBuilder, document: Document, intent: Intent, limit: int
    ) -> None:
        reader = self._stance_reader(document)
        target = intent.people[0] if intent.people else ARTICLE
        polarity: Polarity = "agrees" if intent.kind == "agree" else "disagrees"
        builder.detail["target"] = target or None
        builder.detail["polarity"] = polarity
        stances = reader.toward(target)
        picks = stance_picks(stances, polarity, limit)
        if not picks:
            builder.reason = "no_stance"
            return
        mixed = {s.comment for s in stances if s.polarity == "mixed"}
        for pick in picks:
            builder.quote(pick, "mixed" if pick.members[0] in mixed else None)

    def _shape(self, document: Document) -> ArticleShape:
        if document.path not in self._shapes:
            title = self.embedder.embed_documents([document.title])[0]
            self._shapes[document.path] = article_shape(self.knowledge.index, document.path, title)
        return self._shapes[document.path]

    def _thesis_vector(self, document: Document) -> Vectors | None:
        shape = self._shape(document)
        picks = key_sentences(shape, "thesis", self.limit)
        rows = [p.passage.first_sentence + i for p in picks for i in p.positions]
        if not rows:
            return None
        return centroid(self.knowledge.index.sentence_vectors[rows])

    def _stance_reader(self, document: Document) -> StanceReader:
        if document.path not in self._stances:
            self._stances[document.path] = StanceReader(
                self.knowledge.index, document, self._thesis_vector(document), self.thresholds
            )
        return self._stances[document.path]


class _ReplyBuilder:
    """Quotes with their citations, one citation per passage, within the length budget."""

    def __init__(self, with_titles: bool) -> None:
        self.with_titles = with_titles
        self.quotes: list[Quote] = []
        self.citations: list[Citation] = []
        self.detail: dict[str, object] = {}
        self.reason: str | None = None
        self._numbers: dict[int, int] = {}
        self._length = 0

    def quote(self, pick: Pick, confidence: str | None = None) -> None:
        passage = pick.passage
        sentences = tuple(passage.sentences[i] for i in pick.positions)
        length = sum(len(s) + 1 for s in sentences) + 60
        if self._length + length > MAX_ANSWER_CHARS:
            return
        self._length += length
        number = self._numbers.get(passage.id)
        if number is None:
            number = len(self.citations) + 1
            self._numbers[passage.id] = number
            label = citation_label(passage, self.with_titles)
            self.citations.append(Citation(number, passage, 1.0, label))
        role: Role = "commenter" if passage.source_type == "comment" else "author"
        if role == "author" and not passage.author:
            role = "article"
        self.quotes.append(
            Quote(
                role,
                passage.author,
                number,
                sentences,
                pick.positions,
                passage.source_type,
                passage.paragraph,
                passage.comment_number,
                part=pick.role,
                members=pick.members,
                confidence=confidence or pick.confidence,
                group=pick.group,
            )
        )


def _content_words(title: str) -> set[str]:
    return {w for w in words(title) if len(w) >= 4}
