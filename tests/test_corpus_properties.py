"""Property-based tests (hypothesis) for the parser (corpus/) and the chunker
(embeddings/passages.py): for any Unicode, any length and HTML metacharacters, parsing
gives a document or a CorpusError, never a crash; passages never cross parts, stay within
the word limit, and keep every character of their part's text."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus.errors import CorpusError
from corpus.loading import parse_bytes
from corpus.model import Comment, Document, Paragraph
from embeddings.passages import Chunking, chunk_documents, hard_limit, split_sentences

CHARACTERS = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(
        [*"<>&\"'\n\n ;#[]/*_-.!?@:", "&amp;", "<b>", "</p>", "<script>", "\u2028", "\x85"]
    ),
    # Fragments of the comment export, so the export parser's paths are reached too.
    st.sampled_from(
        [
            "- Site - http://127.0.0.1/a -\n",
            "\n19 Comments (Open | Close)\n",
            "\n#1 Comment By Ann On December 6, 2017 @ 11:18 pm\n",
            "\n#2 Comment By Bo On Dec 7, 2017 @ 1:05 am\n@Ann: ",
            "\nDaniel Larison is senior editor at The American Conservative.\n",
            "\n# Heading\n",
            "\nBy Someone Here\n",
        ]
    ),
)
TEXT = st.lists(CHARACTERS, max_size=300).map("".join)
LONG = st.tuples(TEXT, st.integers(1, 40)).map(lambda pair: pair[0] * pair[1])
ANY_TEXT = st.one_of(TEXT, LONG)
SUFFIXES = st.sampled_from([".txt", ".md", ".markdown", ".html", ".htm"])
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def document_text(document: Document) -> str:
    parts = [document.title, *(p.text for p in document.paragraphs)]
    return "\n".join(parts + [c.text for c in document.comments])


@PROPERTY
@given(text=ANY_TEXT, suffix=SUFFIXES)
@example(  # found by hypothesis: comments listed out of order
    text="0\nDaniel Larison is senior editor at The American Conservative.\n\n"
    "#2 Comment By Bo On Dec 7, 2017 @ 1:05 am\n@Ann: \n"
    "#1 Comment By Ann On December 6, 2017 @ 11:18 pm\n",
    suffix=".txt",
)
def test_any_text_parses_or_is_a_corpus_error(text: str, suffix: str) -> None:
    try:
        document = parse_bytes(text.encode("utf-8"), f"doc{suffix}")
    except CorpusError as exc:
        assert str(exc).startswith(f"doc{suffix}")
        return
    assert document.title.strip()
    assert all(p.text.strip() for p in document.paragraphs)
    assert [c.number for c in document.comments] == sorted({c.number for c in document.comments})


@PROPERTY
@given(data=st.binary(max_size=2000), suffix=SUFFIXES)
def test_any_bytes_parse_or_are_a_corpus_error(data: bytes, suffix: str) -> None:
    with contextlib.suppress(CorpusError):  # anything else fails the test
        parse_bytes(data, f"doc{suffix}")


WORD = st.text(
    st.characters(categories=("L", "N"), exclude_characters="\u2028\u2029"),
    min_size=1,
    max_size=12,
)
PUNCTUATION = st.sampled_from([" ", " ", " ", ", ", ". ", "! ", "? ", " & ", " <", "> ", "; "])
PARAGRAPH = st.lists(st.tuples(WORD, PUNCTUATION), min_size=1, max_size=60).map(
    lambda pairs: "".join(w + p for w, p in pairs).strip()
)


@PROPERTY
@given(title=WORD, paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=8))
def test_plain_text_keeps_every_word_in_order(title: str, paragraphs: list[str]) -> None:
    text = f"Title {title}\n\n" + "\n\n".join(paragraphs) + "\n"
    document = parse_bytes(text.encode("utf-8"), "doc.txt")
    words = re.findall(r"\w+", " ".join(p.text for p in document.paragraphs))
    expected = re.findall(r"\w+", "\n\n".join(paragraphs))
    if document.title != f"Title {title}":  # the first line became a paragraph
        expected = re.findall(r"\w+", text)
    assert words == expected


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


PART_TEXT = st.one_of(ANY_TEXT, st.lists(PARAGRAPH, min_size=1, max_size=30).map(" ".join))


@PROPERTY
@given(
    paragraphs=st.lists(PART_TEXT, max_size=5),
    comments=st.lists(PART_TEXT, max_size=5),
    max_words=st.integers(20, 400),
)
def test_passages_never_cross_parts_and_keep_all_text(
    paragraphs: list[str], comments: list[str], max_words: int
) -> None:
    document = Document(
        path="doc.txt",
        title="A document",
        kind="text",
        paragraphs=tuple(Paragraph(i + 1, t, i + 1) for i, t in enumerate(paragraphs)),
        comments=tuple(
            Comment(i + 1, f"Reader {i}", datetime(2017, 12, 6), t, 100 + i)
            for i, t in enumerate(comments)
        ),
    )
    chunking = Chunking(max_words=max_words)
    passages = chunk_documents([document], chunking)
    assert [p.id for p in passages] == list(range(len(passages)))
    row = 0
    for passage in passages:
        assert passage.first_sentence == row
        row += len(passage.sentences)
        assert passage.sentences and all(s.strip() for s in passage.sentences)
        assert len(passage.text.split()) <= hard_limit(chunking)
    parts = [("article", i + 1, t) for i, t in enumerate(paragraphs)]
    parts += [("comment", i + 1, t) for i, t in enumerate(comments)]
    for source_type, number, text in parts:
        own = [p for p in passages if p.part_key == ("doc.txt", source_type, number)]
        sentences = split_sentences(text, hard_limit(chunking))
        if not sentences:
            assert own == []
            continue
        # Every character of the part, in order: its passages are runs of its sentences,
        # each after the first starting with the previous one's last sentence or the next.
        assert squeezed("".join(sentences)) == squeezed(text)
        at = 0
        for piece, passage in enumerate(own):
            assert (passage.piece, passage.pieces) == (piece, len(own))
            start = at - 1 if piece and passage.sentences[0] == sentences[at - 1] else at
            if start == at - 1 and len(passage.sentences) == 1:
                start = at  # a one-sentence passage equal to the previous last sentence
            assert list(passage.sentences) == sentences[start : start + len(passage.sentences)]
            at = start + len(passage.sentences)
        assert at == len(sentences)
