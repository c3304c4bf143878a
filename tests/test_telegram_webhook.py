"""Webhook intake (issue #8 row 14): the secret is checked before the body is read and the
body size is capped. The real intake server on 127.0.0.1, spoken to over raw sockets so
the test controls when the body is sent. (The running bot's memory under a 30 MB POST is
checked in test_telegram_e2e.py's webhook test.)
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.telegram.receiver import MAX_UPDATE_BYTES
from bot.telegram.webhook import intake_app, listen
from tests.telegram_stub import BIG, SECRET, free_port, post, post_headers_first


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
