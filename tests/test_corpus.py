"""Parsing: the bundled export, plain text and Markdown, a corpus of several documents,
and documents that can't be parsed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import open_knowledge
from corpus import Corpus, Document, load_corpus
from corpus.errors import CorpusError
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder

# (number, author, posted at) of every comment of the bundled article, in order.
EXPECTED_COMMENTS = [
    (1, "cornel lencar", datetime(2017, 12, 6, 23, 18)),
    (2, "Dr. Bill Wedin", datetime(2017, 12, 7, 0, 55)),
    (3, "Fran Macadam", datetime(2017, 12, 7, 8, 36)),
    (4, "craigsummers", datetime(2017, 12, 7, 10, 6)),
    (5, "Michael Kenny", datetime(2017, 12, 7, 10, 10)),
    (6, "collin", datetime(2017, 12, 7, 11, 27)),
    (7, "VikingLS", datetime(2017, 12, 7, 11, 35)),
    (8, "Paul", datetime(2017, 12, 7, 12, 20)),
    (9, "Stephen J", datetime(2017, 12, 7, 12, 59)),
    (10, "b.", datetime(2017, 12, 7, 13, 2)),
    (11, "Will Harrington", datetime(2017, 12, 7, 13, 49)),
    (12, "craigsummers", datetime(2017, 12, 7, 16, 11)),
    (13, "Ken Zaretzke", datetime(2017, 12, 7, 16, 35)),
    (14, "John", datetime(2017, 12, 8, 6, 23)),
    (15, "Dr. Diprospan", datetime(2017, 12, 8, 13, 11)),
    (16, "peter", datetime(2017, 12, 8, 16, 0)),
    (17, "Gazza", datetime(2017, 12, 10, 5, 43)),
    (18, "Gazza", datetime(2017, 12, 10, 5, 58)),
    (19, "JoAnne BRALEY", datetime(2018, 5, 20, 10, 32)),
]


@pytest.fixture(scope="module")
def article(bundled_corpus: Corpus) -> Document:
    assert len(bundled_corpus.documents) == 1
    assert bundled_corpus.problems == ()
    return bundled_corpus.documents[0]


# --- the bundled article -------------------------------------------------------------


def test_article_header(article: Document) -> None:
    assert article.kind == "export"
    assert article.title == "Is Rapprochement with Russia Still Possible?"
    assert article.site == "The American Conservative"
    assert article.url == "https://www.theamericanconservative.com"
    assert article.declared_comment_count == 19


def test_article_byline_is_not_a_paragraph(article: Document) -> None:
    assert article.author == "Daniel Larison"
    # The export has a non-breaking space in "at The"; the role reads as plain words.
    assert article.author_role == "senior editor at The American Conservative"
    assert article.byline == "Daniel Larison is senior editor at The American Conservative."
    assert article.byline_line == 28
    assert all("Larison is senior editor" not in p.text for p in article.paragraphs)


def test_article_has_eleven_numbered_paragraphs(article: Document) -> None:
    assert [p.number for p in article.paragraphs] == list(range(1, 12))
    assert article.paragraphs[0].text.startswith(
        "U.S.-Russian relations are at one of their lowest"
    )
    assert article.paragraphs[0].line == 5
    assert article.paragraphs[-1].text.startswith("A good place for the Trump administration")
    # The "19 Comments" lines are not part of the article.
    assert all("Comments" not in p.text for p in article.paragraphs)


def test_all_nineteen_comments_with_numbers_authors_and_times(article: Document) -> None:
    got = [(c.number, c.author, c.posted_at) for c in article.comments]
    assert got == EXPECTED_COMMENTS
    assert len(article.comments) == article.declared_comment_count
    assert all(isinstance(c.posted_at, datetime) for c in article.comments)


def test_comment_text_and_source_line(article: Document) -> None:
    first = article.comment(1)
    assert first is not None
    assert first.line == 34
    assert first.text.startswith("I am a close follower of your blog")
    assert first.text.endswith("you never seem to touch on them.")
    # A comment's text stops before the next comment's header.
    assert "Comment By" not in first.text
    last = article.comment(19)
    assert last is not None and last.text.endswith("but he doesn’t own them, does he?")


def test_commenters_and_repeat_commenters(article: Document) -> None:
    assert len(article.commenters) == 17
    assert [c.number for c in article.comments_by("craigsummers")] == [4, 12]
    assert [c.number for c in article.comments_by("Gazza")] == [17, 18]


def test_comment_addressing_a_misspelt_commenter_links_to_them(article: Document) -> None:
    seven = article.comment(7)
    assert seven is not None
    assert seven.addressed_to == ("Micheal Kenny",)
    assert seven.replies_to == (5,)
    assert not seven.replies_to_article


@pytest.mark.parametrize(
    ("number", "quoted", "source"),
    [
        (17, "The evidence does indicate the Russians hacked DNC", 6),
        (18, "General Flynn’s testimony that that it was Trump who approached Putin", 5),
    ],
)
def test_comment_quoting_an_earlier_comment_links_to_it(
    article: Document, number: int, quoted: str, source: int
) -> None:
    comment = article.comment(number)
    assert comment is not None
    assert any(q.startswith(quoted) for q in comment.quotes)
    assert comment.replies_to == (source,)
    assert not comment.replies_to_article


def test_comment_quoting_the_article_replies_to_the_article(article: Document) -> None:
    ten = article.comment(10)
    assert ten is not None
    assert ten.quotes and ten.quotes[0].startswith(
        "Is a normal, productive relationship with Russia"
    )
    assert ten.replies_to_article
    assert ten.replies_to == ()


def test_comment_addressing_the_author_replies_to_the_article(article: Document) -> None:
    four = article.comment(4)
    assert four is not None
    assert four.addressed_to == ("Mr. Larison",)
    assert four.replies_to_article
    assert four.replies_to == ()


def test_names_written_differently_still_link(article: Document) -> None:
    # "Cornell (above)" is cornel lencar; "Craig Summers" is craigsummers.
    assert article.comment(2).replies_to == (1,)  # type: ignore[union-attr]
    assert article.comment(11).replies_to == (4,)  # type: ignore[union-attr]
    assert article.comment(16).replies_to == (4, 12)  # type: ignore[union-attr]


def test_comments_that_reply_to_nobody(article: Document) -> None:
    for number in (1, 3, 5, 8, 13, 14, 19):
        comment = article.comment(number)
        assert comment is not None
        assert comment.replies_to == () and not comment.replies_to_article, number


# --- plain text and Markdown -------------------------------------------------------------

MARKDOWN = """\
Some front matter line that is not the title

