"""Property-based tests (hypothesis) for the Telegram answer formatter and splitter: for any
Unicode, any length and any HTML metacharacters, every message is valid Telegram HTML (as
the stand-in checks it: known tags, balanced, ``<``/``&`` escaped), at most 4,096
characters, never blank, and no text is lost or reordered.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.rendering import answer_text
from bot.replies import Citation, Quote, Reply
from bot.telegram.formatting import (
    MESSAGE_LIMIT,
    html_text,
    pack_messages,
    passage_blocks,
    reply_blocks,
    split_plain,
    telegram_length,
)
from embeddings.passages import Passage
from tests.telegram_stub import check_html

# Any character Python can send as UTF-8 (no lone surrogates), with HTML metacharacters,
# astral characters (two UTF-16 units each) and line breaks made common.
CHARACTERS = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from([*"<>&\"'\n ;#[]/", "&amp;", "&lt;", "<b>", "</i>", "😀", "\u2028"]),
)
TEXT = st.lists(CHARACTERS, max_size=400).map("".join)
# Long texts come from repeating a short random one, so that hypothesis stays fast.
LONG = st.tuples(TEXT, st.integers(1, 60)).map(lambda pair: pair[0] * pair[1])
ANY_TEXT = st.one_of(TEXT, LONG)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def words(text: str) -> str:
    """The text without any whitespace: what must survive splitting unchanged."""
    return "".join(text.split())


def assert_valid_messages(messages: list[str]) -> list[str]:
    """Each message as Telegram would accept it; their visible texts."""
    visible = []
    for message in messages:
        assert telegram_length(message) <= MESSAGE_LIMIT
        text = check_html(message)  # raises like Telegram on bad HTML
        assert text.strip()  # Telegram refuses an empty message
        visible.append(text)
    return visible


def passage(text: str) -> Passage:
    return Passage(
        id=0,
        document="doc.txt",
        document_title="A title",
        source_type="comment",
        paragraph=None,
        comment_number=1,
        author="Someone",
        posted_at=None,
        piece=0,
        pieces=1,
        sentences=(text,),
    )


QUOTES = st.lists(
    st.builds(
        lambda role, speaker, number, sentences: Quote(
            role,
            speaker,
            number,
            tuple(sentences),
            tuple(range(len(sentences))),
            "comment" if role == "commenter" else "article",
            None,
            number,
        ),
        st.sampled_from(["author", "commenter", "article"]),
        TEXT,
        st.integers(1, 9),
        st.lists(ANY_TEXT, min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=5,
)


@PROPERTY
@given(quotes=QUOTES)
def test_any_answer_is_valid_html_within_the_limit_and_loses_no_text(quotes):
    reply = Reply(question="", verdict="answered", quotes=tuple(quotes))
    visible = assert_valid_messages(pack_messages(reply_blocks(reply)))
    assert words("".join(visible)) == words(answer_text(reply))


@PROPERTY
@given(question=ANY_TEXT, quotes=QUOTES, labels=st.lists(TEXT, max_size=5))
def test_any_reply_with_question_and_sources_is_valid_html_within_the_limit(
    question, quotes, labels
):
    citations = tuple(
        Citation(number, passage("quoted"), 0.5, label)
        for number, label in enumerate(labels, start=1)
    )
    reply = Reply(question, "answered", quotes=tuple(quotes), citations=citations)
    visible = assert_valid_messages(pack_messages(reply_blocks(reply)))
    assert words(answer_text(reply)) in words("".join(visible))
    if citations:
        assert "Sources" in visible[-1]


@PROPERTY
@given(text=ANY_TEXT, label=TEXT)
def test_any_cited_passage_shown_in_full_is_valid_html_within_the_limit(text, label):
    citation = Citation(3, passage(text), 0.5, label)
    visible = assert_valid_messages(pack_messages(passage_blocks(citation)))
    assert words(text) in words("".join(visible))


@PROPERTY
@given(text=ANY_TEXT, limit=st.integers(8, MESSAGE_LIMIT))
def test_splitting_plain_text_keeps_every_piece_within_the_limit_and_in_order(text, limit):
    pieces = split_plain(text, limit, html_text)
    assert all(telegram_length(html_text(piece)) <= limit for piece in pieces)
    assert words("".join(pieces)) == words(text)
    if len(pieces) > 1:
        assert all(piece.strip() for piece in pieces)
