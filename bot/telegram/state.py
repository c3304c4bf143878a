"""Per-chat ordering within one process. The state that outlives a question (context,
answers, rate limits) is in :mod:`bot.state`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

Clock = Callable[[], float]


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
