"""The one error root of article-bot, at the bottom of the layers: corpus, embeddings and
bot all import it; it imports nothing of ours.

    ArticleBotError
    ├── ConfigurationError   a setting is missing or malformed (token, paths, numbers)
    ├── CorpusError          a document can't be read or parsed (names the file and line)
    ├── FetchError           a URL can't be fetched as a document (names the URL)
    ├── IndexError_          base for index problems
    │   ├── IndexMissingError    no index folder yet
    │   ├── IndexStaleError      built from other files, another model or format
    │   ├── IndexCorruptError    unreadable or altered files; says how to rebuild
    │   └── IndexLocationError   the index folder can't be written, or isn't the bot's to replace
    └── ModelError           the embedding model can't be loaded

Only the adapters (CLI, console, Telegram) turn these into user-facing text.
"""

from __future__ import annotations

from pathlib import Path


class ArticleBotError(Exception):
    """Base class for every error article-bot raises on purpose."""


class ConfigurationError(ArticleBotError):
    """A setting is missing or has a value we can't use."""


class CorpusError(ArticleBotError):
    """A document can't be read or parsed."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class FetchError(ArticleBotError):
    """A URL can't be fetched as a document: network, status, type or size."""


class IndexError_(ArticleBotError):
    """Base class for problems with the on-disk index."""


class IndexMissingError(IndexError_):
    """There is no index at the configured folder."""


class IndexStaleError(IndexError_):
    """The index was built from other files, another model or another format."""


class IndexCorruptError(IndexError_):
    """The index folder exists but its files can't be read consistently."""

    def __init__(self, folder: Path | str, detail: str) -> None:
        self.folder = str(folder)
        self.detail = detail
        super().__init__(
            f"the index at {folder} is corrupt ({detail}); "
            "rebuild it with `article-bot rebuild-index`"
        )


class IndexLocationError(IndexError_):
    """The index can't be written at the configured folder: it is a file, lies in the
    corpus, holds files article-bot didn't write, or its place isn't writable."""

    def __init__(self, folder: Path | str, reason: str) -> None:
        self.folder = str(folder)
        self.reason = reason
        super().__init__(
            f"won't write the index to {folder}: {reason}; "
            "set ARTICLE_BOT_INDEX_DIR to a new or empty folder"
        )


class ModelError(ArticleBotError):
    """The embedding model can't be loaded or run."""
