"""Shared fixtures: isolated environment per test, a fake and the real embedder,
indexes built once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import Knowledge, open_knowledge
from bot.settings import Settings
from corpus import BUNDLED_CORPUS, Corpus, load_corpus
from embeddings.index import BuildOptions
from embeddings.passages import Chunking
from embeddings.vector_cache import VectorCache
from tests.fakes import HashingEmbedder
from tests.redis_server import RedisServer
from tests.telegram_stub import TOKEN, BotApiStub

SEED_ARTICLE = BUNDLED_CORPUS / "rapprochement-with-russia.txt"
SHARED_EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder per session: the ONNX export is made once and shared."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session_cache_dir: Path
) -> Iterator[None]:
    """Each test runs in its own working directory with no article-bot / Telegram settings
    (except the session's cache folder, so the model is exported once)."""
    for name in list(os.environ):
        if name.startswith(("ARTICLE_BOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ARTICLE_BOT_CACHE_DIR", str(session_cache_dir))
    workdir = tmp_path / "work"
    workdir.mkdir()
    # The default index folder is in the user's cache: each test gets its own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(workdir)
    yield


@pytest.fixture(scope="session")
def bundled_corpus() -> Corpus:
    return load_corpus(BUNDLED_CORPUS)


@pytest.fixture
def article_corpus_dir(tmp_path: Path) -> Path:
    """A corpus folder holding a copy of the bundled article (safe to modify)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    return folder


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def fake_knowledge(
    article_corpus_dir: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> Knowledge:
    return open_knowledge(article_corpus_dir, tmp_path / "index", fake_embedder, Chunking())


@pytest.fixture
def fake_answerer(fake_knowledge: Knowledge, fake_embedder: HashingEmbedder) -> Answerer:
    return Answerer(fake_knowledge, fake_embedder, AnswerSettings())


@pytest.fixture(scope="session")
def real_embedder(session_cache_dir: Path):  # type: ignore[no-untyped-def]
    """The real bundled model on the default backend (ONNX), loaded once per session."""
    from embeddings.onnx_model import OnnxEmbedder

    embedder = OnnxEmbedder(cache_dir=session_cache_dir)
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def torch_embedder():  # type: ignore[no-untyped-def]
    """The real bundled model on sentence-transformers (torch), loaded once per session."""
    from embeddings.sentence_model import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def real_index_dir(  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory, real_embedder, session_cache_dir: Path
) -> Path:
    """The bundled corpus indexed once per session with the real model. Its vectors go
    into the session's embedding cache, so the CLI tests' rebuilds of the bundled
    article embed nothing (and load no model)."""
    folder = tmp_path_factory.mktemp("real-index") / "index"
    cache = VectorCache(session_cache_dir / "embeddings.sqlite")
    open_knowledge(BUNDLED_CORPUS, folder, real_embedder, Chunking(), options=BuildOptions(cache))
    return folder


@pytest.fixture
def index_copy(real_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session's real index (current for the bundled article)."""
    folder = tmp_path / "shared-index"
    shutil.copytree(real_index_dir, folder)
    return folder


@pytest.fixture(scope="session")
def real_answerer(real_index_dir: Path, real_embedder) -> Answerer:  # type: ignore[no-untyped-def]
    knowledge = open_knowledge(BUNDLED_CORPUS, real_index_dir, real_embedder, Chunking())
    return Answerer(knowledge, real_embedder, AnswerSettings())


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session; tests keep apart by key prefix."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stub() -> Iterator[BotApiStub]:
    """A Bot API stand-in on 127.0.0.1 (see tests/telegram_stub.py)."""
    with BotApiStub() as running:
        yield running


@pytest.fixture
def settings(stub: BotApiStub) -> Settings:
    """Settings for a bot that talks to ``stub``."""
    return Settings(telegram_token=TOKEN, telegram_api_base_url=stub.base_url)
