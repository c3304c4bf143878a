"""The protocols, and the small records they pass around.

Every method is a coroutine, so the in-memory and the Redis implementations are used
the same way (the console runs them on its own event loop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.answering import Turn
from bot.replies import Citation, Reply


@dataclass(frozen=True, slots=True)
class SentAnswer:
    """An answer whose buttons can show its citations; ``last_message`` is the text of
    the message that carries the keyboard (the passage is shown under it)."""

    reply: Reply
    last_message: str

    @property
    def citations(self) -> tuple[Citation, ...]:
        return self.reply.citations


@dataclass(frozen=True, slots=True)
class RateDecision:
    """``retry_after`` 0: the question may be answered (and was counted). Otherwise the
    seconds to wait, and ``warn`` is true for the first refusal only, so a user who keeps
    sending gets one "slow down" per window, not one per message."""

    retry_after: float = 0.0
    warn: bool = False

    @property
    def allowed(self) -> bool:
        return self.retry_after <= 0


@dataclass(frozen=True, slots=True)
class QueuedUpdate:
    """One Telegram update taken from the queue; ``entry_id`` acknowledges it."""

    entry_id: str
    update: Mapping[str, Any]
    claimed: bool = False  # taken over from a worker that stopped before finishing it

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass(frozen=True, slots=True)
class QueueDepth:
    waiting: int  # accepted, not yet taken by a worker
    pending: int  # taken by a worker, not yet acknowledged


class ContextStore(Protocol):
    """The last :class:`Turn` of each chat, for follow-up questions; it expires."""

    async def get(self, chat_id: int) -> Turn | None: ...

    async def put(self, chat_id: int, turn: Turn | None) -> None: ...

    async def forget(self, chat_id: int) -> None: ...


class AnswerStore(Protocol):
    """Sent answers by a short random key (the key goes into the buttons' callback data);
    an unknown or expired key gives None."""

    def new_key(self) -> str: ...

    async def put(self, key: str, answer: SentAnswer) -> None: ...

    async def get(self, key: str) -> SentAnswer | None: ...


class RateLimiter(Protocol):
    """At most ``limit`` questions per user in any ``window`` seconds (0 turns it off)."""

    limit: int
    window: float

    async def check(self, user_id: int) -> RateDecision: ...


class SeenUpdates(Protocol):
    """Update ids already taken in, so a redelivered update is handled once."""

    async def first_time(self, update_id: int) -> bool: ...


class UpdateQueue(Protocol):
    """Accepted updates waiting for a worker. An update stays pending until ``done``;
    one left pending longer than ``claim_after`` seconds (its worker stopped) is handed
    to the next worker that asks."""

    async def prepare(self) -> None:
        """Make sure the queue exists and can be reached (raises if it can't)."""
        ...

    async def put(self, update: Mapping[str, Any]) -> bool:
        """Queue an update; False if its ``update_id`` was queued before."""
        ...

    async def take(self, consumer: str, count: int, block: float) -> list[QueuedUpdate]:
        """Up to ``count`` updates for ``consumer``: its own unfinished ones first (after a
        restart under the same name), then stalled ones of others, then new ones, waiting
        up to ``block`` seconds for one."""
        ...

    async def touch(self, consumer: str, entries: Sequence[QueuedUpdate]) -> None:
        """Say that ``consumer`` is still working on ``entries`` (they are not stalled)."""
        ...

    async def is_done(self, entry: QueuedUpdate) -> bool: ...

    async def done(self, entry: QueuedUpdate) -> None:
        """Mark the update answered and acknowledge it."""
        ...

    async def depth(self) -> QueueDepth: ...
