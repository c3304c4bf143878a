"""Questions about the document itself, answered from its parsed structure.

Who wrote it, its title and site, how many comments, when comment N (or the first /
latest) was posted and by whom, when a named commenter posted, who commented more than
once, and who a named commenter is. Each answer cites the part it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.questions import Scope
from bot.replies import Citation, Reply, citation_label, format_date_long
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

    def answer(self, question: str, scope: Scope) -> Reply | None:
        """A reply when ``question`` asks about the document's structure, else ``None``."""
        document = self._document(question)
        ordinal = ORDINAL.search(question)
        if AUTHOR.search(question) and not (ordinal and COMMENT_WORD.search(question)):
            return self._author(question, document)
        if TITLE.search(question):
            return self._title(question, document)
        if SITE.search(question) and document.site:
            return self._site(question, document)
        if COUNT.search(question) and document.comments:
            return self._count(question, document)
        if REPEAT.search(question) and COMMENT_WORD.search(question) and document.comments:
            return self._repeat(question, document)
        if ordinal and COMMENT_WORD.search(question) and document.comments:
            comment = self._pick(document, ordinal)
            if comment is None:
                return Reply(
                    question,
                    False,
                    f"There is no such comment; the comments run from "
                    f"#{document.comments[0].number} to #{document.comments[-1].number}.",
                    kind="metadata",
                )
            if WHEN.search(question):
                return self._when(question, document, comment)
            if WHO.search(question):
                return self._who_wrote(question, document, comment)
        if (
            WHEN.search(question)
            and COMMENT_WORD.search(question)
            and scope.commenters
            and not scope.replying_to
        ):
            return self._when_by(question, scope.commenters)
        if WHO_IS.search(question) and len(scope.commenters) == 1 and len(question.split()) <= 6:
            return self._who_is(question, document, scope.commenters[0])
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

    def _cite(self, document: Document, comments: list[Comment]) -> tuple[Citation, ...]:
        return self._cite_each([(document, comment) for comment in comments])

    def _cite_each(self, comments: list[tuple[Document, Comment]]) -> tuple[Citation, ...]:
        """Citations of the first ``max_citations`` comments, each in its document."""
        citations: list[Citation] = []
        for document, comment in comments[: self.max_citations]:
            passage = self.first_passage(document.path, comment.number)
            if passage is not None:
                label = citation_label(passage, self.multi_document)
                citations.append(Citation(len(citations) + 1, passage, 1.0, label))
        return tuple(citations)

    def _part(self, document: Document, text: str, label: str) -> tuple[Citation, ...]:
        passage = Passage(
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
        )
        if self.multi_document:
            label = f"“{document.title}”, {label}"
        return (Citation(1, passage, 1.0, label),)

    def _author(self, question: str, document: Document) -> Reply:
        if not document.author:
            return Reply(
                question, False, f"“{document.title}” doesn't name its author.", kind="metadata"
            )
        role = f", {document.author_role}" if document.author_role else ""
        answer = f"“{document.title}” was written by {document.author}{role} [1]."
        return Reply(
            question,
            True,
            answer,
            self._part(document, document.byline or document.author, "Article byline"),
            kind="metadata",
        )

    def _title(self, question: str, document: Document) -> Reply:
        answer = f"The article is titled “{document.title}” [1]."
        if self.multi_document:
            titles = "; ".join(f"“{d.title}”" for d in self.corpus.documents)
            answer += f" The documents here are: {titles}."
        return Reply(
            question,
            True,
            answer,
            self._part(document, document.title, "Article title"),
            kind="metadata",
        )

    def _site(self, question: str, document: Document) -> Reply:
        answer = f"It was published by {document.site} ({document.url}) [1]."
        return Reply(
            question,
            True,
            answer,
            self._part(document, f"{document.site} - {document.url}", "Article header"),
            kind="metadata",
        )

    def _count(self, question: str, document: Document) -> Reply:
        comments = document.comments
        people = len(document.commenters)
        first, last = comments[0], comments[-1]
        answer = (
            f"“{document.title}” has {len(comments)} comments from {people} different readers, "
            f"posted between {format_date_long(first.posted_at)} [1] and "
            f"{format_date_long(last.posted_at)} [2]."
        )
        return Reply(question, True, answer, self._cite(document, [first, last]), kind="metadata")

    def _repeat(self, question: str, document: Document) -> Reply:
        repeat = [a for a in document.commenters if len(document.comments_by(a)) > 1]
        if not repeat:
            return Reply(
                question, True, "Every comment is from a different reader.", kind="metadata"
            )
        cited = [document.comments_by(a)[0] for a in repeat]
        citations = self._cite(document, cited)
        parts = []
        for author in repeat:
            numbers = ", ".join(f"#{c.number}" for c in document.comments_by(author))
            marker = next((f" [{c.number}]" for c in citations if c.passage.author == author), "")
            parts.append(f"{author} ({numbers}){marker}")
        answer = "Commented more than once: " + "; ".join(parts) + "."
        return Reply(question, True, answer, citations, kind="metadata")

    def _when(self, question: str, document: Document, comment: Comment) -> Reply:
        answer = (
            f"Comment #{comment.number}, by {comment.author}, was posted on "
            f"{format_date_long(comment.posted_at)} [1]."
        )
        return Reply(question, True, answer, self._cite(document, [comment]), kind="metadata")

    def _when_by(self, question: str, commenters: tuple[str, ...]) -> Reply:
        """When the named commenters posted: "When did Oskar post his comment?"."""
        found = [
            (document, comment)
            for author in commenters
            for document in self.corpus.documents
            for comment in document.comments_by(author)
        ]
        citations = self._cite_each(found)
        numbers = {(c.passage.document, c.passage.comment_number): c.number for c in citations}
        parts = []
        for document, comment in found:
            number = numbers.get((document.path, comment.number))
            marker = f" [{number}]" if number else ""
            parts.append(
                f"{comment.author} posted comment #{comment.number} on "
                f"{format_date_long(comment.posted_at)}{marker}."
            )
        return Reply(question, True, " ".join(parts), citations, kind="metadata")

    def _who_wrote(self, question: str, document: Document, comment: Comment) -> Reply:
        answer = (
            f"Comment #{comment.number} was written by {comment.author}, "
            f"on {format_date_long(comment.posted_at)} [1]."
        )
        return Reply(question, True, answer, self._cite(document, [comment]), kind="metadata")

    def _who_is(self, question: str, document: Document, commenter: str) -> Reply:
        comments = list(document.comments_by(commenter))
        numbers = ", ".join(f"#{c.number}" for c in comments)
        times = "once" if len(comments) == 1 else f"{len(comments)} times"
        answer = (
            f"{commenter} is a reader who commented {times} ({numbers}), first on "
            f"{format_date_long(comments[0].posted_at)} [1]."
        )
        return Reply(question, True, answer, self._cite(document, comments[:1]), kind="metadata")
