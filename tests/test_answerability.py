"""The checks that an answer holds what the question asks for, not just its topic."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.answerability import (
    expected_answer,
    named_topic_covered,
    states,
    unfamiliar_names,
    unfamiliar_years,
)
from bot.answering import Answerer
from embeddings.sparse import tokenize


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("In what year was the Magnitsky Act signed?", "year"),
        ("Which year did the US leave the ABM Treaty?", "year"),
        ("What date was comment 4 posted?", "year"),
        ("How many cities were in the study?", "quantity"),
        ("How much does a train pass cost?", "quantity"),
        ("What percentage of workers are remote?", "quantity"),
        ("When did the reset stall?", None),  # "when" asks about events as often as dates
        ("How long will the sanctions stay?", None),
        ("Why did the reset fail?", None),
    ],
)
def test_the_answer_type_a_question_asks_for(question: str, expected: str | None) -> None:
    assert expected_answer(question) == expected


@pytest.mark.parametrize(
    ("answer_type", "sentence", "stated"),
    [
        ("year", "The 2008 war was a product of recklessness.", True),
        ("year", "He posted it in March, after the summit.", True),
        ("year", "That happened two decades ago.", True),
        ("year", "The ABM Treaty was abandoned by Washington.", False),
        ("year", "Eighty kilometres were built.", False),
        ("quantity", "Eighty kilometres were built.", True),
        ("quantity", "My train pass costs 280 dollars a month.", True),
        ("quantity", "The trip takes over an hour.", True),
        ("quantity", "Attendance has stalled at roughly half of its old level.", True),
        ("quantity", "The treaty limits warheads on both sides.", False),
    ],
)
def test_whether_a_sentence_states_it(answer_type: str, sentence: str, stated: bool) -> None:
    assert states(answer_type, [sentence]) is stated  # type: ignore[arg-type]


def test_a_named_commenter_needs_the_topic_in_words_or_meaning() -> None:
    assert named_topic_covered(None, 0.0, 0.35)  # "What did Gazza say?": no topic to check
    assert named_topic_covered(0.5, 0.1, 0.35)  # their comments use the topic's words
    assert named_topic_covered(0.0, 0.4, 0.35)  # or one sentence is close in meaning
    assert not named_topic_covered(0.0, 0.3, 0.35)
    assert not named_topic_covered(0.2, 0.2, 0.35)


@pytest.mark.parametrize(
    ("check", "question", "found"),
    [
        (unfamiliar_years, "Who won the 2018 Russian presidential election?", ["2018"]),
        (unfamiliar_years, "Who was the US ambassador to Russia in 2017?", ["2017"]),
        (unfamiliar_years, "what happened in 1969", ["1969"]),
        # a year the document names
        (unfamiliar_years, "What did the US do after the 2016 election?", []),
        # not years: other numbers are often written in words in the document
        (unfamiliar_years, "How many trips after 80 kilometres were built?", []),
        (unfamiliar_years, "What did the 1,737.4 km radius mean?", []),
        (unfamiliar_years, "What happened in the 2010s?", []),
        # a yes/no question checks the asker's claim
        (unfamiliar_years, "Did Russia interfere in the 2018 election?", []),
        (unfamiliar_names, "What did Tillerson say about North Korea in his speech?", ["Korea"]),
        (unfamiliar_names, "How many days a week does Amazon require staff?", ["Amazon"]),
        (unfamiliar_names, "What is the best VPN for working from home?", ["VPN"]),
        # names the document uses, capitalised adjectives, stop words
        (unfamiliar_names, "What did Tillerson say about Russia?", []),
        (unfamiliar_names, "What did the French press say about Tillerson?", []),
        (unfamiliar_names, "Who is Will?", []),
        # a name in an adjunct of place or time situates the question
        (unfamiliar_names, "Who does the author blame for the fighting in the Caucasus?", []),
        (unfamiliar_names, "What did bosses ask after Covid cleared out the towers?", []),
        # a yes/no question checks the asker's wording
        (unfamiliar_names, "Did Amazon order staff back?", []),
    ],
)
def test_a_question_for_a_fact_about_what_the_document_never_names(
    check: Callable[[str, Callable[[str], bool]], list[str]], question: str, found: list[str]
) -> None:
    known = set(tokenize("Tillerson North Russia speech staff home 2016 1,737.4"))
    assert check(question, known.__contains__) == found


@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        # The author's name is in the byline (metadata), not in a passage.
        "What does Daniel Larison think about NATO expansion?",
        "What does Larison say about the Magnitsky Act?",
    ],
)
def test_the_authors_name_is_one_the_document_uses(real_answerer: Answerer, question: str) -> None:
    assert real_answerer.answer(question).found
