"""One test suite for both implementations of each state protocol: in memory (the
embedded default) and in a real Redis server started by the tests."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.answering import Answerer, Turn
from bot.questions import Scope
from bot.state import memory, redis_store
from bot.state.protocols import (
    AnswerStore,
    ContextStore,
    RateLimiter,
    SeenUpdates,
    SentAnswer,
    UpdateQueue,
)
from tests.redis_server import RedisServer

_prefixes = itertools.count()


@dataclass
class Backend:
    """Builds stores of one kind; ``worker()`` gives a second view of the same state, as
    another worker process would have (for Redis: its own client and connections)."""

    kind: str
    make: Callable[[], Any]

    def contexts(self, max_age: float = 60.0) -> ContextStore:
        return self.make().contexts(max_age)

    def answers(self, max_age: float = 60.0) -> AnswerStore:
        return self.make().answers(max_age)

    def rate_limiter(self, limit: int, window: float) -> RateLimiter:
        return self.make().rate_limiter(limit, window)

    def seen(self) -> SeenUpdates:
        return self.make().seen()

    def queue(self, claim_after: float = 30.0) -> UpdateQueue:
        return self.make().queue(claim_after)


class _Memory:
    """In memory, "another worker" is the same object: there is one process."""

    def __init__(self) -> None:
        self._made: dict[str, Any] = {}

    def _one(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self._made:
            self._made[name] = build()
        return self._made[name]

    def contexts(self, max_age: float) -> ContextStore:
        return self._one("contexts", lambda: memory.MemoryContexts(max_age=max_age))

    def answers(self, max_age: float) -> AnswerStore:
        return self._one("answers", lambda: memory.MemoryAnswers(max_age=max_age))

    def rate_limiter(self, limit: int, window: float) -> RateLimiter:
        return self._one("rate", lambda: memory.MemoryRateLimiter(limit, window))

    def seen(self) -> SeenUpdates:
        return self._one("seen", memory.MemorySeenUpdates)

    def queue(self, claim_after: float) -> UpdateQueue:
        return self._one("queue", lambda: memory.MemoryUpdateQueue(claim_after))


class _Redis:
    def __init__(self, url: str, prefix: str, clients: list[Any]) -> None:
        self._url = url
        self._prefix = prefix
        self._clients = clients

    def _client(self) -> Any:
        client = redis_store.connect(self._url)
        self._clients.append(client)
        return client

    def contexts(self, max_age: float) -> ContextStore:
        return redis_store.RedisContexts(self._client(), self._prefix, max_age)

    def answers(self, max_age: float) -> AnswerStore:
        return redis_store.RedisAnswers(self._client(), self._prefix, max_age)

    def rate_limiter(self, limit: int, window: float) -> RateLimiter:
        return redis_store.RedisRateLimiter(self._client(), self._prefix, limit, window)

    def seen(self) -> SeenUpdates:
        return redis_store.RedisSeenUpdates(self._client(), self._prefix)

    def queue(self, claim_after: float) -> UpdateQueue:
        return redis_store.RedisUpdateQueue(self._client(), self._prefix, claim_after)


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        shared = _Memory()
        yield Backend("memory", lambda: shared)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"test{next(_prefixes)}-{time.time_ns()}"
    clients: list[Any] = []
    yield Backend("redis", lambda: _Redis(server.url, prefix, clients))
    for client in clients:
        await client.aclose()


# Follow-up context ---------------------------------------------------------------------


async def test_context_round_trips_with_its_scope_and_is_shared(backend):
    turn = Turn("What did Gazza say?", Scope(commenters=("Gazza",), source="comment"))
    await backend.contexts().put(7, turn)
    assert await backend.contexts().get(7) == turn  # another worker sees it
    assert await backend.contexts().get(8) is None


async def test_context_is_forgotten_on_reset_and_on_none(backend):
    store = backend.contexts()
    await store.put(7, Turn("a"))
    await store.forget(7)
    assert await store.get(7) is None
    await store.put(7, Turn("b"))
    await store.put(7, None)
    assert await store.get(7) is None


async def test_context_expires(backend):
    store = backend.contexts(max_age=0.3)
    await store.put(7, Turn("a"))
    assert await store.get(7) == Turn("a")
    await asyncio.sleep(0.5)
    assert await store.get(7) is None


async def test_memory_context_is_bounded_in_size_and_age():
    now = [0.0]
    contexts = memory.MemoryContexts(max_chats=2, max_age=60, clock=lambda: now[0])
    for chat in (1, 2, 3):
        await contexts.put(chat, Turn(f"question {chat}"))
    assert await contexts.get(1) is None and len(contexts) == 2
    now[0] = 61
    assert await contexts.get(3) is None


# Answers behind citation buttons --------------------------------------------------------


async def test_an_answer_round_trips_with_its_citations(backend, fake_answerer: Answerer):
    reply = fake_answerer.answer("What did the author say about Tillerson?")
    assert reply.citations
    store = backend.answers()
    key = store.new_key()
    assert len(key.encode()) <= 20  # it goes into 64-byte callback data
    await store.put(key, SentAnswer(reply, "<b>the message</b>"))
    stored = await backend.answers().get(key)  # another worker serves the button
    assert stored is not None and stored.last_message == "<b>the message</b>"
    assert stored.citations == reply.citations
    assert await store.get("unknown") is None


async def test_an_answer_expires(backend, fake_answerer: Answerer):
    reply = fake_answerer.answer("Who wrote the article?")
    store = backend.answers(max_age=0.3)
    key = store.new_key()
    await store.put(key, SentAnswer(reply, "text"))
    assert await store.get(key) is not None
    await asyncio.sleep(0.5)
    assert await store.get(key) is None


# Rate limits -----------------------------------------------------------------------------


async def test_the_rate_limit_allows_a_burst_then_warns_once_then_frees_up(backend):
    limiter = backend.rate_limiter(2, 1.0)
    assert (await limiter.check(5)).allowed and (await limiter.check(5)).allowed
    refused = await limiter.check(5)
    assert not refused.allowed and 0 < refused.retry_after <= 1.0 and refused.warn
    again = await limiter.check(5)
    assert not again.allowed and not again.warn  # one "slow down" per window
    assert (await limiter.check(6)).allowed  # other users are not affected
    await asyncio.sleep(refused.retry_after + 0.1)
    assert (await limiter.check(5)).allowed


async def test_the_rate_limit_holds_across_workers_asking_at_once(backend):
    workers = [backend.rate_limiter(5, 60.0) for _ in range(3)]
    decisions = await asyncio.gather(*(workers[i % 3].check(9) for i in range(30)))
    assert sum(d.allowed for d in decisions) == 5
    assert sum(d.warn for d in decisions) == 1


async def test_a_zero_limit_turns_the_rate_limit_off(backend):
    limiter = backend.rate_limiter(0, 60.0)
    assert all([(await limiter.check(1)).allowed for _ in range(50)])


# Seen updates ----------------------------------------------------------------------------


async def test_an_update_id_is_new_once(backend):
    assert await backend.seen().first_time(41)
    assert not await backend.seen().first_time(41)
    assert await backend.seen().first_time(42)


# The update queue ---------------------------------------------------------------------------


def update(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"text": f"question {update_id}"}}


async def test_queued_updates_are_taken_once_and_a_redelivered_one_is_refused(backend):
    queue = backend.queue()
    assert await queue.put(update(1)) and await queue.put(update(2))
    assert not await queue.put(update(1))
    taken = await queue.take("a", 10, block=0.1)
    assert [e.update for e in taken] == [update(1), update(2)]
    assert not any(e.claimed for e in taken)
    assert await backend.queue().take("b", 10, block=0.1) == []
    depth = await queue.depth()
    assert (depth.waiting, depth.pending) == (0, 2)
    for entry in taken:
        assert not await queue.is_done(entry)
        await queue.done(entry)
        assert await queue.is_done(entry)
    depth = await queue.depth()
    assert (depth.waiting, depth.pending) == (0, 0)


async def test_take_waits_for_an_update_to_arrive(backend):
    queue = backend.queue()
    await queue.take("a", 1, block=0.05)  # the consumer has started
    later = asyncio.get_running_loop().call_later(
        0.2, lambda: asyncio.ensure_future(backend.queue().put(update(3)))
    )
    started = time.monotonic()
    taken = await queue.take("a", 1, block=3.0)
    later.cancel()
    assert [e.update_id for e in taken] == [3] and time.monotonic() - started < 2.5


async def test_a_stalled_update_is_claimed_by_another_worker(backend):
    queue = backend.queue(claim_after=0.3)
    await queue.put(update(10))
    [entry] = await queue.take("dead", 1, block=0.1)
    other = backend.queue(claim_after=0.3)
    assert await other.take("alive", 1, block=0.05) == []  # not stalled yet
    await asyncio.sleep(0.4)
    [claimed] = await other.take("alive", 1, block=0.05)
    assert claimed.claimed and claimed.update == entry.update
    await other.done(claimed)
    assert (await queue.depth()).pending == 0


async def test_a_worker_that_says_it_is_busy_keeps_its_update(backend):
    queue = backend.queue(claim_after=0.4)
    await queue.put(update(20))
    [entry] = await queue.take("busy", 1, block=0.1)
    other = backend.queue(claim_after=0.4)
    for _ in range(4):
        await asyncio.sleep(0.2)
        await queue.touch("busy", [entry])
        assert await other.take("idle", 1, block=0.01) == []


async def test_a_redis_worker_restarted_under_its_name_takes_back_its_unfinished_updates(
    redis_server: RedisServer,
):
    """(In memory, a restart loses the queue itself.)"""
    prefix = f"restart-{time.time_ns()}"
    first, second = redis_store.connect(redis_server.url), redis_store.connect(redis_server.url)
    try:
        before = redis_store.RedisUpdateQueue(first, prefix)
        await before.put(update(30))
        [entry] = await before.take("worker-1", 1, block=0.1)
        after = redis_store.RedisUpdateQueue(second, prefix)  # the new process
        [again] = await after.take("worker-1", 1, block=0.1)
        assert again.update == entry.update and again.claimed
        assert await after.take("worker-1", 1, block=0.05) == []
    finally:
        await first.aclose()
        await second.aclose()
