"""Handler logic through ``Application.process_update`` with real ``Update`` objects.

The network layer is the Bot API stand-in on 127.0.0.1; the application, the handlers
and the answering core (with the fake embedder) are the real ones.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import itertools
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.answering import Answerer, AnswerSettings
from bot.settings import Settings
from bot.telegram import handlers
from bot.telegram.app import build_application
from tests.fakes import HashingEmbedder
from tests.telegram_stub import TOKEN, BotApiStub, check_html

CHAT = 4242
_update_ids = itertools.count(1)


@pytest.fixture
async def app(settings: Settings, fake_answerer: Answerer) -> AsyncIterator[Application]:
    application = build_application(settings, answerer=fake_answerer)
    async with application:
        yield application


async def feed(app: Application, stub: BotApiStub, update: dict[str, Any]) -> None:
    """Each update with its own id, as Telegram numbers them."""
    await app.process_update(Update.de_json({"update_id": next(_update_ids), **update}, app.bot))


def texts(stub: BotApiStub, chat_id: int = CHAT) -> list[str]:
    return [call.params["text"] for call in stub.sent("sendMessage", chat_id)]


async def test_a_private_question_gets_an_html_answer_with_citation_buttons(app, stub):
    await feed(app, stub, stub.message_update(CHAT, "Who is the author of the article?"))
    [call] = stub.sent("sendMessage", CHAT)
    assert call.params["parse_mode"] == "HTML"
    assert "Daniel Larison" in call.params["text"] and "[1]" in call.params["text"]
    buttons = [row[0] for row in call.params["reply_markup"]["inline_keyboard"]]
    assert buttons and buttons[0]["text"].startswith("[1] ")
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert stub.sent("sendChatAction", CHAT)[0].params["action"] == "typing"


async def test_pressing_a_button_shows_the_passage_in_an_expandable_blockquote(app, stub):
    await feed(app, stub, stub.message_update(CHAT, "What did the author say about Tillerson?"))
    [call] = stub.sent("sendMessage", CHAT)
    button = call.params["reply_markup"]["inline_keyboard"][0][0]
    await feed(app, stub, stub.callback_update(call.result, button["callback_data"]))
    [edit] = stub.sent("editMessageText")
    assert "<blockquote expandable>" in edit.params["text"]
    assert edit.params["reply_markup"] == call.params["reply_markup"]  # buttons stay
    assert stub.sent("answerCallbackQuery")


async def test_a_stale_button_gets_a_polite_expired_reply(app, stub):
    message = {
        "message_id": 7,
        "date": 0,
        "chat": {"id": CHAT, "type": "private"},
        "text": "old answer",
    }
    await feed(app, stub, stub.callback_update(message, "cite:unknownkey:1"))
    [answer] = stub.sent("answerCallbackQuery")
    assert answer.params["text"] == handlers.EXPIRED
    assert not stub.sent("editMessageText") and not stub.sent("sendMessage")


async def test_user_text_and_document_text_are_escaped(app, stub):
    await feed(app, stub, stub.message_update(CHAT, "<b>bold</b> & what is blockquote>?"))
    # The echo is the question as the core read it (tags dropped), with < > & escaped.
    assert "<i>bold &amp; what is blockquote&gt;?</i>" in texts(stub)[0]
    # A comment of the article starts with a literal "blockquote>" and has quotes.
    question = "Nothing compels the U.S. to compete with Russia in its own backyard?"
    await feed(app, stub, stub.message_update(CHAT, question))
    answer = stub.sent("sendMessage", CHAT)[-1]
    for row in answer.params["reply_markup"]["inline_keyboard"]:
        await feed(app, stub, stub.callback_update(answer.result, row[0]["callback_data"]))
    shown = [call.params["text"] for call in stub.sent("editMessageText")]
    assert any("blockquote&gt;”…" in text for text in shown)
    for text in texts(stub) + shown:
        check_html(text)  # raises where Telegram would refuse the message


async def test_commands_start_help_sources_about(app, stub, fake_answerer):
    for command in ("/start", "/help", "/sources", "/about"):
        await feed(app, stub, stub.message_update(CHAT, command))
    start, help_text, sources, about = texts(stub)
    assert "Rapprochement with Russia" in start and start.count("•") == 3
    # Each suggested question is one the bot answers.
    suggested = [line.removeprefix("• ") for line in start.splitlines() if line.startswith("• ")]
    assert [html.unescape(s) for s in suggested] == fake_answerer.example_questions()
    assert all(fake_answerer.answer(html.unescape(s)).found for s in suggested)
    assert "/reset" in help_text
    assert "comments" in sources and "paragraphs" in sources
    assert "passages" in about
    for text in texts(stub):
        check_html(text)


async def test_groups_answer_only_when_addressed(app, stub):
    group = -100123
    await feed(
        app,
        stub,
        stub.message_update(group, "Who wrote the article?", chat_type="group", user_id=7),
    )
    assert texts(stub, group) == []
    await feed(
        app,
        stub,
        stub.message_update(
            group, "@article_test_bot who wrote the article?", chat_type="supergroup", user_id=7
        ),
    )
    await feed(
        app,
        stub,
        stub.message_update(
            group, "/ask who wrote the article?", chat_type="supergroup", user_id=7
        ),
    )
    bot_message = stub.sent("sendMessage", group)[0].result
    await feed(
        app,
        stub,
        stub.message_update(
            group, "and when?", chat_type="supergroup", user_id=7, reply_to=bot_message
        ),
    )
    answers = texts(stub, group)
    assert len(answers) == 3 and all("Larison" in a for a in answers[:2])


def test_the_mention_is_stripped_from_the_question(app):
    update = {"update_id": 1, **_group_message("hey @Article_Test_Bot  who wrote it?")}
    message = Update.de_json(update, app.bot).effective_message
    assert handlers.addressed_question(message, app.bot) == "hey who wrote it?"


def _group_message(text: str) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 1,
            "date": 0,
            "text": text,
            "chat": {"id": -1, "type": "group", "title": "g"},
            "from": {"id": 5, "is_bot": False, "first_name": "U"},
        }
    }


async def test_non_text_messages_get_a_short_reply(app, stub):
    sticker = {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    }
    await feed(app, stub, stub.message_update(CHAT, None, extra=sticker))
    assert texts(stub) == [handlers.NON_TEXT]


async def test_edited_messages_are_answered_as_new_questions(app, stub):
    await feed(app, stub, stub.message_update(CHAT, "Who is the author?", edited=True))
    assert "Larison" in texts(stub)[0]


async def test_follow_ups_use_the_previous_question_until_reset(app, stub, fake_answerer):
    await feed(app, stub, stub.message_update(CHAT, "What did Michael Kenny say?"))
    front = app.bot_data[handlers.FRONT_END]
    assert await front.contexts.get(CHAT) is not None
    await feed(app, stub, stub.message_update(CHAT, "/reset"))
    assert await front.contexts.get(CHAT) is None and "Forgotten" in texts(stub)[-1]


async def test_too_long_questions_get_a_clear_reply(app, stub):
    await feed(app, stub, stub.message_update(CHAT, "why " * 400))
    assert "limit is 1,000" in texts(stub)[0]


async def test_questions_over_the_rate_limit_get_a_slow_down_reply(settings, fake_answerer, stub):
    limited = dataclasses.replace(settings, telegram_rate_limit=2, telegram_rate_window=60)
    async with build_application(limited, answerer=fake_answerer) as app:
        for _ in range(5):
            await feed(app, stub, stub.message_update(CHAT, "Who is the author?"))
    answers = texts(stub)
    assert "Larison" in answers[1] and answers[2].startswith("Slow down")
    assert len(answers) == 3  # one "slow down" per window, not one per message


async def test_the_allowlist_turns_others_away(settings, fake_answerer, stub):
    allowed = dataclasses.replace(settings, telegram_allowed_ids=frozenset({CHAT}))
    async with build_application(allowed, answerer=fake_answerer) as app:
        await feed(app, stub, stub.message_update(CHAT, "Who is the author?"))
        await feed(app, stub, stub.message_update(77, "Who is the author?"))
    assert "Larison" in texts(stub)[0]
    assert texts(stub, 77) == [handlers.NOT_ALLOWED]


async def test_a_failure_is_logged_with_the_chat_id_and_told_to_the_user(
    app, stub, caplog: pytest.LogCaptureFixture
):
    front = app.bot_data[handlers.FRONT_END]
    front.answerer = None  # the core is gone: answering raises
    with caplog.at_level(logging.ERROR, logger="article_bot.telegram"):
        await feed(app, stub, stub.message_update(CHAT, "Who is the author?"))
    assert texts(stub) == [handlers.FAILED]
    assert f"chat {CHAT}" in caplog.text and TOKEN not in caplog.text


class SlowEmbedder:
    """The hashing fake, but each query takes as long as a slow model (blocking)."""

    def __init__(self, inner: HashingEmbedder, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds
        self.model_id, self.dimension = inner.model_id, inner.dimension
        self.embed_documents = inner.embed_documents

    def embed_query(self, text: str):  # type: ignore[no-untyped-def]
        time.sleep(self._seconds)
        return self._inner.embed_query(text)


async def test_answering_never_blocks_the_event_loop(settings, fake_knowledge, fake_embedder, stub):
    slow = Answerer(fake_knowledge, SlowEmbedder(fake_embedder, 0.4), AnswerSettings())
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            gaps.append(time.perf_counter() - last)
            last = time.perf_counter()

    async with build_application(settings, answerer=slow) as app:
        ticker = asyncio.create_task(tick())
        updates = [
            Update.de_json(
                {
                    "update_id": i,
                    **stub.message_update(i, "What did the author say about Tillerson?"),
                },
                app.bot,
            )
            for i in range(1, 4)
        ]
        await asyncio.gather(*(app.process_update(u) for u in updates))
        ticker.cancel()
    assert all("[1]" in texts(stub, i)[-1] for i in range(1, 4))
    assert max(gaps) < 0.2  # three 0.4 s inferences ran, the loop kept ticking


async def test_an_update_delivered_twice_is_answered_once(app, stub):
    update = {"update_id": 10_000, **stub.message_update(CHAT, "Who is the author?")}
    for _ in range(2):
        await app.process_update(Update.de_json(update, app.bot))
    assert len(texts(stub)) == 1
