"""Keep the bot token out of logs: it is part of every Bot API URL (``.../bot<token>/...``)
and of some python-telegram-bot error messages."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
TOKEN_FORMAT = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
QUIET_LOGGERS = ("httpx", "httpcore")  # they log request URLs, with the token, at INFO


def redact(text: str, token: str | None = None) -> str:
    text = _TOKEN_IN_URL.sub("bot<token>", text)
    if token:
        text = text.replace(token, "<token>")
    return text


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
        return True


def install(token: str | None) -> None:
    """Quieten the HTTP loggers and redact the token on every root handler."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, TokenRedactingFilter) for f in handler.filters):
            handler.addFilter(TokenRedactingFilter(token))
