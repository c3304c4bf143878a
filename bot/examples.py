"""Example questions for the loaded corpus, offered only when the bot answers them.

The front ends show a few examples (the console's /help, Telegram's /start). They are
made from the corpus itself (a subject word of a title, a commenter's name, the
document's structure), and each one is put to the answering core first: one it can't
answer is never suggested.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from bot.replies import Reply
from corpus.english import most_common
from corpus.loading import Corpus

MAX_EXAMPLES = 3
COMMON_WORDS = 2000
"""A title word among the most frequent English words ("case", "still") is no subject."""


def candidates(corpus: Corpus, names: Collection[str]) -> list[list[str]]:
    """Candidate questions in groups (the document's subject, a commenter, its
    structure), best first in each group; ``names`` are the words the corpus writes
    with a capital."""
    common = most_common(COMMON_WORDS)
    subjects: list[str] = []
    commenters: list[str] = []
    for document in corpus.documents:
        for word in re.findall(r"[^\W\d_]{4,}", document.title):
            lower = word.lower()
            if lower not in common and lower not in {s.lower() for s in subjects}:
                subjects.append(word if lower in names else lower)
        commenters.extend(name for name in document.commenters if name not in commenters)
    return [
        [f"What does the author say about {subject}?" for subject in subjects],
        [f"What did {name} say?" for name in commenters[:5]],
        ["Who wrote the article?", "How many comments are there?", "What is the title?"],
    ]


def example_questions(
    corpus: Corpus, names: Collection[str], answer: Callable[[str], Reply]
) -> list[str]:
    """Up to :data:`MAX_EXAMPLES` questions, one from each group of :func:`candidates`
    that ``answer`` finds an answer to."""
    examples: list[str] = []
    for group in candidates(corpus, names):
        answered = next((q for q in group if answer(q).found), None)
        if answered is not None:
            examples.append(answered)
    return examples[:MAX_EXAMPLES]
