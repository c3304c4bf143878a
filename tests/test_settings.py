"""Settings from the environment and a ``.env`` file: defaults, precedence, bad values."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from bot.settings import Settings, default_index_dir
from bot.thresholds import Thresholds
from corpus import BUNDLED_CORPUS
from corpus.errors import ConfigurationError
from embeddings.passages import Chunking
from tests.test_cli_support import run_cli


def test_the_default_index_is_in_the_cache_one_folder_per_corpus(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    one = Settings.from_env({"XDG_CACHE_HOME": str(cache)})
    other = Settings.from_env(
        {"XDG_CACHE_HOME": str(cache), "ARTICLE_BOT_CORPUS_DIR": str(tmp_path / "notes")}
    )
    assert one.index_dir.parent == other.index_dir.parent == cache / "article-bot" / "indexes"
    assert one.index_dir.name.startswith("bundled-")
    assert other.index_dir.name.startswith("notes-")
    assert one.index_dir != other.index_dir
    assert Settings.from_env({"XDG_CACHE_HOME": str(cache)}).index_dir == one.index_dir
    chosen = Settings.from_env(
        {"XDG_CACHE_HOME": str(cache), "ARTICLE_BOT_INDEX_DIR": str(tmp_path / "mine")}
    )
    assert chosen.index_dir == tmp_path / "mine"


def test_defaults_with_nothing_set() -> None:
    settings = Settings.from_env({})
    assert settings.corpus_dir == BUNDLED_CORPUS
    assert settings.index_dir == default_index_dir(BUNDLED_CORPUS)
    assert settings.index_dir.parent == platformdirs.user_cache_path("article-bot") / "indexes"
    assert settings.model == "default"
    assert settings.citations == 3
    assert 0.0 < settings.min_score < 1.0
    assert settings.max_question_chars == 1000
    assert settings.chunking == Chunking(max_words=80)
    assert settings.telegram_token is None
    assert settings == Settings()


def test_values_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "ARTICLE_BOT_CORPUS_DIR": str(tmp_path / "docs"),
            "ARTICLE_BOT_INDEX_DIR": "  relative-index  ",
            "ARTICLE_BOT_MODEL": "/models/mini",
            "ARTICLE_BOT_CITATIONS": "5",
            "ARTICLE_BOT_MIN_SCORE": "0.25",
            "ARTICLE_BOT_MAX_QUESTION_CHARS": "200",
            "ARTICLE_BOT_CHUNK_WORDS": "60",
            "ARTICLE_BOT_INTENT_MIN": "0.6",
            "ARTICLE_BOT_STANCE_CONTENT_MIN": "0.7",
        }
    )
    assert settings.corpus_dir == tmp_path / "docs"
    # Relative paths are resolved against the working directory.
    assert settings.index_dir == Path.cwd() / "relative-index"
    assert settings.model == "/models/mini"
    assert settings.citations == 5
    assert settings.min_score == pytest.approx(0.25)
    assert settings.max_question_chars == 200
    assert settings.chunking == Chunking(max_words=60)
    # The model's cosine thresholds: the ones set change, the others keep their default.
    assert settings.thresholds == Thresholds(intent=0.6, stance_content=0.7)


def test_empty_values_mean_the_default() -> None:
    settings = Settings.from_env({"ARTICLE_BOT_CITATIONS": "", "ARTICLE_BOT_MODEL": "   "})
    assert settings.citations == 3
    assert settings.model == "default"


def test_os_environ_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLE_BOT_CITATIONS", "7")
    assert Settings.from_env().citations == 7


def test_dotenv_in_the_working_directory_is_read() -> None:
    Path(".env").write_text(
        "# local settings\nARTICLE_BOT_CITATIONS=4\nARTICLE_BOT_MODEL='my-model'\n"
        "export ARTICLE_BOT_MIN_SCORE=0.3\n",
        encoding="utf-8",
    )
    settings = Settings.from_env({})
    assert settings.citations == 4
    assert settings.model == "my-model"
    assert settings.min_score == pytest.approx(0.3)


def test_the_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "ARTICLE_BOT_CITATIONS=4\nARTICLE_BOT_CHUNK_WORDS=50\n", encoding="utf-8"
    )
    monkeypatch.setenv("ARTICLE_BOT_CITATIONS", "6")
    settings = Settings.from_env()
    assert settings.citations == 6
    assert settings.chunking.max_words == 50


def test_dotenv_can_be_turned_off() -> None:
    Path(".env").write_text("ARTICLE_BOT_CITATIONS=4\n", encoding="utf-8")
    assert Settings.from_env({}, dotenv=None).citations == 3


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ARTICLE_BOT_CITATIONS", "abc", "must be a whole number, got 'abc'"),
        ("ARTICLE_BOT_CITATIONS", "2.5", "must be a whole number"),
        ("ARTICLE_BOT_CITATIONS", "0", "must be between 1 and 10, got 0"),
        ("ARTICLE_BOT_CITATIONS", "11", "must be between 1 and 10"),
        ("ARTICLE_BOT_MIN_SCORE", "high", "must be a number, got 'high'"),
        ("ARTICLE_BOT_MIN_SCORE", "1.5", "must be between"),
        ("ARTICLE_BOT_INTENT_UNCUED_MIN", "near", "must be a number, got 'near'"),
        ("ARTICLE_BOT_ECHO_MIN", "2", "must be between"),
        ("ARTICLE_BOT_MAX_QUESTION_CHARS", "5", "must be between 10 and 100000"),
        ("ARTICLE_BOT_CHUNK_WORDS", "ten", "must be a whole number"),
        ("ARTICLE_BOT_CHUNK_WORDS", "1000", "must be between 20 and 400"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({name: value})
    assert str(caught.value).startswith(f"{name} ")
    assert message in str(caught.value)


def test_a_malformed_dotenv_value_is_reported_too() -> None:
    Path(".env").write_text("ARTICLE_BOT_MIN_SCORE=lots\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="ARTICLE_BOT_MIN_SCORE"):
        Settings.from_env({})


@pytest.mark.parametrize("command", [["ask", "Who wrote it?"], ["rebuild-index", "--check"]])
def test_the_cli_reports_a_bad_setting_in_one_line_with_exit_code_2(command: list[str]) -> None:
    result = run_cli(command, env={"ARTICLE_BOT_CITATIONS": "abc"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "article-bot: error: ARTICLE_BOT_CITATIONS must be a whole number, got 'abc'"
    ]


def test_the_cli_reads_dotenv_from_its_working_directory() -> None:
    Path(".env").write_text("ARTICLE_BOT_CHUNK_WORDS=9000\n", encoding="utf-8")
    result = run_cli(["rebuild-index", "--check"], cwd=Path.cwd())
    assert result.returncode == 2
    assert "ARTICLE_BOT_CHUNK_WORDS must be between 20 and 400" in result.stderr
