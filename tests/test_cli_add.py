"""``article-bot add`` through the console script (real model): a URL served on
127.0.0.1 and a local PDF become documents, the index is updated, answers show the
source, and a bad URL is one line on stderr with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.documents import make_pdf
from tests.test_cli_support import run_cli
from tests.web_server import Page, web_server

pytestmark = pytest.mark.integration

PAGE = (Path(__file__).parent / "pages" / "wordpress-library-sundays.html").read_bytes()


def test_add_a_url_and_a_pdf_then_ask(tmp_path: Path, article_corpus_dir: Path) -> None:
    env = {
        "ARTICLE_BOT_CORPUS_DIR": str(article_corpus_dir),
        "ARTICLE_BOT_INDEX_DIR": str(tmp_path / "index"),
    }
    with web_server() as server:
        server.add("/2021/03/library", Page(PAGE))
        url = server.add("/l", Page(status=301, location="/2021/03/library", content_type=None))
        added = run_cli(["add", url], env, timeout=600)
        refused = run_cli(["add", server.add("/logo", Page(b"\x89PNG", "image/png"))], env)
    assert added.returncode == 0, added.stderr
    final = server.url + "/2021/03/library"
    assert added.stdout.splitlines()[0] == (
        "Added “Keep the Library Open on Sundays” (keep-the-library-open-on-sundays.html) "
        f"by Margaret Okafor: 7 paragraphs, 5 comments, from {final}"
    )
    assert "Indexed 2 document(s)" in added.stdout
    assert (article_corpus_dir / "keep-the-library-open-on-sundays.html").read_bytes() == PAGE

    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"article-bot: error: {server.url}/logo: the server sent image/png, not a document "
        "article-bot reads (a web page, text, PDF or Word file)"
    )
    assert sorted(p.name for p in article_corpus_dir.iterdir()) == [
        "_sources.json",
        "keep-the-library-open-on-sundays.html",
        "rapprochement-with-russia.txt",
    ]

    pdf = tmp_path / "compost.pdf"
    pdf.write_bytes(
        make_pdf(
            "Composting at Home",
            [
                (
                    "How to start",
                    [
                        "Mix green material such as vegetable peelings with brown material "
                        "such as dry leaves or torn cardboard, one part green to two parts "
                        "brown.",
                        "Turn the compost heap every couple of weeks so that air reaches "
                        "the middle.",
                    ],
                )
            ],
        )
    )
    added_pdf = run_cli(["add", str(pdf)], env, timeout=600)
    assert added_pdf.returncode == 0, added_pdf.stderr
    assert added_pdf.stdout.startswith("Added “Composting at Home” (composting-at-home.pdf)")
    assert "Indexed 3 document(s)" in added_pdf.stdout

    (article_corpus_dir / "notes.odt").write_bytes(b"PK\x03\x04")  # not a type it reads
    questions = (
        "What did Tom Bryce say about volunteers?\nHow often should the compost heap be turned?\n"
    )
    asked = run_cli(["ask", "--json", "-"], env, stdin=questions, timeout=600)
    assert asked.returncode == 0, asked.stderr
    assert "article-bot: skipped a document: notes.odt: unsupported file type (.odt)" in (
        asked.stderr
    )
    assert "building it now" not in asked.stderr  # add left the index current
    tom, compost = (json.loads(line) for line in asked.stdout.splitlines())
    assert tom["citations"][0]["label"].endswith("Comment #2 — Tom Bryce, Mar 2, 2021 11:40 am")
    assert tom["citations"][0]["source_url"] == final
    assert compost["citations"][0]["document_path"] == "composting-at-home.pdf"
    assert compost["citations"][0]["source_url"] is None
