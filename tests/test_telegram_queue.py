"""The webhook receiver and the answer worker in this process: real HTTP on 127.0.0.1,
python-telegram-bot's real Application against the Bot API stand-in, the fake embedder,
and the update queue in memory and in a real Redis."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram.ext import Application

from bot.answering import Answerer
from bot.settings import Settings
from bot.state import memory, redis_store
from bot.state.protocols import UpdateQueue
from bot.telegram.app import Webhook, build_application
from bot.telegram.operations import serve_health
from bot.telegram.receiver import MAX_UPDATE_BYTES, SECRET_HEADER, receiver_application
from bot.telegram.worker import QueueWorker
from tests.redis_server import RedisServer, free_port
from tests.telegram_stub import TOKEN, BotApiStub

SECRET = "s3cret-token_for-tests"
WEBHOOK = Webhook("https://bot.example.org/hook", "hook", SECRET)


@pytest.fixture(params=["memory", "redis"])
async def queue(request: pytest.FixtureRequest) -> AsyncIterator[UpdateQueue]:
    if request.param == "memory":
        yield memory.MemoryUpdateQueue(claim_after=1.0)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    client = redis_store.connect(server.url)
    yield redis_store.RedisUpdateQueue(client, f"queue-{time.time_ns()}", claim_after=1.0)
    await client.aclose()


@pytest.fixture
async def receiver(queue: UpdateQueue) -> AsyncIterator[str]:
    port = free_port()
    server = receiver_application(WEBHOOK, queue, lambda: True).listen(
        port, address="127.0.0.1", max_body_size=MAX_UPDATE_BYTES
    )
    yield f"http://127.0.0.1:{port}"
    server.stop()
    await server.close_all_connections()


def raw_request(port: int, headers: dict[str, str]) -> bytes:
    """Send only a request's headers (no body) and return what the server answers."""
    lines = ["POST /hook HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return conn.recv(200)


def update(update_id: int, chat: int = 5, text: str = "Who wrote the article?") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat, "type": "private", "first_name": "U"},
            "from": {"id": chat, "is_bot": False, "first_name": "U"},
            "text": text,
        },
    }


async def test_the_receiver_queues_an_update_once_and_answers_200(receiver, queue):
    async with httpx.AsyncClient() as client:
        for _ in range(2):  # Telegram delivers it again: acknowledged, not queued twice
            response = await client.post(
                f"{receiver}/hook", json=update(1), headers={SECRET_HEADER: SECRET}
            )
            assert response.status_code == 200
    taken = await queue.take("w", 10, block=0.1)
    assert [e.update for e in taken] == [update(1)]


async def test_the_receiver_refuses_a_wrong_secret_before_reading_the_body(receiver, queue):
    port = int(receiver.rsplit(":", 1)[1])
    # A megabyte is announced and never sent: the answer comes without waiting for it.
    answer = await asyncio.to_thread(
        raw_request, port, {"Content-Length": "1000000", SECRET_HEADER: "wrong"}
    )
    assert answer.startswith(b"HTTP/1.1 403")
    answer = await asyncio.to_thread(raw_request, port, {"Content-Length": "1000000"})
    assert answer.startswith(b"HTTP/1.1 403")
    assert (await queue.depth()).waiting == 0


async def test_the_receiver_refuses_an_oversized_body_before_reading_it(receiver):
    port = int(receiver.rsplit(":", 1)[1])
    length = str(MAX_UPDATE_BYTES + 1)
    answer = await asyncio.to_thread(
        raw_request, port, {"Content-Length": length, SECRET_HEADER: SECRET}
    )
    assert answer.startswith(b"HTTP/1.1 413")


async def test_the_receiver_refuses_what_is_not_an_update(receiver, queue):
    async with httpx.AsyncClient() as client:
        for body in (b"not json", b"[1, 2]", b'{"update_id": "7"}', b"{}"):
            response = await client.post(
                f"{receiver}/hook", content=body, headers={SECRET_HEADER: SECRET}
            )
            assert response.status_code == 400, body
        assert (await client.get(f"{receiver}/hook")).status_code == 405
    assert (await queue.depth()).waiting == 0


