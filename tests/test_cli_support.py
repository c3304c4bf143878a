"""Support for the CLI tests (no tests here): running the installed ``article-bot`` console
script as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def article_bot_script() -> str:
    """The console script of the environment running the tests (any venv)."""
    beside_python = Path(sys.executable).parent / "article-bot"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("article-bot")
    if found is None:
        raise RuntimeError("the article-bot console script is not installed")
    return found


def cli_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment without article-bot / Telegram settings, plus ``extra``.

    HOME points at the working directory so nothing (chat history) is written outside it;
    the session's cache folder (``ARTICLE_BOT_CACHE_DIR``, the model's ONNX export) is kept.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARTICLE_BOT_", "TELEGRAM_"))}
    if "ARTICLE_BOT_CACHE_DIR" in os.environ:
        env["ARTICLE_BOT_CACHE_DIR"] = os.environ["ARTICLE_BOT_CACHE_DIR"]
    env["HOME"] = str(Path.cwd())
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


def run_cli(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [article_bot_script(), *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_environment(env),
        cwd=cwd or Path.cwd(),
        timeout=timeout,
        check=False,
    )


def settings_env(corpus_dir: Path, index_dir: Path) -> dict[str, str]:
    return {"ARTICLE_BOT_CORPUS_DIR": str(corpus_dir), "ARTICLE_BOT_INDEX_DIR": str(index_dir)}
