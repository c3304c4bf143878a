"""Two answer workers and one webhook receiver, each a real process, sharing a real
Redis, against the Bot API stand-in. The model doesn't matter here: the processes run
``article-bot telegram`` with the fake embedder (``tests/fake_bot.py``).

The test plays Telegram: it posts each update to the receiver with the secret and posts
it again until the receiver answers 200.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge import open_knowledge
from corpus import BUNDLED_CORPUS
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder
from tests.redis_server import RedisServer, free_port
from tests.telegram_stub import BotApiStub, BotProcess

ROOT = Path(__file__).resolve().parent.parent
SECRET = "workers-test-secret"
RATE_LIMIT = 3
START_TIMEOUT = 90.0


@dataclass
class Worker:
    name: str
    health_port: int
    process: BotProcess


class Cluster:
    def __init__(self, root: Path, stub: BotApiStub, redis: RedisServer) -> None:
        self.root = root
        self.stub = stub
        self.redis = redis
        self.port = free_port()
        self.workers: dict[str, Worker] = {}
        self._chats = iter(range(50_001, 60_000))
        self._update_ids = iter(range(700_000, 800_000))
        self.receiver = self._start("receiver", {"TELEGRAM_ROLE": "receiver"})

    def env(self) -> dict[str, str]:
        return {
            "PYTHONPATH": str(ROOT),
            "ARTICLE_BOT_CORPUS_DIR": str(self.root / "corpus"),
            "ARTICLE_BOT_INDEX_DIR": str(self.root / "index"),
            "ARTICLE_BOT_REDIS_URL": self.redis.url,
            "ARTICLE_BOT_REDIS_PREFIX": "workers-test",
            "TELEGRAM_WEBHOOK_URL": "https://127.0.0.1:8443/hook",
            "TELEGRAM_WEBHOOK_PORT": str(self.port),
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_RATE_LIMIT": str(RATE_LIMIT),
            "TELEGRAM_CLAIM_AFTER": "3",
        }

    def _start(self, name: str, extra: dict[str, str]) -> BotProcess:
        return BotProcess(
            self.stub,
            {**self.env(), **extra},
            self.root / f"{name}.log",
            command=[sys.executable, "-m", "tests.fake_bot"],
        )

    def start_worker(self, name: str) -> Worker:
        port = free_port()
        process = self._start(
            name,
            {
                "TELEGRAM_ROLE": "worker",
                "TELEGRAM_WORKER_NAME": name,
                "TELEGRAM_HEALTH_PORT": str(port),
            },
        )
        worker = Worker(name, port, process)
        self.workers[name] = worker
        return worker

    def wait_ready(self, port: int, process: BotProcess) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert process.process.poll() is None, process.log
            if get(port, "/healthz")[0] == 200:
                return
            time.sleep(0.2)
        raise TimeoutError(process.log)

    def new_chat(self) -> int:
        return next(self._chats)

    def deliver(self, update: dict[str, Any], timeout: float = 60.0) -> None:
        """Post an update as Telegram does: again and again until it gets a 200."""
        deadline = time.monotonic() + timeout
        while True:
            if post(self.port, update) == 200:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"update {update['update_id']} was never accepted")
            time.sleep(0.2)

    def numbered(self, update: dict[str, Any]) -> dict[str, Any]:
        """An update with the next ``update_id``, as Telegram numbers them."""
        return {"update_id": next(self._update_ids), **update}

    def ask(self, chat: int, text: str) -> dict[str, Any]:
        update = self.numbered(self.stub.message_update(chat, text))
        self.deliver(update)
        return update

    def replies(self, chat: int, count: int = 1, timeout: float = 60.0) -> list[Any]:
        return self.stub.wait_for(
            lambda: len(calls := self.stub.sent("sendMessage", chat)) >= count and calls,
            timeout,
        )

    def answered_by(self, chat: int, count: int = 1, what: str = "answered") -> list[str]:
        """The workers whose log says they ``what`` (answered, showed citation) in ``chat``,
        once ``count`` such lines are there (a line is written just after the reply)."""
        pattern = re.compile(rf"chat {chat}: {what}")

        def names() -> list[str]:
            return [
                name
                for name, worker in self.workers.items()
                for line in worker.process.log.splitlines()
                if pattern.search(line)
            ]

        return list(self.stub.wait_for(lambda: len(found := names()) >= count and found, 10))

    def answered_count(self, name: str) -> int:
        return self.workers[name].process.log.count(": answered (")

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.process.stop()
        self.receiver.stop()


def post(port: int, update: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook",
        data=json.dumps(update).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
    except OSError:
        return 0


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, ""
    except OSError:
        return 0, ""


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


def burst(cluster: Cluster, count: int) -> list[int]:
    chats = [cluster.new_chat() for _ in range(count)]
    updates = [
        cluster.numbered(cluster.stub.message_update(chat, "Who wrote the article?"))
        for chat in chats
    ]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(cluster.deliver, updates))
    return chats


def answers_per_chat(cluster: Cluster, chats: list[int]) -> Counter[int]:
    wanted = set(chats)
    return Counter(
        c.params["chat_id"]
        for c in cluster.stub.sent("sendMessage")
        if c.params["chat_id"] in wanted
    )


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
    assert [chat for chat in repeated if killed_at - first_sent[chat] > 0.5] == []
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
