"""Telegram admins add documents (``/add URL``, a file upload) and ``/documents`` lists
them, through python-telegram-bot's real Application and the Bot API stand-in (which
serves the uploaded files); a web server on 127.0.0.1 serves the URLs. Everyone else is
refused, and a bad file changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.answering import Answerer
from bot.settings import Settings
from bot.telegram.app import build_application
from tests.telegram_stub import TOKEN, BotApiStub, running_stub
from tests.test_telegram_handlers import feed
from tests.web_server import Page, WebServer, web_server

ADMIN = 777
USER = 4242
PAGE = (Path(__file__).parent / "pages" / "wordpress-library-sundays.html").read_bytes()


@pytest.fixture
def server() -> Iterator[WebServer]:
    with web_server() as running:
        yield running


@pytest.fixture
def stub() -> Iterator[BotApiStub]:
    with running_stub() as running:
        yield running


@pytest.fixture
async def app(
    stub: BotApiStub, fake_answerer: Answerer, article_corpus_dir: Path, tmp_path: Path
) -> AsyncIterator[Application]:
    settings = Settings(
        corpus_dir=article_corpus_dir,
        index_dir=tmp_path / "index",  # where fake_answerer's index was built
        telegram_token=TOKEN,
        telegram_api_base_url=stub.base_url,
        telegram_admin_ids=frozenset({ADMIN}),
    )
    application = build_application(settings, answerer=fake_answerer)
    async with application:
        yield application


def last_text(stub: BotApiStub, chat_id: int) -> str:
    return str(stub.sent("sendMessage", chat_id)[-1].params["text"])


def snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in folder.rglob("*") if p.is_file()}


async def test_an_admin_uploads_a_web_page_and_the_bot_answers_from_it(
    app: Application, stub: BotApiStub, article_corpus_dir: Path
) -> None:
    await feed(app, stub, stub.document_update(ADMIN, "library.html", PAGE, mime_type="text/html"))
    reply = last_text(stub, ADMIN)
    assert reply.startswith(
        "Added <b>Keep the Library Open on Sundays</b> by Margaret Okafor "
        "(keep-the-library-open-on-sundays.html): 7 paragraphs, 5 comments"
    )
    assert "I now answer from 2 document(s)" in reply
    assert stub.sent("getFile")
    saved = article_corpus_dir / "keep-the-library-open-on-sundays.html"
    assert saved.read_bytes() == PAGE

    await feed(app, stub, stub.message_update(USER, "What did Tom Bryce say about volunteers?"))
    answer = last_text(stub, USER)
    assert "Tom Bryce" in answer and "Comment #2 — Tom Bryce, Mar 2, 2021 11:40 am" in answer


async def test_an_admin_adds_a_url_and_documents_lists_the_source(
    app: Application, stub: BotApiStub, server: WebServer
) -> None:
    url = server.add("/2021/03/library", Page(PAGE))
    await feed(app, stub, stub.message_update(ADMIN, f"/add {url}"))
    reply = last_text(stub, ADMIN)
    assert reply.startswith("Added <b>Keep the Library Open on Sundays</b>")
    assert f"from {url}" in reply

    await feed(app, stub, stub.message_update(USER, "/documents"))
    listing = last_text(stub, USER)
    assert "<b>Is Rapprochement with Russia Still Possible?</b> by Daniel Larison" in listing
    assert "<b>Keep the Library Open on Sundays</b>" in listing
    assert f"from {url}" in listing


async def test_everyone_else_is_refused_and_nothing_is_added(
    app: Application, stub: BotApiStub, server: WebServer, article_corpus_dir: Path
) -> None:
    before = snapshot(article_corpus_dir)
    await feed(app, stub, stub.document_update(USER, "library.html", PAGE))
    assert last_text(stub, USER) == "Sorry, only the bot's admins can add documents."
    await feed(app, stub, stub.message_update(USER, f"/add {server.add('/p', Page(PAGE))}"))
    assert last_text(stub, USER) == "Sorry, only the bot's admins can add documents."
    # In a group, someone else's file is not for the bot: no reply at all.
    group_upload = stub.document_update(-100, "x.html", PAGE, chat_type="group", user_id=USER)
    await feed(app, stub, group_upload)
    assert stub.sent("sendMessage", -100) == []
    assert not stub.sent("getFile") and server.requests == []
    assert snapshot(article_corpus_dir) == before


@pytest.mark.parametrize(
    ("name", "data", "size", "expected"),
    [
        ("report.pdf", b"%PDF-1.4 broken", None,
         "Couldn't add report.pdf: report.pdf: can't be read as a PDF"),
        ("photo.png", b"\x89PNG", None,
         "Couldn't add photo.png: I read .txt, .md, .markdown, .html, .htm, .pdf, .docx files."),
        ("big.pdf", b"%PDF", 30 * 1_048_576,
         "Couldn't add big.pdf: it is 30 MiB; the limit is 20 MiB."),
        ("empty.md", b"", None, "Couldn't add empty.md: empty.md:1: the document is empty"),
    ],
    ids=["broken-pdf", "unsupported", "too-large", "empty"],
)  # fmt: skip
async def test_a_bad_upload_gets_a_clear_message_and_loses_nothing(
    app: Application,
    stub: BotApiStub,
    article_corpus_dir: Path,
    tmp_path: Path,
    name: str,
    data: bytes,
    size: int | None,
    expected: str,
) -> None:
    before = snapshot(article_corpus_dir, tmp_path / "index")
    await feed(app, stub, stub.document_update(ADMIN, name, data, file_size=size))
    assert last_text(stub, ADMIN).startswith(expected)
    assert snapshot(article_corpus_dir, tmp_path / "index") == before
    await feed(app, stub, stub.message_update(ADMIN, "Who wrote the article?"))
    assert "Daniel Larison" in last_text(stub, ADMIN)  # still answering


async def test_add_without_an_address_or_with_a_bad_one(
    app: Application, stub: BotApiStub, server: WebServer
) -> None:
    await feed(app, stub, stub.message_update(ADMIN, "/add"))
    assert last_text(stub, ADMIN).startswith("Send /add followed by a web address")
    url = server.add("/gone", Page(b"gone", "text/plain", 404))
    await feed(app, stub, stub.message_update(ADMIN, f"/add {url}"))
    assert last_text(stub, ADMIN) == f"Couldn't add that: {url}: the server answered 404 Not Found"
