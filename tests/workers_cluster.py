"""A receiver and answer workers, each a real ``article-bot telegram`` process, sharing a
real Redis, against the Bot API stand-in; used by the multi-worker tests and the soak
benchmark. The caller plays Telegram: :meth:`Cluster.deliver` posts an update to the
receiver with the secret, again until it answers 200.

With ``fake_model`` the processes run ``tests/fake_bot.py`` (the fake embedder; the index
must have been built with it), else the real command and model.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.redis_server import RedisServer, free_port
from tests.telegram_stub import BotApiStub, BotProcess

ROOT = Path(__file__).resolve().parent.parent
SECRET = "workers-test-secret"
RATE_LIMIT = 3
START_TIMEOUT = 180.0


@dataclass
class Worker:
    name: str
    health_port: int
    process: BotProcess


class Cluster:
    def __init__(
        self,
        root: Path,
        stub: BotApiStub,
        redis: RedisServer,
        fake_model: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.fake_model = fake_model
        self.extra_env = env or {}
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
            **self.extra_env,
        }

    def _start(self, name: str, extra: dict[str, str]) -> BotProcess:
        return BotProcess(
            self.stub,
            {**self.env(), **extra},
            self.root / f"{name}.log",
            command=[sys.executable, "-m", "tests.fake_bot"] if self.fake_model else None,
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
