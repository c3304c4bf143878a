"""The console chat through its real input loop: in process with the fake answerer and a
scripted ``read``, and once as ``article-bot chat`` with questions piped on stdin."""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from bot import startup
from bot.answering import Answerer, Turn
from bot.console import COMMANDS, CONSOLE_CHAT, ConsoleChat
from bot.settings import Settings
from tests.redis_server import RedisServer
from tests.test_cli_support import run_cli


def script(lines: Iterable[str | type[BaseException]]) -> tuple[Callable[[str], str], list[str]]:
    """A ``read`` function returning ``lines`` in turn (raising exception classes), and
    the prompts it was called with. Running off the end raises EOFError, like Ctrl-D."""
    pending = list(lines)
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        if not pending:
            raise EOFError
        item = pending.pop(0)
        if isinstance(item, type):
            raise item()
        return item

    return read, prompts


def chat(
    answerer: Answerer, lines: Iterable[str | type[BaseException]]
) -> tuple[int, str, list[str]]:
    out = io.StringIO()
    read, prompts = script(lines)
    code = ConsoleChat(answerer, out=out).run(read=read)
    return code, out.getvalue(), prompts


def test_greets_answers_and_leaves_on_quit(fake_answerer: Answerer) -> None:
    code, output, prompts = chat(
        fake_answerer, ["Who is the author of the article?", "/quit", "never read"]
    )
    assert code == 0
    assert output.startswith(
        "article-bot — ask about “Is Rapprochement with Russia Still Possible?” (19 comments)."
    )
    assert "Daniel Larison" in output
    assert "[1] Article byline" in output
    assert "(/sources shows the cited passages)" in output
    assert output.rstrip().endswith("Bye.")
    assert prompts == ["you> ", "you> "]  # nothing read after /quit


def test_sources_shows_the_full_cited_passages(fake_answerer: Answerer) -> None:
    out = io.StringIO()
    console = ConsoleChat(fake_answerer, out=out)
    read, _ = script(["/sources", "What did Gazza say about the DNC emails?", "/sources", "/q"])
    assert console.run(read=read) == 0
    before, after = out.getvalue().split("(/sources shows the cited passages)")
    assert "The last answer cited nothing." in before
    assert console.last is not None and console.last.citations
    flat = " ".join(after.split())
    for citation in console.last.citations:
        assert f"[{citation.number}] {citation.label}" in after
        # The whole passage, not only the sentence quoted in the answer.
        assert " ".join(citation.passage.text.split()) in flat
    assert console.last.citations[0].label.startswith(
        ("Comment #17 — Gazza", "Comment #18 — Gazza")
    )


def test_sources_with_a_number_shows_only_that_citation(fake_answerer: Answerer) -> None:
    out = io.StringIO()
    console = ConsoleChat(fake_answerer, out=out)
    console.handle("How many comments are there?")  # cites the first and the last comment
    assert console.last is not None and len(console.last.citations) == 2
    out.truncate(0)
    out.seek(0)
    console.handle("/sources [2]")
    shown = out.getvalue()
    assert shown.startswith(f"[2] {console.last.citations[1].label}\n    ")
    assert "[1] " not in shown
    out.truncate(0)
    out.seek(0)
    console.handle("/sources 9")
    assert out.getvalue() == "There is no citation 9.\n"


def test_help_and_unknown_commands(fake_answerer: Answerer) -> None:
    _, output, _ = chat(fake_answerer, ["/help", "/frobnicate", "/documents"])
    assert ConsoleChat(fake_answerer).help_text() in output
    assert COMMANDS in output
    assert "Unknown command /frobnicate. Type /help for the list." in output
    assert (
        "- “Is Rapprochement with Russia Still Possible?” (rapprochement-with-russia.txt) "
        "by Daniel Larison: " in output
    )
    assert "11 paragraphs, 19 comments" in output


def test_reset_forgets_the_previous_question(fake_answerer: Answerer) -> None:
    out = io.StringIO()
    console = ConsoleChat(fake_answerer, out=out)
    console.handle("What did Gazza say about the DNC emails?")
    assert console.turn is not None
    console.handle("/reset")
    assert console.turn is None
    assert "Forgotten; the next question starts afresh." in out.getvalue()


