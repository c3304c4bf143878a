"""``pip install .`` (not editable) into a fresh virtual environment outside the
repository, then the installed ``article-bot chat`` answers about the bundled article,
with its index in the user's cache folder, never in site-packages.

To stay fast, the new environment gets the dependencies by seeing this environment's
site-packages (a ``.pth`` file), and the project is installed with ``--no-deps
--no-build-isolation``: the package itself is built and installed for real, from a copy
of the sources, and run from another folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "bot", "corpus", "embeddings")


def site_packages(venv: Path) -> Path:
    [found] = (venv / "lib").glob("python3*/site-packages")
    return found


def test_a_non_editable_install_answers_about_the_bundled_article(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The dependencies come from this environment (only a path: its .pth files, such as
    # an editable install of this project, are not run).
    (site_packages(venv) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
            "--no-deps", "--no-build-isolation", "--disable-pip-version-check", str(source),
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )  # fmt: skip
    shutil.rmtree(source)  # the installed copy must not need the sources
    installed = site_packages(venv)
    assert (installed / "corpus" / "bundled" / "rapprochement-with-russia.txt").is_file()
    before = sorted(str(p.relative_to(installed)) for p in installed.rglob("*"))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARTICLE_BOT_", "TELEGRAM_"))}
    env.update(
        HOME=str(elsewhere), XDG_CACHE_HOME=str(cache), HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8"
    )
    env.pop("PYTHONPATH", None)
    where = subprocess.run(
        [str(python), "-c", "import bot, corpus; print(bot.__file__, corpus.BUNDLED_CORPUS)"],
        capture_output=True, text=True, env=env, cwd=elsewhere, check=True,
    )  # fmt: skip
    assert all(path.startswith(str(installed)) for path in where.stdout.split())

    chat = subprocess.run(
        [str(venv / "bin" / "article-bot"), "chat", "--history", ""],
        input="Who wrote the article?\n/quit\n",
        capture_output=True, text=True, env=env, cwd=elsewhere, timeout=300, check=False,
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert "Daniel Larison" in chat.stdout
    assert "[1] Article byline" in chat.stdout
    [index] = (cache / "article-bot" / "indexes").iterdir()
    assert index.name.startswith("bundled-")
    assert (index / "manifest.json").is_file()
    # Nothing was written into site-packages or the working folder.
    assert sorted(str(p.relative_to(installed)) for p in installed.rglob("*")) == before
    assert list(elsewhere.iterdir()) == []
