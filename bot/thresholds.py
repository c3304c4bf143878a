"""The cosine cut-offs of the overview and stance methods, in one place.

A cosine value means something only for the model that produced it. The defaults are
cosines of all-MiniLM-L6-v2 (the bundled model), set on this project's question sets;
with another ``ARTICLE_BOT_MODEL`` they are set again from the environment, or
recommended by ``article-bot calibrate`` (:mod:`bot.calibration`). The answering cut-off
``ARTICLE_BOT_MIN_SCORE`` is the other such value (it lives with the answer settings).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Cosines (all-MiniLM-L6-v2 by default) at which a method trusts what it sees."""

    # A question with a cue word ("thesis", "disagree") is an overview when its cosine
    # to one of that kind's exemplar questions reaches this…
    intent: float = 0.45
    # …and a question without one only when it is this close to an exemplar.
    intent_uncued: float = 0.85
    # A reply whose first own sentence is this close to the line it quotes restates it
    # (it agrees).
    echo: float = 0.5
    # A comment with no stance phrase whose sentence is this close to the article's
    # thesis makes the author's kind of argument (weak agreement).
    stance_content: float = 0.45
    # A question about a named commenter is answered by their comments when one of
    # their sentences is this close to it (or they use its words).
    named_sentence: float = 0.35


# The environment variable of each threshold, in the order of the fields.
ENVIRONMENT: dict[str, str] = {
    "intent": "ARTICLE_BOT_INTENT_MIN",
    "intent_uncued": "ARTICLE_BOT_INTENT_UNCUED_MIN",
    "echo": "ARTICLE_BOT_ECHO_MIN",
    "stance_content": "ARTICLE_BOT_STANCE_CONTENT_MIN",
    "named_sentence": "ARTICLE_BOT_NAMED_SENTENCE_MIN",
}
assert list(ENVIRONMENT) == [f.name for f in fields(Thresholds)]
