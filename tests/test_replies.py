"""Replies are data: they survive a JSON round trip, and renderers mark gaps in quotes."""

from __future__ import annotations

import json

import pytest

from bot.answering import Answerer
from bot.rendering import answer_lines, answer_text, quote_text, render_reply, reply_json
from bot.replies import Quote, Reply


@pytest.mark.parametrize(
    "question",
    [
        "What did Gazza say about the DNC emails?",  # quotes
        "How many comments are there?",  # facts
        "Who commented more than once?",  # facts with lists
        "Who wrote comment 40?",  # not found, with a reason and detail
        "x" * 2000,  # invalid, with detail
    ],
)
def test_a_reply_survives_a_json_round_trip(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    stored = json.dumps(reply.to_json(), ensure_ascii=False)
    restored = Reply.from_json(json.loads(stored))
    assert restored == reply
    assert render_reply(restored) == render_reply(reply)


def test_sentences_that_are_not_consecutive_are_never_run_together() -> None:
    quote = Quote("author", "A. Writer", 2, ("One.", "Three.", "Four."), (0, 2, 3))
    assert quote.runs() == [("One.",), ("Three.", "Four.")]
    assert quote_text(quote) == "One. … Three. Four. [2]"
    reply = Reply("q", "answered", quotes=(quote,))
    assert answer_text(reply) == "The author, A. Writer, writes: One. … Three. Four. [2]"


def test_one_speaker_quoted_twice_in_a_row_shares_a_line() -> None:
    first = Quote("commenter", "Gazza", 1, ("A.",), (0,), "comment", None, 17)
    second = Quote("commenter", "Gazza", 2, ("B.",), (1,), "comment", None, 17)
    other = Quote("article", None, 3, ("C.",), (4,), "article", 2)
    lines = answer_lines(Reply("q", "answered", quotes=(first, second, other)))
    assert [(line.lead, line.body) for line in lines] == [
        ("Commenter Gazza (#17) writes:", "A. [1] B. [2]"),
        ("The article says:", "C. [3]"),
    ]


def test_ask_json_keeps_its_fields_and_adds_the_structure(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("What did Gazza say about the DNC emails?")
    record = reply_json(reply)
    assert list(record)[:4] == ["question", "found", "answer", "citations"]
    assert record["answer"] == answer_text(reply)
    assert set(record) >= {"verdict", "reason", "kind", "quotes", "facts"}
    citation_fields = {
        "number",
        "label",
        "source_type",
        "document",
        "document_path",
        "paragraph",
        "comment_number",
        "author",
        "posted_at",
        "text",
        "score",
    }
    assert all(citation_fields <= set(c) for c in record["citations"])
    numbers = {c["number"] for c in record["citations"]}
    assert {q["citation"] for q in record["quotes"]} == numbers
