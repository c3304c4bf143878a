"""Soak run of the Telegram bot under API faults: the real ``article-bot telegram`` (long
polling, real bundled model) against the Bot API stand-in on 127.0.0.1, 1,000 questions
from 200 chats while 5% of all API calls fail (5xx, connection reset, 429, slow and
unreadable responses, chosen at random).

Prints how many questions were answered, answered twice and never answered, the median
and p95 reply time (question queued -> answer at the stand-in), and the bot's RSS once
ready and at the end. A short version runs in CI (tests/test_telegram_soak.py).

    python benchmarks/telegram_soak.py
    python benchmarks/telegram_soak.py --questions 200 --chats 40 --fail-rate 0.1
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.telegram_soak import soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000, help="questions (default 1000)")
    parser.add_argument("--chats", type=int, default=200, help="chats asking (default 200)")
    parser.add_argument("--fail-rate", type=float, default=0.05, help="share failing (0.05)")
    parser.add_argument("--rate", type=float, default=5.0, help="questions per second (5)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait (900)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; starting the bot (model load and index build)…", flush=True)
    result = soak(args.questions, args.chats, args.fail_rate, args.rate, args.timeout)
    print(result.report())
    ok = result.answered == args.questions and result.twice == 0
    print("all answered exactly once" if ok else "NOT all answered exactly once")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
