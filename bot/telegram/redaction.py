"""Keep the bot token out of everything the bot prints: it is part of every Bot API URL
(``.../bot<token>/...``) and of some python-telegram-bot and httpx error messages.

:func:`install_hooks` is the last line of defence, installed first thing in ``main``
(before settings are read or the Application exists): every root log handler (and
logging's last-resort handler) gets a redacting filter, and uncaught exceptions in the main
thread and in other threads are printed redacted. asyncio reports unhandled task errors
through its logger, so they pass the same filter. Anything shaped like a bot token is
redacted even before the real token is known; :func:`add_token` adds the exact one.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from types import TracebackType

# A bot token is <bot id>:<35 characters>; a run of digits glued in front of it (as in
# "http://host:9" + token -> "9123456789:AA…") is still caught.
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
TOKEN_FORMAT = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
QUIET_LOGGERS = ("httpx", "httpcore")  # they log request URLs, with the token, at INFO
REDACTED = "<token>"

_known: set[str] = set()


def redact(text: str, token: str | None = None) -> str:
    """``text`` without anything shaped like a bot token, nor ``token`` or its secret half
    (nor any token passed to :func:`add_token`)."""
    for secret in (*_known, *_parts(token)):
        text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPE.sub(REDACTED, text)


def _parts(token: str | None) -> tuple[str, ...]:
    """The token and its secret half (the part after the colon), longest first."""
    if not token:
        return ()
    secret = token.partition(":")[2]
    return (token, secret) if len(secret) >= 8 else (token,)


def add_token(token: str | None) -> None:
    """Redact this exact token (and its secret half) from now on, wherever it appears."""
    _known.update(_parts(token))


class TokenRedactingFilter(logging.Filter):
    """A handler filter that rewrites each record's message and traceback without the token."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._token = token
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message, self._token), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._token)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._token)
        return True


def install(token: str | None) -> None:
    """Quieten the HTTP loggers and redact ``token`` on every root handler."""
    add_token(token)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    _filter_handlers()


def _filter_handlers() -> None:
    handlers = [*logging.getLogger().handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
            handler.addFilter(TokenRedactingFilter())


def _print_redacted(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None, where: str = ""
) -> None:
    text = "".join(traceback.format_exception(kind, value, trace))
    stream = sys.stderr
    if stream is not None:
        stream.write(where + redact(text))
        stream.flush()


def _excepthook(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    _print_redacted(kind, value, trace)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread else "unknown"
    value = args.exc_value if args.exc_value is not None else args.exc_type()
    _print_redacted(args.exc_type, value, args.exc_traceback, f"Exception in thread {name}:\n")


def install_hooks() -> None:
    """Redact at the last line of defence: log handlers and uncaught exceptions."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    _filter_handlers()
