"""End to end: the real ``article-bot telegram`` polling loop, the real bundled model,
and a Bot API stand-in on 127.0.0.1 that records what the bot sends.

One bot process serves the whole module (start-up builds the missing index: ~20 s on
two cores). Each test talks from its own chat ids.
"""

from __future__ import annotations

import itertools
import json
import shutil
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from corpus import BUNDLED_CORPUS
from tests.telegram_stub import (
    BIG,
    SECRET,
    TOKEN,
    BotApiStub,
    BotProcess,
    Call,
    check_html,
    free_port,
    post,
    post_headers_first,
    rss_kib,
)

# The session's model export is made before the first subprocess needs it.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("real_embedder")]

START_TIMEOUT = 120.0
FAILED = "Sorry, something went wrong"


def write_long_document(folder: Path) -> None:
    """Four paragraphs that are each one sentence of ~390 words on the same subject, so
    an answer quoting three of them is over 6,000 characters long."""
    phrases = itertools.cycle(
        [
            "the keeper polished the great brass lamp of the northern lighthouse",
            "trimmed the wick and wound the clockwork that turned the lens",
            "watched the fishing boats return through the fog and the rain",
            "wrote the weather and the passing ships into the leather logbook",
            "carried oil up the spiral staircase of one hundred and twelve steps",
            "listened to the foghorn answering the bell buoy across the bay",
        ]
    )
    paragraphs = []
    for entry in range(1, 5):
        words: list[str] = []
        while len(words) < 380:
            words += (next(phrases) + ",").split()
        paragraphs.append(
            f"In the lighthouse keeper's log, entry {entry} says that "
            + " ".join(words).rstrip(",")
            + "."
        )
    text = "# The Lighthouse Keeper's Log\n\n" + "\n\n".join(paragraphs) + "\n"
    (folder / "lighthouse.md").write_text(text)


class RunningBot:
    def __init__(self, stub: BotApiStub, process: BotProcess) -> None:
        self.stub = stub
        self.process = process
        self._chats = itertools.count(10_001)

    def new_chat(self) -> int:
        return next(self._chats)

    def replies(self, chat_id: int, count: int = 1, timeout: float = 60.0) -> list[Call]:
        return self.stub.wait_for(
            lambda: (
                (calls := self.stub.sent("sendMessage", chat_id)) and len(calls) >= count and calls
            ),
            timeout,
        )

    def ask(self, question: str, count: int = 1) -> list[Call]:
        chat = self.new_chat()
        self.stub.say(chat, question)
        return self.replies(chat, count)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    root = tmp_path_factory.mktemp("telegram-e2e")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED_CORPUS / "rapprochement-with-russia.txt", corpus)
    write_long_document(corpus)
    with BotApiStub() as stub:
        process = BotProcess(
            stub,
            {
                "ARTICLE_BOT_CORPUS_DIR": str(corpus),
                "ARTICLE_BOT_INDEX_DIR": str(root / "index"),  # missing: built at start-up
                "ARTICLE_BOT_CHUNK_WORDS": "400",
                "TELEGRAM_RATE_LIMIT": "0",
            },
            root / "bot.log",
        )
        try:
            stub.wait_for(
                lambda: stub.sent("deleteWebhook") or process.process.poll() is not None,
                START_TIMEOUT,
            )
            assert process.process.poll() is None, process.log
            yield RunningBot(stub, process)
        finally:
            process.stop()


def test_start_up_builds_the_index_registers_commands_and_logs_the_load(bot):
    [commands] = bot.stub.sent("setMyCommands")
    names = {c["command"] for c in commands.params["commands"]}
    assert {"start", "help", "sources", "about", "reset", "ask"} <= names
    assert bot.stub.sent("deleteWebhook")  # long polling
    log = bot.process.log
    assert "building it now" in log
    assert "loaded model sentence-transformers/all-MiniLM-L6-v2 and" in log and "passages" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


def test_a_private_question_gets_an_html_reply_with_citations_and_buttons(bot):
    [reply] = bot.ask("What does the author think about sending weapons to Ukraine?")
    text = reply.params["text"]
    assert reply.params["parse_mode"] == "HTML" and "[1]" in text and "Sources" in text
    check_html(text)
    buttons = [row[0] for row in reply.params["reply_markup"]["inline_keyboard"]]
    assert len(buttons) >= 1 and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert bot.stub.sent("sendChatAction", reply.params["chat_id"])


def test_pressing_a_button_shows_the_passage(bot):
    [reply] = bot.ask("What did the commenters say about the DNC emails?")
    chat = reply.params["chat_id"]
    button = reply.params["reply_markup"]["inline_keyboard"][0][0]
    bot.stub.press(reply.result, button["callback_data"])
    edit = bot.stub.wait_for(
        lambda: [c for c in bot.stub.sent("editMessageText") if c.params["chat_id"] == chat]
    )[0]
    assert "<blockquote expandable>" in edit.params["text"]
    assert edit.params["text"].startswith(reply.params["text"])
    bot.stub.wait_for(lambda: bot.stub.sent("answerCallbackQuery"))


