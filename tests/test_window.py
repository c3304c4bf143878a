"""The sentence that answers: a question or a claim is quoted with its answer."""

from __future__ import annotations

from bot.answering import Answerer
from bot.window import answering_sentences


def test_a_question_is_answered_by_the_next_sentence_that_is_not_a_question() -> None:
    sentences = ("Is X possible?", "Or is it not?", "Despite it all, the answer is yes.", "Z.")
    assert answering_sentences(sentences, 0) == [2]
    assert answering_sentences(sentences, 3) == []


def test_a_reported_claim_is_answered_by_the_turn_after_it() -> None:
    sentences = (
        "Critics say heat pumps fail in very cold weather.",
        "But modern units keep heating well below freezing.",
    )
    assert answering_sentences(sentences, 0) == [1]
    plain = ("Heat pumps are popular in Norway.", "But they cost more up front.")
    assert answering_sentences(plain, 0) == []


def test_the_answer_is_quoted_not_only_the_question(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("Does the author think better relations with Russia are possible?")
    quoted = [s for q in reply.quotes for s in q.sentences]
    assert any("the answer is still yes" in s for s in quoted)
