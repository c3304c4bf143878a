"""The parsed parts of a document: title, byline, article paragraphs and comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

DocumentKind = Literal["export", "text", "markdown", "html", "pdf", "docx"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One article paragraph; ``number`` is its ¶ number in reading order (from 1)."""

    number: int
    text: str
    line: int
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """One numbered reader comment.

    ``addressed_to`` and ``quotes`` keep what the text itself shows (``@Name``, a first
    line ``Name:``, a quoted line); ``replies_to`` are the comment numbers those resolve
    to, and ``replies_to_article`` is set when it quotes or addresses the article.
    """

    number: int
    author: str
    posted_at: datetime | None
    text: str
    line: int
    addressed_to: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    replies_to: tuple[int, ...] = ()
    replies_to_article: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed document. ``path`` is relative to the corpus folder; ``source_url`` is
    the web address it was saved from, when known (``url`` is the site's address)."""

    path: str
    title: str
    kind: DocumentKind
    paragraphs: tuple[Paragraph, ...]
    comments: tuple[Comment, ...] = ()
    site: str | None = None
    url: str | None = None
    author: str | None = None
    author_role: str | None = None
    byline: str | None = None
    byline_line: int | None = None
    declared_comment_count: int | None = None
    published: str | None = None
    source_url: str | None = None
    fingerprint: str = field(default="", compare=False)

    def comment(self, number: int) -> Comment | None:
        return next((c for c in self.comments if c.number == number), None)

    def comments_by(self, author: str) -> tuple[Comment, ...]:
        return tuple(c for c in self.comments if c.author == author)

    @property
    def commenters(self) -> tuple[str, ...]:
        """Distinct comment authors in order of first appearance."""
        return tuple(dict.fromkeys(c.author for c in self.comments))
