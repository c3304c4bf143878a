"""What the answering core returns: a reply with numbered, checkable citations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from embeddings.passages import Passage

ReplyKind = Literal["content", "metadata", "not_found", "invalid"]

NOT_FOUND = "I couldn't find that in the article or its comments."


def _clock(moment: datetime) -> str:
    """``10:10 am``: the site's 12-hour clock."""
    meridiem = "am" if moment.hour < 12 else "pm"
    return f"{moment.hour % 12 or 12}:{moment:%M} {meridiem}"


def format_posted(posted_at: datetime) -> str:
    """``Dec 7, 2017 10:10 am``: how the site shows comment times, abbreviated."""
    return f"{posted_at:%b} {posted_at.day}, {posted_at.year} {_clock(posted_at)}"


def format_date_long(posted_at: datetime | None) -> str:
    """``December 6, 2017 at 11:18 pm`` (a page may show a comment without its time)."""
    if posted_at is None:
        return "a date the page doesn't show"
    return f"{posted_at:%B} {posted_at.day}, {posted_at.year} at {_clock(posted_at)}"


def citation_label(passage: Passage, with_title: bool = False) -> str:
    """``Article ¶11`` / ``Comment #5 — Michael Kenny, Dec 7, 2017 10:10 am``.

    With several documents in the corpus, the document's title comes first.
    """
    if passage.source_type == "comment":
        label = f"Comment #{passage.comment_number} — {passage.author}"
        if passage.posted_at:
            label += f", {format_posted(datetime.fromisoformat(passage.posted_at))}"
    elif passage.paragraph is not None:
        label = f"Article ¶{passage.paragraph}"
    else:
        label = "Article"
    if passage.pieces > 1:
        label += f" (part {passage.piece + 1} of {passage.pieces})"
    return f"“{passage.document_title}”, {label}" if with_title else label


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source of a reply: the passage, its retrieval score, a readable label."""

    number: int
    passage: Passage
    score: float
    label: str

    def to_json(self) -> dict[str, Any]:
        p = self.passage
        return {
            "number": self.number,
            "label": self.label,
            "source_type": p.source_type,
            "document": p.document_title,
            "document_path": p.document,
            "paragraph": p.paragraph,
            "comment_number": p.comment_number,
            "author": p.author,
            "posted_at": p.posted_at,
            "source_url": p.source_url,
            "text": p.text,
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """A short answer with citation markers ``[n]`` and the numbered citations."""

    question: str
    found: bool
    answer: str
    citations: tuple[Citation, ...] = ()
    kind: ReplyKind = "content"

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
        }
