"""Talking to the Bot API without losing replies: python-telegram-bot's own HTTPX request
layer, with every failure sorted into one of two kinds and the safe ones retried.

- :class:`ApiUnavailable`: the API answered 5xx, or could not be reached (connection
  refused or reset, connect timeout). Nothing was carried out, so the call is retried with
  exponential backoff for up to ``retry_for`` seconds (about two minutes), then raised.
- :class:`MaybeDelivered`: the request reached the API but no readable answer came back
  (a read timeout, or a response that is not JSON). The call may have been carried out:
  a message is not sent again (that could show it twice) and the user is not told
  "Sorry" for it; calls that are safe to repeat (chat actions, edits, commands) are retried.

429 "retry after" stays with PTB's :class:`~telegram.ext.AIORateLimiter`, which wraps
these calls; polling (``getUpdates``) keeps PTB's own retry loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import httpx
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger("article_bot.telegram")

RETRY_FOR = 120.0  # seconds a call is retried before giving up
FIRST_DELAY = 0.5
MAX_DELAY = 15.0
# A reply can take a while when Telegram is busy: waiting longer than PTB's 5 s default
# means fewer answers whose delivery is unknown.
READ_TIMEOUT = 30.0
# Methods that create something: repeating them after an unknown outcome could duplicate it.
_CREATING = ("send", "forward", "copy")
# Not retried here: a "typing…" indicator is not worth waiting for, polling has PTB's own
# retry loop, and getMe (called once at start) is retried by ``app.connect`` with a log line.
_NO_RETRY = frozenset({"sendChatAction", "getUpdates", "getMe"})


class ApiUnavailable(NetworkError):
    """The Bot API could not carry out the call (5xx, unreachable); safe to repeat."""


class MaybeDelivered(TimedOut):
    """The call reached the Bot API but its outcome is unknown; it may have been carried out."""


class ReliableRequest(HTTPXRequest):
    """:class:`HTTPXRequest` that sorts failures (see the module docstring) and retries
    calls that were not carried out, with backoff, for up to ``retry_for`` seconds."""

    def __init__(
        self,
        *,
        retry_for: float = RETRY_FOR,
        first_delay: float = FIRST_DELAY,
        read_timeout: float = READ_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(read_timeout=read_timeout, **kwargs)
        self.retry_for = retry_for
        self.first_delay = first_delay

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        deadline = time.monotonic() + self.retry_for
        delay = self.first_delay
        attempt = 1
        while True:
            try:
                code, payload = await super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
                if code < 500:
                    return code, payload
                error: TelegramError = ApiUnavailable(f"the Bot API answered HTTP {code}")
            except (TimedOut, NetworkError) as exc:
                error = _sorted(exc)
                if isinstance(error, MaybeDelivered) and _creates(api_method):
                    raise error from exc  # not repeated: it may have arrived
            if api_method in _NO_RETRY or time.monotonic() + delay > deadline:
                raise error
            log.warning(
                "Bot API %s failed (%s); retry %d in %.1f s",
                api_method,
                error.message,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
            attempt += 1

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """PTB's parser without its traceback-and-body log line; a 200 response that can't
        be read is :class:`MaybeDelivered` (an unreadable error response is reported by PTB
        with its status code)."""
        try:
            data = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise MaybeDelivered("the Bot API sent a response that is not JSON") from None
        if not isinstance(data, dict) or (data.get("ok") is True and "result" not in data):
            raise MaybeDelivered("the Bot API sent a response without a result")
        return data


def _creates(api_method: str) -> bool:
    return api_method.startswith(_CREATING) and api_method != "sendChatAction"


def _sorted(exc: TelegramError) -> TelegramError:
    """PTB's TimedOut/NetworkError as :class:`ApiUnavailable` or :class:`MaybeDelivered`."""
    cause = exc.__cause__
    if isinstance(cause, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ApiUnavailable(f"could not connect in time ({type(cause).__name__})")
    if isinstance(cause, httpx.TimeoutException):
        return MaybeDelivered(f"no answer in time ({type(cause).__name__})")
    if isinstance(cause, httpx.ConnectError):
        return ApiUnavailable("connection refused")
    if isinstance(cause, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        # A reset or closed connection: the API dropped the call before answering.
        return ApiUnavailable(f"connection lost ({type(cause).__name__})")
    return exc
