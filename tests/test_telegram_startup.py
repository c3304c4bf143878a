"""Start-up of the real ``article-bot telegram`` in a subprocess: bad settings are one line,
the token never appears in its output, an unreachable Bot API is waited for, and the
webhook's listen address is checked before the model loads.

Only 127.0.0.1 is ever contacted; no name is ever looked up.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.telegram_stub import TOKEN, BotApiStub, BotProcess

SECRET_HALF = TOKEN.split(":")[1]
START_TIMEOUT = 120.0


def assert_no_token(output: str) -> None:
    assert TOKEN not in output and SECRET_HALF not in output
    assert SECRET_HALF[:12] not in output


@pytest.fixture
def free_port() -> Iterator[int]:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port


def run_bot(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """``article-bot telegram ARGS`` to the end; its exit code and all it printed."""
    with BotApiStub() as stub:
        process = BotProcess(stub, env, tmp_path / "bot.log", args=args)
        try:
            code = process.process.wait(60)
        finally:
            process.stop()
    return code, process.log


# Row 5: a bad API URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("http://127.0.0.1:9", "must end with /bot"),
        ("http://127.0.0.1:99999/bot", "invalid port"),
        ("127.0.0.1:8081/bot", "must be an http(s) URL"),
        (f"http://127.0.0.1:9/bot{TOKEN}", "must end with /bot"),
    ],
)
def test_a_bad_api_base_url_is_one_line_without_the_token(tmp_path, base_url, problem):
    code, output = run_bot(tmp_path, {"TELEGRAM_API_BASE_URL": base_url})
    assert code == 2, output
    [line] = output.strip().splitlines()
    assert line.startswith("article-bot: error: TELEGRAM_API_BASE_URL") and problem in line
    assert_no_token(output)


def test_the_token_is_redacted_from_uncaught_exceptions_and_logs_at_every_stage(tmp_path):
    """The last line of defence, as ``main`` installs it first thing: a traceback in the
    main thread, in another thread, in an asyncio task nobody awaited, and a log line
    with a traceback, each carrying the token, print without it."""
    script = f"""
import asyncio, gc, logging, threading
from bot.telegram import redaction
redaction.install_hooks()
logging.basicConfig()
redaction.install_hooks()
token = {TOKEN!r}
redaction.add_token(token)  # as main does once settings are read
try:
    raise ValueError("Invalid port: '9" + token + "'")
except ValueError:
    logging.getLogger("x").exception("failed at http://127.0.0.1:9" + token)
logging.getLogger("x").error("secret half alone: %s", token.split(":")[1])

def in_thread():
    raise RuntimeError("thread saw " + token)

thread = threading.Thread(target=in_thread)
thread.start()
thread.join()

async def fails():
    raise RuntimeError("task saw " + token)

async def main():
    asyncio.get_running_loop().create_task(fails())
    await asyncio.sleep(0.1)

asyncio.run(main())
gc.collect()
raise SystemError("uncaught with " + token)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    for seen in ("Invalid port", "thread saw", "task saw", "uncaught with", "secret half"):
        assert seen in output, output
    assert output.count("<token>") >= 6
    assert_no_token(output)


def test_with_debug_logging_the_token_stays_out_of_the_log(tmp_path, real_index_dir):
    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    with BotApiStub() as stub:
        process = BotProcess(
            stub, {"ARTICLE_BOT_INDEX_DIR": str(index)}, tmp_path / "bot.log", verbose=True
        )
        try:
            stub.wait_for(lambda: stub.sent("deleteWebhook"), START_TIMEOUT)
            time.sleep(1)  # polling
        finally:
            assert process.stop() == 0, process.log
    assert "Set Bot API URL" in process.log  # PTB logs its URL, with the token, at DEBUG
    assert_no_token(process.log)


# Row 6: the Bot API unreachable at start ----------------------------------------------


def test_an_unreachable_api_is_retried_with_a_line_per_attempt_then_the_bot_starts(
    tmp_path, real_index_dir, free_port
):
    index = tmp_path / "index"
    shutil.copytree(real_index_dir, index)
    env = {
        "ARTICLE_BOT_INDEX_DIR": str(index),
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port}/bot",
    }
    log_path = tmp_path / "bot.log"
    with BotApiStub() as elsewhere:  # only supplies the token; the bot can't reach it
        process = BotProcess(elsewhere, env, log_path)
    try:
        deadline = time.monotonic() + 60
        while process.log.count("can't be reached") < 3 and time.monotonic() < deadline:
            assert process.process.poll() is None, process.log
            time.sleep(0.2)
        assert process.log.count("can't be reached") >= 3, process.log
        assert "loaded model" not in process.log  # the model waits for the API
        with BotApiStub(port=free_port) as stub:  # the API comes up
            stub.wait_for(lambda: stub.sent("deleteWebhook"), START_TIMEOUT)
            time.sleep(1)  # polling
            assert process.stop() == 0
    finally:
        process.stop()
    log = process.log
    assert "Traceback" not in log
    assert "attempt 1, next in 1 s" in log and "attempt 2, next in 2 s" in log
    assert_no_token(log)


def test_stopping_while_the_api_is_unreachable_exits_cleanly(tmp_path, free_port):
    env = {"TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port}/bot"}
    with BotApiStub() as elsewhere:
        process = BotProcess(elsewhere, env, tmp_path / "bot.log")
    try:
        deadline = time.monotonic() + 60
        while "can't be reached" not in process.log and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        code = process.stop()
    assert code == 0 and "Traceback" not in process.log, process.log


# Row 7: the webhook's listen address ----------------------------------------------------


WEBHOOK = "https://bot.example.com/tg-hook"  # registered with the stand-in, never contacted


def test_a_webhook_port_in_use_is_one_line_before_the_model_loads(tmp_path):
    index = tmp_path / "index"  # missing: it would be built if start-up got that far
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        code, output = run_bot(
            tmp_path,
            {"ARTICLE_BOT_INDEX_DIR": str(index)},
            "--webhook-url",
            WEBHOOK,
            "--port",
            str(port),
        )
    assert code == 2, output
    [line] = output.strip().splitlines()
    assert f"127.0.0.1:{port} is already in use" in line
    assert not index.exists() and time.monotonic() - started < 30


@pytest.mark.parametrize("listen", ["127.0.0.256", "127.0.0.1:8443", "::1::2", "[::1]"])
def test_a_listen_address_that_is_not_an_ip_address_is_one_line_without_a_lookup(tmp_path, listen):
    code, output = run_bot(
        tmp_path,
        {"TELEGRAM_WEBHOOK_LISTEN": listen, "ARTICLE_BOT_INDEX_DIR": str(tmp_path / "index")},
        "--webhook-url",
        WEBHOOK,
    )
    assert code == 2, output
    [line] = output.strip().splitlines()
    assert "TELEGRAM_WEBHOOK_LISTEN must be an IP address" in line and repr(listen) in line
