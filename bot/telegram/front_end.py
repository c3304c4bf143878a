"""What the Telegram handlers share: the answering core, run off the event loop, the
in-memory per-chat state, and the bot's fixed texts (all HTML, all escaped)."""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor
from html import escape

from tornado.httpserver import HTTPServer

from bot import startup
from bot.answering import Answerer, Turn
from bot.replies import Reply
from bot.settings import Settings
from bot.telegram.state import ChatLocks

ANSWER_WORKERS = 8
COMMANDS = (
    ("start", "Greeting and example questions"),
    ("ask", "Ask a question (in groups: /ask QUESTION)"),
    ("sources", "The documents I answer from"),
    ("documents", "The documents with where they came from"),
    ("reset", "Forget the previous question"),
    ("help", "How to ask"),
    ("about", "What this bot is and how it works"),
)


class FrontEnd:
    """The Telegram front end's state; one per :class:`~telegram.ext.Application`."""

    def __init__(
        self,
        settings: Settings,
        answerer: Answerer | None = None,
        state: startup.State | None = None,
    ) -> None:
        self.settings = settings
        self.answerer = answerer
        self.state = state or startup.open_state(settings)
        self.contexts = self.state.contexts
        self.answers = self.state.answers
        self.rate_limit = self.state.rate_limit
        self.health: HTTPServer | None = None
        # Answering blocks, so it runs off the event loop. Several workers answer at
        # once: the core's micro-batching embedder puts their questions into one model
        # call (the model itself is never called from two threads at a time).
        self.executor = ThreadPoolExecutor(max_workers=ANSWER_WORKERS, thread_name_prefix="answer")
        self.locks = ChatLocks()

    @property
    def core(self) -> Answerer:
        if self.answerer is None:
            raise RuntimeError("the answering core is not loaded yet")
        return self.answerer

    async def answer(self, question: str, previous: Turn | None) -> tuple[Reply, Turn | None]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self.core.answer_turn, question, previous)

    async def close(self) -> None:
        if self.health is not None:
            self.health.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)
        await self.state.close()

    # Texts ----------------------------------------------------------------------------

    def _titles(self) -> str:
        return ", ".join(f"“{escape(d.title)}”" for d in self.core.knowledge.corpus.documents)

    def examples(self) -> list[str]:
        """Questions made from the loaded corpus that the bot answers."""
        return self.core.example_questions()

    def greeting(self) -> str:
        lines = [
            f"Hello! I answer questions about {self._titles()} and its reader comments, "
            "citing the passages I used.",
            "",
        ]
        examples = self.examples()
        if examples:
            lines += ["Try for example:", *(f"• {escape(example)}" for example in examples), ""]
        lines.append("/help explains more.")
        return "\n".join(lines)

    def help_text(self) -> str:
        limit = self.settings.telegram_rate_limit
        lines = [
            "Send me a question as a message. I answer from the article and its comments "
            "only, with numbered citations; press a citation button to read that passage "
            "in full.",
            "Follow-up questions (“and what did he say about Ukraine?”) use your previous "
            "question as context; /reset forgets it.",
            "In groups, mention me, reply to my message, or use /ask QUESTION.",
            "",
            "/start: greeting and examples",
            "/sources: the documents I answer from",
            "/reset: forget the previous question",
            "/about: what this bot is",
            "",
            f"Questions can be up to {self.settings.max_question_chars:,} characters long.",
        ]
        if limit > 0:
            lines.append(
                f"You can ask {limit} questions every "
                f"{_duration(self.settings.telegram_rate_window)}."
            )
        return "\n".join(escape(line, quote=False) for line in lines)

    def sources_text(self) -> str:
        lines = ["I answer from:"]
        for d in self.core.knowledge.corpus.documents:
            by = f" by {escape(d.author)}" if d.author else ""
            lines.append(
                f"• <b>{escape(d.title)}</b>{by}: {len(d.paragraphs)} paragraphs, "
                f"{len(d.comments)} comments"
            )
        return "\n".join(lines)

    def about_text(self) -> str:
        core = self.core
        minutes = self.settings.telegram_context_minutes
        where = "in the bot's shared memory (Redis)" if self.state.shared else "in memory"
        return (
            f"I am article-bot. I answer questions about {self._titles()} using only its "
            "text and its reader comments: the answer quotes the most relevant sentences, "
            "and every quote is cited so you can check it.\n\n"
            f"Search: {escape(core.embedder.model_id)} embeddings plus keyword search over "
            f"{len(core.knowledge.index.passages)} passages.\n"
            "Privacy: nothing is written to disk; your previous question is kept "
            f"{where} for {_duration(minutes * 60)} to understand follow-ups "
            "(/reset forgets it)."
        )

    def slow_down_text(self, wait: float) -> str:
        return (
            f"Slow down, please: you can ask {self.settings.telegram_rate_limit} questions "
            f"every {_duration(self.settings.telegram_rate_window)}. "
            f"Try again in {math.ceil(wait)} s."
        )


def _duration(seconds: float) -> str:
    if seconds >= 120 and seconds % 60 == 0:
        return f"{int(seconds // 60)} minutes"
    return f"{seconds:g} seconds"
