"""A small Bot API stand-in on 127.0.0.1 for tests and the concurrency benchmark.

It serves the methods the bot uses, queues updates for ``getUpdates`` (long polling),
records everything the bot sends, and checks outgoing HTML the way Telegram does
(known tags, properly nested, ``<``/``&`` escaped, at most 4,096 characters of text), so a
message Telegram would refuse is refused here too. Files a test "uploads" with
``document_update`` are served by ``getFile`` and the file download URL.

Faults, injected on purpose (each is recorded in ``faults``):

- ``fail_next(method, retry_after)``: a 429 with ``retry_after``;
- ``inject(method, kind, times, delay)``: ``"500"``/``"502"``/``"503"`` (not carried out),
  ``"409"`` (Conflict, for ``getUpdates``), ``"reset"`` (connection reset before the call is
  carried out), ``"slow"`` (carried out, answered after ``delay`` seconds) and
  ``"malformed"`` (carried out, answered with a body that is not JSON);
- ``chaos(rate, seed)``: that share of all calls fails with a random one of those kinds;
- ``down("refuse" | "reset")`` / ``up()``: the API gone (nothing listening on the port, or
  every connection reset) and back on the same port.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

TOKEN = "123456789:TEST-stand-in-token_abcdefghijklmnopq"
BOT_USER = {
    "id": 900001,
    "is_bot": True,
    "first_name": "Article Bot",
    "username": "article_test_bot",
}
MESSAGE_LIMIT = 4096
_JSON_FIELDS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "scope",
}
_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-z-]+)((?:\s+[a-z-]+(?:=\"[^\"]*\")?)*)\s*>")
_NOT_FOUND = json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")


class HtmlError(ValueError):
    pass


def check_html(text: str) -> str:
    """The visible text of a Telegram HTML message; raises :class:`HtmlError` like Telegram."""
    stack: list[str] = []
    visible: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        visible.append(text[position : match.start()])
        position = match.end()
        closing, name = match[1], match[2]
        if name not in _TAGS:
            raise HtmlError(f'Unsupported start tag "{name}"')
        if closing:
            if not stack or stack.pop() != name:
                raise HtmlError(f'Unmatched end tag "{name}"')
        else:
            stack.append(name)
    visible.append(text[position:])
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    raw = "".join(visible)
    if "<" in raw or ">" in raw:
        raise HtmlError("Unexpected '<' or '>' outside a tag")
    if "&" in _ENTITY.sub("", raw):
        raise HtmlError("Unescaped '&'")
    return html.unescape(raw)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any
    at: float


FAULT_KINDS = ("500", "502", "503", "409", "reset", "slow", "malformed")
CHAOS_KINDS = ("500", "502", "503", "reset", "slow", "malformed", "429")


@dataclass(frozen=True)
class Fault:
    kind: str
    delay: float = 0.0
    when: Callable[[dict[str, Any]], bool] | None = None  # only calls with these params


class BotApiStub:
    """Run with ``with BotApiStub() as stub:``; point the bot's base URL at ``stub.base_url``."""

    def __init__(self, token: str = TOKEN, reject_token: bool = False, port: int = 0) -> None:
        self.token = token
        self.reject_token = reject_token
        self.calls: list[Call] = []  # calls that succeeded
        self.refused: list[Call] = []  # calls answered with a 429 by ``fail_next``
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1000
        self._chat_types: dict[int, str] = {}
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self._failures: dict[str, list[int]] = {}
        self._faults: dict[str, list[Fault]] = {}
        self.faults: list[Call] = []  # every call answered with an injected fault
        self._chaos_rate = 0.0
        self._chaos_slow = 3.0
        self._random = random.Random(0)
        self._down: str | None = None
        self._condition = threading.Condition()
        self._server: ThreadingHTTPServer | None = self._serve(port)
        self._port = int(self._server.server_address[1])

    def _serve(self, port: int) -> ThreadingHTTPServer:
        server = _Server(("127.0.0.1", port), _handler_for(self))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/file/bot"

    def __enter__(self) -> BotApiStub:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # Faults ---------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        kind: str,
        times: int = 1,
        delay: float = 0.0,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (those whose params pass ``when``)
        with fault ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._condition:
            self._faults.setdefault(method, []).extend([Fault(kind, delay, when)] * times)

    def clear_faults(self) -> None:
        """Drop the faults still queued by :meth:`inject`."""
        with self._condition:
            self._faults.clear()

    def chaos(self, rate: float, seed: int = 0, slow: float = 3.0) -> None:
        """From now on, ``rate`` of all calls fail with a random fault (0 turns it off)."""
        with self._condition:
            self._chaos_rate = rate
            self._chaos_slow = slow
            self._random = random.Random(seed)

    def down(self, mode: str = "refuse") -> None:
        """The API goes away: ``"refuse"`` closes the port (connections refused), and with
        either mode every request on an open connection is reset."""
        with self._condition:
            self._down = mode
        if mode == "refuse" and self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        elif mode == "reset" and self._server is None:
            self._server = self._serve(self._port)

    def up(self) -> None:
        """The API is back, on the same port."""
        with self._condition:
            self._down = None
        if self._server is None:
            self._server = self._serve(self._port)

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        with self._condition:
            if self._down:
                return Fault("reset")
            queued = self._faults.get(method, [])
            for number, fault in enumerate(queued):
                if fault.when is None or fault.when(params):
                    return queued.pop(number)
            if self._chaos_rate and self._random.random() < self._chaos_rate:
                kind = self._random.choice(CHAOS_KINDS)
                if method == "getUpdates" and kind in ("slow", "malformed"):
                    kind = "502"
                return Fault(kind, self._chaos_slow)
            return None

    def _record_fault(self, method: str, params: dict[str, Any], kind: str) -> None:
        with self._condition:
            self.faults.append(Call(method, params, kind, time.monotonic()))

    # Updates the test "sends" ---------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        with self._condition:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
            self._updates.append(update)
            self._condition.notify_all()
            return int(update["update_id"])

    def message_update(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        edited: bool = False,
    ) -> dict[str, Any]:
        self._chat_types[chat_id] = chat_type
        sender = user_id or chat_id
        user = {"id": sender, "is_bot": False, "first_name": f"User{sender}"}
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = user["first_name"]
        else:
            chat["title"] = "A group"
        with self._condition:
            self._next_message_id += 1
            message: dict[str, Any] = {
                "message_id": self._next_message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": user,
            }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
                ]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(extra or {})
        return {"edited_message" if edited else "message": message}

    def document_update(
        self,
        chat_id: int,
        file_name: str,
        data: bytes,
        *,
        mime_type: str = "application/octet-stream",
        file_size: int | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A message carrying a file, as a user's upload; the file is served for download."""
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if file_size is None else file_size,
        }
        return self.message_update(chat_id, extra={"document": document}, **kwargs)

    def say(self, chat_id: int, text: str, **kwargs: Any) -> int:
        return self.push(self.message_update(chat_id, text, **kwargs))

    def callback_update(
        self, message: dict[str, Any], data: str, user_id: int | None = None
    ) -> dict[str, Any]:
        """A press on an inline button with ``data`` under ``message``."""
        user_id = user_id or int(message["chat"]["id"])
        return {
            "callback_query": {
                "id": f"cq{time.monotonic_ns()}",
                "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
                "chat_instance": "stub",
                "data": data,
                "message": message,
            }
        }

    def press(self, message: dict[str, Any], data: str, user_id: int | None = None) -> int:
        return self.push(self.callback_update(message, data, user_id))

    def fail_next(self, method: str, retry_after: int = 1) -> None:
        with self._condition:
            self._failures.setdefault(method, []).append(retry_after)

    # What the bot sent ----------------------------------------------------------------

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        with self._condition:
            return [
                c
                for c in self.calls
                if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
            ]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            with self._condition:
                self._condition.wait(0.05)
        raise TimeoutError(f"timed out after {timeout}s; calls: {[c.method for c in self.calls]}")

    # Serving --------------------------------------------------------------------------

    def respond(
        self, token: str, method: str, params: dict[str, Any]
    ) -> tuple[int, bytes | None, float]:
        """Status, body (None: reset the connection) and a delay before answering."""
        fault = self._take_fault(method, params) if token == self.token else None
        if fault is not None and fault.kind == "429":
            self.fail_next(method, 1)
            fault = None
        if fault is None:
            status, payload = self.handle(token, method, params)
            return status, json.dumps(payload).encode(), 0.0
        self._record_fault(method, params, fault.kind)
        if fault.kind == "reset":
            return 0, None, 0.0
        if fault.kind in ("500", "502", "503", "409"):
            code = int(fault.kind)
            description = "Conflict: terminated by other getUpdates request" if code == 409 else ""
            body = {"ok": False, "error_code": code, "description": description or "Server error"}
            return code, json.dumps(body).encode(), 0.0
        status, payload = self.handle(token, method, params)  # carried out
        if fault.kind == "slow":
            return status, json.dumps(payload).encode(), fault.delay
        return status, b"<html>502 Bad Gateway</html>" if status == 200 else b"", 0.0

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if token != self.token or self.reject_token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._condition:
            failures = self._failures.get(method)
            if failures:
                retry_after = failures.pop(0)
                self.refused.append(Call(method, params, "429", time.monotonic()))
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
        try:
            result = self._result(method, params)
        except HtmlError as exc:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": f"Bad Request: can't parse entities: {exc}",
            }
        except _BadRequest as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        with self._condition:
            self.calls.append(Call(method, params, result, time.monotonic()))
            self._condition.notify_all()
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        timeout = min(float(params.get("timeout", 0) or 0), 2.0)
        deadline = time.monotonic() + timeout
        with self._condition:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._condition.wait(deadline - time.monotonic())
            return list(self._updates[: int(params.get("limit", 100) or 100)])

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in (
            "sendChatAction",
            "answerCallbackQuery",
            "setMyCommands",
            "deleteWebhook",
            "setWebhook",
        ):
            return True
        if method in ("sendMessage", "editMessageText"):
            return self._message(method, params)
        if method == "getFile":
            file_id = str(params.get("file_id", ""))
            if file_id not in self.files:
                raise _BadRequest("invalid file_id")
            return {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        raise _BadRequest(f"method {method} is not served by the stand-in")

    def _message(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        visible = check_html(text) if params.get("parse_mode") == "HTML" else text
        if not visible.strip():
            raise _BadRequest("message text is empty")
        if utf16_length(visible) > MESSAGE_LIMIT:
            raise _BadRequest("message is too long")
        chat_id = int(params["chat_id"])
        with self._condition:
            if method == "sendMessage":
                self._next_message_id += 1
                message_id = self._next_message_id
            else:
                message_id = int(params["message_id"])
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "text": visible,
            "chat": {"id": chat_id, "type": self._chat_types.get(chat_id, "private")},
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


class _BadRequest(Exception):
    pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that resets a kept-alive connection (as the bot does after a fault) is
        # not an error of the stand-in's; anything else still prints.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(stub: BotApiStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path)
            if match is None:
                self._send(404, _NOT_FOUND)
                return
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(body or "{}")
            else:
                params = {k: _decode(k, v) for k, v in parse_qsl(body, keep_blank_values=True)}
            status, data, delay = stub.respond(match[1], match[2], params)
            if data is None:
                self._reset()
                return
            if delay:
                time.sleep(delay)
            self._send(status, data)

        def do_GET(self) -> None:
            # python-telegram-bot percent-encodes the path (the token's ":" too).
            path = unquote(self.path)
            match = re.fullmatch(r"/file/bot([^/]+)/documents/(\w+)", path)
            data = stub.files.get(match[2]) if match and match[1] == stub.token else None
            if data is None:
                self._send(404, _NOT_FOUND)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _reset(self) -> None:
            """Drop the connection with a TCP reset, without answering."""
            self.close_connection = True
            linger = struct.pack("ii", 1, 0)
            with contextlib.suppress(OSError):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.close()

        def _send(self, status: int, data: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot stopped while a long poll was open

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _decode(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        return json.loads(value)
    if key in ("chat_id", "message_id", "offset", "limit") and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


@contextmanager
def running_stub(**kwargs: Any) -> Iterator[BotApiStub]:
    with BotApiStub(**kwargs) as stub:
        yield stub


def article_bot_command() -> list[str]:
    """``article-bot`` from the running interpreter's environment."""
    script = Path(sys.executable).with_name("article-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


class BotProcess:
    """The real ``article-bot telegram`` in a subprocess, pointed at a stand-in."""

    def __init__(
        self,
        stub: BotApiStub,
        env: dict[str, str],
        log_path: Path,
        command: list[str] | None = None,
        *,
        args: Sequence[str] = (),
        verbose: bool = False,
    ) -> None:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("ARTICLE_BOT_", "TELEGRAM_"))
        }
        clean.update(
            {
                "TELEGRAM_BOT_TOKEN": stub.token,
                "TELEGRAM_API_BASE_URL": stub.base_url,
                "HF_HUB_OFFLINE": "1",
                # The session's cache folder: the model's ONNX export is made once.
                **{k: v for k, v in os.environ.items() if k == "ARTICLE_BOT_CACHE_DIR"},
                **env,
            }
        )
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            command or [*article_bot_command(), *(["-v"] if verbose else []), "telegram", *args],
            env=clean,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a service manager would send; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._log.close()


# Webhook clients: raw sockets, so a test controls when a body is sent -----------------

SECRET = "s3cret-value"
BIG = 30 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request_head(port: int, length: int, secret: str | None, path: str = "/hook") -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post_headers_first(port: int, length: int, secret: str | None) -> tuple[int | None, int]:
    """Send only the headers and wait up to 5 s for an answer; then try to send a
    ``length``-byte body. The status answered before any of the body was sent (None if
    none came), and how many body bytes the server took before closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request_head(port, length, secret))
        try:
            head = connection.recv(4096)
        except TimeoutError:
            head = b""
        status = int(head.split()[1]) if head.startswith(b"HTTP/1.1") else None
        sent = 0
        chunk = b"x" * 65536
        connection.settimeout(2)
        try:
            while sent < length:
                sent += connection.send(chunk[: length - sent])
        except OSError:  # closed by the server: broken pipe, reset or a full, dead window
            pass
    return status, sent


def post(port: int, body: bytes, secret: str | None) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_head(port, len(body), secret) + body)
        head = connection.recv(4096)
    return int(head.split()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")
