"""Questions about the document itself, answered from its parsed structure.

Who wrote it, its title and site, how many comments, when comment N (or the first /
latest) was posted and by whom, when a named commenter posted, who commented more than
once, and who a named commenter is. Each answer is a list of :class:`Fact` records that
cite the part they come from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from bot.questions import Scope
from bot.replies import Citation, Fact, Reply, citation_label, not_found
from bot.reporting import reporting_terms
from corpus.english import most_common
from corpus.loading import Corpus
from corpus.model import Comment, Document
from embeddings.passages import Passage
from embeddings.sparse import tokenize

FirstPassage = Callable[[str, int], Passage | None]
"""(document path, comment number) -> the first passage of that comment."""

_I = re.IGNORECASE
_WORK = r"(?:the|this|that) (?:article|piece|essay|op-ed|column|post|story)\b(?!['’]s)"
AUTHOR = re.compile(
    r"\bwho\b.{0,20}\b(wrote|writes|written|authored|penned)\b"
    r"|\bwho(?:'s| is) the (author|writer)\b"
    r"|\b(name of|who is) the (author|writer)\b|\bauthor(?:'s)? name\b|\bwho is it by\b",
    _I,
)
# Checking the author of the document itself ("the/this article"), whoever is named: "Did
# X write the article?", "Was this piece written by X?", "Is X the author of this
# article?", and the statement a reader asks to confirm: "X wrote the article".
AUTHOR_CHECK = re.compile(
    r"\b(?:did|does|has)\b[^.?!]{1,60}?\b(?:write|author|pen)\s+"
    + _WORK
    + r"|\b(?:was|is)\s+"
    + _WORK
    + r"\s+(?:written\s+|authored\s+|penned\s+)?by\b"
    r"|\bis\b[^.?!]{1,40}?\bthe\s+(?:author|writer)\s+of\s+"
    + _WORK
    + r"|\b(?:wrote|authored|penned)\s+"
    + _WORK
    + r"|"
    + _WORK
    + r"\s+(?:was|is)\s+(?:written|authored|penned)\s+by\b",
    _I,
)
TITLE = re.compile(r"\b(title|headline)\b|\bwhat is the (article|piece) called\b", _I)
SITE = re.compile(
    r"\b(which|what) (site|website|publication|magazine|outlet)\b|\bwhere was .* published\b", _I
)
COUNT = re.compile(r"\bhow many (comments|replies|responses|readers?|commenters|people)\b", _I)
REPEAT = re.compile(
    r"\bmore than (once|one comment)\b|\b(twice|multiple times|several times)\b"
    r"|\b(multiple|several|two|more) comments\b|\bmost (comments|active)\b",
    _I,
)
WHEN = re.compile(r"\b(when|what (time|date|day))\b", _I)
WHO = re.compile(r"\bwho\b", _I)
COMMENT_WORD = re.compile(r"\b(comments?|posted|posts?|replies|reply|commented)\b", _I)
ORDINAL = re.compile(
    r"\b(?P<first>first|earliest|oldest)\b|\b(?P<last>last|latest|most recent|newest|final)\b"
    r"|(?:#|\bcomment (?:number |no\.? ?|#)?|\bnumber )(?P<number>\d{1,4})\b"
    r"|\b(?P<word>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
    _I,
)
_WORD_ORDINALS = {
    w: i
    for i, w in enumerate(
        ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"],
        start=2,
    )
}
WHO_IS = re.compile(r"^\s*who(?:'s| is| was)\b", _I)
PUBLISHED = re.compile(
    r"\bwhen\b.{0,60}\b(published|written|wrote|write|appeared?|came out|come out|released?)\b"
    r"|\b(publication|publishing|release) date\b"
    r"|\bwhat (date|day|year)\b.{0,60}\b(published|written|appear|come out)\b",
    _I,
)
COMMON_WORDS = 300
"""The most frequent English words name no document even when a title uses them."""
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*")
_NAME_JOINERS = frozenset({"of", "the", "and", "de", "von", "van", "on", "for"})
# The words of questions about a document itself (what this module answers), which
# readers sometimes capitalise: they name no other work.
_DOCUMENT_WORDS = frozenset(
    "i article articles piece essay op-ed column post story blog text document author writer "
    "title headline site website publication comment comments commenter commenters reader "
    "readers reply replies the this it".split()
)
# Words of a question about a document's author, title or publisher that don't name a
# work ("What publication ran this article?", "Who is the writer of the piece?").
_PUBLISHING = frozenset(
    tokenize(
        "title titled headline site website publication magazine outlet newspaper journal "
        "blog publish published publisher ran run name named author authored writer wrote "
        "written penned by original"
    )
)
# The frame a question is asked in ("Can you tell me…", "I'd like to know…"): pronouns,
# modal and auxiliary verbs, verbs of asking. Closed-class words that say nothing about
# which work is meant.
_REQUEST_FRAME = frozenset(
    tokenize(
        "i me my we us our you your can could would will shall might may must please do does "
        "did know like want wonder wondering tell let show give find out"
    )
)


@dataclass(frozen=True)
class MetadataAnswerer:
    """``vocabulary``: the words the corpus uses (lower case), to tell a question about
    another work from one about these documents."""

    corpus: Corpus
    first_passage: FirstPassage
    max_citations: int = 3
    vocabulary: Collection[str] = frozenset()

    @property
    def multi_document(self) -> bool:
        return len(self.corpus.documents) > 1

    def answer(self, question: str, text: str, scope: Scope) -> Reply | None:
        """A reply when ``text`` (the cleaned ``question``) asks about the document's
        structure, else ``None``."""
        facts = self.facts(text, scope)
        if facts is None:
            return None
        if isinstance(facts, Missing):
            return not_found(question, facts.reason, "metadata", **facts.detail)
        found, citations = self._numbered(facts)
        return Reply(question, "answered", "metadata", facts=found, citations=citations)

    def facts(self, question: str, scope: Scope) -> list[Sourced] | Missing | None:
        """The facts ``question`` asks for, what is missing, or ``None`` when it isn't
        about the document's structure.

        With several documents, the facts of each document the question may mean: the
        one whose title it names, else all of them, never one picked silently.
        """
        documents = self._documents(question)
        # Only a question about these documents, or one naming a work the corpus never
        # mentions (refused below), asks for their author, title or site.
        about_it = (
            self._about_the_documents(question)
            or self._other_work(question) is not None
            or AUTHOR_CHECK.search(question) is not None
        )
        answers = [self._document_facts(question, scope, d, about_it) for d in documents]
        if all(answer is None for answer in answers):
            return None
        other = self._other_work(question)
        if other is not None:
            return Missing("other_work", {"name": other})
        found: list[Sourced] = []
        for document, answer in zip(documents, answers, strict=True):
            if isinstance(answer, list):
                found.extend(answer)
            elif isinstance(answer, Missing) and len(documents) > 1:
                values = {"asked": question, "reason": answer.reason, "detail": answer.detail}
                found.append(Sourced(Fact("not_given", document.title, values), []))
        if any(s.fact.kind != "not_given" for s in found):
            return found
        return next(a for a in answers if isinstance(a, Missing))

    def _document_facts(
        self, question: str, scope: Scope, document: Document, about_it: bool
    ) -> list[Sourced] | Missing | None:
        ordinal = ORDINAL.search(question)
        comment_word = COMMENT_WORD.search(question)
        asks_author = AUTHOR.search(question) or AUTHOR_CHECK.search(question)
        if asks_author and not (ordinal and comment_word) and about_it:
            return self._author(document)
        if TITLE.search(question) and about_it:
            return self._title(document)
        if SITE.search(question) and document.site and about_it:
            return self._site(document)
        if COUNT.search(question) and document.comments:
            return self._count(document)
        if REPEAT.search(question) and comment_word and document.comments:
            return self._repeat(document)
        if ordinal and comment_word and document.comments:
            comment = self._pick(document, ordinal)
            if comment is None:
                first, last = document.comments[0].number, document.comments[-1].number
                return Missing("no_such_comment", {"first": first, "last": last})
            if WHEN.search(question) or WHO.search(question):
                return [self._posted(document, comment)]
        if WHEN.search(question) and comment_word and scope.commenters and not scope.replying_to:
            found = self._when_by(document, scope.commenters)
            return found or None
        if (
            WHO_IS.search(question)
            and len(scope.commenters) == 1
            and len(question.split()) <= 6
            and document.comments_by(scope.commenters[0])
        ):
            return [self._who_is(document, scope.commenters[0])]
        if PUBLISHED.search(question) and not comment_word:
            return self._published(document)
        return None

    def _documents(self, question: str) -> list[Document]:
        """The documents ``question`` is about: those whose titles it names most
        (words that every title shares, or very common words, don't count), else all."""
        documents = list(self.corpus.documents)
        if len(documents) == 1:
            return documents
        asked = set(re.findall(r"\w+", question.lower()))
        titles, shared = self._title_words
        overlaps = [len((asked & title) - shared) for title in titles]
        best = max(overlaps)
        if best == 0:
            return documents
        return [d for d, overlap in zip(documents, overlaps, strict=True) if overlap == best]

    def _about_the_documents(self, question: str) -> bool:
        """Whether a question about an author, a title or a publisher asks about the
        corpus's own documents ("Who wrote this piece?", "Who wrote <its title>?") rather
        than a work the text mentions ("Who wrote The First Men in the Moon?", "What was
        the title of Galileo's book?"): every word it has besides words about documents
        and publishing is a word of a document's title, author or site."""
        own = self.own_terms
        reporting = reporting_terms(question)
        return all(
            term in own or term in reporting or term in _PUBLISHING or term in _REQUEST_FRAME
            for term in tokenize(question)
        )

    @cached_property
    def _title_words(self) -> tuple[list[set[str]], set[str]]:
        """Each document's title words (4 letters or more), and the words that don't
        tell titles apart (in every title, or very common)."""
        titles = [set(re.findall(r"\w{4,}", d.title.lower())) for d in self.corpus.documents]
        return titles, set.intersection(*titles) | most_common(COMMON_WORDS)

    @cached_property
    def own_terms(self) -> frozenset[str]:
        """The terms of every document's title, author and site."""
        return frozenset(
            term
            for d in self.corpus.documents
            for term in tokenize(" ".join(filter(None, (d.title, d.author, d.site))))
        )

    def _other_work(self, question: str) -> str | None:
        """A name in ``question`` that no document of the corpus uses ("the Iliad",
        "the NYT"): the question is about another work, not these documents.

        A name is a run of capitalised words after the first word of the question
        ("Federalist Papers", "Declaration of Independence", "NYT"); words this module
        itself reads as asking about a document ("Article", "Comments") don't count.
        """
        tokens = list(_TOKEN.finditer(question))
        run: list[str] = []
        unknown = False
        for position, match in enumerate([*tokens, None]):
            word = match.group(0) if match else ""
            key = re.sub(r"['’]s$", "", word).lower()
            capital = position > 0 and word[:1].isupper() and key not in _DOCUMENT_WORDS
            if capital:
                run.append(word)
                unknown = unknown or key not in self.vocabulary
                continue
            if run and key in _NAME_JOINERS and match is not None:
                run.append(word)
                continue
            while run and run[-1].lower() in _NAME_JOINERS:
                run.pop()
            if run and unknown:
                return " ".join(run)
            run, unknown = [], False
        return None

    def _pick(self, document: Document, ordinal: re.Match[str]) -> Comment | None:
        ordered = sorted(
            document.comments,
            key=lambda c: (c.posted_at is None, c.posted_at or datetime.min, c.number),
        )
        if ordinal["first"]:
            return ordered[0]
        if ordinal["last"]:
            return ordered[-1]
        if ordinal["word"]:
            position = _WORD_ORDINALS[ordinal["word"].lower()]
            return document.comment(position) or (
                ordered[position - 1] if position <= len(ordered) else None
            )
        return document.comment(int(ordinal["number"]))

    def _comment_sources(self, document: Document, comments: list[Comment]) -> list[Passage]:
        found = (self.first_passage(document.path, c.number) for c in comments)
        return [p for p in found if p is not None]

    def _header(self, document: Document, text: str, label: str) -> tuple[Passage, str]:
        """The document's header as a citable passage (the byline, the title...)."""
        if self.multi_document:
            label = f"“{document.title}”, {label}"
        return Passage(
            id=-1,
            document=document.path,
            document_title=document.title,
            source_type="article",
            paragraph=None,
            comment_number=None,
            author=document.author,
            posted_at=None,
            piece=0,
            pieces=1,
            sentences=(text,),
            source_url=document.source_url,
        ), label

    def _author(self, document: Document) -> list[Sourced] | Missing:
        if not document.author:
            return Missing("no_author", {"document": document.title})
        source = self._header(document, document.byline or document.author, "Article byline")
        values = {"author": document.author, "role": document.author_role or None}
        return [Sourced(Fact("author", document.title, values), [source])]

    def _title(self, document: Document) -> list[Sourced]:
        source = self._header(document, document.title, "Article title")
        return [Sourced(Fact("title", document.title, {"title": document.title}), [source])]

    def _site(self, document: Document) -> list[Sourced]:
        header = f"{document.site} - {document.url}" if document.url else str(document.site)
        source = self._header(document, header, "Article header")
        values = {"site": document.site, "url": document.url}
        return [Sourced(Fact("site", document.title, values), [source])]

    def _count(self, document: Document) -> list[Sourced]:
        comments = document.comments
        first, last = comments[0], comments[-1]
        values = {
            "comments": len(comments),
            "readers": len(document.commenters),
            "first": _iso(first.posted_at),
            "last": _iso(last.posted_at),
        }
        fact = Fact("comment_count", document.title, values)
        return [Sourced(fact, self._labelled(self._comment_sources(document, [first, last])))]

    def _repeat(self, document: Document) -> list[Sourced]:
        repeat = [a for a in document.commenters if len(document.comments_by(a)) > 1]
        values = {
            "commenters": [
                {"author": a, "numbers": [c.number for c in document.comments_by(a)]}
                for a in repeat
            ]
        }
        sources = self._comment_sources(document, [document.comments_by(a)[0] for a in repeat])
        return [Sourced(Fact("repeat_commenters", document.title, values), self._labelled(sources))]

    def _posted(self, document: Document, comment: Comment) -> Sourced:
        values = {
            "number": comment.number,
            "author": comment.author,
            "posted_at": _iso(comment.posted_at),
        }
        sources = self._comment_sources(document, [comment])
        return Sourced(Fact("comment_posted", document.title, values), self._labelled(sources))

    def _when_by(self, document: Document, commenters: tuple[str, ...]) -> list[Sourced]:
        """When the named commenters posted: "When did Oskar post his comment?"."""
        return [
            self._posted(document, comment)
            for author in commenters
            for comment in document.comments_by(author)
        ]

    def _published(self, document: Document) -> list[Sourced] | Missing:
        if not document.published:
            return Missing("no_date", {"document": document.title})
        source = self._header(document, document.published, "Article header")
        fact = Fact("published", document.title, {"date": document.published})
        return [Sourced(fact, [source])]

    def _who_is(self, document: Document, commenter: str) -> Sourced:
        comments = list(document.comments_by(commenter))
        values = {
            "author": commenter,
            "numbers": [c.number for c in comments],
            "first": _iso(comments[0].posted_at),
        }
        sources = self._comment_sources(document, comments[:1])
        return Sourced(Fact("commenter", document.title, values), self._labelled(sources))

    def _labelled(self, passages: list[Passage]) -> list[tuple[Passage, str]]:
        return [(p, citation_label(p, self.multi_document)) for p in passages]

    def _numbered(self, facts: list[Sourced]) -> tuple[tuple[Fact, ...], tuple[Citation, ...]]:
        """Number the facts' sources as citations: each passage once, at most
        ``max_citations`` of them."""
        citations: dict[tuple[str, int, str], Citation] = {}
        numbered: list[Fact] = []
        # Each document may use the whole allowance when the answer covers several.
        limit = self.max_citations * len({s.fact.document for s in facts})
        for sourced in facts:
            numbers: list[int] = []
            for passage, label in sourced.sources:
                key = (passage.document, passage.id, label)
                if key not in citations:
                    if len(citations) >= limit:
                        break
                    citations[key] = Citation(len(citations) + 1, passage, 1.0, label)
                numbers.append(citations[key].number)
            numbered.append(replace(sourced.fact, citations=tuple(numbers)))
        return tuple(numbered), tuple(citations.values())


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601, or ``None`` when the page doesn't show when a comment was posted."""
    return moment.isoformat() if moment else None


@dataclass(frozen=True, slots=True)
class Sourced:
    """A fact and the passages that show it, each with its label (not yet numbered)."""

    fact: Fact
    sources: list[tuple[Passage, str]]


@dataclass(frozen=True, slots=True)
class Missing:
    """What the document doesn't give, and why (a :attr:`Reply.reason`)."""

    reason: str
    detail: dict[str, Any]
