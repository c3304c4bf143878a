"""Misspelt question words are corrected against the corpus and English; real words and
names are left alone."""

from __future__ import annotations

import pytest

from bot.answering import Answerer
from bot.spelling import Speller


@pytest.fixture
def speller(fake_answerer: Answerer) -> Speller:
    return fake_answerer.speller


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        (
            "waht does the autor thnk about sendng wepons to ukrane?",
            "what does the author think about sending weapons to ukraine?",
        ),
        ("What did craigsumers say?", "What did craigsummers say?"),  # a commenter's name
        ("The Dolchstoslegende?", "The Dolchstosslegende?"),  # the document's own term
        ("Waht about Ukrane?", "What about Ukraine?"),  # capitals kept
    ],
)
def test_misspelt_words_are_corrected(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed)[0] == meant


@pytest.mark.parametrize(
    "question",
    [
        "Who wrote the Iliad?",  # English words the corpus doesn't use
        "What did Micheal Kenny say about Flynn?",  # a name spelt another way
        "What does NYT say?",  # an acronym
        "Is the aim of Nord Stream to sell gas?",  # short words
        "What about Navalny?",  # a name nothing is close to
    ],
)
def test_real_words_names_and_acronyms_are_left_alone(speller: Speller, question: str) -> None:
    assert speller.correct(question) == (question, [])


def test_the_corpus_term_wins_over_a_common_word_at_the_same_distance() -> None:
    speller = Speller(["cornel lencar wrote first"])
    assert speller.correction("lencer") == "lencar"  # not "lender" or "lancer"
    assert speller.correction("autor") == "author"  # English, by frequency, not "actor"


def test_the_word_before_picks_among_equally_close_names() -> None:
    # "Ken" is the commoner English word, but the corpus writes "Kenny" after "Michael".
    speller = Speller(["Ken Burns made a film.", "Michael Kenny wrote a comment, Kenny did."])
    assert speller.correct("What did Michael Keny say?")[0] == "What did Michael Kenny say?"
    assert speller.correct("What did Ken say?")[0] == "What did Ken say?"
    # With no word before it to go by, the commoner English word wins, as before.
    assert speller.correction("Keny", name=True) == "ken"


def test_the_reply_says_how_the_question_was_read(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("Who wrote the artcle?")
    assert reply.question == "Who wrote the artcle?"
    assert reply.understood == "Who wrote the article?"
    assert reply.facts[0].values["author"] == "Daniel Larison"
    assert fake_answerer.answer("Who wrote the article?").understood is None


@pytest.mark.integration
def test_a_question_full_of_typos_is_answered(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("waht does the autor thnk about sendng wepons to ukrane?")
    assert reply.found
    assert 11 in [c.passage.paragraph for c in reply.citations]  # "send arms to Ukraine"
