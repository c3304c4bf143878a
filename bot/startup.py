"""Building the answering core from settings: shared by every front end."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import Notify, open_knowledge
from bot.settings import Settings
from bot.state import memory
from bot.state.protocols import AnswerStore, ContextStore, RateLimiter, SeenUpdates, UpdateQueue
from embeddings.batching import MicroBatchingEmbedder
from embeddings.embedder import Embedder
from embeddings.index import BuildOptions, Progress
from embeddings.vector_cache import VectorCache


def answer_settings(settings: Settings) -> AnswerSettings:
    return AnswerSettings(
        settings.citations,
        settings.min_score,
        settings.max_question_chars,
        settings.overview_citations,
        settings.thresholds,
    )


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedding backend (nothing loads until it is first used)."""
    if settings.embedder == "sentence-transformers":
        from embeddings.sentence_model import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(settings.model)
    from embeddings.onnx_model import OnnxEmbedder

    return OnnxEmbedder(settings.model, cache_dir=settings.cache_dir)


def build_options(settings: Settings) -> BuildOptions:
    """The embedding cache in the cache folder (rebuilds embed only new or changed text)
    and the size above which dense search is approximate."""
    return BuildOptions(
        cache=VectorCache(settings.cache_dir / "embeddings.sqlite"),
        approximate_above=settings.approximate_above,
    )


def load_answerer(
    settings: Settings, notify: Notify = lambda message: None, progress: Progress | None = None
) -> Answerer:
    """Load corpus, index and model; a missing, stale or damaged index is rebuilt (said via
    ``notify``).

    The corpus and the index folder are checked before the model loads, so a broken
    corpus or an index folder the bot may not write is reported at once. Questions asked
    at the same time from several threads share one model call (micro-batching).
    """
    embedder = make_embedder(settings)
    knowledge = open_knowledge(
        settings.corpus_dir,
        settings.index_dir,
        embedder,
        settings.chunking,
        notify=notify,
        progress=progress,
        options=build_options(settings),
    )
    batching = MicroBatchingEmbedder(embedder)
    batching.load()
    return Answerer(knowledge, batching, answer_settings(settings))


@dataclass(frozen=True, slots=True)
class State:
    """Where the front ends keep what outlives one question."""

    contexts: ContextStore
    answers: AnswerStore
    rate_limit: RateLimiter
    seen: SeenUpdates
    queue: UpdateQueue
    shared: bool  # in Redis, shared by every worker (else in this process's memory)
    close: Callable[[], Coroutine[Any, Any, None]]


async def _nothing_to_close() -> None:
    return None


def open_state(settings: Settings) -> State:
    """In memory without ``ARTICLE_BOT_REDIS_URL``; in Redis with it. Nothing connects
    until first use, so this never blocks."""
    context_age = settings.telegram_context_minutes * 60
    answer_age = settings.telegram_answer_hours * 3600
    if not settings.redis_url:
        return State(
            contexts=memory.MemoryContexts(settings.telegram_context_chats, context_age),
            answers=memory.MemoryAnswers(max_age=answer_age),
            rate_limit=memory.MemoryRateLimiter(
                settings.telegram_rate_limit, settings.telegram_rate_window
            ),
            seen=memory.MemorySeenUpdates(),
            queue=memory.MemoryUpdateQueue(settings.telegram_claim_after),
            shared=False,
            close=_nothing_to_close,
        )
    from bot.state import redis_store

    redis = redis_store.connect(settings.redis_url)
    prefix = settings.redis_prefix
    return State(
        contexts=redis_store.RedisContexts(redis, prefix, context_age),
        answers=redis_store.RedisAnswers(redis, prefix, answer_age),
        rate_limit=redis_store.RedisRateLimiter(
            redis, prefix, settings.telegram_rate_limit, settings.telegram_rate_window
        ),
        seen=redis_store.RedisSeenUpdates(redis, prefix),
        queue=redis_store.RedisUpdateQueue(redis, prefix, settings.telegram_claim_after),
        shared=True,
        close=redis.aclose,
    )
