"""Operations: Prometheus metrics and the ``/healthz`` and ``/metrics`` endpoints.

Every process (bot, receiver, worker) serves both on its health port; the receiver serves
them beside the webhook. ``/healthz`` answers 200 ``ready`` once the process can do its
job (for a bot or worker: the index and the model are loaded), 503 ``starting`` before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from bot.state.protocols import UpdateQueue

log = logging.getLogger("article_bot.telegram")

QUESTIONS = Counter("article_bot_questions_total", "Questions taken in for answering")
RATE_LIMITED = Counter("article_bot_rate_limited_total", "Questions refused by the rate limit")
ANSWERS = Counter("article_bot_answers_total", "Answers sent, by verdict", ["verdict"])
ANSWER_SECONDS = Histogram(
    "article_bot_answer_seconds",
    "From a question reaching the handler to its answer sent",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0),
)
TELEGRAM_ERRORS = Counter(
    "article_bot_telegram_errors_total", "Bot API calls that failed, by error", ["error"]
)
UPDATES_QUEUED = Counter("article_bot_updates_queued_total", "Webhook updates put on the queue")
UPDATES_DUPLICATE = Counter(
    "article_bot_updates_duplicate_total", "Redelivered updates taken in once already"
)
UPDATES_REFUSED = Counter(
    "article_bot_webhook_refused_total", "Webhook requests refused, by HTTP status", ["status"]
)
QUEUE_WAITING = Gauge("article_bot_queue_waiting", "Updates queued, not yet taken by a worker")
QUEUE_PENDING = Gauge("article_bot_queue_pending", "Updates taken by a worker, not yet answered")
CLAIMED = Counter(
    "article_bot_queue_claimed_total", "Updates taken over from a worker that stopped"
)
QUEUE_ERRORS = Counter("article_bot_queue_errors_total", "Failed attempts to reach the queue")

Ready = Callable[[], bool]


def chat_of(update: Mapping[str, Any]) -> object:
    """The chat id of a raw update, for log lines (None if it has none)."""
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict):
                return chat.get("id")
    return None


class HealthHandler(tornado.web.RequestHandler):
    def initialize(self, ready: Ready) -> None:
        self.ready = ready

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if self.ready():
            self.write("ready\n")
        else:
            self.set_status(503)
            self.write("starting\n")


class MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, queue: UpdateQueue | None) -> None:
        self.queue = queue

    async def get(self) -> None:
        if self.queue is not None:
            try:
                depth = await self.queue.depth()
            except Exception as exc:  # the queue's figures are left as they were
                log.warning("could not read the queue depth for /metrics: %s", exc)
            else:
                QUEUE_WAITING.set(depth.waiting)
                QUEUE_PENDING.set(depth.pending)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.write(generate_latest())


def routes(ready: Ready, queue: UpdateQueue | None) -> list[tornado.web.URLSpec]:
    return [
        tornado.web.url(r"/healthz", HealthHandler, {"ready": ready}),
        tornado.web.url(r"/metrics", MetricsHandler, {"queue": queue}),
    ]


def serve_health(
    ready: Ready, queue: UpdateQueue | None, listen: str, port: int
) -> tornado.httpserver.HTTPServer:
    """Start serving ``/healthz`` and ``/metrics`` on the running event loop."""
    application = tornado.web.Application(routes(ready, queue))
    server = application.listen(port, address=listen, xheaders=False)
    log.info("serving /healthz and /metrics on %s:%d", listen, port)
    return server