def test_a_stale_button_after_a_restart_is_politely_expired(bot):
    chat = bot.new_chat()
    old = {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "old"}
    bot.stub.press(old, "cite:from-before:1")
    answers = bot.stub.wait_for(
        lambda: [
            c for c in bot.stub.sent("answerCallbackQuery") if "expired" in c.params.get("text", "")
        ]
    )
    assert "please ask again" in answers[0].params["text"]


def test_a_group_message_without_a_mention_gets_no_reply(bot):
    group = -bot.new_chat()
    bot.stub.say(group, "Who wrote the article?", chat_type="group", user_id=501)
    bot.stub.say(group, "@article_test_bot who wrote the article?", chat_type="group", user_id=501)
    bot.replies(group)
    time.sleep(0.5)
    replies = bot.stub.sent("sendMessage", group)
    assert len(replies) == 1 and "@article_test_bot" not in replies[0].params["text"]


def test_a_6000_character_answer_arrives_as_several_valid_messages(bot):
    chat = bot.new_chat()
    bot.stub.say(chat, "What did the lighthouse keeper do with the brass lamp?")
    bot.stub.wait_for(
        lambda: (
            (calls := bot.stub.sent("sendMessage", chat)) and "reply_markup" in calls[-1].params
        ),
        60,
    )
    messages = bot.stub.sent("sendMessage", chat)
    visible = [check_html(m.params["text"]) for m in messages]
    assert len(messages) >= 2 and sum(map(len, visible)) > 6000
    assert all(len(v) <= 4096 for v in visible)
    assert not any(FAILED in v for v in visible)
    assert [("reply_markup" in m.params) for m in messages][-1]  # buttons on the last one


def test_a_question_with_markup_comes_back_escaped(bot):
    [reply] = bot.ask("What did Gazza say about the <b>DNC</b> & the emails?")
    text = reply.params["text"]
    # The echo is the question as the core read it (tags dropped), with & escaped.
    assert "about the DNC &amp; the emails?" in text
    assert "<b>DNC</b>" not in text
    check_html(text)


def test_a_429_with_retry_after_is_waited_out(bot):
    bot.stub.fail_next("sendMessage", retry_after=1)
    chat = bot.new_chat()
    bot.stub.say(chat, "Who wrote the article?")
    [reply] = bot.replies(chat)
    refused = [c for c in bot.stub.refused if c.params["chat_id"] == chat]
    assert refused and reply.at - refused[0].at >= 1.0
    assert "Larison" in reply.params["text"]


def test_concurrent_questions_from_different_chats_are_all_answered(bot):
    chats = [bot.new_chat() for _ in range(8)]
    started = {chat: time.monotonic() for chat in chats}
    for chat in chats:
        bot.stub.say(chat, "What does the author say about NATO expansion?")
    latencies = [bot.replies(chat)[0].at - started[chat] for chat in chats]
    assert len(latencies) == len(chats)
    assert statistics.median(latencies) < 30


def test_sigterm_stops_the_bot_cleanly(bot):
    assert bot.process.stop() == 0
    assert "stopped" in bot.process.log


def test_a_token_telegram_rejects_is_reported_and_exits_non_zero(tmp_path):
    with BotApiStub(reject_token=True) as stub:
        process = BotProcess(stub, {}, tmp_path / "bot.log")
        code = process.process.wait(120)
        process.stop()
    log = process.log
    assert code != 0
    assert "article-bot: error: Telegram rejected the bot token" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("not-a-token", "TELEGRAM_BOT_TOKEN is malformed"),
    ],
)
def test_a_missing_or_malformed_token_is_a_one_line_error(token, message, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    assert main(["telegram"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err


def test_webhook_mode_registers_the_url_and_accepts_only_updates_with_the_secret(
    tmp_path, real_index_dir
):
    """Also issue #8 row 14: a 30 MB POST without the secret (or over the size cap with
    it) is refused on its headers, and the bot's memory does not grow."""
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
            [registered] = stub.wait_for(lambda: stub.sent("setWebhook"), START_TIMEOUT)
            assert registered.params["url"] == "https://bot.example.com/hook"
            assert registered.params["secret_token"] == SECRET
            update = json.dumps(
                {"update_id": 1, **stub.message_update(31337, "Who wrote the article?")}
            )
            assert post(port, update.encode(), "wrong") == 403
            before = rss_kib(process.process.pid)
            refused = [post_headers_first(port, BIG, s)[0] for s in (None, "wrong", SECRET)]
            grown = rss_kib(process.process.pid) - before
            assert refused == [403, 403, 413]
            assert grown < 10 * 1024, f"RSS grew by {grown} KiB"
            assert post(port, update.encode(), SECRET) == 200
            [reply] = stub.wait_for(lambda: stub.sent("sendMessage", 31337))
            assert "Larison" in reply.params["text"]
        finally:
            assert process.stop() == 0, process.log
