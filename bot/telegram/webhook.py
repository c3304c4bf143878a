"""Webhook mode in one process: the receiver's intake in front of the Application.

python-telegram-bot's own webhook server (``Application.run_webhook``) reads a whole
request body, up to 100 MB, before it looks at the secret header, so a stranger's 30 MB
POST cost the bot 58 MB. The receiver's :class:`~bot.telegram.receiver.UpdateHandler`
checks the secret as soon as the headers are in (403, connection closed unread) and caps
the body (413 over :data:`~bot.telegram.receiver.MAX_UPDATE_BYTES`); here it feeds
``Application.update_queue``, as PTB documents for custom webhook servers.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Mapping
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot.telegram.receiver import MAX_UPDATE_BYTES, UpdateHandler


class ApplicationQueue:
    """The part of the shared :class:`~bot.state.protocols.UpdateQueue` the intake uses,
    over the Application's own update queue (one process: nothing to share)."""

    def __init__(self, application: Application) -> None:
        self._application = application

    async def put(self, update: Mapping[str, Any]) -> bool:
        await self._application.update_queue.put(
            Update.de_json(dict(update), self._application.bot)
        )
        return True


def intake_app(path: str, secret: str, queue: Any) -> tornado.web.Application:
    return tornado.web.Application(
        [tornado.web.url(f"/{path.strip('/')}", UpdateHandler, {"secret": secret, "queue": queue})]
    )


def listen(app: tornado.web.Application, address: str, port: int) -> HTTPServer:
    """Serve ``app`` on ``address``, an IP literal (AI_NUMERICHOST: never a lookup)."""
    server = HTTPServer(app, max_body_size=MAX_UPDATE_BYTES)
    server.add_sockets(bind_sockets(port, address, flags=socket.AI_NUMERICHOST))
    return server


async def serve(
    application: Application, *, url: str, path: str, secret: str, address: str, port: int
) -> None:
    """Run the initialised ``application`` behind the webhook until SIGINT or SIGTERM:
    the model loads (``post_init``), the intake listens, Telegram is told the URL."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    server: HTTPServer | None = None
    try:
        if application.post_init:
            await application.post_init(application)
        server = listen(intake_app(path, secret, ApplicationQueue(application)), address, port)
        await application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        await application.start()
        await stopped.wait()
    finally:
        if server is not None:
            server.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
