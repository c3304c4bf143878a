"""HTML formatting and splitting under Telegram's limits; bounded per-chat state."""

from __future__ import annotations

import logging

import pytest

from bot.answering import Answerer
from bot.replies import Quote, Reply
from bot.telegram.formatting import (
    MESSAGE_LIMIT,
    callback_data,
    pack_messages,
    parse_callback_data,
    passage_blocks,
    reply_blocks,
)
from bot.telegram.redaction import TokenRedactingFilter, redact
from tests.telegram_stub import TOKEN, check_html


def commenter_quote(number: int, sentence: str) -> Quote:
    return Quote(
        "commenter", f"reader <{number}>", number, (sentence,), (0,), "comment", None, number
    )


def test_a_long_reply_is_split_at_paragraphs_never_inside_a_tag_entity_or_marker():
    quotes = [
        commenter_quote(n, (f"Line {n} says <this> & “that” again and again. " * 20).strip())
        for n in range(12)
    ]
    reply = Reply("q <&>", "answered", quotes=tuple(quotes))
    messages = pack_messages(reply_blocks(reply))
    assert len(messages) >= 3
    visible = [check_html(m) for m in messages]
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert all(text.rstrip().endswith(tuple(f"[{n}]" for n in range(12))) for text in visible)
    assert "".join(visible).count("&") == 20 * 12 + 1
    # Each speaker in bold before their words.
    assert all("<b>Commenter reader &lt;" in m for m in messages[1:])


def test_an_over_long_line_is_cut_at_words_keeping_markers_whole():
    quote = commenter_quote(12, ("word&word " * 900).strip())
    messages = pack_messages(reply_blocks(Reply("q", "answered", quotes=(quote,))))
    # 900 "word&amp;word " are 12,600 characters of HTML: four messages, the question
    # sharing the first one; the line is too long for a bold speaker.
    assert len(messages) == 4
    assert messages[0].startswith(
        "<b>Q:</b> <i>q</i>\n\nCommenter reader &lt;12&gt; (#12) writes: word&amp;word"
    )
    assert all(len(m) <= MESSAGE_LIMIT for m in messages)
    visible = [check_html(m) for m in messages]
    assert "[12]" in visible[-1] and all("[1\n" not in v for v in visible)


def test_a_huge_passage_is_quoted_in_several_expandable_blockquotes(fake_answerer: Answerer):
    reply = fake_answerer.answer("What did Gazza say about the DNC emails?")
    citation = reply.citations[0]
    huge = type(citation.passage)(
        **{
            **{f: getattr(citation.passage, f) for f in citation.passage.__slots__},
            "sentences": ("A <long> & quoted sentence. " * 600,),
        }
    )
    blocks = passage_blocks(type(citation)(1, huge, 0.5, "Comment #1 — A <b>"))
    messages = pack_messages(blocks)
    assert len(messages) >= 4 and all(len(m) <= MESSAGE_LIMIT for m in messages)
    assert all(m.count("<blockquote expandable>") >= 1 for m in messages[1:])
    for message in messages:
        check_html(message)


def test_callback_data_fits_in_64_bytes_and_round_trips():
    data = callback_data("Ab3_-xyz", 10)
    assert len(data.encode()) <= 64 and parse_callback_data(data) == ("Ab3_-xyz", 10)
    assert parse_callback_data("something else") is None
    assert parse_callback_data("cite:key:x") is None


def test_the_token_is_redacted_from_log_lines_and_tracebacks(caplog: pytest.LogCaptureFixture):
    assert TOKEN not in redact(f"POST https://api.telegram.org/bot{TOKEN}/getMe")
    logger = logging.getLogger("article_bot.test_redaction")
    caplog.handler.addFilter(TokenRedactingFilter(TOKEN))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError:
        logger.exception("failed at %s", f"https://x/bot{TOKEN}/sendMessage")
    assert TOKEN not in caplog.text and "bot<token>" in caplog.text and "<token>" in caplog.text
