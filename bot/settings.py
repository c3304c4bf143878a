"""One settings object, built from the environment (and ``.env``) in the entry points only."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import platformdirs
from dotenv import dotenv_values

from bot.thresholds import ENVIRONMENT, Thresholds
from corpus import BUNDLED_CORPUS
from corpus.errors import ConfigurationError
from embeddings.dense import DEFAULT_APPROXIMATE_ABOVE
from embeddings.onnx_model import default_cache_dir
from embeddings.passages import Chunking

DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"
EMBEDDERS = ("onnx", "sentence-transformers")  # the first is the default
N = TypeVar("N", int, float)
# bot: one process (long polling, or a webhook); receiver: takes webhook updates into the
# Redis queue; worker: answers updates from the queue.
ROLES = ("bot", "receiver", "worker")
_NAME = re.compile(r"^[A-Za-z0-9_.:@-]{1,100}$")


def default_index_dir(corpus_dir: Path, cache_home: str | None = None) -> Path:
    """Where a corpus folder's index lives unless ARTICLE_BOT_INDEX_DIR says otherwise: the
    user's cache folder (``$XDG_CACHE_HOME/article-bot``, else the platform's), one
    folder per corpus folder, so an installed package never writes into site-packages and
    switching between corpora doesn't rebuild each time."""
    if cache_home:
        base = Path(cache_home).expanduser() / "article-bot"
    else:
        base = platformdirs.user_cache_path("article-bot", appauthor=False)
    resolved = corpus_dir.expanduser().resolve()
    key = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", resolved.name).strip("-") or "corpus"
    return base / "indexes" / f"{name}-{key}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default; the README documents each one."""

    corpus_dir: Path = BUNDLED_CORPUS
    index_dir: Path = field(default_factory=lambda: default_index_dir(BUNDLED_CORPUS))
    model: str = "default"
    embedder: str = "onnx"
    cache_dir: Path = field(default_factory=default_cache_dir)
    approximate_above: int = DEFAULT_APPROXIMATE_ABOVE
    citations: int = 3
    min_score: float = 0.42
    max_question_chars: int = 1000
    overview_citations: int = 6
    thresholds: Thresholds = field(default_factory=Thresholds)
    chunking: Chunking = field(default_factory=Chunking)
    telegram_token: str | None = None
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API
    # Telegram front end (the README documents each one).
    telegram_rate_limit: int = 10
    telegram_rate_window: float = 60.0
    telegram_allowed_ids: frozenset[int] = frozenset()
    telegram_admin_ids: frozenset[int] = frozenset()
    telegram_context_chats: int = 1000
    telegram_context_minutes: float = 30.0
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: str | None = None
    telegram_answer_hours: float = 48.0
    telegram_role: str = "bot"
    telegram_claim_after: float = 30.0
    telegram_health_port: int | None = None
    telegram_worker_name: str | None = None
    # Shared state for several workers (the README's "Several workers" section).
    redis_url: str | None = None
    redis_prefix: str = "article-bot"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
    ) -> Settings:
        """Settings from ``environ`` (default ``os.environ``) over a ``.env`` file."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ if environ is None else environ)
        reader = _Reader(values)
        corpus_dir = reader.path("ARTICLE_BOT_CORPUS_DIR", BUNDLED_CORPUS)
        cache_home = values.get("XDG_CACHE_HOME", "").strip() or None
        return cls(
            corpus_dir=corpus_dir,
            index_dir=reader.path(
                "ARTICLE_BOT_INDEX_DIR", default_index_dir(corpus_dir, cache_home)
            ),
            model=values.get("ARTICLE_BOT_MODEL", "").strip() or "default",
            embedder=reader.choice("ARTICLE_BOT_EMBEDDER", EMBEDDERS),
            cache_dir=reader.path("ARTICLE_BOT_CACHE_DIR", default_cache_dir()),
            approximate_above=reader.integer(
                "ARTICLE_BOT_APPROXIMATE_ABOVE", DEFAULT_APPROXIMATE_ABOVE, 1000, 10**9
            ),
            citations=reader.integer("ARTICLE_BOT_CITATIONS", 3, 1, 10),
            min_score=reader.number("ARTICLE_BOT_MIN_SCORE", 0.42, -1.0, 1.0),
            max_question_chars=reader.integer("ARTICLE_BOT_MAX_QUESTION_CHARS", 1000, 10, 100_000),
            overview_citations=reader.integer("ARTICLE_BOT_OVERVIEW_CITATIONS", 6, 1, 10),
            thresholds=Thresholds(
                **{
                    name: reader.number(variable, getattr(Thresholds(), name), -1.0, 1.0)
                    for name, variable in ENVIRONMENT.items()
                }
            ),
            chunking=Chunking(max_words=reader.integer("ARTICLE_BOT_CHUNK_WORDS", 80, 20, 400)),
            telegram_token=values.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
            telegram_api_base_url=values.get("TELEGRAM_API_BASE_URL", "").strip()
            or DEFAULT_TELEGRAM_API,
            telegram_rate_limit=reader.integer("TELEGRAM_RATE_LIMIT", 10, 0, 10_000),
            telegram_rate_window=reader.number("TELEGRAM_RATE_WINDOW", 60.0, 1.0, 86_400.0),
            telegram_allowed_ids=reader.integers("TELEGRAM_ALLOWED_IDS"),
            telegram_admin_ids=reader.integers("TELEGRAM_ADMIN_IDS"),
            telegram_context_chats=reader.integer("TELEGRAM_CONTEXT_CHATS", 1000, 1, 1_000_000),
            telegram_context_minutes=reader.number("TELEGRAM_CONTEXT_MINUTES", 30.0, 0.0, 10_080.0),
            telegram_webhook_url=values.get("TELEGRAM_WEBHOOK_URL", "").strip() or None,
            telegram_webhook_listen=values.get("TELEGRAM_WEBHOOK_LISTEN", "").strip()
            or "127.0.0.1",
            telegram_webhook_port=reader.integer("TELEGRAM_WEBHOOK_PORT", 8443, 1, 65_535),
            telegram_webhook_secret=values.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
            telegram_answer_hours=reader.number("TELEGRAM_ANSWER_HOURS", 48.0, 0.01, 8_760.0),
            telegram_role=reader.choice("TELEGRAM_ROLE", ROLES),
            telegram_claim_after=reader.number("TELEGRAM_CLAIM_AFTER", 30.0, 1.0, 3_600.0),
            telegram_health_port=reader.optional_integer("TELEGRAM_HEALTH_PORT", 1, 65_535),
            telegram_worker_name=reader.name("TELEGRAM_WORKER_NAME"),
            redis_url=reader.redis_url("ARTICLE_BOT_REDIS_URL"),
            redis_prefix=reader.name("ARTICLE_BOT_REDIS_PREFIX") or "article-bot",
        )


class _Reader:
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def _raw(self, name: str) -> str | None:
        value = self._values.get(name, "").strip()
        return value or None

    def path(self, name: str, default: Path) -> Path:
        raw = self._raw(name)
        return Path(raw).expanduser().resolve() if raw else default

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        return self._bounded(name, default, low, high, int, "a whole number")

    def number(self, name: str, default: float, low: float, high: float) -> float:
        return self._bounded(name, default, low, high, float, "a number")

    def _bounded(
        self, name: str, default: N, low: N, high: N, parse: Callable[[str], N], kind: str
    ) -> N:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = parse(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be {kind}, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigurationError(f"{name} must be between {low} and {high}, got {value}")
        return value

    def optional_integer(self, name: str, low: int, high: int) -> int | None:
        if self._raw(name) is None:
            return None
        return self.integer(name, low, low, high)

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        raw = (self._raw(name) or choices[0]).lower()
        if raw not in choices:
            raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
        return raw

    def name(self, name: str) -> str | None:
        """A short name for keys and logs: letters, digits and ``_ . : @ -``."""
        raw = self._raw(name)
        if raw is not None and not _NAME.match(raw):
            raise ConfigurationError(
                f"{name} may only use letters, digits, '_', '.', ':', '@' and '-' "
                f"(at most 100), got {raw!r}"
            )
        return raw

    def redis_url(self, name: str) -> str | None:
        raw = self._raw(name)
        if raw is not None and urlparse(raw).scheme not in ("redis", "rediss", "unix"):
            # Never echo the value: a Redis URL may hold a password.
            raise ConfigurationError(
                f"{name} must be a URL like redis://127.0.0.1:6379/0 (or rediss://, unix://)"
            )
        return raw

    def integers(self, name: str) -> frozenset[int]:
        """A comma- or space-separated list of whole numbers (Telegram chat or user ids)."""
        raw = self._raw(name)
        if raw is None:
            return frozenset()
        values: set[int] = set()
        for item in raw.replace(",", " ").split():
            try:
                values.add(int(item))
            except ValueError:
                raise ConfigurationError(
                    f"{name} must be whole numbers separated by commas, got {item!r}"
                ) from None
        return frozenset(values)
