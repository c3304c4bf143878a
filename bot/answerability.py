"""Checks that retrieval found an answer, not just the question's topic.

A sentence embedding tells how close a passage is to a question's topic, not whether it
holds what the question asks for. Three checks catch the commonest gaps:

- the answer type: a question asking for a year or a quantity ("In what year…", "How
  many…") is only answered by quoted sentences that state one;
- the named commenter: "What did Gazza say about NATO?" is only answered when Gazza's
  comments touch that topic, by its words or by meaning;
- the years: a question asking for a fact about a year the document never names ("Who
  won the *2018* election?") can't be answered from it, however close its topic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

from bot.reporting import speech_words
from embeddings.sparse import tokenize

AnswerType = Literal["year", "quantity"]

_YEAR_QUESTION = re.compile(
    r"\b(?:in )?(?:what|which) (?:year|decade|century)\b|\bwhat date\b|\bhow (?:many )?years ago\b",
    re.IGNORECASE,
)
_QUANTITY_QUESTION = re.compile(
    r"\bhow (?:many|much)\b|\bwhat (?:percentage|proportion|share|fraction|number of)\b",
    re.IGNORECASE,
)

_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion trillion half quarter third dozen "
    "twice double triple several few dozens hundreds thousands millions billions percent "
    "fraction"
).split()
_QUANTITY = re.compile(
    r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")s?\b|\b(?:an?|per) (?:hour|day|week|month|year)\b",
    re.IGNORECASE,
)
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_YEAR = re.compile(
    r"\b(?:1[0-9]|20)\d\d(?:s|’s|'s)?\b|\b(?:" + "|".join(_MONTHS) + r")\b"
    r"|\b(?:years?|decades?|centuries) ago\b|\b(?:last|this|next) (?:year|decade|century)\b",
    re.IGNORECASE,
)

# A named commenter's comments answer a question about them when they share at least
# this (rarity-weighted) share of its topic words, or when one of their sentences is
# close to it in meaning (``Thresholds.named_sentence``, a cosine).
NAMED_MIN_COVERAGE = 0.25


def expected_answer(question: str) -> AnswerType | None:
    """What kind of fact the question asks for, when it asks for a year or a quantity."""
    if _YEAR_QUESTION.search(question):
        return "year"
    if _QUANTITY_QUESTION.search(question):
        return "quantity"
    return None


def states(answer_type: AnswerType, sentences: Iterable[str]) -> bool:
    """Whether any of ``sentences`` states a fact of ``answer_type``."""
    pattern = _YEAR if answer_type == "year" else _QUANTITY
    return any(pattern.search(sentence) for sentence in sentences)


def named_topic_covered(
    topic_coverage: float | None, best_sentence: float, min_sentence: float
) -> bool:
    """Whether a question about named commenters is answered by their comments.

    ``topic_coverage`` is the share of the question's topic words (names and words
    about speaking left out) that the commenters use; ``None`` when the question has no
    topic words ("What did Gazza say?"), which any of their comments answers;
    ``min_sentence`` the cosine at which one of their sentences is close enough.
    """
    return (
        topic_coverage is None
        or topic_coverage >= NAMED_MIN_COVERAGE
        or best_sentence >= min_sentence
    )


_WH_QUESTION = re.compile(
    r"^\W*(?:(?:and|so|but|then|in|on|at|for|from|by|with|of|to)\s+)?"
    r"(?:what|which|who|whom|whose|when|where|why|how)\b",
    re.IGNORECASE,
)
# A year, which English always writes in digits (unlike "eighty" or "six thousand").
_YEAR_NUMBER = re.compile(r"(?<![\w.,])(?:1[0-9]|20)\d\d(?!\w|[.,]\d)")


def unfamiliar_years(question: str, in_document: Callable[[str], bool]) -> list[str]:
    """The years a question for a fact ("who", "what", "how many"…) names that the
    document never uses: "Who won the 2018 election?", when the document names no 2018,
    can't be answered from it however close its topic.

    Only years: other numbers are often written in words ("eighty kilometres"), so a
    question's "80" may well be in the document. ``in_document`` tells whether the
    document uses an index term. A yes/no question is left alone: the numbers in it are
    often the asker's claim it checks ("Did it start in 2015?").
    """
    if not _WH_QUESTION.match(question):
        return []
    return [
        number
        for number in _YEAR_NUMBER.findall(question)
        if not any(in_document(term) for term in tokenize(number))
    ]


_TOKEN = re.compile(r"[A-Za-z][\w'’-]*|\d[\d,.]*\d|\d|[.!?:;]")
# Prepositions that open an adjunct of place or time ("in the Caucasus", "after Covid"):
# a name there situates the question rather than being what it asks about, and readers
# often name a place or a time in their own words.
_ADJUNCT = frozenset(
    "in at on after before during since until from near across around within throughout "
    "outside inside".split()
)
_DETERMINERS = frozenset("the a an this that these those".split())


def unfamiliar_names(question: str, in_document: Callable[[str], bool]) -> list[str]:
    """The names a question for a fact holds, as what it asks about, that the document
    never uses: "North Korea" in "What did Tillerson say about North Korea?".

    A name is a capitalised word that does not start a sentence, of three letters or
    more, not a stop word ("Will") and not a capitalised adjective ("French", "Olympic":
    WordNet's, see :mod:`bot.reporting`). A name in an adjunct of place or time ("in the
    Caucasus", "after Covid") is left alone, and so is a yes/no question: there the names
    are often the asker's own wording of what the document says.
    """
    if not _WH_QUESTION.match(question):
        return []
    adjectives = speech_words().capitalised_adjectives
    tokens = _TOKEN.findall(question)
    found = []
    for position, word in enumerate(tokens):
        if (
            position == 0
            or tokens[position - 1] in ".!?:;"
            or not word[0].isupper()
            or len(word) < 3
            or word in adjectives
        ):
            continue
        terms = tokenize(word)
        if not terms or any(in_document(term) for term in terms):
            continue
        if _opening(tokens, position) in _ADJUNCT:
            continue
        found.append(word)
    return found


def _opening(tokens: list[str], position: int) -> str:
    """The word before the noun phrase that holds ``tokens[position]``: back over the
    capitalised words and determiners in front of it."""
    start = position
    while start > 0 and (
        tokens[start - 1][:1].isupper() or tokens[start - 1].lower() in _DETERMINERS
    ):
        start -= 1
    return tokens[start - 1].lower() if start > 0 else ""
