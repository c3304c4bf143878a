"""Soak test of the several-workers set-up: one webhook receiver and N answer workers
sharing a real Redis, against the Bot API stand-in on 127.0.0.1, once with one worker
and once with two.

Questions arrive at a steady rate, each from its own chat, posted to the receiver as
Telegram does (again until it gets a 200). Reported for each run: questions answered,
questions answered twice, and the median and p95 reply time (from the post to the
answer arriving at the stand-in). ``--kill`` kills one of two workers with SIGKILL
halfway through. Needs ``redis-server`` on PATH.

    python benchmarks/soak_workers.py --questions 300 --rate 20
    python benchmarks/soak_workers.py --fake-model --kill
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus import BUNDLED_CORPUS
from tests.redis_server import RedisServer
from tests.telegram_soak import QUESTIONS
from tests.telegram_stub import BotApiStub, article_bot_command
from tests.workers_cluster import Cluster


def build_index(root: Path, fake_model: bool) -> None:
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED_CORPUS / "rapprochement-with-russia.txt", corpus)
    if fake_model:
        from bot.knowledge import open_knowledge
        from embeddings.passages import Chunking
        from tests.fakes import HashingEmbedder

        open_knowledge(corpus, root / "index", HashingEmbedder(), Chunking())
        return
    env = {
        **os.environ,
        "ARTICLE_BOT_CORPUS_DIR": str(corpus),
        "ARTICLE_BOT_INDEX_DIR": str(root / "index"),
    }
    subprocess.run(
        [*article_bot_command(), "rebuild-index"], env=env, check=True, capture_output=True
    )


def run(workers: int, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, BotApiStub() as stub:
        root = Path(folder)
        build_index(root, args.fake_model)
        redis = RedisServer(root / "redis")
        redis.start()
        cluster = Cluster(
            root, stub, redis, fake_model=args.fake_model, env={"TELEGRAM_RATE_LIMIT": "0"}
        )
        try:
            for n in range(workers):
                cluster.start_worker(f"w{n + 1}")
            for worker in cluster.workers.values():
                cluster.wait_ready(worker.health_port, worker.process)
            cluster.wait_ready(cluster.port, cluster.receiver)
            chats = [cluster.new_chat() for _ in range(args.questions)]
            posted: dict[int, float] = {}

            def ask(number: int, chat: int) -> None:
                text = QUESTIONS[number % len(QUESTIONS)]
                update = cluster.numbered(stub.message_update(chat, text))
                posted[chat] = time.monotonic()
                cluster.deliver(update, timeout=args.timeout)

            with ThreadPoolExecutor(16) as pool:
                futures = []
                for number, chat in enumerate(chats):
                    futures.append(pool.submit(ask, number, chat))
                    if args.kill and workers > 1 and number == len(chats) // 2:
                        os.kill(cluster.workers["w1"].process.process.pid, signal.SIGKILL)
                    time.sleep(1 / args.rate)
                for future in futures:
                    future.result()
            wanted = set(chats)
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                answered = {c.params["chat_id"] for c in stub.sent("sendMessage")} & wanted
                if len(answered) == len(wanted):
                    break
                time.sleep(0.2)
            time.sleep(2.0)  # let any repeat arrive
            first: dict[int, float] = {}
            counts: dict[int, int] = {}
            for call in stub.sent("sendMessage"):
                chat = call.params["chat_id"]
                if chat in wanted:
                    first.setdefault(chat, call.at)
                    counts[chat] = counts.get(chat, 0) + 1
            times = sorted(first[chat] - posted[chat] for chat in first)
            return {
                "answered": len(first),
                "twice": sum(1 for n in counts.values() if n > 1),
                "median": statistics.median(times) if times else float("nan"),
                "p95": times[int(0.95 * (len(times) - 1))] if times else float("nan"),
            }
        finally:
            cluster.stop()
            redis.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300, help="questions (default 300)")
    parser.add_argument("--rate", type=float, default=20.0, help="questions per second (20)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (300)")
    parser.add_argument("--fake-model", action="store_true", help="the fake embedder")
    parser.add_argument("--kill", action="store_true", help="kill -9 one of two workers")
    args = parser.parse_args()
    # Stopped from outside (timeout, service manager): still stop the processes it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    model = "fake embedder" if args.fake_model else "bundled model"
    print(f"{args.questions} questions at {args.rate:g}/s, {model}, {os.cpu_count()} cores")
    results = {}
    for workers in (1, 2):
        results[workers] = run(workers, args)
        r = results[workers]
        killed = " (one killed halfway)" if args.kill and workers > 1 else ""
        print(
            f"{workers} worker(s){killed}: answered {r['answered']}/{args.questions}, "
            f"answered twice {r['twice']}, median {r['median']:.2f} s, p95 {r['p95']:.2f} s",
            flush=True,
        )
    one, two = results[1], results[2]
    print(
        f"2 workers vs 1: median x{two['median'] / one['median']:.2f}, "
        f"p95 x{two['p95'] / one['p95']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
