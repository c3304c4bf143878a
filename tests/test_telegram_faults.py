"""Faults injected on purpose: the Bot API answering 5xx, slowly, unreadably, with 409, or
not at all. The real Application (process_update, or PTB's real polling loop), the real
request layer and handlers, the fake embedder, and the fault-injecting stand-in on
127.0.0.1.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.answering import Answerer
from bot.settings import Settings
from bot.telegram import handlers
from bot.telegram.app import build_application
from bot.telegram.delivery import ReliableRequest
from tests.telegram_stub import TOKEN, BotApiStub

CHAT = 5151
QUESTION = "Who is the author of the article?"


def application(settings: Settings, answerer: Answerer, **request: Any) -> Application:
    """The bot's Application; ``request`` tunes the retry layer (shorter waits for tests)."""
    request.setdefault("first_delay", 0.05)
    return build_application(settings, answerer=answerer, request=ReliableRequest(**request))


async def feed(app: Application, update: dict[str, Any], update_id: int = 1) -> None:
    await app.process_update(Update.de_json({"update_id": update_id, **update}, app.bot))


def texts(stub: BotApiStub, chat_id: int = CHAT) -> list[str]:
    return [call.params["text"] for call in stub.sent("sendMessage", chat_id)]


def answers(stub: BotApiStub, chat_id: int = CHAT) -> list[str]:
    return [text for text in texts(stub, chat_id) if "Larison" in text]


def sorry(stub: BotApiStub, chat_id: int = CHAT) -> list[str]:
    return [text for text in texts(stub, chat_id) if text.startswith("Sorry")]


# Row 2: 5xx ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["500", "502", "503"])
async def test_a_5xx_burst_on_send_is_retried_and_the_answer_arrives_once(
    stub, settings, fake_answerer, status
):
    stub.inject("sendMessage", status, times=4)
    async with application(settings, fake_answerer) as app:
        await feed(app, stub.message_update(CHAT, QUESTION))
    assert len(answers(stub)) == 1 and not sorry(stub)
    assert len([f for f in stub.faults if f.method == "sendMessage"]) == 4


async def test_six_chats_during_a_6_second_5xx_burst_are_all_answered_once(
    stub, settings, fake_answerer
):
    chats = list(range(6001, 6007))
    stub.inject("sendMessage", "502", times=10_000)
    async with application(settings, fake_answerer) as app:
        tasks = [
            asyncio.create_task(feed(app, stub.message_update(chat, QUESTION), n))
            for n, chat in enumerate(chats)
        ]
        await asyncio.sleep(6)
        stub.clear_faults()  # the burst ends
        await asyncio.gather(*tasks)
    assert all(len(answers(stub, chat)) == 1 for chat in chats)
    assert not any(sorry(stub, chat) for chat in chats)


async def test_when_the_api_keeps_failing_the_user_is_told_once(stub, settings, fake_answerer):
    stub.inject("sendMessage", "502", times=10_000, when=lambda p: "Larison" in p["text"])
    async with application(settings, fake_answerer, retry_for=1.0) as app:
        await feed(app, stub.message_update(CHAT, QUESTION))
    assert texts(stub) == [handlers.UNDELIVERED]
    assert len(stub.faults) >= 3  # it was retried before giving up


# Row 3: the API gone ------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["refuse", "reset"])
async def test_questions_accepted_before_an_outage_are_answered_once_when_it_ends(
    stub, settings, fake_answerer, mode
):
    chats = list(range(7001, 7009))
    async with application(settings, fake_answerer) as app:
        stub.down(mode)
        tasks = [
            asyncio.create_task(feed(app, stub.message_update(chat, QUESTION), n))
            for n, chat in enumerate(chats)
        ]
        await asyncio.sleep(3)
        stub.up()
        await asyncio.gather(*tasks)
    assert all(len(answers(stub, chat)) == 1 for chat in chats), [texts(stub, c) for c in chats]
    assert not any(sorry(stub, chat) for chat in chats)


