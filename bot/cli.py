"""The ``article-bot`` command: parses arguments, builds settings, calls the core."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, TextIO
from urllib.parse import urlparse

from bot import startup
from bot.answering import Answerer
from bot.knowledge import add_and_rebuild, index_spec, rebuild
from bot.rendering import document_line, render_reply, reply_json
from bot.settings import ROLES, Settings
from bot.telegram import redaction
from corpus.errors import (
    ArticleBotError,
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    IndexStaleError,
)
from corpus.loading import load_corpus
from embeddings.index import load_index

log = logging.getLogger("article_bot")


def _stderr(message: str) -> None:
    print(f"article-bot: {redaction.redact(message)}", file=sys.stderr, flush=True)


class _ProgressBar:
    """tqdm bars on stderr for index builds, one per stage (loading documents, reading,
    loading the model, embedding), shown only when stderr is a terminal."""

    _UNITS: ClassVar[dict[str, str]] = {
        "loading documents": "file",
        "reading": "part",
        "embedding": "text",
    }

    def __init__(self) -> None:
        self._bar: Any = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if self._bar is None and stage == self._stage:
            return  # this stage's bar is already done
        if stage != self._stage or self._bar is None:
            if self._bar is not None:
                self._bar.close()
            self._stage = stage
            self._bar = tqdm(
                total=total,
                desc=stage,
                unit=self._UNITS.get(stage, "step"),
                file=sys.stderr,
                disable=None,
                leave=False,
            )
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._bar.close()
            self._bar = None


def load_answerer(settings: Settings) -> Answerer:
    return startup.load_answerer(settings, notify=_stderr, progress=_ProgressBar())


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.console import ConsoleChat

    _stderr("loading the model and the index…")
    answerer = load_answerer(settings)
    history = Path(args.history).expanduser() if args.history else None
    state = startup.open_state(settings)
    chat = ConsoleChat(answerer, contexts=state.contexts, close_store=state.close)
    return chat.run(history=history)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    answerer = load_answerer(settings)
    if args.question == "-":
        return _ask_stream(answerer, sys.stdin, sys.stdout, args.json)
    reply = answerer.answer(args.question)
    if args.json:
        print(json.dumps(reply_json(reply), ensure_ascii=False))
    else:
        print(render_reply(reply))
    return 0


def _ask_stream(answerer: Answerer, source: TextIO, out: TextIO, as_json: bool) -> int:
    """One question a line in, one answer a line (or block) out; the model loads once.
    Each line is answered on its own (no follow-up context), so output lines up with input."""
    for line in source:
        reply = answerer.answer(line.rstrip("\n"))
        if as_json:
            out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
        else:
            out.write(render_reply(reply) + "\n\n")
        out.flush()
    return 0


def cmd_rebuild_index(args: argparse.Namespace, settings: Settings) -> int:
    embedder = startup.make_embedder(settings)
    bar = _ProgressBar()
    corpus = load_corpus(
        settings.corpus_dir, lambda done, total: bar("loading documents", done, total)
    )
    for problem in corpus.problems:
        _stderr(f"skipped a document: {problem}")
    spec = index_spec(corpus, embedder, settings.chunking)
    if args.check:
        try:
            index = load_index(settings.index_dir, spec)
        except (IndexMissingError, IndexStaleError, IndexCorruptError) as exc:
            print(f"not current: {exc}")
            return 1
        print(
            f"current: {settings.index_dir} ({index.manifest.passages} passages, "
            f"model {index.manifest.model}, built {index.manifest.created_at})"
        )
        return 0
    started = time.perf_counter()
    _, report = rebuild(
        corpus,
        embedder,
        settings.chunking,
        settings.index_dir,
        progress=bar,
        notify=_stderr,
        options=startup.build_options(settings),
    )
    print(
        f"Indexed {report.documents} document(s) into {report.passages} passages in "
        f"{time.perf_counter() - started:.1f}s -> {settings.index_dir}"
    )
    for document in corpus.documents:
        print(f"  {document_line(document)}")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    """Add a URL or a file to the corpus folder, then rebuild the index."""
    source: str = args.source
    source_url = None
    if re.match(r"^https?://", source, re.IGNORECASE):
        from corpus.fetching import fetch  # httpx: imported only when fetching

        _stderr(f"fetching {source} …")
        fetched = fetch(source)
        stem = PurePosixPath(urlparse(fetched.final_url).path).stem or "page"
        name, data, source_url = stem + fetched.format.suffixes[0], fetched.data, fetched.final_url
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise CorpusError(source, "no such file (give a file or an http(s):// URL)")
        name, data = path.name, path.read_bytes()
    document, knowledge, report = add_and_rebuild(
        settings.corpus_dir,
        settings.index_dir,
        startup.make_embedder(settings),
        settings.chunking,
        name,
        data,
        source_url,
        progress=_ProgressBar(),
        options=startup.build_options(settings),
    )
    for problem in knowledge.corpus.problems:
        _stderr(f"skipped a document: {problem}")
    print(f"Added {document_line(document)}")
    print(
        f"Indexed {report.documents} document(s) into {report.passages} passages in "
        f"{report.seconds:.1f}s -> {settings.index_dir}"
    )
    return 0


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from bot.telegram.app import run_bot

    overrides = {
        "telegram_webhook_url": args.webhook_url,
        "telegram_webhook_listen": args.listen,
        "telegram_webhook_port": args.port,
        "telegram_webhook_secret": args.secret_token,
        "telegram_role": args.role,
        "telegram_health_port": args.health_port,
        "telegram_worker_name": args.worker_name,
    }
    return run_bot(replace(settings, **{k: v for k, v in overrides.items() if v is not None}))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="article-bot",
        description="Answers questions about an article and its reader comments, with citations.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="interactive console chat")
    chat.add_argument(
        "--history",
        default="~/.cache/article-bot/history",
        help="history file for line editing (default: %(default)s; '' for none)",
    )
    chat.set_defaults(handler=cmd_chat)

    ask = commands.add_parser("ask", help="answer one question ('-' reads one per line from stdin)")
    ask.add_argument("question", help="the question, or '-' for one question per line on stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.set_defaults(handler=cmd_ask)

    rebuild_cmd = commands.add_parser(
        "rebuild-index", help="rebuild the index from the corpus folder"
    )
    rebuild_cmd.add_argument(
        "--check",
        action="store_true",
        help="only report whether the index is current (exit 1 if not)",
    )
    rebuild_cmd.set_defaults(handler=cmd_rebuild_index)

    add = commands.add_parser(
        "add",
        help="add a web page (URL or saved .html), PDF, Word, text or Markdown file "
        "to the corpus folder and update the index",
    )
    add.add_argument("source", help="an http(s):// URL or a file")
    add.set_defaults(handler=cmd_add)

    telegram = commands.add_parser(
        "telegram", help="run the Telegram bot (long polling, or a webhook with --webhook-url)"
    )
    telegram.add_argument(
        "--webhook-url",
        help="public https:// URL Telegram posts updates to "
        "(default: TELEGRAM_WEBHOOK_URL; unset means long polling)",
    )
    telegram.add_argument(
        "--listen",
        help="address the webhook server listens on "
        "(default: TELEGRAM_WEBHOOK_LISTEN or 127.0.0.1)",
    )
    telegram.add_argument(
        "--port",
        type=int,
        help="port the webhook server listens on (default: TELEGRAM_WEBHOOK_PORT or 8443)",
    )
    telegram.add_argument(
        "--secret-token",
        help="secret Telegram sends with each webhook "
        "request (default: TELEGRAM_WEBHOOK_SECRET, else random per start)",
    )
    telegram.add_argument(
        "--role",
        choices=ROLES,
        help="bot: the whole bot in one process (default: TELEGRAM_ROLE, else bot); "
        "receiver: take webhook updates into the Redis queue; worker: answer from the queue",
    )
    telegram.add_argument(
        "--health-port",
        type=int,
        help="serve /healthz and /metrics on this port (default: TELEGRAM_HEALTH_PORT)",
    )
    telegram.add_argument(
        "--worker-name",
        help="this worker's name in the queue, stable across restarts "
        "(default: TELEGRAM_WORKER_NAME, else host-pid)",
    )
    telegram.set_defaults(handler=cmd_telegram)

    from bot.calibration import add_calibrate_command
    from bot.evaluation import add_eval_command

    add_eval_command(commands)
    add_calibrate_command(commands)
    return parser


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Some libraries set their own logger to DEBUG on import (bm25s does), so the
    # level is also held at the handlers.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    # httpx logs request URLs, which contain the bot token, at INFO.
    # tornado.access logs one line per webhook request; the receiver logs its own.
    for noisy in (
        "httpx",
        "httpcore",
        "sentence_transformers",
        "transformers",
        "bm25s",
        "faiss",
        "tornado.access",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    redaction.install_hooks()  # every handler now redacts anything shaped like a bot token


def main(argv: Sequence[str] | None = None) -> int:
    redaction.install_hooks()  # before anything can fail with the token in its message
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings = Settings.from_env()
        redaction.add_token(settings.telegram_token)
        return int(args.handler(args, settings))
    except ArticleBotError as exc:
        _stderr(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
