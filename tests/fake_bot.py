"""``article-bot telegram`` with the fake embedder, for multi-process tests where the
model doesn't matter: ``python -m tests.fake_bot`` reads the same settings and runs the
same :func:`bot.telegram.app.run_bot` (any role) as the real command."""

from __future__ import annotations

import sys

from bot.answering import Answerer
from bot.cli import configure_logging
from bot.knowledge import open_knowledge
from bot.settings import Settings
from bot.startup import answer_settings
from bot.telegram.app import run_bot
from corpus.errors import ArticleBotError
from tests.fakes import HashingEmbedder


def main() -> int:
    configure_logging(False)
    try:
        settings = Settings.from_env()
        answerer = None
        if settings.telegram_role != "receiver":
            embedder = HashingEmbedder()
            knowledge = open_knowledge(
                settings.corpus_dir, settings.index_dir, embedder, settings.chunking
            )
            answerer = Answerer(knowledge, embedder, answer_settings(settings))
        return run_bot(settings, answerer)
    except ArticleBotError as exc:
        print(f"article-bot: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
