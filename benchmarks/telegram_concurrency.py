"""How the Telegram bot copes with many chats at once.

Starts the real ``article-bot telegram`` (real bundled model) against the Bot API
stand-in on 127.0.0.1, sends one question from each of N different chats at the same
moment, and reports how many were answered and the reply times (from the update being
queued to the answer arriving at the stand-in).

    python benchmarks/telegram_concurrency.py --chats 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.telegram_soak import QUESTIONS
from tests.telegram_stub import BotApiStub, BotProcess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=20, help="concurrent chats (default 20)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for answers")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, BotApiStub() as stub:
        root = Path(folder)
        started = time.monotonic()
        bot = BotProcess(
            stub,
            {"ARTICLE_BOT_INDEX_DIR": str(root / "index"), "TELEGRAM_RATE_LIMIT": "0"},
            root / "bot.log",
        )
        try:
            stub.wait_for(lambda: stub.sent("deleteWebhook") or bot.process.poll() is not None, 180)
            if bot.process.poll() is not None:
                print(bot.log, file=sys.stderr)
                return 1
            print(f"bot ready in {time.monotonic() - started:.1f}s (model load and index build)")
            chats = list(range(50_001, 50_001 + args.chats))
            asked = {}
            for number, chat in enumerate(chats):
                stub.say(chat, QUESTIONS[number % len(QUESTIONS)])
                asked[chat] = time.monotonic()
            deadline = time.monotonic() + args.timeout
            answered: dict[int, float] = {}
            while time.monotonic() < deadline and len(answered) < len(chats):
                for chat in chats:
                    replies = stub.sent("sendMessage", chat)
                    if chat not in answered and replies:
                        answered[chat] = replies[0].at - asked[chat]
                time.sleep(0.05)
            failed = sum("went wrong" in c.params["text"] for c in stub.sent("sendMessage"))
        finally:
            code = bot.stop()
        times = sorted(answered.values())
        print(
            f"chats: {len(chats)}  answered: {len(answered)}/{len(chats)}  errors: {failed}  "
            f"clean stop: {code == 0}"
        )
        if times:
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(
                f"reply time: median {statistics.median(times):.2f}s  p95 {p95:.2f}s  "
                f"min {times[0]:.2f}s  max {times[-1]:.2f}s"
            )
        return 0 if len(answered) == len(chats) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
