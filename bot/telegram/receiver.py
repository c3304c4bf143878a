"""The webhook receiver: takes Telegram's updates into the shared queue and answers 200
at once; answer workers (:mod:`bot.telegram.worker`) do the rest.

A request is checked before its body is read: the secret header first (403 without it),
then the declared length (413 over :data:`MAX_UPDATE_BYTES`); only then is the body
read, capped at that size. An update that can't be queued (Redis unreachable) gets a
503, so Telegram delivers it again later; a redelivered one is acknowledged and dropped.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from typing import Any

import tornado.web
from redis.exceptions import RedisError
from telegram import Bot, Update
from tornado.http1connection import HTTP1Connection

from bot import startup
from bot.settings import Settings
from bot.state.protocols import UpdateQueue
from bot.telegram import operations, redaction
from bot.telegram.app import Webhook, check_token, check_webhook
from corpus.errors import ConfigurationError

log = logging.getLogger("article_bot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # Telegram's updates are a few KB; anything bigger is not one


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, secret: str, queue: UpdateQueue) -> None:
        self.secret = secret
        self.queue = queue
        self.body = bytearray()

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self._refuse(403, "a webhook request without the right secret token")
            return
        length = self.request.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_UPDATE_BYTES:
            self._refuse(413, f"a webhook request of {length or 'unknown'} bytes")
            return
        assert isinstance(self.request.connection, HTTP1Connection)
        self.request.connection.set_max_body_size(MAX_UPDATE_BYTES)

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk

    async def post(self) -> None:
        update = _update(bytes(self.body))
        if update is None:
            self._refuse(400, "a webhook request that is not a Telegram update")
            return
        try:
            added = await self.queue.put(update)
        except (RedisError, OSError) as exc:
            operations.QUEUE_ERRORS.inc()
            log.warning(
                "chat %s: could not queue update %d (%s); Telegram will send it again",
                operations.chat_of(update),
                update["update_id"],
                exc,
            )
            self._refuse(503, "")
            return
        if added:
            operations.UPDATES_QUEUED.inc()
            log.info("chat %s: queued update %d", operations.chat_of(update), update["update_id"])
        else:
            operations.UPDATES_DUPLICATE.inc()
            log.info(
                "chat %s: update %d was delivered again; already queued",
                operations.chat_of(update),
                update["update_id"],
            )
        self.set_status(200)
        self.finish()

    def _refuse(self, status: int, reason: str) -> None:
        operations.UPDATES_REFUSED.labels(str(status)).inc()
        if reason:
            log.warning("refused %s (%d) from %s", reason, status, self.request.remote_ip)
        self.set_status(status)
        self.finish()


def _update(body: bytes) -> dict[str, Any] | None:
    try:
        update = json.loads(body)
    except ValueError:
        return None
    if not isinstance(update, dict) or type(update.get("update_id")) is not int:
        return None
    return update


def receiver_application(
    webhook: Webhook, queue: UpdateQueue, ready: operations.Ready
) -> tornado.web.Application:
    return tornado.web.Application(
        [
            tornado.web.url(
                f"/{webhook.path}", UpdateHandler, {"secret": webhook.secret, "queue": queue}
            ),
            *operations.routes(ready, queue),
        ]
    )


def run_receiver(settings: Settings) -> int:
    """Run the receiver until SIGTERM or Ctrl-C."""
    token = check_token(settings)
    redaction.install(token)
    if not settings.redis_url:
        raise ConfigurationError(
            "TELEGRAM_ROLE=receiver needs ARTICLE_BOT_REDIS_URL: the workers read the queue there"
        )
    if not settings.telegram_webhook_url:
        raise ConfigurationError("TELEGRAM_ROLE=receiver needs TELEGRAM_WEBHOOK_URL")
    asyncio.run(_receive(settings, token, check_webhook(settings)))
    return 0


async def _receive(settings: Settings, token: str, webhook: Webhook) -> None:
    state = startup.open_state(settings)
    ready = asyncio.Event()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = receiver_application(webhook, state.queue, ready.is_set).listen(
        settings.telegram_webhook_port,
        address=settings.telegram_webhook_listen,
        max_body_size=MAX_UPDATE_BYTES,
    )
    log.info(
        "starting: webhook receiver for %s on %s:%d",
        webhook.url,
        settings.telegram_webhook_listen,
        settings.telegram_webhook_port,
    )
    try:
        await state.queue.prepare()
        async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
            # The webhook stays registered when the receiver stops: Telegram keeps the
            # updates that arrive meanwhile and delivers them when it is back.
            await bot.set_webhook(
                webhook.url, secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
            )
        ready.set()
        log.info("ready: receiving updates for the workers")
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()
        await state.close()
        log.info("stopped")
