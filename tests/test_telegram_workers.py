"""Two answer workers and one webhook receiver, each a real process, sharing a real
Redis, against the Bot API stand-in. The model doesn't matter here: the processes run
``article-bot telegram`` with the fake embedder (``tests/fake_bot.py``).

The test plays Telegram: it posts each update to the receiver with the secret and posts
it again until the receiver answers 200.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.knowledge import open_knowledge
from corpus import BUNDLED_CORPUS
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder
from tests.redis_server import RedisServer
from tests.telegram_stub import BotApiStub
from tests.workers_cluster import (
    RATE_LIMIT,
    SECRET,
    Cluster,
    answers_per_chat,
    burst,
    get,
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("workers")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED_CORPUS / "rapprochement-with-russia.txt", corpus)
    # Built once here, so the workers only load it.
    open_knowledge(corpus, root / "index", HashingEmbedder(), Chunking())
    redis = RedisServer(root / "redis")
    redis.start()
    with BotApiStub() as stub:
        running = Cluster(root, stub, redis)
        try:
            for name in ("a", "b"):
                running.start_worker(name)
            for worker in running.workers.values():
                running.wait_ready(worker.health_port, worker.process)
            running.wait_ready(running.port, running.receiver)
            yield running
        finally:
            running.stop()
            redis.stop()


def test_the_receiver_registers_the_webhook_and_everyone_reports_ready(cluster):
    [registered] = cluster.stub.sent("setWebhook")
    assert registered.params["secret_token"] == SECRET
    for worker in cluster.workers.values():
        status, text = get(worker.health_port, "/metrics")
        assert status == 200 and "article_bot_queue_pending" in text
    request = urllib.request.Request(
        f"http://127.0.0.1:{cluster.port}/hook", data=b"{}", headers={"Content-Length": "2"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert refused.value.code == 403


def test_a_follow_up_answered_by_one_worker_uses_the_context_from_the_other(cluster):
    crossed = 0
    for _ in range(6):
        chat = cluster.new_chat()
        cluster.ask(chat, "What did Michael Kenny say?")
        cluster.replies(chat, 1)
        cluster.ask(chat, "What else did he say?")
        [_, follow_up] = cluster.replies(chat, 2)
        assert "Kenny" in follow_up.params["text"]  # the scope came with the context
        first, second = cluster.answered_by(chat, 2)
        crossed += first != second
        assert any(
            re.search(rf"chat {chat}: answered .*a follow-up", line)
            for worker in cluster.workers.values()
            for line in worker.process.log.splitlines()
        )
    assert crossed >= 1


def test_a_button_on_an_answer_from_one_worker_is_served_by_the_other(cluster):
    crossed = 0
    for _ in range(6):
        chat = cluster.new_chat()
        cluster.ask(chat, "What did the author say about Tillerson?")
        [reply] = cluster.replies(chat, 1)
        button = reply.params["reply_markup"]["inline_keyboard"][0][0]
        press = cluster.stub.callback_update(reply.result, button["callback_data"])
        cluster.deliver(cluster.numbered(press))
        cluster.stub.wait_for(
            lambda chat=chat: [
                c for c in cluster.stub.sent("editMessageText") if c.params["chat_id"] == chat
            ]
        )
        [answered] = cluster.answered_by(chat)
        [showed] = cluster.answered_by(chat, what="showed citation")
        crossed += answered != showed
    assert crossed >= 1
    assert not [
        c for c in cluster.stub.sent("answerCallbackQuery") if "expired" in c.params.get("text", "")
    ]


def test_the_rate_limit_holds_across_both_workers(cluster):
    chat = cluster.new_chat()
    for n in range(RATE_LIMIT + 4):
        cluster.ask(chat, f"Who wrote the article? ({n})")
    replies = cluster.replies(chat, RATE_LIMIT + 1)
    time.sleep(1.5)  # nothing more comes
    texts = [c.params["text"] for c in cluster.stub.sent("sendMessage", chat)]
    assert len(texts) == RATE_LIMIT + 1, texts
    assert sum(t.startswith("Slow down") for t in texts) == 1
    assert len(replies) == RATE_LIMIT + 1


def test_a_redelivered_update_is_answered_once(cluster):
    chat = cluster.new_chat()
    update = cluster.ask(chat, "Who wrote the article?")
    cluster.deliver(update)  # Telegram sends it again
    cluster.replies(chat, 1)
    cluster.deliver(update)  # and once more after the answer
    time.sleep(1.5)
    assert len(cluster.stub.sent("sendMessage", chat)) == 1


def test_kill_9_of_a_worker_during_a_burst_loses_no_question(cluster):
    """Every question is answered; none twice, except a reply that Telegram had accepted
    in the last instant before the kill, before the worker could record it (no Bot API
    call can be made idempotent). The test checks that such a repeat can only be that."""
    victim = cluster.workers["a"]
    with ThreadPoolExecutor(1) as pool:
        sending = pool.submit(burst, cluster, 200)
        # Kill once worker "a" is answering: it holds questions it has not finished.
        cluster.stub.wait_for(lambda: cluster.answered_count("a") >= 20, 60)
        os.kill(victim.process.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        chats = sending.result()
    victim.process.stop()  # already dead: this only reaps it and closes its log
    cluster.stub.wait_for(lambda: len(answers_per_chat(cluster, chats)) == 200, 120)
    time.sleep(2.0)
    counts = answers_per_chat(cluster, chats)
    assert len(counts) == 200  # every question answered
    repeated = {chat for chat, n in counts.items() if n > 1}
    assert all(counts[chat] == 2 for chat in repeated)
    first_sent = {c.params["chat_id"]: c.at for c in reversed(cluster.stub.sent("sendMessage"))}
    assert [chat for chat in repeated if killed_at - first_sent[chat] > 1.0] == []
    assert len(repeated) <= 5
    assert "took over update" in cluster.workers["b"].process.log
    # Worker "a" comes back under its name for the tests after this one.
    replacement = cluster.start_worker("a")
    cluster.wait_ready(replacement.health_port, replacement.process)


def test_a_redis_restart_mid_run_delays_questions_but_loses_none(cluster):
    chats = [cluster.new_chat() for _ in range(30)]
    with ThreadPoolExecutor(4) as pool:
        futures = []
        for n, chat in enumerate(chats):
            if n == 10:
                cluster.redis.restart(down_for=1.0)
            update = cluster.numbered(cluster.stub.message_update(chat, "Who wrote it?"))
            futures.append(pool.submit(cluster.deliver, update, 90.0))
            time.sleep(0.05)
        for future in futures:
            future.result()
    cluster.stub.wait_for(lambda: len(answers_per_chat(cluster, chats)) == 30, 120)
    time.sleep(1.5)
    counts = answers_per_chat(cluster, chats)
    assert [chat for chat, n in counts.items() if n != 1] == []
    for worker in cluster.workers.values():
        assert worker.process.process.poll() is None, worker.process.log