async def test_the_polling_loop_survives_a_20_second_outage_and_409s(
    stub, settings, fake_answerer, caplog
):
    """PTB's real polling loop: questions it fetched before the API went away for 20 s
    (connections refused, then reset) are answered exactly once after; a 409 on getUpdates
    is one log line, not a traceback."""
    first = list(range(8001, 8009))
    settings = dataclasses.replace(settings, telegram_rate_limit=0)
    app = application(settings, fake_answerer)
    async with app:
        # as Application.run_polling does: polling errors go to the error handler
        await app.updater.start_polling(
            poll_interval=0,
            timeout=1,
            error_callback=lambda exc: app.create_task(app.process_error(None, exc)),
        )
        await app.start()
        try:
            stub.inject("getUpdates", "409", times=2)
            for chat in first:
                stub.say(chat, QUESTION)
            # accepted: each handler has started (its "typing…" went out)
            await asyncio.to_thread(
                stub.wait_for, lambda: all(stub.sent("sendChatAction", c) for c in first), 30
            )
            stub.down("refuse")
            await asyncio.sleep(10)
            stub.down("reset")  # listening again, but every connection is reset
            await asyncio.sleep(10)
            stub.up()
            later = 8100
            stub.say(later, QUESTION)
            await asyncio.to_thread(
                stub.wait_for, lambda: all(answers(stub, c) for c in [*first, later]), 90
            )
        finally:
            await app.updater.stop()
            await app.stop()
    assert all(len(answers(stub, chat)) == 1 for chat in [*first, later])
    assert not any(sorry(stub, chat) for chat in first)
    conflicts = [r for r in caplog.records if "Conflict" in r.getMessage()]
    assert conflicts and not any(r.exc_info for r in conflicts)
    assert TOKEN not in caplog.text


# Row 9: slow or unreadable responses --------------------------------------------------


async def test_a_send_answered_after_12_seconds_is_not_followed_by_sorry(
    stub, settings, fake_answerer
):
    stub.inject("sendMessage", "slow", delay=12)
    async with application(settings, fake_answerer) as app:
        await feed(app, stub.message_update(CHAT, QUESTION))
    assert len(answers(stub)) == 1 and texts(stub) == answers(stub)


async def test_a_send_that_times_out_after_arriving_is_neither_repeated_nor_sorry(
    stub, settings, fake_answerer, caplog
):
    stub.inject("sendMessage", "slow", delay=2.5)
    async with application(settings, fake_answerer, read_timeout=1.0) as app:
        await feed(app, stub.message_update(CHAT, QUESTION))
        await asyncio.sleep(2)  # the slow call completes at the stand-in
    assert len(answers(stub)) == 1 and texts(stub) == answers(stub)
    assert "may not have arrived" in caplog.text


async def test_an_unreadable_response_to_a_delivered_send_is_not_followed_by_sorry(
    stub, settings, fake_answerer, caplog
):
    stub.inject("sendMessage", "malformed")
    async with application(settings, fake_answerer) as app:
        await feed(app, stub.message_update(CHAT, QUESTION))
    assert len(answers(stub)) == 1 and texts(stub) == answers(stub)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# Row 10: floods -----------------------------------------------------------------------


async def test_30_questions_in_10_seconds_get_at_most_one_slow_down(stub, settings, fake_answerer):
    settings = dataclasses.replace(settings, telegram_rate_limit=10, telegram_rate_window=60)
    async with application(settings, fake_answerer) as app:
        started = time.monotonic()
        for number in range(30):
            await feed(app, stub.message_update(CHAT, QUESTION), number)
        assert time.monotonic() - started < 10
    slow_downs = [t for t in texts(stub) if t.startswith("Slow down")]
    assert len(answers(stub)) == 10 and len(slow_downs) == 1


async def test_a_new_window_can_be_told_again(stub, settings, fake_answerer):
    settings = dataclasses.replace(settings, telegram_rate_limit=1, telegram_rate_window=1.0)
    async with application(settings, fake_answerer) as app:
        for number in range(3):
            await feed(app, stub.message_update(CHAT, QUESTION), number)
        await asyncio.sleep(1.1)
        for number in range(3, 6):
            await feed(app, stub.message_update(CHAT, QUESTION), number)
    slow_downs = [t for t in texts(stub) if t.startswith("Slow down")]
    assert len(answers(stub)) == 2 and len(slow_downs) == 2
