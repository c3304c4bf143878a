"""State in Redis, shared by every worker: each key under one prefix, each with a TTL.

Keys (``P`` is ``ARTICLE_BOT_REDIS_PREFIX``): ``P:context:CHAT`` and ``P:answer:KEY`` hold
JSON; ``P:rate:USER`` is a sorted set of question times; ``P:seen:ID`` and ``P:done:ID``
mark update ids taken in and answered; ``P:updates`` is the update stream, read by the
consumer group ``workers``. Checks that must not race across workers are Lua scripts,
so they run atomically in Redis.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, ResponseError, TimeoutError

from bot.answering import Turn
from bot.state.codec import answer_from_json, answer_to_json, turn_from_json, turn_to_json
from bot.state.protocols import QueueDepth, QueuedUpdate, RateDecision, SentAnswer

log = logging.getLogger("article_bot.state")

SEEN_SECONDS = 86_400  # Telegram keeps an undelivered update for at most 24 hours
STREAM_MAX = 100_000  # the stream is trimmed (approximately) beyond this many entries
GROUP = "workers"
# A Redis restart or fail-over takes seconds: commands wait for it (with backoff, about
# 20 s in all) instead of failing the question in hand.
RECONNECT_TRIES = 25


def connect(url: str, tries: int = RECONNECT_TRIES) -> Redis:
    """A client that reconnects by itself; no connection is made until first use."""
    return Redis.from_url(
        url,
        decode_responses=True,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), tries),
        retry_on_error=[ConnectionError, TimeoutError],
        socket_connect_timeout=2.0,
        health_check_interval=15,
    )


class RedisContexts:
    def __init__(self, redis: Redis, prefix: str, max_age: float) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:context:"
        self._max_age_ms = int(max_age * 1000)

    async def get(self, chat_id: int) -> Turn | None:
        raw = await self._redis.get(f"{self._prefix}{chat_id}")
        return turn_from_json(str(raw)) if raw else None

    async def put(self, chat_id: int, turn: Turn | None) -> None:
        if turn is None or self._max_age_ms <= 0:
            await self.forget(chat_id)
            return
        await self._redis.set(f"{self._prefix}{chat_id}", turn_to_json(turn), px=self._max_age_ms)

    async def forget(self, chat_id: int) -> None:
        await self._redis.delete(f"{self._prefix}{chat_id}")


class RedisAnswers:
    def __init__(self, redis: Redis, prefix: str, max_age: float) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:answer:"
        self._max_age_ms = max(int(max_age * 1000), 1)

    def new_key(self) -> str:
        return secrets.token_urlsafe(9)  # 72 random bits: a clash is not a concern

    async def put(self, key: str, answer: SentAnswer) -> None:
        await self._redis.set(f"{self._prefix}{key}", answer_to_json(answer), px=self._max_age_ms)

    async def get(self, key: str) -> SentAnswer | None:
        raw = await self._redis.get(f"{self._prefix}{key}")
        return answer_from_json(str(raw)) if raw else None


# KEYS: question times, "warned" flag. ARGV: window ms, limit, a unique member.
# Redis's own clock is used, so workers on machines with different clocks agree.
_RATE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {0, 0}
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
local wait = math.max(oldest + window - now, 1)
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', wait) then
  return {wait, 1}
end
return {wait, 0}
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._prefix = f"{prefix}:rate"
        self._script = redis.register_script(_RATE_SCRIPT)

    async def check(self, user_id: int) -> RateDecision:
        if self.limit <= 0:
            return RateDecision()
        keys = [f"{self._prefix}:{user_id}", f"{self._prefix}-warned:{user_id}"]
        args: list[str | int] = [int(self.window * 1000), self.limit, secrets.token_hex(8)]
        wait_ms, warn = await self._script(keys=keys, args=args)
        return RateDecision(int(wait_ms) / 1000, bool(warn))


class RedisSeenUpdates:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:seen:"

    async def first_time(self, update_id: int) -> bool:
        added = await self._redis.set(f"{self._prefix}{update_id}", 1, nx=True, ex=SEEN_SECONDS)
        return bool(added)


# KEYS: seen marker, stream. ARGV: the update's JSON, seconds to remember it, stream cap.
_PUT_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'update', ARGV[1])
end
return false
"""