def test_a_follow_up_uses_the_previous_question(fake_answerer: Answerer) -> None:
    console = ConsoleChat(fake_answerer, out=io.StringIO())
    console.handle("What did Gazza say?")
    console.handle("and what about the DNC?")
    assert console.last is not None and console.last.found
    assert {c.passage.author for c in console.last.citations} == {"Gazza"}


def test_with_redis_the_console_keeps_its_context_in_the_same_store_as_telegram(
    fake_answerer: Answerer, redis_server: RedisServer
) -> None:
    settings = Settings(redis_url=redis_server.url, redis_prefix="console-test")
    state = startup.open_state(settings)
    console = ConsoleChat(
        fake_answerer, out=io.StringIO(), contexts=state.contexts, close_store=state.close
    )
    console.handle("What did Gazza say?")
    console.handle("and what about the DNC?")
    assert console.last is not None and {c.passage.author for c in console.last.citations} == {
        "Gazza"
    }
    console.close()

    async def stored() -> Turn | None:
        other = startup.open_state(settings)  # another process sees the same context
        try:
            return await other.contexts.get(CONSOLE_CHAT)
        finally:
            await other.close()

    turn = asyncio.run(stored())
    assert turn is not None and turn.scope.commenters == ("Gazza",)


@pytest.mark.parametrize("ending", [EOFError, KeyboardInterrupt])
def test_ctrl_d_and_ctrl_c_leave_cleanly(fake_answerer: Answerer, ending: type) -> None:
    code, output, prompts = chat(fake_answerer, ["Who wrote comment 7?", ending, "never read"])
    assert code == 0
    assert "VikingLS" in output
    assert output.endswith("\nBye.\n")
    assert len(prompts) == 2


def test_blank_lines_are_ignored_and_bad_input_gets_a_message(fake_answerer: Answerer) -> None:
    code, output, _ = chat(fake_answerer, ["", "   ", "?!?", "\u200b"])
    assert code == 0
    assert output.count("Please ask a question in words.") == 1
    assert "Please ask a question about the article or its comments." in output


@pytest.mark.integration
def test_article_bot_chat_over_piped_stdin(
    real_index_dir: Path, article_corpus_dir: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index-copy"
    shutil.copytree(real_index_dir, index_dir)
    lines = [
        "What does the author think about sending arms to Ukraine?",
        "/sources",
        "/help",
        "/reset",
        "What is the tallest mountain in Africa?",
        "/sources",
        "/quit",
        "Who wrote the article?",  # after /quit: never answered
    ]
    result = run_cli(
        ["chat"],
        env={
            "ARTICLE_BOT_CORPUS_DIR": str(article_corpus_dir),
            "ARTICLE_BOT_INDEX_DIR": str(index_dir),
        },
        stdin="\n".join(lines) + "\n",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("article-bot — ask about")
    assert "The author, Daniel Larison, writes:" in out and "arms to Ukraine" in out
    assert "[1] Article ¶11" in out
    # /sources prints the passage in full, indented.
    assert "    A good place for the Trump administration to start would be to reject" in out
    assert "/reset        forget the previous question" in out
    assert "Forgotten; the next question starts afresh." in out
    assert "I couldn't find that in the article or its comments." in out
    assert "The last answer cited nothing." in out
    assert "was written by" not in out
    assert out.rstrip().endswith("Bye.")
    assert "Traceback" not in result.stderr

    # End of input (Ctrl-D) ends the chat cleanly too.
    eof = run_cli(
        ["chat", "--history", ""],
        env={
            "ARTICLE_BOT_CORPUS_DIR": str(article_corpus_dir),
            "ARTICLE_BOT_INDEX_DIR": str(index_dir),
        },
        stdin="Who wrote comment 7?\n",
    )
    assert eof.returncode == 0, eof.stderr
    assert "Comment #7 was posted by VikingLS" in eof.stdout
    assert eof.stdout.rstrip().endswith("Bye.")


@pytest.mark.integration
def test_the_help_suggests_questions_from_the_corpus_that_are_answered(
    real_answerer: Answerer,
) -> None:
    examples = real_answerer.example_questions()
    assert len(examples) == 3
    commenters = real_answerer.knowledge.corpus.documents[0].commenters
    assert any(f"What did {name} say?" in examples for name in commenters)  # from the corpus
    for example in examples:
        assert real_answerer.answer(example).found, example
    help_text = ConsoleChat(real_answerer).help_text()
    assert all(f"  {example}\n" in help_text for example in examples)
