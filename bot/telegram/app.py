"""The Telegram bot: builds the python-telegram-bot Application, wires every handler in
one place, and runs it with long polling or a webhook."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlparse

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import startup
from bot.answering import Answerer
from bot.settings import Settings
from bot.telegram import documents, handlers, operations, redaction
from bot.telegram.front_end import COMMANDS, FrontEnd
from corpus.errors import ConfigurationError

log = logging.getLogger("article_bot.telegram")

CONCURRENT_UPDATES = 64  # updates from different chats are handled at the same time
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SEND_RETRIES = 3  # a 429 "retry after" from Telegram is waited out this many times


def check_token(settings: Settings) -> str:
    """The token, or a one-line error that never echoes it."""
    token = settings.telegram_token
    if not token:
        raise ConfigurationError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token "
            "in the environment or in .env (see the README, section 'Telegram bot')"
        )
    if not redaction.TOKEN_FORMAT.match(token):
        raise ConfigurationError(
            "TELEGRAM_BOT_TOKEN is malformed: a bot token looks like 123456789:AAE… "
            "(digits, a colon, then letters, digits, '_' and '-')"
        )
    base_url = settings.telegram_api_base_url
    if urlparse(base_url).scheme not in ("http", "https"):
        raise ConfigurationError(
            f"TELEGRAM_API_BASE_URL must be an http(s) URL like http://127.0.0.1:8081/bot, "
            f"got {base_url!r}"
        )
    return token


def build_application(
    settings: Settings,
    *,
    answerer: Answerer | None = None,
    request: BaseRequest | None = None,
    dedupe: bool = True,
) -> Application:
    """The configured Application. Without ``answerer``, the core loads in ``post_init``;
    ``request`` replaces the network layer (tests)."""
    token = check_token(settings)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=SEND_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    file_url = _file_url(settings.telegram_api_base_url)
    if file_url:
        builder = builder.base_file_url(file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    application.bot_data[handlers.FRONT_END] = FrontEnd(settings, answerer)
    if dedupe:
        # Answer workers take updates from the queue, which lets each in once already.
        application.add_handler(TypeHandler(Update, handlers.drop_seen), group=-2)
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    # Edited messages are answered like new ones: a user who fixes a typo wants the answer
    # to the corrected question.
    text = filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND
    application.add_handler(TypeHandler(Update, handlers.restrict), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", handlers.start),
            CommandHandler("help", handlers.help_command),
            CommandHandler("sources", handlers.sources),
            CommandHandler("about", handlers.about),
            CommandHandler("reset", handlers.reset),
            CommandHandler("ask", handlers.ask),
            CommandHandler("documents", documents.list_documents),
            CommandHandler("add", documents.add_url),
            MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, documents.upload),
            MessageHandler(private & text, handlers.private_text),
            MessageHandler(groups & text, handlers.group_text),
            MessageHandler(
                filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                handlers.non_text,
            ),
            CallbackQueryHandler(handlers.show_citation),
        ]
    )
    application.add_error_handler(handlers.on_error)


async def _post_init(application: Application) -> None:
    front: FrontEnd = application.bot_data[handlers.FRONT_END]
    port = front.settings.telegram_health_port
    if port and front.settings.telegram_role == "bot" and front.health is None:
        front.health = operations.serve_health(
            lambda: front.answerer is not None, None, front.settings.telegram_webhook_listen, port
        )
    if front.answerer is None:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        load = partial(startup.load_answerer, front.settings, notify=log.info)
        front.answerer = await loop.run_in_executor(front.executor, load)
        log.info(
            "loaded model %s and %d passages from %d document(s) in %.1fs",
            front.answerer.embedder.model_id,
            len(front.answerer.knowledge.index.passages),
            len(front.answerer.knowledge.corpus.documents),
            time.perf_counter() - started,
        )
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    log.info("ready: answering as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    await application.bot_data[handlers.FRONT_END].close()
    log.info("stopped")


def run_bot(settings: Settings, answerer: Answerer | None = None) -> int:
    """Run until Ctrl-C or SIGTERM, in the role ``TELEGRAM_ROLE`` says: the whole bot in
    one process (long polling, or a webhook if one is configured), or a webhook receiver
    or an answer worker sharing a queue in Redis."""
    if settings.telegram_role == "receiver":
        from bot.telegram.receiver import run_receiver

        return run_receiver(settings)
    if settings.telegram_role == "worker":
        from bot.telegram.worker import run_worker

        return run_worker(settings, answerer)
    token = check_token(settings)
    redaction.install(token)
    application = build_application(settings, answerer=answerer)
    try:
        if settings.telegram_webhook_url:
            _run_webhook(application, settings)
        else:
            log.info("starting: long polling %s", redaction.redact(settings.telegram_api_base_url))
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        # PTB's own message contains the token; say it without.
        raise ConfigurationError(
            "Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN"
        ) from None
    return 0


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    path: str
    secret: str


def check_webhook(settings: Settings) -> Webhook:
    """The webhook's URL, path and secret, each problem one line."""
    url = settings.telegram_webhook_url or ""
    if urlparse(url).scheme != "https":
        raise ConfigurationError(f"the webhook URL must start with https://, got {url!r}")
    # Telegram sends the secret in a header; without one configured, a random secret per
    # start still keeps strangers from posting fake updates.
    secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
    if not _SECRET_FORMAT.match(secret):
        raise ConfigurationError(
            "the webhook secret token may only use A-Z, a-z, 0-9, '_' and '-' (1-256 characters)"
        )
    return Webhook(url, urlparse(url).path.lstrip("/"), secret)


def _run_webhook(application: Application, settings: Settings) -> None:
    webhook = check_webhook(settings)
    log.info(
        "starting: webhook %s, listening on %s:%d",
        webhook.url,
        settings.telegram_webhook_listen,
        settings.telegram_webhook_port,
    )
    application.run_webhook(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=webhook.path,
        webhook_url=webhook.url,
        secret_token=webhook.secret,
        allowed_updates=Update.ALL_TYPES,
    )


def _file_url(base_url: str) -> str | None:
    """``http://host:8081/bot`` -> ``http://host:8081/file/bot`` for a self-hosted server."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return None