class RedisUpdateQueue:
    """A Redis stream read through one consumer group: an entry stays in the group's
    pending list until :meth:`done`; XAUTOCLAIM hands entries idle longer than
    ``claim_after`` seconds to the worker that asks."""

    def __init__(self, redis: Redis, prefix: str, claim_after: float = 30.0) -> None:
        self.claim_after = claim_after
        self._redis = redis
        self._stream = f"{prefix}:updates"
        self._seen = f"{prefix}:seen:"
        self._done = f"{prefix}:done:"
        self._put = redis.register_script(_PUT_SCRIPT)
        self._recovered: set[str] = set()
        self._cursor = "0-0"

    async def prepare(self) -> None:
        await self.create_group()

    async def create_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def put(self, update: Mapping[str, Any]) -> bool:
        keys = [f"{self._seen}{int(update['update_id'])}", self._stream]
        added = await self._put(keys=keys, args=[json.dumps(update), SEEN_SECONDS, STREAM_MAX])
        return added is not None

    async def take(self, consumer: str, count: int, block: float) -> list[QueuedUpdate]:
        try:
            return await self._take(consumer, count, block)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # A fresh Redis (or one restarted without its data): start the group again.
            await self.create_group()
            return await self._take(consumer, count, block)

    async def _take(self, consumer: str, count: int, block: float) -> list[QueuedUpdate]:
        if consumer not in self._recovered:
            # Entries this consumer name took before a restart and never finished.
            own = await self._redis.xreadgroup(GROUP, consumer, {self._stream: "0"})
            self._recovered.add(consumer)
            entries = self._entries(own, claimed=True)
            if entries:
                return entries
        claimed = await self._redis.xautoclaim(
            self._stream,
            GROUP,
            consumer,
            int(self.claim_after * 1000),
            start_id=self._cursor,
            count=count,
        )
        self._cursor = claimed[0]
        entries = self._parse(claimed[1], claimed=True)
        if entries:
            return entries
        new = await self._redis.xreadgroup(
            GROUP, consumer, {self._stream: ">"}, count=count, block=max(int(block * 1000), 1)
        )
        return self._entries(new, claimed=False)

    def _entries(self, response: Any, claimed: bool) -> list[QueuedUpdate]:
        # xreadgroup answers [[stream, [(id, fields), ...]]] (a dict under RESP3)
        if not response:
            return []
        streams = response.items() if isinstance(response, dict) else response
        return [e for _, rows in streams for e in self._parse(rows, claimed)]

    def _parse(self, rows: Any, claimed: bool) -> list[QueuedUpdate]:
        entries = []
        for entry_id, fields in rows or ():
            if not fields or "update" not in fields:
                continue  # deleted meanwhile
            try:
                update = json.loads(fields["update"])
            except ValueError:
                log.error("dropped a malformed queue entry %s", entry_id)
                continue
            entries.append(QueuedUpdate(entry_id, update, claimed))
        return entries

    async def touch(self, consumer: str, entries: Sequence[QueuedUpdate]) -> None:
        if entries:
            ids: list[int | bytes | str | memoryview] = [e.entry_id for e in entries]
            await self._redis.xclaim(self._stream, GROUP, consumer, 0, ids, justid=True)

    async def is_done(self, entry: QueuedUpdate) -> bool:
        return bool(await self._redis.exists(f"{self._done}{entry.update_id}"))

    async def done(self, entry: QueuedUpdate) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self._done}{entry.update_id}", 1, ex=SEEN_SECONDS)
            pipe.xack(self._stream, GROUP, entry.entry_id)
            pipe.xdel(self._stream, entry.entry_id)
            await pipe.execute()

    async def depth(self) -> QueueDepth:
        length = int(await self._redis.xlen(self._stream))
        try:
            pending = await self._redis.xpending(self._stream, GROUP)
        except ResponseError:  # no worker has created the group yet
            return QueueDepth(length, 0)
        count = int(pending["pending"]) if pending else 0
        return QueueDepth(max(length - count, 0), count)
