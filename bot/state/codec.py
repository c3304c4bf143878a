"""State as JSON (never pickle): what the Redis stores keep."""

from __future__ import annotations

import json
from typing import Any

from bot.answering import Turn
from bot.questions import Scope
from bot.replies import Reply
from bot.state.protocols import SentAnswer


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


def answer_to_json(answer: SentAnswer) -> str:
    return json.dumps({"reply": answer.reply.to_json(), "last_message": answer.last_message})


def answer_from_json(text: str) -> SentAnswer:
    row: dict[str, Any] = json.loads(text)
    return SentAnswer(Reply.from_json(row["reply"]), str(row["last_message"]))
