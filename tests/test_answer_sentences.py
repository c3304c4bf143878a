"""Choosing the sentence that answers: the kind of fact asked for and the question's words."""

from __future__ import annotations

import pytest

from bot.answer_sentences import answer_cue, fits, sentence_score, word_share


@pytest.mark.parametrize(
    ("question", "cue"),
    [
        ("When did Chandrayaan-3 land?", "time"),
        ("In what year was the treaty signed?", "time"),
        ("How many astronauts walked on the Moon?", "quantity"),
        ("How far away is the Moon?", "quantity"),
        ("What percentage of the light does it reflect?", "quantity"),
        ("Who proposed the fission hypothesis?", "person"),
        ("What are the dark plains called?", None),
        ("Why is the sky black?", None),
    ],
)
def test_the_kind_of_fact_a_question_asks_for(question: str, cue: str | None) -> None:
    assert answer_cue(question) == cue


def test_a_sentence_fits_the_kind_of_fact() -> None:
    assert fits("time", "It landed on 23 August 2023 near the pole.", "When did it land?")
    assert fits("time", "He explained it in the early sixteenth century.", "When?")
    assert not fits("time", "It landed near the pole.", "When did it land?")
    assert fits("quantity", "Twelve astronauts walked there.", "How many astronauts?")
    assert not fits("quantity", "Astronauts walked there.", "How many astronauts?")
    who = "Who first explained earthshine?"
    assert fits("person", "It was explained by Leonardo da Vinci.", who)
    # A capital that only starts the sentence, or a name the question holds, names no one.
    assert not fits("person", "This glow is called earthshine.", who)
    assert not fits("person", "The glow on the Moon is earthshine.", "Who saw the Moon?")


def test_word_share_is_weighted_by_rarity() -> None:
    weights = {"largest": 3.0, "crater": 1.0}
    assert word_share(weights, "The largest crater is the basin.") == 1.0
    assert word_share(weights, "Craters are common.") == 0.25
    assert word_share({}, "Anything.") == 0.0


def test_the_sentence_stating_the_asked_fact_wins_a_close_call() -> None:
    question = "When did the probe land?"
    weights = {"probe": 1.0, "land": 1.0}
    dated = sentence_score(0.50, weights, "time", "The probe landed in 1966.", question)
    undated = sentence_score(0.52, weights, "time", "The probe landed softly.", question)
    assert dated > undated
