"""The local console chat: a read-eval-print loop over the answering core.

Line editing and history come from the standard ``readline`` module when the input is
a terminal; piped input (tests, scripts) goes through the very same loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import weakref
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO

from bot.answering import Answerer, Turn
from bot.rendering import document_line, render_citation_text, render_reply
from bot.replies import Reply
from bot.state.memory import MemoryContexts
from bot.state.protocols import ContextStore
from corpus.errors import ArticleBotError

COMMANDS = """\
Commands:
  /sources      show the full text of the last answer's citations (/sources 2: just [2])
  /documents    list the documents and how many comments each has
  /reset        forget the previous question (follow-ups use it as context)
  /help         this help
  /quit         leave (Ctrl-D and Ctrl-C work too)"""


def _setup_readline(history: Path | None) -> Callable[[], None]:
    """Enable line editing and persistent history; returns a function that saves it."""
    try:
        import readline
    except ImportError:  # not available on every platform
        return lambda: None
    if history is None:
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)

    return save


CONSOLE_CHAT = 0  # the console's chat id in the context store (Telegram never uses 0)


class ConsoleChat:
    """The chat loop. Follow-up context lives in the same kind of store as Telegram's
    (``contexts``, run on the console's own event loop), so it expires the same way."""

    def __init__(
        self,
        answerer: Answerer,
        out: TextIO = sys.stdout,
        contexts: ContextStore | None = None,
        chat_id: int = CONSOLE_CHAT,
        close_store: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        self.answerer = answerer
        self.out = out
        self.last: Reply | None = None
        self.contexts: ContextStore = contexts or MemoryContexts()
        self.chat_id = chat_id
        self._close_store = close_store
        self._loop = asyncio.Runner()
        # A chat driven line by line (tests, scripts) may never reach run()'s clean-up.
        self._finalizer = weakref.finalize(self, self._loop.close)

    @property
    def turn(self) -> Turn | None:
        """The previous turn, the context of a follow-up question."""
        return self._loop.run(self.contexts.get(self.chat_id))

    @turn.setter
    def turn(self, turn: Turn | None) -> None:
        self._loop.run(self.contexts.put(self.chat_id, turn))

    def close(self) -> None:
        if self._close_store is not None:
            with contextlib.suppress(Exception):  # leaving must not fail on a lost connection
                self._loop.run(self._close_store())
        self._finalizer()

    def help_text(self) -> str:
        """How to ask, with examples made from the loaded corpus that the bot answers."""
        examples = self.answerer.example_questions()
        lines = ["Ask anything about the article or its reader comments"]
        if examples:
            lines[0] += ", e.g."
            lines.extend(f"  {example}" for example in examples)
        return "\n".join([*lines, COMMANDS])

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def greeting(self) -> str:
        documents = self.answerer.knowledge.corpus.documents
        titles = ", ".join(f"“{d.title}”" for d in documents)
        comments = sum(len(d.comments) for d in documents)
        return (
            f"article-bot — ask about {titles} ({comments} comments). "
            "Type /help for help, /quit to leave."
        )

    def handle(self, line: str) -> bool:
        """Handle one input line; False means leave."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            return self._command(line)
        try:
            self.last, self.turn = self.answerer.answer_turn(line, self.turn)
        except ArticleBotError as exc:
            self.say(f"Sorry, that failed: {exc}")
            return True
        self.say(render_reply(self.last))
        if self.last.citations:
            self.say("(/sources shows the cited passages)")
        return True

    def _command(self, line: str) -> bool:
        command, _, argument = line.partition(" ")
        command = command.lower()
        if command in ("/quit", "/exit", "/q"):
            return False
        if command == "/help":
            self.say(self.help_text())
        elif command == "/sources":
            self._sources(argument.strip())
        elif command == "/documents":
            for d in self.answerer.knowledge.corpus.documents:
                self.say(f"- {document_line(d)}")
        elif command == "/reset":
            self.turn = None
            self.say("Forgotten; the next question starts afresh.")
        else:
            self.say(f"Unknown command {command}. Type /help for the list.")
        return True

    def _sources(self, argument: str) -> None:
        if self.last is None or not self.last.citations:
            self.say("The last answer cited nothing.")
            return
        citations = self.last.citations
        if argument:
            citations = tuple(c for c in citations if str(c.number) == argument.strip("[]#"))
            if not citations:
                self.say(f"There is no citation {argument}.")
                return
        for citation in citations:
            self.say(render_citation_text(citation))

    def run(self, read: Callable[[str], str] = input, history: Path | None = None) -> int:
        save_history = _setup_readline(history) if sys.stdin.isatty() else (lambda: None)
        self.say(self.greeting())
        try:
            while True:
                try:
                    line = read("you> ")
                except EOFError:
                    self.say()
                    break
                if not self.handle(line):
                    break
        except KeyboardInterrupt:
            self.say()
        finally:
            save_history()
            self.close()
        self.say("Bye.")
        return 0
