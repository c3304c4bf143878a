"""An answer worker: takes updates from the shared queue, answers them with the same
handlers as the one-process bot, and acknowledges each only after its reply was sent.

Several workers share one queue. Each says every ``claim_after / 3`` seconds that it is
still busy with the updates in hand; an update whose worker stopped saying so (it was
killed, or its machine died) is taken over by another worker after ``claim_after``
seconds. An update already answered is not answered again: the answer is recorded
together with the acknowledgement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisError
from telegram import Update
from telegram.ext import Application

from bot.answering import Answerer
from bot.settings import Settings
from bot.state.protocols import QueuedUpdate, UpdateQueue
from bot.telegram import handlers, operations, redaction
from bot.telegram.app import CONCURRENT_UPDATES, build_application, check_token
from bot.telegram.front_end import FrontEnd
from corpus.errors import ConfigurationError

log = logging.getLogger("article_bot.telegram")

T = TypeVar("T")
RETRY_DELAY = 1.0
QUEUE_ERRORS = (RedisError, OSError)


def consumer_name(settings: Settings) -> str:
    return settings.telegram_worker_name or f"{socket.gethostname()}-{os.getpid()}"


class QueueWorker:
    def __init__(
        self,
        application: Application,
        queue: UpdateQueue,
        consumer: str,
        claim_after: float,
        concurrency: int = CONCURRENT_UPDATES,
        block: float = 1.0,
    ) -> None:
        self.application = application
        self.queue = queue
        self.consumer = consumer
        self.claim_after = claim_after
        self.concurrency = concurrency
        self.block = block
        self._in_flight: dict[str, tuple[QueuedUpdate, asyncio.Task[None]]] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set, then finish the updates in hand."""
        keep_alive = asyncio.create_task(self._keep_alive())
        try:
            while not stop.is_set():
                room = self.concurrency - len(self._in_flight)
                if room <= 0:
                    tasks = [task for _, task in self._in_flight.values()]
                    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    entries = await self.queue.take(self.consumer, room, self.block)
                except QUEUE_ERRORS as exc:
                    operations.QUEUE_ERRORS.inc()
                    log.warning("the update queue can't be reached (%s); retrying", exc)
                    await _sleep_unless(stop, RETRY_DELAY)
                    continue
                for entry in entries:
                    if entry.entry_id not in self._in_flight:
                        self._start(entry)
            if self._in_flight:
                log.info("stopping: finishing %d update(s) in hand", len(self._in_flight))
                await asyncio.gather(*(task for _, task in list(self._in_flight.values())))
        finally:
            keep_alive.cancel()

    def _start(self, entry: QueuedUpdate) -> None:
        task = asyncio.create_task(self._handle(entry))
        self._in_flight[entry.entry_id] = (entry, task)

        def finished(_: asyncio.Task[None]) -> None:
            self._in_flight.pop(entry.entry_id, None)

        task.add_done_callback(finished)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.claim_after / 3)
            entries = [entry for entry, _ in self._in_flight.values()]
            try:
                await self.queue.touch(self.consumer, entries)
            except QUEUE_ERRORS as exc:
                log.warning("could not renew %d update(s) in hand: %s", len(entries), exc)

    async def _handle(self, entry: QueuedUpdate) -> None:
        chat = operations.chat_of(entry.update)
        if entry.claimed:
            operations.CLAIMED.inc()
            log.info("chat %s: took over update %d", chat, entry.update_id)
            if await _until_done(lambda: self.queue.is_done(entry)):
                log.info("chat %s: update %d was answered already", chat, entry.update_id)
                await _until_done(lambda: self.queue.done(entry))
                return
        try:
            update = Update.de_json(dict(entry.update), self.application.bot)
        except Exception as exc:  # not an update PTB can read: drop it, keep working
            log.error("chat %s: dropped unreadable update %d: %s", chat, entry.update_id, exc)
        else:
            # Handler failures go to the error handler, which tells the user.
            await self.application.process_update(update)
        await _until_done(lambda: self.queue.done(entry))


async def _until_done(call: Callable[[], Awaitable[T]]) -> T:
    """Retry a queue call until Redis answers: the update in hand waits, it is not lost."""
    while True:
        try:
            return await call()
        except QUEUE_ERRORS as exc:
            operations.QUEUE_ERRORS.inc()
            log.warning("the update queue can't be reached (%s); retrying", exc)
            await asyncio.sleep(RETRY_DELAY)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def run_worker(settings: Settings, answerer: Answerer | None = None) -> int:
    """Run an answer worker until SIGTERM or Ctrl-C (then finish the updates in hand)."""
    token = check_token(settings)
    redaction.install(token)
    if not settings.redis_url:
        raise ConfigurationError(
            "TELEGRAM_ROLE=worker needs ARTICLE_BOT_REDIS_URL: the queue and the state are there"
        )
    asyncio.run(_work(settings, answerer))
    return 0


async def _work(settings: Settings, answerer: Answerer | None) -> None:
    application = build_application(settings, answerer=answerer, dedupe=False)
    front: FrontEnd = application.bot_data[handlers.FRONT_END]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    health = None
    if settings.telegram_health_port:
        health = operations.serve_health(
            lambda: front.answerer is not None,
            front.state.queue,
            settings.telegram_webhook_listen,
            settings.telegram_health_port,
        )
    consumer = consumer_name(settings)
    started = time.perf_counter()
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)  # loads the index and the model
        await _until_done(front.state.queue.prepare)
        log.info(
            "ready: worker %s answering from the queue (%.1fs to start)",
            consumer,
            time.perf_counter() - started,
        )
        worker = QueueWorker(
            application, front.state.queue, consumer, settings.telegram_claim_after
        )
        await worker.run(stop)
    finally:
        if health is not None:
            health.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
