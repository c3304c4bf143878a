"""Which sentence of a passage answers a question.

Closeness in meaning alone picks the sentence most *like* the question, which is often a
neighbour of the one that answers it ("Impact craters are the most common landform" for
"What is the largest crater?"). Three signals are combined, as answer-sentence
selection in reading comprehension does:

- the sentence's cosine with the question;
- how much of the question's wording it uses: the rarity-weighted share of the
  question's content words that it holds ("largest", "crater");
- whether it states the kind of fact the question asks for: a "when" question prefers a
  sentence with a date or a year, "how many / how far / how old" one with a number,
  "who" one naming someone (a capitalised name the question doesn't already hold).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from bot.answerability import states
from embeddings.sparse import tokenize

Cue = Literal["time", "quantity", "person"]

# How much the word share and a fitting fact add to a sentence's cosine.
WORD_WEIGHT = 0.25
CUE_BONUS = 0.06

_TIME = re.compile(
    r"^\W*(?:and |so |but )?when\b|\b(?:what|which) (?:year|date|day|month|decade|century|era)\b"
    r"|\bhow long ago\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\bhow (?:many|much|long|far|fast|old|big|large|small|tall|high|deep|wide|thick|heavy"
    r"|hot|cold|often|quickly|bright|dense|massive)\b"
    r"|\bwhat (?:percentage|proportion|share|fraction|number|amount|size|distance|speed"
    r"|temperature|mass|weight|age|length|height|depth|diameter|radius)\b",
    re.IGNORECASE,
)
_PERSON = re.compile(r"^\W*(?:and |so |but )?(?:who|whom|whose)\b", re.IGNORECASE)
_CENTURY = re.compile(
    r"\b(?:\w+(?:th|st|nd|rd)|first|second|third) (?:century|millennium)\b"
    r"|\b\d+ ?(?:BC|AD|BCE|CE)\b",
    re.IGNORECASE,
)
# A capitalised word after the first, possibly joined to others ("Leonardo da Vinci").
_NAME = re.compile(r"(?<=[^\s.!?:;\"“(]\s)[A-Z][\w’'-]+")


def answer_cue(question: str) -> Cue | None:
    """The kind of fact ``question`` asks for, when it says so."""
    if _TIME.search(question):
        return "time"
    if _QUANTITY.search(question):
        return "quantity"
    if _PERSON.search(question):
        return "person"
    return None


def fits(cue: Cue | None, sentence: str, question: str) -> bool:
    """Whether ``sentence`` states a fact of the kind ``cue`` names."""
    if cue == "time":
        return states("year", [sentence]) or bool(_CENTURY.search(sentence))
    if cue == "quantity":
        return states("quantity", [sentence])
    if cue == "person":
        asked = {w.lower() for w in re.findall(r"[\w’'-]+", question)}
        return any(name.lower() not in asked for name in _NAME.findall(sentence))
    return False


def word_share(weights: Mapping[str, float], sentence: str) -> float:
    """Rarity-weighted share of the question's content words that ``sentence`` holds."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    held = set(tokenize(sentence))
    return sum(w for term, w in weights.items() if term in held) / total


def sentence_score(
    cosine: float, weights: Mapping[str, float], cue: Cue | None, sentence: str, question: str
) -> float:
    """How well ``sentence`` answers: its cosine, plus its share of the question's words,
    plus a bonus when it states the kind of fact asked for."""
    bonus = CUE_BONUS if cue is not None and fits(cue, sentence, question) else 0.0
    return cosine + WORD_WEIGHT * word_share(weights, sentence) + bonus
