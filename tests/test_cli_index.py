"""The index folder through the installed ``article-bot``: what it refuses to touch, a
damaged index, an unwritable place and a build killed with SIGKILL."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_cli_support import article_bot_script, cli_environment, run_cli, settings_env

pytestmark = pytest.mark.integration


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("article-bot: error: won't write the index to ")
    return line


def test_rebuild_index_never_deletes_what_the_bot_did_not_write(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    # Row 1: pointed at a folder of the user's files, as the "corrupt" message suggested.
    users = tmp_path / "my-files"
    (users / "letters").mkdir(parents=True)
    (users / "letters" / "mum.txt").write_text("Dear mum\n", encoding="utf-8")
    (users / "budget.md").write_text("# 2026\n", encoding="utf-8")
    before = files_in(users)
    check = run_cli(["rebuild-index", "--check"], env=settings_env(article_corpus_dir, users))
    assert check.returncode == 1 and "manifest.json is missing" in check.stdout
    line = one_error_line(run_cli(["rebuild-index"], env=settings_env(article_corpus_dir, users)))
    assert "it holds files article-bot didn't write (budget.md, letters)" in line
    assert files_in(users) == before
    # ask rebuilds a missing index by itself: it refuses the same way.
    one_error_line(run_cli(["ask", "Who wrote it?"], env=settings_env(article_corpus_dir, users)))
    assert files_in(users) == before

    # Pointed at the corpus folder, or inside it: the article stays.
    article = files_in(article_corpus_dir)
    for target, reason in [
        (article_corpus_dir, "it is the corpus folder"),
        (article_corpus_dir / ".index", "it lies inside the corpus folder"),
    ]:
        line = one_error_line(
            run_cli(["rebuild-index"], env=settings_env(article_corpus_dir, target))
        )
        assert reason in line
    assert files_in(article_corpus_dir) == article

    # Row 8: a regular file is refused, not moved aside.
    a_file = tmp_path / "index"
    a_file.write_text("not an index\n", encoding="utf-8")
    line = one_error_line(run_cli(["rebuild-index"], env=settings_env(article_corpus_dir, a_file)))
    assert "it is a file, not a folder" in line
    assert a_file.read_text(encoding="utf-8") == "not an index\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index", "my-files", "work"]


@pytest.mark.parametrize("where", ["/proc/article-bot/index", "{tmp}/a-file/index"])
def test_an_unwritable_index_place_is_one_line_before_the_model_loads(
    tmp_path: Path, article_corpus_dir: Path, where: str
) -> None:
    (tmp_path / "a-file").write_text("x\n", encoding="utf-8")
    target = where.format(tmp=tmp_path)
    result = run_cli(
        ["ask", "--json", "Who wrote the article?"],
        env=settings_env(article_corpus_dir, Path(target)),
    )
    line = one_error_line(result)
    assert line.startswith(f"article-bot: error: won't write the index to {target}: ")
    # One line and nothing else: no "building it now", no model load, no traceback.
    assert "building" not in result.stderr and "Traceback" not in result.stderr


def test_flipped_bytes_in_the_vectors_are_reported_and_rebuilt(
    index_copy: Path, article_corpus_dir: Path
) -> None:
    """Row 4: same size, bytes flipped inside dense.faiss."""
    dense = index_copy / "dense.faiss"
    data = bytearray(dense.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0x5A
    dense.write_bytes(bytes(data))
    env = settings_env(article_corpus_dir, index_copy)

    check = run_cli(["rebuild-index", "--check"], env=env)
    assert check.returncode == 1
    assert "dense.faiss doesn't match its SHA-256 in manifest.json" in check.stdout

    question = "What is the tallest mountain in Africa?"
    result = run_cli(["ask", "--json", question], env=env)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert (reply["found"], reply["citations"]) == (False, [])
    notes = result.stderr.splitlines()
    assert notes[0] == (
        f"article-bot: the index at {index_copy} is damaged (dense.faiss doesn't match its "
        "SHA-256 in manifest.json); building it now"
    )
    assert any("built the index: 1 document(s), 80 passages" in n for n in notes)
    assert run_cli(["rebuild-index", "--check"], env=env).returncode == 0


def test_a_build_killed_with_sigkill_leaves_the_index_and_its_staging_is_cleaned_next_time(
    index_copy: Path, article_corpus_dir: Path, tmp_path: Path
) -> None:
    """Row 15: ``kill -9`` during a build."""
    env = settings_env(article_corpus_dir, index_copy)
    # A second document of new sentences, so the build has real embedding to do.
    (article_corpus_dir / "notes.txt").write_text(
        "Field notes\n\n"
        + "\n\n".join(
            f"Entry {i}: crew {i % 7} inspected span {i * 13 % 101} near pier {i * 7 % 53}."
            for i in range(3000)
        ),
        encoding="utf-8",
    )
    before = files_in(index_copy)
    build = subprocess.Popen(
        [article_bot_script(), "rebuild-index"],
        env=cli_environment(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        staging: list[Path] = []
        while not staging and time.monotonic() < deadline and build.poll() is None:
            staging = list(tmp_path.glob(f".{index_copy.name}.new-*"))
            time.sleep(0.02)
        assert staging, "the build never started writing"
        # The staging folder is made before the model loads: the build is under way.
        os.kill(build.pid, signal.SIGKILL)
    finally:
        build.kill()
        build.wait()
    assert build.returncode == -signal.SIGKILL
    assert [p.name for p in tmp_path.glob(f".{index_copy.name}.*")] == [staging[0].name]
    assert files_in(index_copy) == before  # the previous index is untouched and usable
    check = run_cli(["rebuild-index", "--check"], env=env)
    assert "stale: the corpus files changed" in check.stdout  # not corrupt: only older

    result = run_cli(["rebuild-index"], env=env)
    assert result.returncode == 0, result.stderr
    assert (
        f"article-bot: removed {staging[0].name}, left beside the index by an interrupted build"
        in result.stderr.splitlines()
    )
    assert list(tmp_path.glob(f".{index_copy.name}.*")) == []
    assert run_cli(["rebuild-index", "--check"], env=env).returncode == 0


def test_a_document_too_long_to_index_in_minutes_is_skipped_with_one_line(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    """Row 11: ``ask`` rebuilds by itself, so a huge document must not stall it for hours."""
    paragraph = "Bridges and tunnels are built by crews who work through the night. " * 14
    (article_corpus_dir / "book.txt").write_text(
        "A very long book\n\n" + "\n\n".join([paragraph] * 600), encoding="utf-8"
    )
    result = run_cli(
        ["ask", "--json", "Who wrote the article?"],
        env=settings_env(article_corpus_dir, tmp_path / "index"),
    )
    assert result.returncode == 0, result.stderr
    assert "Daniel Larison" in json.loads(result.stdout)["answer"]
    assert re.search(
        r"^article-bot: skipped a document: book\.txt: has 56\d,\d{3} characters of text; the "
        r"limit is 500,000 \(more would take too long to index\); split it into smaller "
        r"documents$",
        result.stderr,
        re.MULTILINE,
    )
    assert "built the index: 1 document(s), 80 passages" in result.stderr
