"""Webhook intake (issue #8 row 14): the secret is checked before the body is read and the
body size is capped. The real intake server on 127.0.0.1, spoken to over raw sockets so
the test controls when the body is sent; and the real ``article-bot telegram`` in webhook
mode, whose memory must not grow when a stranger posts 30 MB.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.receiver import MAX_UPDATE_BYTES
from bot.telegram.webhook import intake_app, listen
from tests.telegram_stub import BotApiStub, BotProcess

SECRET = "s3cret-value"
BIG = 30 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request_head(port: int, length: int, secret: str | None, path: str = "/hook") -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post_headers_first(port: int, length: int, secret: str | None) -> tuple[int | None, int]:
    """Send only the headers and wait up to 5 s for an answer; then try to send a
    ``length``-byte body. The status answered before any of the body was sent (None if
    none came), and how many body bytes the server took before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request_head(port, length, secret))
        try:
            head = connection.recv(4096)
        except TimeoutError:
            head = b""
        status = int(head.split()[1]) if head.startswith(b"HTTP/1.1") else None
        sent = 0
        chunk = b"x" * 65536
        connection.settimeout(2)
        try:
            while sent < length:
                sent += connection.send(chunk[: length - sent])
        except OSError:  # closed by the server: broken pipe, reset or a full, dead window
            pass
    return status, sent


def post(port: int, body: bytes, secret: str | None) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_head(port, len(body), secret) + body)
        head = connection.recv(4096)
    return int(head.split()[1])


@pytest.fixture
async def intake() -> Any:
    """The intake server in this event loop; yields (port, accepted updates)."""
    accepted: list[dict[str, Any]] = []

    class Queue:
        async def put(self, update: dict[str, Any]) -> bool:
            accepted.append(update)
            return True

    port = free_port()
    server = listen(intake_app("hook", SECRET, Queue()), "127.0.0.1", port)
    yield port, accepted
    server.stop()


async def test_a_post_without_the_secret_is_refused_before_its_body_is_read(intake):
    port, accepted = intake
    status, sent = await asyncio.to_thread(post_headers_first, port, BIG, None)
    assert status == 403  # answered on the headers alone
    assert sent < BIG  # and the connection closed rather than take 30 MB
    assert accepted == []


async def test_a_wrong_secret_is_refused_before_its_body_is_read(intake):
    port, accepted = intake
    status, _ = await asyncio.to_thread(post_headers_first, port, 1000, "wrong")
    assert status == 403 and accepted == []


async def test_a_body_over_the_cap_is_refused_before_it_is_read(intake):
    port, accepted = intake
    status, sent = await asyncio.to_thread(post_headers_first, port, BIG, SECRET)
    assert status == 413 and sent < BIG and accepted == []


async def test_an_update_with_the_secret_is_accepted_and_bad_json_is_400(intake):
    port, accepted = intake
    update = {"update_id": 7, "message": {"message_id": 1}}
    assert await asyncio.to_thread(post, port, json.dumps(update).encode(), SECRET) == 200
    assert accepted == [update]
    assert await asyncio.to_thread(post, port, b"[1, 2", SECRET) == 400
    assert await asyncio.to_thread(post, port, b"x" * (MAX_UPDATE_BYTES + 1), SECRET) == 413
    assert len(accepted) == 1


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_30_mb_post_to_the_running_bot_does_not_grow_its_memory(tmp_path, real_index_dir):
    port = free_port()
    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    with BotApiStub() as stub:
        process = BotProcess(
            stub,
            {
                "ARTICLE_BOT_INDEX_DIR": str(index),
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook",
                "TELEGRAM_WEBHOOK_PORT": str(port),
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
            },
            tmp_path / "bot.log",
        )
        try:
            stub.wait_for(lambda: stub.sent("setWebhook"), 120)
            time.sleep(1)
            pid = process.process.pid
            before = rss_kib(pid)
            for secret in (None, "wrong", SECRET):
                status, _ = post_headers_first(port, BIG, secret)
                assert status in (403, 413)
            time.sleep(0.5)
            grown = rss_kib(pid) - before
            update = stub.message_update(31337, "Who wrote the article?")
            assert post(port, json.dumps({"update_id": 1, **update}).encode(), SECRET) == 200
            [reply] = stub.wait_for(lambda: stub.sent("sendMessage", 31337))
        finally:
            assert process.stop() == 0, process.log
    assert grown < 10 * 1024, f"RSS grew by {grown} KiB"
    assert "Larison" in reply.params["text"]
    assert "refused a webhook request without the right secret token" in process.log
