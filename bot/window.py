"""The sentence that answers: a question or a claim the text goes on to answer.

Retrieval finds the sentence closest to the question, and that is often the one that
*asks* it ("Is a normal, productive relationship with Russia possible?") or states the
view the author is about to rebut ("Critics say heat pumps fail in the cold."). The
answer is the next sentence of the same part. :func:`answering_sentences` finds it:

- after a question, the next sentence that is not itself a question;
- after a claim set up to be answered (a sentence reporting what others say, think or
  fear, or a short setup such as "But that is not quite how things unfolded."), the
  next sentence when it turns against it ("But…", "Yet…", "In fact…") or when the setup
  announces it.
"""

from __future__ import annotations

import re

_REPORTED = re.compile(
    r"\b(critics|opponents|skeptics|sceptics|detractors|some|many|others|people)\b[^.?!]{0,40}"
    r"\b(say|says|said|claim|claims|claimed|argue|argues|argued|insist|insists|worry|worries"
    r"|fear|fears|believe|believes|contend|contends|complain|complains|object|objects)\b"
    r"|\b(it is (?:often|commonly|widely) (?:said|argued|claimed|believed)"
    r"|the (?:usual|common|standard) (?:objection|argument|complaint|claim))\b",
    re.IGNORECASE,
)
_TURN = re.compile(
    r"^(but|yet|however|still|in fact|actually|in reality|not so|that is not|this is not"
    r"|the (?:truth|reality|evidence|data) (?:is|shows?)|despite|nonetheless|nevertheless)\b",
    re.IGNORECASE,
)
# A short sentence that only announces what follows ("But that is not quite how things
# unfolded.", "Here is why.") says too little on its own.
_SETUP_WORDS = 10
_SETUP = re.compile(r"(:|\b(?:why|how|what happened|unfolded|the answer)\W*)$", re.IGNORECASE)


def answering_sentences(sentences: tuple[str, ...], position: int) -> list[int]:
    """Positions after ``position`` in ``sentences`` that answer it (maybe none)."""
    if position + 1 >= len(sentences):
        return []
    current = sentences[position].strip()
    following = sentences[position + 1].strip()
    if current.endswith("?"):
        for later in range(position + 1, min(position + 3, len(sentences))):
            if not sentences[later].strip().endswith("?"):
                return [later]
        return []
    if _REPORTED.search(current) and _TURN.search(following):
        return [position + 1]
    short = len(current.split()) <= _SETUP_WORDS
    if short and (_SETUP.search(current.rstrip(".")) or _TURN.search(current)):
        return [position + 1]
    return []


def ends_open(sentence: str) -> bool:
    """Whether a part's last sentence leaves its answer to the next part (a question or
    a short setup)."""
    text = sentence.strip()
    return text.endswith("?") or (
        len(text.split()) <= _SETUP_WORDS and bool(_SETUP.search(text.rstrip(".")))
    )
