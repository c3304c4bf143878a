"""The Telegram bot: builds the python-telegram-bot Application, wires every handler in
one place, and runs it with long polling or a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import re
import secrets
import signal
import socket
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlparse

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TimedOut
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
from bot.telegram.delivery import ReliableRequest
from bot.telegram.front_end import COMMANDS, FrontEnd
from corpus.errors import ConfigurationError

log = logging.getLogger("article_bot.telegram")

CONCURRENT_UPDATES = 64  # updates from different chats are handled at the same time
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SEND_RETRIES = 3  # a 429 "retry after" from Telegram is waited out this many times
CONNECT_MAX_DELAY = 60.0  # the longest wait between attempts to reach the Bot API at start


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
    check_api_base_url(settings.telegram_api_base_url)
    return token


def check_api_base_url(base_url: str) -> None:
    """One line unless ``base_url`` is an http(s) URL with a host, a valid port and a path
    ending in ``/bot`` (the token is appended to it) or holding a ``{token}`` placeholder."""
    shown = redaction.redact(base_url)
    example = "like https://api.telegram.org/bot or http://127.0.0.1:8081/bot"
    parsed = urlparse(base_url)
    try:
        port_ok = parsed.port is None or parsed.port > 0
    except ValueError:
        port_ok = False
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        problem = "must be an http(s) URL with a host"
    elif not port_ok:
        problem = "has an invalid port"
    elif parsed.query or parsed.fragment:
        problem = "must not have a query or fragment"
    elif not (parsed.path.endswith("/bot") or "{token}" in parsed.path):
        problem = "must end with /bot (the token is appended to it)"
    else:
        return
    raise ConfigurationError(f"TELEGRAM_API_BASE_URL {problem}, {example}; got {shown!r}")


def build_application(
    settings: Settings,
    *,
    answerer: Answerer | None = None,
    request: BaseRequest | None = None,
    dedupe: bool = True,
) -> Application:
    """The configured Application. Without ``answerer``, the core loads in ``post_init``;
    ``request`` replaces the layer that sends replies (tests use shorter timeouts)."""
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
    # Replies go through the retrying request layer; polling keeps PTB's default timeouts
    # and its own retry loop (a dropped long poll is noticed sooner with a short timeout).
    builder = builder.request(request or ReliableRequest(connection_pool_size=256))
    builder = builder.get_updates_request(ReliableRequest(connection_pool_size=1, read_timeout=5.0))
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
        # The /start examples are questions put to the core once; do it off the loop.
        await loop.run_in_executor(front.executor, front.answerer.example_questions)
        log.info(
            "loaded model %s and %d passages from %d document(s) in %.1fs",
            front.answerer.embedder.model_id,
            len(front.answerer.knowledge.index.passages),
            len(front.answerer.knowledge.corpus.documents),
            time.perf_counter() - started,
        )
    try:
        await application.bot.set_my_commands([BotCommand(n, text) for n, text in COMMANDS])
    except (NetworkError, TimedOut) as exc:  # already retried; the commands work without it
        log.warning("could not register the command menu (%s); the commands still work", exc)
    log.info("ready: answering as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    await application.bot_data[handlers.FRONT_END].close()
    log.info("stopped")


def run_bot(settings: Settings, answerer: Answerer | None = None) -> int:
    """Run until Ctrl-C or SIGTERM, in the role ``TELEGRAM_ROLE`` says: the whole bot in
    one process (long polling, or a webhook if one is configured), or a webhook receiver
    or an answer worker sharing a queue in Redis.

    Everything that can be checked without the network or the model is checked first
    (token, API URL, webhook URL, secret and listen address); then the Bot API is
    reached (retried until it answers); only then does the model load."""
    if settings.telegram_role == "receiver":
        from bot.telegram.receiver import run_receiver

        return run_receiver(settings)
    if settings.telegram_role == "worker":
        from bot.telegram.worker import run_worker

        return run_worker(settings, answerer)
    token = check_token(settings)
    redaction.install(token)
    webhook = check_webhook(settings) if settings.telegram_webhook_url else None
    application = build_application(settings, answerer=answerer)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        if not loop.run_until_complete(connect(application)):
            loop.run_until_complete(application.shutdown())
            loop.close()
            return 0
        if webhook is not None:
            _run_webhook(application, settings, webhook, loop)
        else:
            log.info("starting: long polling %s", redaction.redact(settings.telegram_api_base_url))
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        # PTB's own message contains the token; say it without.
        raise ConfigurationError(
            "Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN"
        ) from None
    except (NetworkError, TimedOut) as exc:  # setting up polling or the webhook, retried
        raise ConfigurationError(
            f"the Bot API kept failing while the bot started ({exc.message}); try again later"
        ) from None
    return 0


async def connect(application: Application, max_delay: float = CONNECT_MAX_DELAY) -> bool:
    """Initialise the Application (``getMe``), retrying with backoff and one log line per
    attempt while the Bot API can't be reached. False if stopped (SIGINT/SIGTERM) first."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    delay, attempt = 1.0, 1
    try:
        while not stopped.is_set():
            try:
                await application.initialize()
                return True
            except InvalidToken:
                raise
            except (NetworkError, TimedOut) as exc:
                log.warning(
                    "the Bot API at %s can't be reached (%s); attempt %d, next in %.0f s",
                    _api_host(application.bot.base_url),
                    exc.message,
                    attempt,
                    delay,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), delay)
            delay, attempt = min(delay * 2, max_delay), attempt + 1
        log.info("stopped before the Bot API could be reached")
        return False
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _api_host(base_url: str) -> str:
    parsed = urlparse(base_url)
    return f"{parsed.scheme}://{parsed.netloc}"


