"""Questions about the document itself, answered from its parsed structure.

Who wrote it, its title and site, how many comments, when comment N (or the first /
latest) was posted and by whom, when a named commenter posted, who commented more than
once, and who a named commenter is. Each answer is a list of :class:`Fact` records that
cite the part they come from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.questions import Scope
from bot.replies import Citation, Fact, Reply, citation_label, not_found
from corpus.loading import Corpus
from corpus.model import Comment, Document
from embeddings.passages import Passage

FirstPassage = Callable[[str, int], Passage | None]
"""(document path, comment number) -> the first passage of that comment."""

_I = re.IGNORECASE
AUTHOR = re.compile(
    r"\bwho\b.{0,20}\b(wrote|writes|written|authored|penned)\b"
    r"|\bwho(?:'s| is) the (author|writer)\b"
    r"|\b(name of|who is) the (author|writer)\b|\bauthor(?:'s)? name\b|\bwho is it by\b",
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


@dataclass(frozen=True)
class MetadataAnswerer:
    corpus: Corpus
    first_passage: FirstPassage
    max_citations: int = 3

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
        about the document's structure."""
        document = self._document(question)
        ordinal = ORDINAL.search(question)
        if AUTHOR.search(question) and not (ordinal and COMMENT_WORD.search(question)):
            return self._author(document)
        if TITLE.search(question):
            return self._title(document)
        if SITE.search(question) and document.site:
            return self._site(document)
        if COUNT.search(question) and document.comments:
            return self._count(document)
        if REPEAT.search(question) and COMMENT_WORD.search(question) and document.comments:
            return self._repeat(document)
        if ordinal and COMMENT_WORD.search(question) and document.comments:
            comment = self._pick(document, ordinal)
            if comment is None:
                first, last = document.comments[0].number, document.comments[-1].number
                return Missing("no_such_comment", {"first": first, "last": last})
            if WHEN.search(question) or WHO.search(question):
                return [self._posted(document, comment)]
        if (
            WHEN.search(question)
            and COMMENT_WORD.search(question)
            and scope.commenters
            and not scope.replying_to
        ):
            return self._when_by(scope.commenters)
        if WHO_IS.search(question) and len(scope.commenters) == 1 and len(question.split()) <= 6:
            return [self._who_is(document, scope.commenters[0])]
        return None

    def _document(self, question: str) -> Document:
        documents = self.corpus.documents
        words = set(re.findall(r"\w+", question.lower()))

        def overlap(d: Document) -> int:
            return len(words & set(re.findall(r"\w{4,}", d.title.lower())))

        best = max(documents, key=lambda d: (overlap(d), bool(d.comments)))
        return best

    def _pick(self, document: Document, ordinal: re.Match[str]) -> Comment | None:
        ordered = sorted(
            document.comments,
            key=lambda c: (c.posted_at is None, c.posted_at or c.number, c.number),
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
        values: dict[str, Any] = {"title": document.title}
        if self.multi_document:
            values["all_titles"] = [d.title for d in self.corpus.documents]
        return [Sourced(Fact("title", document.title, values), [source])]

    def _site(self, document: Document) -> list[Sourced]:
        source = self._header(document, f"{document.site} - {document.url}", "Article header")
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

    def _when_by(self, commenters: tuple[str, ...]) -> list[Sourced]:
        """When the named commenters posted: "When did Oskar post his comment?"."""
        return [
            self._posted(document, comment)
            for author in commenters
            for document in self.corpus.documents
            for comment in document.comments_by(author)
        ]

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
        for sourced in facts:
            numbers: list[int] = []
            for passage, label in sourced.sources:
                key = (passage.document, passage.id, label)
                if key not in citations:
                    if len(citations) >= self.max_citations:
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
