"""Per-chat state kept in memory only (no pickle persistence): follow-up context,
answers whose citation buttons can still be pressed, and per-user question rate limits.
Every store is bounded in size, and the time-based ones in age."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.answering import Turn
from bot.replies import Citation

Clock = Callable[[], float]


class ChatContexts:
    """The last :class:`Turn` of each chat, for follow-up questions.

    At most ``max_chats`` chats are remembered (least recently used go first), and a
    turn older than ``max_age`` seconds is forgotten.
    """

    def __init__(
        self, max_chats: int = 1000, max_age: float = 1800.0, clock: Clock = time.monotonic
    ) -> None:
        self._turns: OrderedDict[int, tuple[float, Turn]] = OrderedDict()
        self._max_chats = max_chats
        self._max_age = max_age
        self._clock = clock

    def get(self, chat_id: int) -> Turn | None:
        entry = self._turns.get(chat_id)
        if entry is None:
            return None
        stored_at, turn = entry
        if self._clock() - stored_at > self._max_age:
            del self._turns[chat_id]
            return None
        return turn

    def put(self, chat_id: int, turn: Turn | None) -> None:
        if turn is None:
            self.forget(chat_id)
            return
        self._turns[chat_id] = (self._clock(), turn)
        self._turns.move_to_end(chat_id)
        while len(self._turns) > self._max_chats:
            self._turns.popitem(last=False)

    def forget(self, chat_id: int) -> None:
        self._turns.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._turns)


@dataclass(frozen=True, slots=True)
class SentAnswer:
    """An answer whose buttons can show its citations; ``last_message`` is the HTML of
    the message that carries the keyboard (the passage is shown under it)."""

    citations: tuple[Citation, ...]
    last_message: str


class AnswerStore:
    """Answers by a short random key (the key goes into the buttons' callback data).

    Keys are random per process, so buttons from before a restart are simply unknown
    and get a polite "expired" reply."""

    def __init__(self, max_answers: int = 5000) -> None:
        self._answers: OrderedDict[str, SentAnswer] = OrderedDict()
        self._max_answers = max_answers

    def new_key(self) -> str:
        while True:
            key = secrets.token_urlsafe(6)
            if key not in self._answers:
                return key

    def put(self, key: str, answer: SentAnswer) -> None:
        self._answers[key] = answer
        while len(self._answers) > self._max_answers:
            self._answers.popitem(last=False)

    def get(self, key: str) -> SentAnswer | None:
        return self._answers.get(key)


class QuestionRateLimit:
    """At most ``limit`` questions per user in any ``window`` seconds (0 turns it off)."""

    def __init__(
        self, limit: int, window: float, max_users: int = 10_000, clock: Clock = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._asked: OrderedDict[int, deque[float]] = OrderedDict()
        self._max_users = max_users
        self._clock = clock

    def retry_after(self, user_id: int) -> float:
        """0 if the user may ask now (and counts the question), else seconds to wait."""
        if self.limit <= 0:
            return 0.0
        now = self._clock()
        asked = self._asked.setdefault(user_id, deque())
        self._asked.move_to_end(user_id)
        while asked and now - asked[0] >= self.window:
            asked.popleft()
        if len(asked) >= self.limit:
            return self.window - (now - asked[0])
        asked.append(now)
        while len(self._asked) > self._max_users:
            self._asked.popitem(last=False)
        return 0.0


class ChatLocks:
    """One lock per chat, so a chat's questions are answered in the order they came
    (different chats still run concurrently). Idle locks are dropped."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    def acquire(self, chat_id: int) -> _ChatLock:
        return _ChatLock(self, chat_id)

    def _enter(self, chat_id: int) -> asyncio.Lock:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        return lock

    def _leave(self, chat_id: int) -> None:
        lock, users = self._locks[chat_id]
        if users <= 1:
            del self._locks[chat_id]
        else:
            self._locks[chat_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class _ChatLock:
    def __init__(self, locks: ChatLocks, chat_id: int) -> None:
        self._locks = locks
        self._chat_id = chat_id
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> None:
        self._lock = self._locks._enter(self._chat_id)
        try:
            await self._lock.acquire()
        except BaseException:
            self._locks._leave(self._chat_id)
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._lock is not None
        self._lock.release()
        self._locks._leave(self._chat_id)