@dataclass(frozen=True, slots=True)
class Webhook:
    url: str
    path: str
    secret: str


def check_webhook(settings: Settings) -> Webhook:
    """The webhook's URL, path and secret, and a listen address that is an IP literal
    that can be bound now: each problem one line, before the model loads."""
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
    check_listen_address(settings.telegram_webhook_listen, settings.telegram_webhook_port)
    return Webhook(url, urlparse(url).path.lstrip("/"), secret)


def check_listen_address(listen: str, port: int) -> None:
    """One line unless ``listen`` is an IP address (never a name: no lookup happens) and
    ``listen:port`` can be bound right now."""
    try:
        address = ipaddress.ip_address(listen)
    except ValueError:
        raise ConfigurationError(
            f"TELEGRAM_WEBHOOK_LISTEN must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, "
            f"got {listen!r}"
        ) from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((str(address), port))
        except OSError as exc:
            reason = (
                "is already in use"
                if exc.errno == errno.EADDRINUSE
                else f"can't be used ({exc.strerror})"
            )
            raise ConfigurationError(
                f"the webhook listen address {_host_port(address, port)} {reason} "
                "(TELEGRAM_WEBHOOK_LISTEN / TELEGRAM_WEBHOOK_PORT)"
            ) from None


def _host_port(address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> str:
    return f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"


def _run_webhook(
    application: Application, settings: Settings, webhook: Webhook, loop: asyncio.AbstractEventLoop
) -> None:
    log.info(
        "starting: webhook %s, listening on %s port %d",
        webhook.url,
        settings.telegram_webhook_listen,
        settings.telegram_webhook_port,
    )
    from bot.telegram import webhook as intake  # it uses the receiver, which imports this

    try:
        loop.run_until_complete(
            intake.serve(
                application,
                url=webhook.url,
                path=webhook.path,
                secret=webhook.secret,
                address=settings.telegram_webhook_listen,
                port=settings.telegram_webhook_port,
            )
        )
    finally:
        loop.close()


def _file_url(base_url: str) -> str | None:
    """``http://host:8081/bot`` -> ``http://host:8081/file/bot`` for a self-hosted server."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return None
