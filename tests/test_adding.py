"""Adding documents: fetching a URL from a web server on 127.0.0.1 (limits and errors),
saving into the corpus folder with the source kept, and the index brought up to date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge import add_and_rebuild, index_spec
from corpus import BUNDLED_CORPUS, load_corpus
from corpus.adding import add_document, slug
from corpus.errors import ConfigurationError, CorpusError, FetchError
from corpus.fetching import fetch
from corpus.sources import SOURCES_FILE
from embeddings.index import load_index
from embeddings.passages import Chunking
from tests.documents import make_pdf
from tests.fakes import HashingEmbedder
from tests.web_server import Page, WebServer, web_server

PAGES = Path(__file__).parent / "pages"
LIBRARY = (PAGES / "wordpress-library-sundays.html").read_bytes()


@pytest.fixture
def server() -> Iterator[WebServer]:
    with web_server() as running:
        yield running


def files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its content."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- fetching --------------------------------------------------------------------------


def test_fetch_follows_redirects_and_reads_the_type(server: WebServer) -> None:
    server.add("/final", Page(LIBRARY))
    server.add("/moved", Page(status=301, location="/final", content_type=None))
    url = server.add("/old", Page(status=302, location=server.url + "/moved", content_type=None))
    fetched = fetch(url)
    assert fetched.final_url == server.url + "/final"
    assert fetched.format.name == "web page"
    assert fetched.data == LIBRARY
    assert server.requests == ["/old", "/moved", "/final"]


def test_fetch_reads_pdf_by_type_and_octet_stream_by_suffix(server: WebServer) -> None:
    pdf = make_pdf("Composting at Home", [(None, ["Compost is rotted kitchen waste."])])
    assert fetch(server.add("/doc", Page(pdf, "application/pdf"))).format.name == "PDF"
    octet = server.add("/paper.pdf", Page(pdf, "application/octet-stream"))
    assert fetch(octet).format.name == "PDF"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (Page(b"gone", "text/plain", 404), "the server answered 404 Not Found"),
        (Page(b"\x89PNG....", "image/png"), "the server sent image/png, not a document"),
        (Page(b"{}", "application/json"), "the server sent application/json"),
        (Page(b"x" * 5000), "5,000 bytes is over the 4,096 bytes limit"),
        (Page(b"x" * 5000, send_length=False), "more than the 4,096 bytes limit"),
        (Page(b"   "), "the server sent an empty document"),
        (Page(LIBRARY, delay=2.0), "no answer within 0.5 s"),
    ],
    ids=["404", "image", "json", "too-large", "too-large-streamed", "empty", "slow"],
)
def test_fetch_errors_are_one_line_and_name_the_url(
    server: WebServer, page: Page, message: str
) -> None:
    url = server.add("/page", page)
    with pytest.raises(FetchError) as caught:
        fetch(url, timeout=0.5, max_bytes=4096)
    assert str(caught.value).startswith(f"{url}: {message}")
    assert "\n" not in str(caught.value)


def test_fetch_caps_redirects(server: WebServer) -> None:
    url = server.add("/loop", Page(status=302, location="/loop", content_type=None))
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(url, max_redirects=2)
    assert len(server.requests) == 3


def test_fetch_refuses_other_schemes_and_says_when_nothing_answers(server: WebServer) -> None:
    with pytest.raises(FetchError, match="not an http:// or https:// address"):
        fetch("file:///etc/passwd")
    port = server.server.server_address[1]
    server.server.server_close()  # nothing listens there now
    with pytest.raises(FetchError, match=f"http://127.0.0.1:{port}/x: can't be fetched"):
        fetch(f"http://127.0.0.1:{port}/x", timeout=2)


# --- saving into the corpus folder -----------------------------------------------------


def test_a_document_is_saved_under_its_title_with_its_source(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    added = add_document(folder, "index.html", LIBRARY, "http://127.0.0.1:9/library")
    assert added.path == folder / "keep-the-library-open-on-sundays.html"
    assert added.path.read_bytes() == LIBRARY
    assert json.loads((folder / SOURCES_FILE).read_text()) == {
        "keep-the-library-open-on-sundays.html": "http://127.0.0.1:9/library"
    }
    [document] = load_corpus(folder).documents
    assert document.source_url == "http://127.0.0.1:9/library"
    assert load_corpus(folder).problems == ()
    # The same file again is refused; another file with the same title gets a new name.
    with pytest.raises(CorpusError, match="already in the corpus as keep-the-library"):
        add_document(folder, "copy.html", LIBRARY)
    again = add_document(folder, "b.html", LIBRARY.replace(b"Tom Bryce", b"Tom Bryce Jr"))
    assert again.path.name == "keep-the-library-open-on-sundays-2.html"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.png", b"\x89PNG", "unsupported file type (.png)"),
        ("paper.pdf", b"%PDF-1.4 broken", "can't be read as a PDF"),
        ("empty.txt", b"", "the document is empty"),
        ("page.html", b"<html><body><nav>Home</nav></body></html>", "no article text"),
    ],
)
def test_a_bad_file_writes_nothing(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "keep.md").write_text("# Keep\n\nThis stays.\n")
    before = files(folder)
    with pytest.raises(CorpusError) as caught:
        add_document(folder, name, data, "http://127.0.0.1:9/x")
    assert reason in str(caught.value)
    assert files(folder) == before


def test_slug() -> None:
    assert slug("Keep the Library Open on Sundays!") == "keep-the-library-open-on-sundays"
    assert slug("Café — “Straße” 2024") == "cafe-strae-2024"
    assert slug("???") == ""


def test_adding_rebuilds_the_index_with_the_source_in_its_passages(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    embedder = HashingEmbedder()
    document, knowledge, report = add_and_rebuild(
        article_corpus_dir,
        tmp_path / "index",
        embedder,
        Chunking(),
        "page.html",
        LIBRARY,
        "http://127.0.0.1:9/library",
    )
    assert document.title == "Keep the Library Open on Sundays"
    assert document.source_url == "http://127.0.0.1:9/library"
    assert report.documents == 2
    index = load_index(tmp_path / "index", index_spec(knowledge.corpus, embedder, Chunking()))
    added = [p for p in index.passages if p.document == document.path]
    assert added and {p.source_url for p in added} == {"http://127.0.0.1:9/library"}
    assert {p.source_url for p in index.passages if p.document != document.path} == {None}


def test_a_bad_upload_leaves_corpus_and_index_untouched(
    tmp_path: Path, article_corpus_dir: Path
) -> None:
    embedder = HashingEmbedder()
    index_dir = tmp_path / "index"
    add_and_rebuild(article_corpus_dir, index_dir, embedder, Chunking(), "a.html", LIBRARY)
    corpus_before = files(article_corpus_dir)
    index_before = files(index_dir)
    with pytest.raises(CorpusError):
        add_and_rebuild(
            article_corpus_dir, index_dir, embedder, Chunking(), "b.pdf", b"%PDF broken"
        )
    assert files(article_corpus_dir) == corpus_before
    assert files(index_dir) == index_before


def test_nothing_is_added_to_the_bundled_article_folder(tmp_path: Path) -> None:
    before = files(BUNDLED_CORPUS)
    with pytest.raises(ConfigurationError, match="set ARTICLE_BOT_CORPUS_DIR to a folder"):
        add_and_rebuild(
            BUNDLED_CORPUS, tmp_path / "index", HashingEmbedder(), Chunking(), "a.html", LIBRARY
        )
    assert files(BUNDLED_CORPUS) == before
