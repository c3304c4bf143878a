"""In-memory state for one process: the embedded default. Nothing is written anywhere,
so a restart forgets it. Every store is bounded in size, and the time-based ones in age."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.answering import Turn
from bot.state.protocols import QueueDepth, QueuedUpdate, RateDecision, SentAnswer

Clock = Callable[[], float]


def _bound(items: OrderedDict[Any, Any], size: int) -> None:
    while len(items) > size:
        items.popitem(last=False)


class MemoryContexts:
    """At most ``max_chats`` chats (least recently used go first); a turn older than
    ``max_age`` seconds is forgotten."""

    def __init__(
        self, max_chats: int = 1000, max_age: float = 1800.0, clock: Clock = time.monotonic
    ) -> None:
        self._turns: OrderedDict[int, tuple[float, Turn]] = OrderedDict()
        self._max_chats = max_chats
        self._max_age = max_age
        self._clock = clock

    async def get(self, chat_id: int) -> Turn | None:
        entry = self._turns.get(chat_id)
        if entry is None:
            return None
        stored_at, turn = entry
        if self._clock() - stored_at > self._max_age:
            del self._turns[chat_id]
            return None
        return turn

    async def put(self, chat_id: int, turn: Turn | None) -> None:
        if turn is None:
            await self.forget(chat_id)
            return
        self._turns[chat_id] = (self._clock(), turn)
        self._turns.move_to_end(chat_id)
        _bound(self._turns, self._max_chats)

    async def forget(self, chat_id: int) -> None:
        self._turns.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._turns)


class MemoryAnswers:
    """The latest ``max_answers`` answers, each for at most ``max_age`` seconds."""

    def __init__(
        self, max_answers: int = 5000, max_age: float = 86_400.0, clock: Clock = time.monotonic
    ) -> None:
        self._answers: OrderedDict[str, tuple[float, SentAnswer]] = OrderedDict()
        self._max_answers = max_answers
        self._max_age = max_age
        self._clock = clock

    def new_key(self) -> str:
        while True:
            key = secrets.token_urlsafe(6)
            if key not in self._answers:
                return key

    async def put(self, key: str, answer: SentAnswer) -> None:
        self._answers[key] = (self._clock(), answer)
        _bound(self._answers, self._max_answers)

    async def get(self, key: str) -> SentAnswer | None:
        entry = self._answers.get(key)
        if entry is None or self._clock() - entry[0] > self._max_age:
            return None
        return entry[1]


class MemoryRateLimiter:
    """A sliding window per user, for at most ``max_users`` users at a time."""

    def __init__(
        self, limit: int, window: float, max_users: int = 10_000, clock: Clock = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._asked: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned_until: dict[int, float] = {}
        self._max_users = max_users
        self._clock = clock

    async def check(self, user_id: int) -> RateDecision:
        if self.limit <= 0:
            return RateDecision()
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        self._asked.move_to_end(user_id)
        while asked and now - asked[0] >= self.window:
            asked.popleft()
        if len(asked) >= self.limit:
            wait = self.window - (now - asked[0])
            warn = self._warned_until.get(user_id, 0.0) <= now
            if warn:
                self._warned_until[user_id] = now + wait
            return RateDecision(wait, warn)
        asked.append(now)
        self._warned_until.pop(user_id, None)
        while len(self._asked) > self._max_users:
            old, _ = self._asked.popitem(last=False)
            self._warned_until.pop(old, None)
        return RateDecision()


class MemorySeenUpdates:
    """The latest ``max_ids`` update ids."""

    def __init__(self, max_ids: int = 100_000) -> None:
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._max_ids = max_ids

    async def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        _bound(self._seen, self._max_ids)
        return True


class MemoryUpdateQueue:
    """The update queue within one process, with the same hand-over rules as Redis's."""

    def __init__(self, claim_after: float = 30.0, clock: Clock = time.monotonic) -> None:
        self.claim_after = claim_after
        self._clock = clock
        self._ids = itertools.count(1)
        self._seen = MemorySeenUpdates()
        self._done: OrderedDict[int, None] = OrderedDict()
        self._waiting: deque[QueuedUpdate] = deque()
        # entry id -> (consumer, last sign of life, entry)
        self._pending: dict[str, tuple[str, float, QueuedUpdate]] = {}
        self._recovered: set[str] = set()
        self._arrived = asyncio.Condition()

    async def prepare(self) -> None:
        return None

    async def put(self, update: Mapping[str, Any]) -> bool:
        if not await self._seen.first_time(int(update["update_id"])):
            return False
        async with self._arrived:
            self._waiting.append(QueuedUpdate(f"{next(self._ids)}-0", dict(update)))
            self._arrived.notify_all()
        return True

    async def take(self, consumer: str, count: int, block: float) -> list[QueuedUpdate]:
        taken: list[QueuedUpdate] = []
        now = self._clock()
        if consumer not in self._recovered:
            self._recovered.add(consumer)
            taken += [e for owner, _, e in self._pending.values() if owner == consumer]
        for _owner, touched, entry in list(self._pending.values()):
            if len(taken) >= count:
                break
            if now - touched >= self.claim_after and entry not in taken:
                claimed = QueuedUpdate(entry.entry_id, entry.update, claimed=True)
                taken.append(claimed)
        if not taken and not self._waiting:
            async with self._arrived:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), block)
        while self._waiting and len(taken) < count:
            taken.append(self._waiting.popleft())
        for entry in taken[:count]:
            self._pending[entry.entry_id] = (consumer, now, entry)
        return taken[:count]

    async def touch(self, consumer: str, entries: Sequence[QueuedUpdate]) -> None:
        now = self._clock()
        for entry in entries:
            if entry.entry_id in self._pending:
                self._pending[entry.entry_id] = (consumer, now, entry)

    async def is_done(self, entry: QueuedUpdate) -> bool:
        return entry.update_id in self._done

    async def done(self, entry: QueuedUpdate) -> None:
        self._done[entry.update_id] = None
        _bound(self._done, 100_000)
        self._pending.pop(entry.entry_id, None)

    async def depth(self) -> QueueDepth:
        return QueueDepth(len(self._waiting), len(self._pending))
