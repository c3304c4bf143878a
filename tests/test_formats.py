"""Every registered format: web pages in several layouts (with and without comments),
PDF and Word files built here, and files that are not loaded are named with the reason."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from corpus import load_corpus
from corpus.errors import CorpusError
from corpus.formats import FORMATS, Format, Registry
from corpus.html_format import parse_html, saved_from_mark
from corpus.loading import MAX_DOCUMENT_BYTES, parse_bytes
from corpus.model import Document
from tests.documents import make_docx, make_pdf

PAGES = Path(__file__).parent / "pages"
SEED = Path(__file__).parent.parent / "corpus" / "bundled" / "rapprochement-with-russia.txt"


def page(name: str) -> Document:
    return parse_html((PAGES / name).read_bytes(), name)


def comments_of(document: Document) -> list[tuple[int, str, datetime | None, tuple[int, ...]]]:
    return [(c.number, c.author, c.posted_at, c.replies_to) for c in document.comments]


BOILERPLATE = ("cookie", "subscribe", "newsletter", "share on", "related", "privacy", "reply")


def assert_no_boilerplate(document: Document) -> None:
    text = " ".join(p.text for p in document.paragraphs).lower()
    for word in BOILERPLATE:
        assert word not in text, word
    for comment in document.comments:
        assert comment.text.lower().strip() != "reply"


# --- web pages -------------------------------------------------------------------------


def test_wordpress_page_article_metadata_and_sections() -> None:
    document = page("wordpress-library-sundays.html")
    assert document.kind == "html"
    assert document.title == "Keep the Library Open on Sundays"
    assert document.author == "Margaret Okafor"
    assert document.site == "The Riverside Ledger"
    assert document.published == "2021-03-02"
    assert document.source_url == "https://ledger.example/2021/03/keep-the-library-open-on-sundays/"
    assert len(document.paragraphs) == 7
    assert document.paragraphs[0].text.startswith("The town council will vote next month")
    assert document.paragraphs[2].section == "Who uses the library on weekends"
    assert document.paragraphs[6].section == "What the closure would save"
    assert_no_boilerplate(document)


def test_wordpress_comments_keep_author_time_text_and_nesting() -> None:
    document = page("wordpress-library-sundays.html")
    assert comments_of(document) == [
        (1, "Dr. Helen Park", datetime(2021, 3, 2, 9, 12), ()),
        (2, "Tom Bryce", datetime(2021, 3, 2, 11, 40), (1,)),
        (3, "Lena Fischer", datetime(2021, 3, 3, 13, 45), ()),
        (4, "Raymond Ortiz", datetime(2021, 3, 4, 18, 5), ()),
        (5, "Dr. Helen Park", datetime(2021, 3, 4, 20, 30), (4,)),
    ]
    first = document.comments[0]
    assert first.text.splitlines() == [
        "As a pediatrician I see how much reading aloud at home matters, and many of my "
        "patients' families have no books at all. The Sunday story hour is where those "
        "children first hold a book.",
        "Closing on Sundays would hurt exactly the families who cannot come during the "
        "working week.",
    ]
    # The comments are not read as the article, and the form is in neither.
    article = " ".join(p.text for p in document.paragraphs)
    assert "pediatrician" not in article
    assert not any("email address" in c.text.lower() for c in document.comments)


def test_microdata_comments_nest_replies() -> None:
    document = page("microdata-night-trains.html")
    assert document.title == "Bring Back the Night Trains"
    assert document.author == "Pieter de Vries"
    assert len(document.paragraphs) == 4
    assert comments_of(document) == [
        (1, "Ingrid Holm", datetime(2023, 10, 14, 19, 2), ()),
        (2, "Marco Bellini", datetime(2023, 10, 15, 7, 30), (1,)),
    ]
    assert document.comments[1].text == (
        "Same on the Italian routes. Bring your own breakfast and the trip is still better "
        "than flying."
    )
    assert_no_boilerplate(document)


def test_json_ld_comments_with_replies_and_markup_in_text() -> None:
    document = page("jsonld-river-cleanup.html")
    assert document.title == "Volunteers Pull Two Tons of Rubbish from the Ouse"
    assert document.author == "Sam Whitaker"
    assert document.site == "Valley Gazette"
    # The "By Sam Whitaker" line is the byline, not a paragraph.
    assert [p.text[:20] for p in document.paragraphs] == [
        "More than eighty vol",
        "The clean-up was org",
        "The council lent glo",
    ]
    assert comments_of(document) == [
        (1, "Priya Raman", datetime(2022, 5, 9, 12, 15), ()),
        (2, "George Allan", datetime(2022, 5, 9, 14, 2), (1,)),
        (3, "Bea Lowe", datetime(2022, 5, 10, 8, 40), ()),
    ]
    assert document.comments[2].text.splitlines() == [
        "Next time please put the date on the library noticeboard.",
        "Many of us older residents are not on social media.",
    ]
    assert_no_boilerplate(document)


def test_generic_comment_markup_is_found_by_its_class_names() -> None:
    document = page("generic-four-day-week.html")
    assert document.title == "The Four-Day Week Worked for Us"
    assert document.author == "Aisha Bello"
    assert len(document.paragraphs) == 3
    assert comments_of(document) == [
        (1, "kwame_o", datetime(2024, 6, 12, 16, 20), ()),
        (2, "Aisha Bello", datetime(2024, 6, 12, 17, 5), (1,)),
        (3, "Jo Turner", datetime(2024, 6, 13, 9, 45), ()),
    ]
    assert document.comments[0].text.startswith("Did anyone's clients complain")
    assert_no_boilerplate(document)


def test_a_page_without_comments_has_headed_paragraphs_and_no_comments() -> None:
    document = page("no-comments-tide-pools.html")
    assert document.title == "A Field Guide to Tide Pools"
    assert document.author == "Colm Reilly"
    assert document.comments == ()
    assert [p.section for p in document.paragraphs] == [
        "When to go",
        "When to go",
        "What you will find",
        "What you will find",
    ]
    # Only a date the page states is its date (not the footer's copyright year).
    assert document.published is None
    assert_no_boilerplate(document)


def test_a_saved_from_mark_names_the_source_address() -> None:
    data = (
        saved_from_mark("http://127.0.0.1:9/a")
        + (PAGES / "generic-four-day-week.html").read_bytes()
    )
    document = parse_html(data, "page.html")
    assert document.source_url == "http://127.0.0.1:9/a"
    assert document.url == "http://127.0.0.1:9/a"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
    ],
)
def test_a_page_with_no_article_is_a_corpus_error(data: bytes, reason: str) -> None:
    with pytest.raises(CorpusError, match=reason):
        parse_html(data, "bad.html")


# --- PDF and Word ----------------------------------------------------------------------

SECTIONS = [
    (
        "Why compost",
        [
            "Kitchen scraps make up about a third of household rubbish, and most of it could "
            "be composted in a garden bin instead of being trucked to a landfill where it "
            "releases methane as it rots.",
            "A small bin is enough for a family of four.",
        ],
    ),
    (
        "How to start",
        [
            "Mix green material such as vegetable peelings with brown material such as dry "
            "leaves or torn cardboard, roughly one part green to two parts brown.",
            "Turn the heap every couple of weeks so that air reaches the middle.",
        ],
    ),
]


@pytest.mark.parametrize(("maker", "suffix"), [(make_pdf, ".pdf"), (make_docx, ".docx")])
def test_pdf_and_word_give_title_headed_paragraphs_and_no_comments(maker, suffix: str) -> None:  # type: ignore[no-untyped-def]
    document = parse_bytes(maker("Composting at Home", SECTIONS, "Nadia Petrova"), "c" + suffix)
    assert document.kind == suffix[1:]
    assert document.title == "Composting at Home"
    assert document.author == "Nadia Petrova"
    assert document.comments == ()
    expected = [(heading, text) for heading, texts in SECTIONS for text in texts]
    assert [(p.section, p.text) for p in document.paragraphs] == expected
    assert [p.number for p in document.paragraphs] == [1, 2, 3, 4]


def test_a_pdf_without_title_metadata_takes_its_first_heading() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "Notes on Beekeeping")
    pdf.ln(14)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 5, "Bees need water close to the hive on hot days.")
    document = parse_bytes(bytes(pdf.output()), "bees.pdf")
    assert document.title == "Notes on Beekeeping"
    assert [p.text for p in document.paragraphs] == [
        "Bees need water close to the hive on hot days."
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "can't be read as a PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "can't be read as a Word"),
        ("notes.docx", b"plain text renamed", "can't be read as a Word"),
    ],
)
def test_a_broken_pdf_or_word_file_is_a_corpus_error(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(CorpusError, match=reason) as caught:
        parse_bytes(data, name)
    assert caught.value.path == name


def test_a_pdf_with_no_text_says_so() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(CorpusError, match="no text"):
        parse_bytes(bytes(pdf.output()), "scan.pdf")


# --- the registry and the corpus folder ------------------------------------------------


def test_every_format_is_registered_once_with_its_media_types() -> None:
    assert FORMATS.suffixes == (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
    assert FORMATS.for_suffix(".HTML") is FORMATS.for_suffix(".html")
    assert FORMATS.for_media_type("text/html; charset=utf-8") is FORMATS.for_suffix(".html")
    assert FORMATS.for_media_type("application/pdf") is FORMATS.for_suffix(".pdf")
    assert FORMATS.for_media_type("image/png") is None


def test_a_new_format_is_one_registration() -> None:
    registry = Registry()

    def parse_csv(data: bytes, path: str) -> Document:
        raise CorpusError(path, "csv")

    csv = registry.register(Format("CSV", (".csv",), parse_csv, ("text/csv",)))
    assert registry.for_suffix(".csv") is csv
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Format("CSV again", (".csv",), parse_csv))


def test_every_file_in_the_corpus_is_loaded_or_named_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(PAGES / "wordpress-library-sundays.html", folder / "library.html")
    (folder / "compost.pdf").write_bytes(make_pdf("Composting at Home", SECTIONS))
    (folder / "compost.docx").write_bytes(make_docx("Composting at Home", SECTIONS))
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    (folder / "notes").write_text("no suffix")
    (folder / "huge.txt").write_bytes(b"x" * (MAX_DOCUMENT_BYTES + 1))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nope")
    (folder / "gone.md").symlink_to(folder / "deleted.md")
    (folder / "README.md").write_text("not a document")
    (folder / ".hidden.txt").write_text("not a document")
    corpus = load_corpus(folder)
    assert sorted(d.path for d in corpus.documents) == [
        "compost.docx",
        "compost.pdf",
        "library.html",
        "rapprochement-with-russia.txt",
    ]
    reasons = {p.path: p.reason for p in corpus.problems}
    assert reasons["photo.png"].startswith("unsupported file type (.png); article-bot reads .txt")
    assert reasons["notes"].startswith("unsupported file type (no suffix)")
    assert "the limit is 20 MiB" in reasons["huge.txt"]
    assert "can't be read as a PDF" in reasons["broken.pdf"]
    assert reasons["gone.md"].startswith("can't be read")
    assert len(reasons) == 5
