"""Hostile or odd questions never crash the answering core and get a clear message; a
question the document can't answer says so."""

from __future__ import annotations

import unicodedata

import pytest

from bot.answering import Answerer, AnswerSettings
from bot.questions import clean_question
from bot.rendering import NOT_FOUND, answer_text, reply_json

ASK_IN_WORDS = "Please ask a question in words."
ASK_SOMETHING = "Please ask a question about the article or its comments."


@pytest.mark.parametrize(
    "question",
    ["", " ", "\n\t  \r\n", "\u200b\u200b", "\u200f\u200e", "\x00", "<b></b>", "&nbsp;"],
    ids=["empty", "space", "whitespace", "zero-width", "rtl-marks", "nul", "empty-html", "entity"],
)
def test_an_empty_question_asks_for_one(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    assert (reply.verdict, reply.reason) == ("invalid", "empty")
    assert answer_text(reply) == ASK_SOMETHING
    assert reply.citations == ()
    assert reply.question == ""  # nothing invisible is echoed


@pytest.mark.parametrize(
    "question",
    ["?", "?!?!", "...", "😀🔥🇺🇦", "— – ¯", "<i>???</i>"],
    ids=["mark", "marks", "dots", "emoji", "dashes", "html-marks"],
)
def test_punctuation_or_emoji_only_asks_for_words(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    assert (reply.verdict, reply.reason) == ("invalid", "no_words")
    assert answer_text(reply) == ASK_IN_WORDS
    assert reply.citations == ()


def test_a_question_over_the_length_limit_is_refused_not_truncated(
    fake_answerer: Answerer,
) -> None:
    question = "Who wrote the article? " + "x" * 1000
    reply = fake_answerer.answer(question)
    assert (reply.verdict, reply.reason) == ("invalid", "too_long")
    assert reply.detail == {"length": 1023, "limit": 1000}
    assert answer_text(reply) == (
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
    assert strict.answer("Who wrote the article??").detail == {"length": 23, "limit": 22}


def test_the_limit_counts_the_cleaned_question(fake_answerer: Answerer) -> None:
    # Padding that cleaning removes (spaces, zero-width characters) doesn't count.
    reply = fake_answerer.answer("Who wrote the article?" + " " * 2000 + "\u200b" * 2000)
    assert reply.found and reply.facts[0].values["author"] == "Daniel Larison"


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
    assert reply.facts[0].values["author"] == "Daniel Larison"
    assert reply.question == clean_question(question)
    assert reply.question.replace("\u0301", "") in (
        "Who wrote the article?",
        "Who wrote the artícle?",
    )
    assert [c.label for c in reply.citations] == ["Article byline"]


def test_html_in_the_question_is_read_as_text(fake_answerer: Answerer) -> None:
    question = "<b>Who wrote</b> the article &amp; why?"
    reply = fake_answerer.answer(question)
    assert reply.found
    assert reply.facts[0].values["author"] == "Daniel Larison"
    assert "<b>" not in answer_text(reply) and "&amp;" not in answer_text(reply)
    assert reply.question == "Who wrote the article & why?"


def test_a_script_tag_is_not_echoed(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("<script>alert(1)</script> What did Gazza say about the DNC?")
    assert reply.found
    assert "<script>" not in answer_text(reply)
    assert {c.passage.author for c in reply.citations} == {"Gazza"}


def test_a_very_long_word_does_not_crash(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("Russia" * 150)
    assert reply.verdict in ("answered", "not_found")


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    ["What is the tallest mountain in Africa?", "How do I bake sourdough bread?"],
)
def test_an_unanswerable_question_is_not_found(real_answerer: Answerer, question: str) -> None:
    reply = real_answerer.answer(question)
    assert reply.found is False
    assert (reply.verdict, reply.reason) == ("not_found", "no_match")
    assert reply.citations == ()
    assert reply_json(reply) == {
        "question": question,
        "found": False,
        "answer": NOT_FOUND,
        "citations": [],
        "verdict": "not_found",
        "kind": "content",
        "reason": "no_match",
        "detail": {},
        "quotes": [],
        "facts": [],
        "understood": None,
    }
    assert NOT_FOUND == "I couldn't find that in the article or its comments."


@pytest.mark.integration
def test_the_same_question_in_the_document_is_found(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("What does the author think about sending arms to Ukraine?")
    assert reply.found
    assert reply.citations[0].label == "Article ¶11"


# --- terminal escapes, C0/C1 and bidi controls (issue #8 row 12) ------------------------

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[31mWho wrote the article?\x1b[0m", "Who wrote the article?"),
        ("\x1b[1;38;5;196mWho\x1b[22m wrote it?", "Who wrote it?"),
        ("\x1b]0;new title\x07Who wrote it?", "Who wrote it?"),  # OSC, BEL-terminated
        ("\x1b]8;;http://127.0.0.1/\x1b\\Who\x1b]8;;\x1b\\ wrote it?", "Who wrote it?"),
        ("\x1bPq#0;2;0;0;0\x1b\\Who wrote it?", "Who wrote it?"),  # DCS (sixel)
        ("\x9b31mWho\x9b0m wrote it?", "Who wrote it?"),  # 8-bit CSI (U+009B)
        ("\x9d0;title\x9cWho wrote it?", "Who wrote it?"),  # 8-bit OSC and ST
        ("\x1b(BWho\x1b7 wrote\x1b8 it?", "Who wrote it?"),  # charset and cursor escapes
        ("Who\x85wrote\x80it\x9f?", "Who wrote it ?"),  # lone C1 controls
        ("Who\x07wrote\x08it\x7f?", "Who wrote it ?"),  # C0 controls and DEL
        ("Who wrote it?\x1b", "Who wrote it?"),  # a lone ESC at the end
        ("Who \x1b]0;wrote it?", "Who 0;wrote it?"),  # an unterminated OSC: its text stays
    ],
)
def test_terminal_escapes_and_controls_are_removed(raw: str, clean: str) -> None:
    assert clean_question(raw) == clean


@pytest.mark.parametrize("control", list(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_controls_are_removed(control: str) -> None:
    assert clean_question(f"{control}Who wrote{control} the article?{control}") == (
        "Who wrote the article?"
    )


def test_a_question_with_every_kind_of_control_is_echoed_clean(fake_answerer: Answerer) -> None:
    question = "\x1b[31m\u202eWho\x9b1m wrote\u2066 the\x85 article?\u061c\x1b[0m"
    reply = fake_answerer.answer(question)
    assert reply.found and "Daniel Larison" in answer_text(reply)
    echoed = reply_json(reply)["question"]
    assert echoed == "Who wrote the article?"
    assert not [ch for ch in echoed if unicodedata.category(ch) in ("Cc", "Cf")]


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "Who wrote the article?",
        "What does the author think about sending arms to Ukraine?",
        "What did Gazza say about the DNC emails?",
    ],
)
def test_a_coloured_question_is_answered_like_the_plain_one(
    real_answerer: Answerer, question: str
) -> None:
    words = question.split()
    coloured = f"\x1b[31m{words[0]}\x1b[0m \x1b[1;4m{' '.join(words[1:])}\x1b[0m"
    assert real_answerer.answer(coloured).to_json() == real_answerer.answer(question).to_json()
