"""What the answering core returns: a verdict, attributed quotes and facts, and the
numbered citations they point to. Data only: the front ends turn it into text
(:mod:`bot.rendering` for plain text and JSON, :mod:`bot.telegram.formatting` for HTML).

A :class:`Reply` round-trips through JSON (:meth:`Reply.to_json` / :meth:`Reply.from_json`)
so that a front end can store it (for example in Redis) and render it later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from embeddings.passages import Passage

Verdict = Literal["answered", "not_found", "invalid"]
"""Answered from the document; the document doesn't say (``reason`` says why); or a
question the bot can't take as it is (empty, no words, too long)."""

Role = Literal["author", "commenter", "article"]
"""Who speaks in a quote: the article's named author, a commenter, or an article that
names no author."""


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
            # What it takes to rebuild the passage (see Reply.from_json).
            "sentences": list(p.sentences),
            "passage_id": p.id,
            "piece": p.piece,
            "pieces": p.pieces,
            "first_sentence": p.first_sentence,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Citation:
        # The citation names the passage's fields a little differently.
        passage = Passage.from_json(
            {
                **row,
                "id": row["passage_id"],
                "document": row["document_path"],
                "document_title": row["document"],
            }
        )
        return cls(int(row["number"]), passage, float(row["score"]), str(row["label"]))


@dataclass(frozen=True, slots=True)
class Quote:
    """Sentences quoted word for word from one cited passage, with who says them.

    ``positions`` are the sentences' places in the cited passage: where two are not
    consecutive, the source has text between them, and renderers mark the gap.
    ``replied_to`` marks the comment that the quote before it replies to.
    """

    role: Role
    speaker: str | None
    citation: int
    sentences: tuple[str, ...]
    positions: tuple[int, ...]
    source_type: Literal["article", "comment"] = "article"
    paragraph: int | None = None
    comment_number: int | None = None
    replied_to: bool = False
    # In an overview: the part the quote plays ("thesis", "theme", "disagrees"...), the
    # comments a theme or stance stands for, how sure a stance is, the theme's number.
    part: str | None = None
    members: tuple[int, ...] = ()
    confidence: str | None = None
    group: int = 0

    def runs(self) -> list[tuple[str, ...]]:
        """The sentences in runs that are consecutive in the source."""
        runs: list[list[str]] = []
        previous: int | None = None
        for position, sentence in zip(self.positions, self.sentences, strict=True):
            if previous is None or position != previous + 1:
                runs.append([])
            runs[-1].append(sentence)
            previous = position
        return [tuple(run) for run in runs]

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "speaker": self.speaker,
            "citation": self.citation,
            "sentences": list(self.sentences),
            "positions": list(self.positions),
            "source_type": self.source_type,
            "paragraph": self.paragraph,
            "comment_number": self.comment_number,
            "replied_to": self.replied_to,
            "part": self.part,
            "members": list(self.members),
            "confidence": self.confidence,
            "group": self.group,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Quote:
        return cls(
            role=row["role"],
            speaker=row["speaker"],
            citation=int(row["citation"]),
            sentences=tuple(str(s) for s in row["sentences"]),
            positions=tuple(int(p) for p in row["positions"]),
            source_type=row["source_type"],
            paragraph=row["paragraph"],
            comment_number=row["comment_number"],
            replied_to=bool(row["replied_to"]),
            part=row.get("part"),
            members=tuple(int(n) for n in row.get("members", ())),
            confidence=row.get("confidence"),
            group=int(row.get("group", 0)),
        )


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing the document's structure says, e.g. who wrote it, with its citations.

    ``kind`` names the fact and the keys of ``values`` (plain JSON values: strings,
    numbers, ISO dates, lists): ``author`` {author, role}, ``title`` {title},
    ``site`` {site, url}, ``comment_count`` {comments, readers, first, last},
    ``repeat_commenters`` {commenters: [{author, numbers}]}, ``comment_posted``
    {number, author, posted_at}, ``commenter`` {author, numbers, first},
    ``published`` {date}, ``not_given`` {asked, reason, detail}: a part of the
    question that the document doesn't answer, and why (a :attr:`Reply.reason`).
    ``document`` is the title of the document it is about.
    """

    kind: str
    document: str
    values: Mapping[str, Any] = field(default_factory=dict)
    citations: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "document": self.document,
            "values": dict(self.values),
            "citations": list(self.citations),
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Fact:
        return cls(
            str(row["kind"]),
            str(row["document"]),
            dict(row["values"]),
            tuple(int(n) for n in row["citations"]),
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """The core's answer to one question.

    ``kind`` says which answerer replied (``content``, ``metadata``, ...); ``reason``
    (with ``detail``) says why a question is not answered or not valid, e.g.
    ``no_match``, ``too_long`` {length, limit}. ``quotes`` and ``facts`` refer to
    ``citations`` by number. ``understood`` is the question as the bot read it, when
    that differs from what was typed (misspelt words corrected).
    """

    question: str
    verdict: Verdict
    kind: str = "content"
    reason: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    quotes: tuple[Quote, ...] = ()
    facts: tuple[Fact, ...] = ()
    citations: tuple[Citation, ...] = ()
    understood: str | None = None

    @property
    def found(self) -> bool:
        return self.verdict == "answered"

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "found": self.found,
            "verdict": self.verdict,
            "kind": self.kind,
            "reason": self.reason,
            "detail": dict(self.detail),
            "quotes": [q.to_json() for q in self.quotes],
            "facts": [f.to_json() for f in self.facts],
            "citations": [c.to_json() for c in self.citations],
            "understood": self.understood,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Reply:
        return cls(
            question=str(row["question"]),
            verdict=row["verdict"],
            kind=str(row["kind"]),
            reason=row["reason"],
            detail=dict(row["detail"]),
            quotes=tuple(Quote.from_json(q) for q in row["quotes"]),
            facts=tuple(Fact.from_json(f) for f in row["facts"]),
            citations=tuple(Citation.from_json(c) for c in row["citations"]),
            understood=row.get("understood"),
        )


def not_found(question: str, reason: str, kind: str = "content", **detail: Any) -> Reply:
    """A reply that cites nothing because the document doesn't answer (``reason``)."""
    return Reply(question, "not_found", kind, reason, detail)


def invalid(question: str, reason: str, **detail: Any) -> Reply:
    """A reply to a question the bot can't take as it is."""
    return Reply(question, "invalid", "invalid", reason, detail)