async def test_the_receiver_answers_503_when_redis_is_down_so_telegram_retries():
    down = redis_store.connect(f"redis://127.0.0.1:{free_port()}/0", tries=1)
    port = free_port()
    app = receiver_application(WEBHOOK, redis_store.RedisUpdateQueue(down, "down"), lambda: True)
    server = app.listen(port, address="127.0.0.1")
    try:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/hook", json=update(1), headers={SECRET_HEADER: SECRET}
            )
        assert response.status_code == 503
    finally:
        server.stop()
        await down.aclose()


async def test_healthz_and_metrics(receiver, queue):
    async with httpx.AsyncClient() as client:
        await client.post(f"{receiver}/hook", json=update(3), headers={SECRET_HEADER: SECRET})
        health = await client.get(f"{receiver}/healthz")
        metrics = await client.get(f"{receiver}/metrics")
    assert health.status_code == 200 and health.text == "ready\n"
    assert metrics.status_code == 200
    assert "article_bot_queue_waiting 1.0" in metrics.text
    assert "article_bot_updates_queued_total" in metrics.text


# The worker ----------------------------------------------------------------------------


@pytest.fixture
def stub() -> Iterator[BotApiStub]:
    with BotApiStub() as running:
        yield running


@pytest.fixture
async def app(stub: BotApiStub, fake_answerer: Answerer) -> AsyncIterator[Application]:
    settings = Settings(
        telegram_token=TOKEN, telegram_api_base_url=stub.base_url, telegram_rate_limit=0
    )
    application = build_application(settings, answerer=fake_answerer, dedupe=False)
    async with application:
        yield application


async def work_until(worker: QueueWorker, done: Any, timeout: float = 30.0) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await running


async def test_the_worker_answers_queued_updates_and_acknowledges_them(app, stub, queue):
    for n in range(1, 11):
        await queue.put(update(n, chat=100 + n))
    worker = QueueWorker(app, queue, "w1", claim_after=1.0, block=0.1)
    await work_until(worker, lambda: len(stub.sent("sendMessage")) >= 10)
    chats = sorted(c.params["chat_id"] for c in stub.sent("sendMessage"))
    assert chats == list(range(101, 111))
    depth = await queue.depth()
    assert (depth.waiting, depth.pending) == (0, 0)


async def test_the_worker_takes_over_a_stalled_update_of_a_stopped_worker(app, stub, queue):
    await queue.put(update(20, chat=220))
    [entry] = await queue.take("killed", 1, block=0.1)  # taken, never answered
    worker = QueueWorker(app, queue, "w2", claim_after=1.0, block=0.1)
    await work_until(worker, lambda: stub.sent("sendMessage", 220))
    [reply] = stub.sent("sendMessage", 220)
    assert "Larison" in reply.params["text"]
    assert (await queue.depth()).pending == 0
    assert await queue.is_done(entry)


async def test_a_taken_over_update_that_was_answered_is_not_answered_again(app, stub, redis_server):
    client = redis_store.connect(redis_server.url)
    prefix = f"answered-{time.time_ns()}"
    queue = redis_store.RedisUpdateQueue(client, prefix, claim_after=0.5)
    try:
        await queue.put(update(30, chat=330))
        await queue.take("killed", 1, block=0.1)
        # The killed worker had sent the answer and recorded it, then died before the
        # acknowledgement.
        await client.set(f"{prefix}:done:30", 1)
        worker = QueueWorker(app, queue, "w3", claim_after=0.5, block=0.1)
        await work_until(worker, lambda: False, timeout=1.5)
        assert stub.sent("sendMessage", 330) == []
        assert (await queue.depth()).pending == 0
    finally:
        await client.aclose()


def test_update_fixture_is_json():
    json.dumps(update(1))


async def test_healthz_says_starting_until_ready():
    ready = asyncio.Event()
    port = free_port()
    server = serve_health(ready.is_set, None, "127.0.0.1", port)
    try:
        async with httpx.AsyncClient() as client:
            before = await client.get(f"http://127.0.0.1:{port}/healthz")
            ready.set()
            after = await client.get(f"http://127.0.0.1:{port}/healthz")
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        server.stop()
    assert (before.status_code, before.text) == (503, "starting\n")
    assert (after.status_code, after.text) == (200, "ready\n")
    assert "article_bot_answer_seconds_bucket" in metrics.text
