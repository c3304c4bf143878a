"""Hostile or odd questions never crash the answering core and get a clear message; a
question the document can't answer says so."""

from __future__ import annotations

import pytest

from bot.answering import Answerer, AnswerSettings
from bot.replies import NOT_FOUND

ASK_IN_WORDS = "Please ask a question in words."
ASK_SOMETHING = "Please ask a question about the article or its comments."


@pytest.mark.parametrize(
    "question",
    ["", " ", "\n\t  \r\n", "\u200b\u200b", "\u200f\u200e", "\x00", "<b></b>", "&nbsp;"],
    ids=["empty", "space", "whitespace", "zero-width", "rtl-marks", "nul", "empty-html", "entity"],
)
def test_an_empty_question_asks_for_one(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    assert not reply.found
    assert reply.kind == "invalid"
    assert reply.answer == ASK_SOMETHING
    assert reply.citations == ()
    assert reply.question == question


@pytest.mark.parametrize(
    "question",
    ["?", "?!?!", "...", "😀🔥🇺🇦", "— – ¯", "<i>???</i>"],
    ids=["mark", "marks", "dots", "emoji", "dashes", "html-marks"],
)
def test_punctuation_or_emoji_only_asks_for_words(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    assert not reply.found
    assert reply.kind == "invalid"
    assert reply.answer == ASK_IN_WORDS
    assert reply.citations == ()


def test_a_question_over_the_length_limit_is_refused_not_truncated(
    fake_answerer: Answerer,
) -> None:
    question = "Who wrote the article? " + "x" * 1000
    reply = fake_answerer.answer(question)
    assert not reply.found
    assert reply.kind == "invalid"
    assert reply.answer == (
        "Your question is 1,023 characters long; the limit is 1,000. Please ask something shorter."
    )
    assert reply.citations == ()
    assert reply.question == question  # kept whole


def test_the_limit_is_a_setting_and_a_question_at_the_limit_is_answered(
    fake_answerer: Answerer,
) -> None:
    strict = Answerer(
        fake_answerer.knowledge, fake_answerer.embedder, AnswerSettings(max_question_chars=22)
    )
    assert strict.answer("Who wrote the article?").found  # exactly 22 characters
    assert "the limit is 22" in strict.answer("Who wrote the article??").answer


def test_the_limit_counts_the_cleaned_question(fake_answerer: Answerer) -> None:
    # Padding that cleaning removes (spaces, zero-width characters) doesn't count.
    reply = fake_answerer.answer("Who wrote the article?" + " " * 2000 + "\u200b" * 2000)
    assert reply.found and "Daniel Larison" in reply.answer


@pytest.mark.parametrize(
    "question",
    [
        "Who\u200b wrote\u200b the article?",  # zero-width spaces inside words
        "\u202eWho wrote the article?\u202c",  # right-to-left override
        "\u200fWho wrote the article?\u200f",  # RTL marks
        "Who wrote the arti\u0301cle?",  # a combining accent
        "Who wrote\x00 the article?",  # NUL
        "Who wrote\r\nthe article?\x1b[31m",  # line break and an escape sequence
        "\ufeffWho wrote the article?",  # byte-order mark
        "Ｗｈｏ ｗｒｏｔｅ the article?",  # full-width letters
    ],
    ids=[
        "zero-width",
        "rtl-override",
        "rtl-marks",
        "combining",
        "nul",
        "control",
        "bom",
        "fullwidth",
    ],
)
def test_odd_unicode_is_cleaned_and_answered(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    assert reply.found
    assert "Daniel Larison" in reply.answer
    assert reply.question == question
    assert [c.label for c in reply.citations] == ["Article byline"]


def test_html_in_the_question_is_read_as_text(fake_answerer: Answerer) -> None:
    question = "<b>Who wrote</b> the article &amp; why?"
    reply = fake_answerer.answer(question)
    assert reply.found
    assert "Daniel Larison" in reply.answer
    assert "<b>" not in reply.answer and "&amp;" not in reply.answer
    assert reply.question == question


def test_a_script_tag_is_not_echoed(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("<script>alert(1)</script> What did Gazza say about the DNC?")
    assert reply.found
    assert "<script>" not in reply.answer
    assert {c.passage.author for c in reply.citations} == {"Gazza"}


def test_a_very_long_word_does_not_crash(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("Russia" * 150)
    assert reply.kind in ("content", "not_found")


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    ["What is the tallest mountain in Africa?", "How do I bake sourdough bread?"],
)
def test_an_unanswerable_question_is_not_found(real_answerer: Answerer, question: str) -> None:
    reply = real_answerer.answer(question)
    assert reply.found is False
    assert reply.kind == "not_found"
    assert reply.answer == NOT_FOUND == "I couldn't find that in the article or its comments."
    assert reply.citations == ()
    assert reply.to_json() == {
        "question": question,
        "found": False,
        "answer": NOT_FOUND,
        "citations": [],
    }


@pytest.mark.integration
def test_the_same_question_in_the_document_is_found(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("What does the author think about sending arms to Ukraine?")
    assert reply.found
    assert reply.citations[0].label == "Article ¶11"
