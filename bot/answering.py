"""The one answering core shared by the console, ``ask`` and Telegram.

question -> clean -> scope (named commenters / article / comments)
         -> routes, the first that replies wins:
            metadata (from the parsed structure)
            content: hybrid retrieval -> calibrated abstention
                     -> best sentences of the top passages, as attributed quotes

The reply is data (:mod:`bot.replies`); the front ends render it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.answer_sentences import answer_cue, sentence_score
from bot.answerability import (
    AnswerType,
    expected_answer,
    named_topic_covered,
    states,
    unfamiliar_names,
    unfamiliar_years,
)
from bot.compound import join_replies, split_question
from bot.examples import example_questions
from bot.instructions import read_request, supports
from bot.intents import Candidate, Intent
from bot.knowledge import Knowledge
from bot.metadata import MetadataAnswerer
from bot.overviews import OverviewAnswerer
from bot.questions import Scope, clean_question, is_follow_up, question_scope
from bot.replies import Citation, Quote, Reply, Role, citation_label, invalid, not_found
from bot.retrieval import Ranked, Retrieval, Retriever
from bot.spelling import Speller
from bot.thresholds import Thresholds
from bot.window import answering_sentences
from corpus.model import Comment
from embeddings.embedder import Embedder, Vectors, normalise
from embeddings.passages import Passage
from embeddings.sparse import tokenize

MAX_ANSWER_SENTENCES = 3
MAX_SENTENCES_PER_PASSAGE = 2
FOLLOW_UP_WEIGHT = 0.6
# A runner-up passage whose fused score is at least this share of the top one's is a
# close call that retrieval could not settle: it is quoted and cited as well, even when
# its best sentence is further from the question than the top passage's.
CLOSE_CALL = 0.95
# Sentences are chosen from this many of the top passages (at most ``citations`` cited).
CANDIDATE_PASSAGES = 3


@dataclass(frozen=True, slots=True)
class AnswerSettings:
    citations: int = 3
    min_score: float = 0.42
    max_question_chars: int = 1000
    overview_citations: int = 6
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True, slots=True)
class Turn:
    """What a follow-up question needs from the previous one."""

    question: str
    scope: Scope = field(default_factory=Scope)


@dataclass(frozen=True, slots=True)
class Asked:
    """A valid question as the answerers see it."""

    question: str  # as asked (cleaned), kept whole for the reply
    text: str  # cleaned
    query: str  # ``text``, after the previous question when this one follows up on it
    scope: Scope


Route = Callable[[Asked], Reply | None]
"""One kind of answer: a reply when it applies to the question, else ``None``."""


class Answerer:
    """Answers questions over one loaded :class:`Knowledge` with one embedder."""

    def __init__(self, knowledge: Knowledge, embedder: Embedder, settings: AnswerSettings) -> None:
        self.knowledge = knowledge
        self.embedder = embedder
        self.settings = settings
        index = knowledge.index
        self._first_passage = {
            (p.document, p.comment_number): p
            for p in reversed(index.passages)
            if p.source_type == "comment"
        }
        documents = knowledge.corpus.documents
        self.speller = Speller(
            [p.text for p in index.passages]
            + [d.title for d in documents]
            + [d.site for d in documents if d.site]
            + [name for d in documents for name in (d.author, *d.commenters) if name]
        )
        self._metadata = MetadataAnswerer(
            knowledge.corpus,
            lambda document, number: self._first_passage.get((document, number)),
            settings.citations,
            vocabulary=self.speller.counts,
        )
        self._multi_document = len(knowledge.corpus.documents) > 1
        # Names the document uses outside its passages: its title, author (the byline is
        # metadata) and site, and its commenters.
        self._named_terms = self._metadata.own_terms | frozenset(
            term for d in documents for name in d.commenters for term in tokenize(name)
        )
        self.retriever = Retriever(index, knowledge.corpus)
        # Tried in order; the first reply wins. A new kind of answer goes before the
        # content route, which always replies (answered or not found).
        self._overviews = OverviewAnswerer(
            knowledge, embedder, settings.overview_citations, settings.thresholds
        )
        self.routes: list[Route] = [
            self._metadata_route,
            self._overview_route,
            self._content_route,
        ]
        self._examples: list[str] | None = None

    def example_questions(self) -> list[str]:
        """A few questions about the loaded corpus that this answerer answers (for the
        front ends' help); worked out once."""
        if self._examples is None:
            self._examples = example_questions(
                self.knowledge.corpus, self.speller.names, self.answer
            )
        return list(self._examples)

    def answer(self, question: str, previous: Turn | None = None) -> Reply:
        """Answer one question; ``previous`` is the last turn of the same conversation."""
        reply, _ = self.answer_turn(question, previous)
        return reply

    def answer_turn(self, question: str, previous: Turn | None = None) -> tuple[Reply, Turn | None]:
        """Like :meth:`answer`, and also the :class:`Turn` to pass with the next question.

        Misspelt words are corrected first (:mod:`bot.spelling`). A valid question goes
        to each of :attr:`routes` in turn; the first reply wins. A compound question
        about the document ("Who wrote this and when was it published?") is answered
        part by part (:mod:`bot.compound`).
        """
        # Everything after this point, the echoed question included, sees only the
        # cleaned text: no terminal escapes or control characters reach any front end.
        question = text = clean_question(question)
        if not text:
            return invalid(question, "empty"), previous
        if len(text) > self.settings.max_question_chars:
            limit = self.settings.max_question_chars
            return invalid(question, "too_long", length=len(text), limit=limit), previous
        if not any(ch.isalnum() for ch in text):
            return invalid(question, "no_words"), previous
        request = read_request(text)
        if request.instructed and not request.question:
            return not_found(question, "no_match"), previous
        reply, turn = self._answer_text(question, request.question, previous)
        # A claim the bot was told to make gets the plain not-found reply unless the
        # document supports it: no reason that would echo the claim back.
        if request.claim is not None and not (
            reply.found and supports(request.claim, _said(reply))
        ):
            return not_found(question, "no_match"), turn
        return reply, turn

    def _answer_text(
        self, question: str, text: str, previous: Turn | None
    ) -> tuple[Reply, Turn | None]:
        text, corrections = self.speller.correct(text)
        understood = text if corrections else None
        scope = self._scope(text)
        query = text
        if previous is not None and is_follow_up(text):
            query = f"{previous.question} {text}"
            if scope.is_open:
                scope = previous.scope
        turn = Turn(query if len(query) <= 2 * self.settings.max_question_chars else text, scope)
        parts = self._compound_parts(text)
        if parts:
            replies = [
                (part, self._route(Asked(question, part, part, self._scope(part))))
                for part in parts
            ]
            reply = join_replies(question, replies)
        else:
            reply = self._route(Asked(question, text, query, scope))
        return replace(reply, understood=understood), turn

    def _route(self, asked: Asked) -> Reply:
        for route in self.routes:
            reply = route(asked)
            if reply is not None:
                return reply
        return not_found(asked.question, "no_match")

    def _scope(self, text: str) -> Scope:
        return question_scope(text, self.knowledge.corpus)

    def _compound_parts(self, text: str) -> list[str]:
        """The parts of a compound question when one of them asks about the document's
        structure, else none (a compound content question is retrieved as a whole)."""
        parts = split_question(text)
        if len(parts) < 2:
            return []
        if any(self._metadata.facts(part, self._scope(part)) is not None for part in parts):
            return parts
        return []

    def _metadata_route(self, asked: Asked) -> Reply | None:
        return self._metadata.answer(asked.question, asked.text, asked.scope)

    def _overview_route(self, asked: Asked) -> Reply | None:
        """The argument, the themes, stances, an exchange (:mod:`bot.overviews`)."""
        intent = self._overviews.intent(asked.text, asked.scope.named, asked.scope.source)
        return None if intent is None else self._overviews.answer(asked.question, intent)

    def overview_intent(self, question: str) -> Intent | None:
        """The overview ``question`` asks for, or ``None`` when it is a lookup."""
        text = clean_question(question)
        scope = question_scope(text, self.knowledge.corpus)
        return self._overviews.intent(text, scope.named, scope.source)

    def overview_candidates(self, question: str) -> list[Candidate]:
        """The overview kinds ``question`` may ask for with their cosines, before the
        thresholds choose (``article-bot calibrate`` sets them from these)."""
        text = clean_question(question)
        scope = question_scope(text, self.knowledge.corpus)
        return self._overviews.candidates(text, scope.named, scope.source)

    def _content_route(self, asked: Asked) -> Reply:
        """Hybrid retrieval over the passages, calibrated abstention, quoted sentences."""
        text, query, scope = asked.text, asked.query, asked.scope
        query_vector = self.embedder.embed_query(text)
        if query != text:
            # A follow-up is about its own words first; the previous question only fills
            # in what it leaves out ("he", "that"). Word matching sees both.
            context = self.embedder.embed_query(query)
            query_vector = normalise(
                FOLLOW_UP_WEIGHT * query_vector + (1 - FOLLOW_UP_WEIGHT) * context
            )
        retrieval = self.retriever.retrieve(query, query_vector, scope)
        if not self._found(query, retrieval, scope):
            if scope.named:
                return not_found(asked.question, "commenters_silent", names=list(scope.named))
            return not_found(asked.question, "no_match")
        return self._compose(text, asked.question, query_vector, retrieval, scope)

    def _found(self, query: str, retrieval: Retrieval, scope: Scope) -> bool:
        """Decide "in the document" from the fused evidence, not one cosine cut-off.

        A passage close in meaning (cosine >= ``min_score``), or one sentence that is
        closer still (``min_score + 0.05``), is enough on its own. A weaker match counts
        when the document uses most of the question's content words, weighted by rarity:
        the bar drops from ``min_score - 0.02`` at half the words to ``min_score - 0.12``
        at all of them, so "Dolchstosslegende" or "petrodollar" are found, while a
        question that merely shares "France" with one comment is not.

        A question about named commenters is answered when their comments touch its topic
        (see :func:`bot.answerability.named_topic_covered`); any other question for a fact
        about a year the document never names is not
        (:func:`bot.answerability.unfamiliar_years`).
        """
        if not retrieval.ranked:
            return False
        if scope.named:
            topic = self.retriever.topic_coverage(query, scope)
            return named_topic_covered(
                topic, retrieval.best_sentence, self.settings.thresholds.named_sentence
            )

        def known(term: str) -> bool:
            return term in self._named_terms or self.retriever.in_document(term)

        if unfamiliar_years(query, known) or unfamiliar_names(query, known):
            return False
        threshold = self.settings.min_score
        best = max(retrieval.best_dense, retrieval.best_sentence)
        if retrieval.best_dense >= threshold or retrieval.best_sentence >= threshold + 0.05:
            return True
        coverage = retrieval.coverage
        if coverage < 0.5:
            return False
        return best >= threshold - 0.02 - 0.10 * (coverage - 0.5) / 0.5

    def _compose(
        self,
        text: str,
        question: str,
        query_vector: Vectors,
        retrieval: Retrieval,
        scope: Scope,
    ) -> Reply:
        """The reply quoting the best sentences; not found when the question asks for a
        year or a quantity and none of them states one."""
        wanted: AnswerType | None = expected_answer(text)
        candidates = list(retrieval.ranked[: max(self.settings.citations, CANDIDATE_PASSAGES)])
        chosen = self._choose_sentences(text, query_vector, candidates)
        candidates = self._with_answers(chosen, candidates)
        cited: list[tuple[Passage, float, list[int]]] = [
            (r.passage, r.fused, sorted(chosen[r.passage.id]))
            for r in candidates
            if chosen.get(r.passage.id)
        ]
        original = self._replied(cited, scope)
        if original is not None:
            cited = self._with_replied(cited, original, query_vector)
        cited = cited[: self.settings.citations]
        quoted = (passage.sentences[i] for passage, _, positions in cited for i in positions)
        if wanted is not None and not states(wanted, quoted):
            return not_found(question, "no_stated_" + wanted)
        citations: list[Citation] = []
        quotes: list[Quote] = []
        for passage, score, positions in cited:
            number = len(citations) + 1
            citations.append(
                # Four decimals, as printed: a stored reply reads back the same.
                Citation(
                    number, passage, round(score, 4), citation_label(passage, self._multi_document)
                )
            )
            replied_to = (
                original is not None and passage.comment_number == original.number and number > 1
            )
            quotes.append(quote(passage, number, positions, replied_to=replied_to))
        return Reply(
            question, "answered", "content", quotes=tuple(quotes), citations=tuple(citations)
        )

    def _with_answers(self, chosen: dict[int, set[int]], candidates: list[Ranked]) -> list[Ranked]:
        """Add to ``chosen`` the sentences of the same passage that answer a chosen
        question or claim (:mod:`bot.window`)."""
        for ranked in candidates:
            passage = ranked.passage
            for position in sorted(chosen.get(passage.id, ())):
                chosen[passage.id].update(answering_sentences(passage.sentences, position))
        return candidates

    def _replied(
        self, cited: list[tuple[Passage, float, list[int]]], scope: Scope
    ) -> Comment | None:
        """For a question about a reply: the comment the top cited reply answers."""
        if not scope.replying_to or not cited:
            return None
        replied = self.retriever.replied_comment(cited[0][0])
        return replied[-1] if replied else None

    def _with_replied(
        self,
        cited: list[tuple[Passage, float, list[int]]],
        original: Comment,
        query_vector: Vectors,
    ) -> list[tuple[Passage, float, list[int]]]:
        """Put ``original`` (the comment the top reply answers) right after the reply, with
        its sentence closest to the question, so both are cited."""
        top = cited[0][0]
        index = self.knowledge.index
        scored = [
            (float(similarities.max()), passage, int(similarities.argmax()))
            for passage in index.passages
            if passage.document == top.document and passage.comment_number == original.number
            for similarities in [index.sentence_vector_rows(passage) @ query_vector]
        ]
        if not scored:
            return cited
        _, best, position = max(scored, key=lambda item: item[0])
        rest = [c for c in cited[1:] if c[0].id != best.id]
        return [cited[0], (best, cited[0][1], [position]), *rest]

    def _choose_sentences(
        self, question: str, query_vector: Vectors, candidates: list[Ranked]
    ) -> dict[int, set[int]]:
        """Sentence positions to quote from each passage.

        The best sentence of the top passage always goes in, then the best sentence of
        each close-call runner-up (see :data:`CLOSE_CALL`), then the best remaining
        sentences that are nearly as relevant as the first.

        Only sentences that say something in the commenter's own voice are quoted (not an
        ``@Name`` line, not a line quoting someone else), and a sentence shared by two
        overlapping passages is quoted once.
        """
        scored: list[tuple[float, int, int]] = []
        weights = self.retriever.term_weights(question)
        # A question for a year or a count is refused unless a quoted sentence states
        # one (bot.answerability); preferring such sentences would hollow out that check,
        # so the cue only weighs in for kinds it doesn't cover ("when", "how far", "who").
        cue = None if expected_answer(question) else answer_cue(question)
        for rank, ranked in enumerate(candidates):
            passage = ranked.passage
            vectors = self.knowledge.index.sentence_vector_rows(passage)
            similarities = (vectors @ query_vector).tolist() if len(vectors) else []
            usable = [i for i, text in enumerate(passage.sentences) if _quotable(text)]
            for position in usable or range(len(passage.sentences)):
                # A small preference for higher-ranked passages keeps the answer focused.
                fit = sentence_score(
                    similarities[position], weights, cue, passage.sentences[position], question
                )
                scored.append((fit - 0.02 * rank, passage.id, position))
        if not scored:
            return {}
        sentence_text = {p.passage.id: p.passage.sentences for p in candidates}
        best: dict[int, tuple[float, int, int]] = {}
        for item in scored:
            if item[1] not in best or item[0] > best[item[1]][0]:
                best[item[1]] = item
        top = candidates[0]
        first = best[top.passage.id]
        close_calls = [
            best[r.passage.id]
            for r in candidates[1:]
            if r.passage.id in best and r.fused >= CLOSE_CALL * top.fused
        ]
        floor = max(first[0] * 0.85, first[0] - 0.12)
        ordered = close_calls + [s for s in sorted(scored, reverse=True) if s[0] >= floor]
        chosen: dict[int, set[int]] = {first[1]: {first[2]}}
        seen = {sentence_text[first[1]][first[2]]}
        for _, passage_id, position in ordered:
            if len(seen) >= MAX_ANSWER_SENTENCES:
                break
            text = sentence_text[passage_id][position]
            picked = chosen.setdefault(passage_id, set())
            if text in seen or len(picked) >= MAX_SENTENCES_PER_PASSAGE:
                continue
            picked.add(position)
            seen.add(text)
        return {i: picked for i, picked in chosen.items() if picked}


_QUOTED = re.compile(r"^(blockquote>)?\s*[“\"].*[”\"][.…]*$")


def _quotable(sentence: str) -> bool:
    """Worth quoting as the speaker's own words: a real sentence, not an address or a quote."""
    stripped = sentence.strip()
    return (
        len(stripped.split()) >= 4
        and not stripped.startswith(("@", "blockquote>"))
        and not _QUOTED.match(stripped)
    )


def quote(passage: Passage, citation: int, positions: list[int], replied_to: bool = False) -> Quote:
    """The sentences at ``positions`` of ``passage``, attributed to who wrote them, so the
    article's and a commenter's views are never blended."""
    role: Role
    if passage.source_type == "comment":
        role = "commenter"
    else:
        role = "author" if passage.author else "article"
    return Quote(
        role=role,
        speaker=passage.author,
        citation=citation,
        sentences=tuple(passage.sentences[i] for i in positions),
        positions=tuple(positions),
        source_type=passage.source_type,
        paragraph=passage.paragraph,
        comment_number=passage.comment_number,
        replied_to=replied_to,
    )


def _said(reply: Reply) -> list[str]:
    """Everything a reply states or cites, as text: what a dictated claim is checked on."""
    said = [s for quote in reply.quotes for s in quote.sentences]
    said += [quote.speaker for quote in reply.quotes if quote.speaker]
    said += [text for fact in reply.facts for text in _texts(fact.values)]
    for citation in reply.citations:
        passage = citation.passage
        said += [passage.text, passage.document_title, passage.author or ""]
    return said


def _texts(value: object) -> list[str]:
    """The strings inside a fact's values (lists and mappings included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _texts(item)]
    return [str(value)] if value is not None else []