# Notes on Diplomacy

Talks between the powers resumed in *spring* after a [long pause](https://example.org).

## Background

The treaty of 1987 limited intermediate-range missiles.

It lapsed in 2019.

## Outlook

Both sides say they want **arms control** back.
"""

PLAIN = """\
Winter Fishing on the Lake

By Jane Roe

Ice fishing needs a permit in most counties.
The permit costs ten dollars.

Holes are drilled with an auger, never a chainsaw.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_markdown_title_from_first_heading_with_sections(tmp_path: Path) -> None:
    write(tmp_path, "notes.md", MARKDOWN)
    document = load_corpus(tmp_path).documents[0]
    assert document.kind == "markdown"
    assert document.title == "Notes on Diplomacy"
    assert document.comments == ()
    assert [(p.number, p.section) for p in document.paragraphs] == [
        (1, None),
        (2, None),
        (3, "Background"),
        (4, "Background"),
        (5, "Outlook"),
    ]
    assert document.paragraphs[0].text == "Some front matter line that is not the title"
    # Markdown emphasis and link targets don't leak into the text.
    assert (
        document.paragraphs[1].text
        == "Talks between the powers resumed in spring after a long pause."
    )
    assert document.paragraphs[4].text == "Both sides say they want arms control back."
    assert document.paragraphs[2].line == 9


def test_plain_text_title_from_first_line_and_byline(tmp_path: Path) -> None:
    write(tmp_path, "fishing.txt", PLAIN)
    document = load_corpus(tmp_path).documents[0]
    assert document.kind == "text"
    assert document.title == "Winter Fishing on the Lake"
    assert document.author == "Jane Roe"
    assert [p.text for p in document.paragraphs] == [
        "Ice fishing needs a permit in most counties. The permit costs ten dollars.",
        "Holes are drilled with an auger, never a chainsaw.",
    ]
    assert [p.line for p in document.paragraphs] == [5, 8]


def test_plain_text_starting_with_a_long_paragraph_is_titled_by_its_file_name(
    tmp_path: Path,
) -> None:
    write(tmp_path, "field-notes_2024.txt", " ".join(["word"] * 40) + ".\n\nSecond.\n")
    document = load_corpus(tmp_path).documents[0]
    assert document.title == "Field notes 2024"
    assert len(document.paragraphs) == 2


# --- several documents -------------------------------------------------------------------


@pytest.fixture
def mixed_corpus_dir(article_corpus_dir: Path) -> Path:
    write(article_corpus_dir, "notes.md", MARKDOWN)
    write(article_corpus_dir, "fishing.txt", PLAIN)
    return article_corpus_dir


def test_several_documents_load_each_with_its_own_title(mixed_corpus_dir: Path) -> None:
    corpus = load_corpus(mixed_corpus_dir)
    assert corpus.problems == ()
    titles = {d.path: d.title for d in corpus.documents}
    assert titles == {
        "fishing.txt": "Winter Fishing on the Lake",
        "notes.md": "Notes on Diplomacy",
        "rapprochement-with-russia.txt": "Is Rapprochement with Russia Still Possible?",
    }


def test_hidden_and_readme_files_are_not_documents(article_corpus_dir: Path) -> None:
    write(article_corpus_dir, "README.md", "# Read me\n\nNot a document.\n")
    write(article_corpus_dir, ".draft.txt", "Draft\n\nHidden.\n")
    write(article_corpus_dir, "notes.rst", "Title\n=====\n\nNot ours.\n")
    corpus = load_corpus(article_corpus_dir)
    assert [d.path for d in corpus.documents] == ["rapprochement-with-russia.txt"]


def test_citations_name_the_document_when_there_are_several(
    mixed_corpus_dir: Path, tmp_path: Path, fake_embedder: HashingEmbedder
) -> None:
    knowledge = open_knowledge(mixed_corpus_dir, tmp_path / "index", fake_embedder, Chunking())
    answerer = Answerer(knowledge, fake_embedder, AnswerSettings())
    reply = answerer.answer("How are holes drilled for ice fishing with an auger?")
    assert reply.found
    assert reply.citations[0].passage.document == "fishing.txt"
    assert reply.citations[0].label.startswith("“Winter Fishing on the Lake”, Article ¶2")
    assert all(c.label.startswith("“") for c in reply.citations)


def test_citations_leave_the_title_out_with_one_document(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("What did Gazza say about the DNC emails?")
    assert reply.found and reply.citations
    assert reply.citations[0].label.startswith(("Comment #17 — Gazza", "Comment #18 — Gazza"))
    assert not any("Rapprochement" in c.label for c in reply.citations)


# --- documents that can't be parsed --------------------------------------------------------


def article_text() -> str:
    from tests.conftest import SEED_ARTICLE

    return SEED_ARTICLE.read_text(encoding="utf-8")


BROKEN = [
    pytest.param(
        "header.txt",
        lambda: article_text().replace(
            "#3 Comment By Fran Macadam On December 7, 2017 @ 8:36 am",
            "#3 Comment By Fran Macadam, December 7",
        ),
        47,
        "malformed comment header",
        id="malformed-header",
    ),
    pytest.param(
        "date.txt",
        lambda: article_text().replace(
            "On December 7, 2017 @ 8:36 am", "On Smarch 35, 2017 @ 8:36 am"
        ),
        47,
        "can't read the comment date 'Smarch 35, 2017 8:36 am'",
        id="bad-date",
    ),
    pytest.param(
        "latin1.txt",
        lambda: "Caf\u00e9 Notes\n\nFirst line.\nna\u00efve second.\n".encode("latin-1"),
        1,
        "is not UTF-8 text",
        id="not-utf8",
    ),
    pytest.param("empty.md", lambda: "", 1, "the document is empty", id="empty"),
    pytest.param("blank.txt", lambda: "\n  \n\t\n", 1, "the document is empty", id="blank"),
    pytest.param(
        "binary.txt", lambda: b"Title\n\nok\n\x00\x01\x02", 4, "binary file", id="nul-bytes"
    ),
    pytest.param(
        "twice.txt",
        lambda: article_text().replace("#4 Comment By craigsummers", "#3 Comment By craigsummers"),
        51,
        "comment #3 appears twice",
        id="duplicate-number",
    ),
]


@pytest.mark.parametrize(("name", "content", "line", "reason"), BROKEN)
def test_a_broken_document_is_reported_with_file_and_line_and_the_others_load(
    article_corpus_dir: Path,
    name: str,
    content,
    line: int,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    write(article_corpus_dir, name, content())
    corpus = load_corpus(article_corpus_dir)
    assert [d.path for d in corpus.documents] == ["rapprochement-with-russia.txt"]
    assert len(corpus.documents[0].comments) == 19
    [problem] = corpus.problems
    assert isinstance(problem, CorpusError)
    assert (problem.path, problem.line) == (name, line)
    assert reason in problem.reason
    assert str(problem).startswith(f"{name}:{line}: ")


def test_a_corpus_with_nothing_loadable_raises_naming_each_file(tmp_path: Path) -> None:
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "latin1.txt", "caf\u00e9\n".encode("latin-1"))
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert "empty.txt:1" in str(caught.value)
    assert "latin1.txt:1" in str(caught.value)


def test_a_missing_corpus_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")


def test_fixing_a_broken_document_changes_the_fingerprint(article_corpus_dir: Path) -> None:
    write(article_corpus_dir, "empty.txt", "")
    before = load_corpus(article_corpus_dir).fingerprint
    write(article_corpus_dir, "empty.txt", "Now a title\n\nAnd a paragraph.\n")
    after = load_corpus(article_corpus_dir)
    assert after.problems == ()
    assert after.fingerprint != before


def test_the_exports_link_markers_are_not_kept_in_article_text(bundled_corpus) -> None:  # type: ignore[no-untyped-def]
    paragraph = bundled_corpus.documents[0].paragraphs[3]
    assert "delivered a speech at the Wilson Center" in paragraph.text
    assert not any("[1]" in p.text for p in bundled_corpus.documents[0].paragraphs)
