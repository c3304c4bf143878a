"""State as JSON (never pickle): what the Redis stores keep."""

from __future__ import annotations

import json
from typing import Any

from bot.answering import Turn
from bot.questions import Scope
from bot.replies import Citation, Reply
from bot.state.protocols import SentAnswer
from embeddings.passages import Passage


def turn_to_json(turn: Turn) -> str:
    scope = turn.scope
    return json.dumps(
        {
            "question": turn.question,
            "scope": {
                "commenters": list(scope.commenters),
                "replying_to": list(scope.replying_to),
                "source": scope.source,
            },
        }
    )


def turn_from_json(text: str) -> Turn:
    row: dict[str, Any] = json.loads(text)
    scope = row["scope"]
    source = scope["source"]
    if source not in (None, "article", "comment"):
        raise ValueError(f"unknown source {source!r}")
    return Turn(
        str(row["question"]),
        Scope(
            commenters=tuple(str(name) for name in scope["commenters"]),
            replying_to=tuple(str(name) for name in scope["replying_to"]),
            source=source,
        ),
    )


def _reply_to_json(reply: Reply) -> dict[str, Any]:
    return {
        "question": reply.question,
        "found": reply.found,
        "answer": reply.answer,
        "kind": reply.kind,
        "citations": [
            {"number": c.number, "label": c.label, "score": c.score, "passage": c.passage.to_json()}
            for c in reply.citations
        ],
    }


def _reply_from_json(row: dict[str, Any]) -> Reply:
    citations = tuple(
        Citation(int(c["number"]), Passage.from_json(c["passage"]), float(c["score"]), c["label"])
        for c in row["citations"]
    )
    return Reply(row["question"], bool(row["found"]), row["answer"], citations, row["kind"])


def answer_to_json(answer: SentAnswer) -> str:
    return json.dumps({"reply": _reply_to_json(answer.reply), "last_message": answer.last_message})


def answer_from_json(text: str) -> SentAnswer:
    row: dict[str, Any] = json.loads(text)
    return SentAnswer(_reply_from_json(row["reply"]), str(row["last_message"]))
