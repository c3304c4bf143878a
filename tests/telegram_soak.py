"""A soak run: the real ``article-bot telegram`` (long polling, the real bundled model)
against the fault-injecting Bot API stand-in, many questions from many chats while a
share of all API calls fail. Used by ``benchmarks/telegram_soak.py`` (1,000 questions
from 200 chats) and, short, by ``tests/test_telegram_soak.py`` in CI.

Each question carries a tag (``q17``) so its answers can be counted: the reply echoes
the question.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from corpus import BUNDLED_CORPUS
from tests.telegram_stub import BotApiStub, BotProcess, Call, rss_kib

# Questions about the bundled article (the benchmarks ask them too).
QUESTIONS = [
    "What does the author think about sending weapons to Ukraine?",
    "What did Tillerson say about Russia?",
    "Why did the 2008 war happen?",
    "What did the commenters say about the DNC emails?",
    "Is NATO expansion a problem?",
    "What does the article say about sanctions?",
    "Who wrote the article?",
    "What happened with the Obama reset?",
]
_TAG = re.compile(r"\(q(\d+)\)")


@dataclass(frozen=True)
class SoakResult:
    questions: int
    chats: int
    fail_rate: float
    answered: int  # questions answered at least once
    twice: int  # questions answered more than once
    unanswered: int
    sorry: int  # "Sorry" messages sent
    faults: int  # API calls answered with an injected fault
    median: float  # seconds from the question being queued to its answer arriving
    p95: float
    rss_start_mib: float  # once the bot is ready (model loaded)
    rss_end_mib: float
    seconds: float

    def report(self) -> str:
        return "\n".join(
            [
                f"{self.questions} questions from {self.chats} chats, "
                f"{self.fail_rate:.0%} of API calls failing ({self.faults} faults injected), "
                f"{self.seconds:.0f} s",
                f"answered {self.answered}, answered twice {self.twice}, "
                f"unanswered {self.unanswered}, 'Sorry' {self.sorry}",
                f"reply time: median {self.median:.2f} s, p95 {self.p95:.2f} s",
                f"RSS: {self.rss_start_mib:.0f} MiB at start, {self.rss_end_mib:.0f} MiB at end",
            ]
        )


def soak(
    questions: int,
    chats: int,
    fail_rate: float = 0.05,
    rate: float = 20.0,
    timeout: float = 600.0,
    seed: int = 8,
) -> SoakResult:
    """Ask ``questions`` (spread over ``chats``) at ``rate`` a second while ``fail_rate``
    of all API calls fail; wait up to ``timeout`` s for every answer."""
    with tempfile.TemporaryDirectory() as folder, BotApiStub() as stub:
        root = Path(folder)
        corpus = root / "corpus"
        corpus.mkdir()
        shutil.copy(BUNDLED_CORPUS / "rapprochement-with-russia.txt", corpus)
        bot = BotProcess(
            stub,
            {
                "ARTICLE_BOT_CORPUS_DIR": str(corpus),
                "ARTICLE_BOT_INDEX_DIR": str(root / "index"),
                "TELEGRAM_RATE_LIMIT": "0",
            },
            root / "bot.log",
        )
        try:
            stub.wait_for(lambda: stub.sent("deleteWebhook") or bot.process.poll() is not None, 300)
            if bot.process.poll() is not None:
                raise RuntimeError(f"the bot stopped at start:\n{bot.log}")
            time.sleep(1)  # polling
            rss_start = rss_kib(bot.process.pid)
            started = time.monotonic()
            stub.chaos(fail_rate, seed=seed)
            asked: dict[int, float] = {}
            for number in range(questions):
                chat = 60_001 + number % chats
                stub.say(chat, f"{QUESTIONS[number % len(QUESTIONS)]} (q{number})")
                asked[number] = time.monotonic()
                time.sleep(1 / rate)

            def answered() -> set[int]:
                return {int(m[1]) for c in stub.sent("sendMessage") if (m := _TAG.search(_text(c)))}

            deadline = time.monotonic() + timeout
            while len(answered()) < questions and time.monotonic() < deadline:
                assert bot.process.poll() is None, bot.log
                time.sleep(0.5)
            time.sleep(3)  # time for a repeat to show
            stub.chaos(0)
            rss_end = rss_kib(bot.process.pid)
            seconds = time.monotonic() - started
        finally:
            # With questions still queued, a clean stop can outlast the wait: killed then.
            with contextlib.suppress(subprocess.TimeoutExpired):
                bot.stop()
        counts: Counter[int] = Counter()
        first: dict[int, float] = {}
        sorry = 0
        for call in stub.sent("sendMessage"):
            text = _text(call)
            sorry += text.startswith("Sorry")
            match = _TAG.search(text)
            if match:
                counts[int(match[1])] += 1
                first.setdefault(int(match[1]), call.at)
        times = sorted(first[n] - asked[n] for n in first)
        return SoakResult(
            questions=questions,
            chats=chats,
            fail_rate=fail_rate,
            answered=len(counts),
            twice=sum(1 for n in counts.values() if n > 1),
            unanswered=questions - len(counts),
            sorry=sorry,
            faults=len(stub.faults),
            median=statistics.median(times) if times else float("nan"),
            p95=times[int(0.95 * (len(times) - 1))] if times else float("nan"),
            rss_start_mib=rss_start / 1024,
            rss_end_mib=rss_end / 1024,
            seconds=seconds,
        )


def _text(call: Call) -> str:
    return str(call.params.get("text", ""))
