"""Compound questions: "Who wrote this and when was it published?" is two questions.

Each part is answered on its own and the replies are joined into one, with the
citations numbered afresh; a part the document doesn't answer becomes a ``not_given``
fact that says so, so the reader sees which part is missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.replies import Citation, Fact, Quote, Reply

_QUESTION_WORD = (
    r"(?:who|whom|whose|what|when|where|which|how|why|is|are|was|were|did|does|do|has|have|"
    r"had|can|could|will|would)\b"
)
_JOINT = re.compile(
    rf"\s*(?:,?\s+(?:and|but|also)\s+(?={_QUESTION_WORD})|[;?]\s+(?=\w))", re.IGNORECASE
)
MIN_WORDS = 3
"""A shorter part ("…, and when?") leans on the other one and is not asked alone."""


def split_question(text: str) -> list[str]:
    """The parts of a compound question, or ``[text]`` when it is one question."""
    parts = [p.strip(" ,;") for p in _JOINT.split(text) if p.strip(" ,;?")]
    if len(parts) < 2 or any(len(p.split()) < MIN_WORDS for p in parts):
        return [text]
    return parts


def join_replies(question: str, parts: Sequence[tuple[str, Reply]]) -> Reply:
    """One reply answering every part that the document answers, and saying which
    parts it doesn't."""
    citations: list[Citation] = []
    quotes: list[Quote] = []
    facts: list[Fact] = []
    for asked, reply in parts:
        if not reply.found:
            values = {"asked": asked, "reason": reply.reason, "detail": dict(reply.detail)}
            facts.append(Fact("not_given", "", values))
            continue
        offset = len(citations)
        citations.extend(replace(c, number=c.number + offset) for c in reply.citations)
        quotes.extend(replace(q, citation=q.citation + offset) for q in reply.quotes)
        facts.extend(
            replace(f, citations=tuple(n + offset for n in f.citations)) for f in reply.facts
        )
    answered = [reply for _, reply in parts if reply.found]
    if not answered:
        first = parts[0][1]
        return Reply(question, "not_found", "compound", first.reason, first.detail)
    return Reply(
        question,
        "answered",
        "compound",
        quotes=tuple(quotes),
        facts=tuple(facts),
        citations=tuple(citations),
    )
