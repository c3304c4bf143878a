"""Reading a question: cleaning hostile input, and working out whom and where it asks about."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from corpus.loading import Corpus
from corpus.names import find_people, words

Source = Literal["article", "comment"]

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
# Terminal escape sequences (ECMA-48), 7- and 8-bit: CSI (colours, cursor moves), the
# string commands OSC / DCS / SOS / PM / APC up to their terminator, and two-character
# escapes. What is left of a broken one goes with the control characters.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
_ARTICLE_HINT = re.compile(
    r"\b(in|from|of) the (article|piece|essay|op-?ed|column)\b|\bthe (author|writer|columnist)\b"
    r"|\barticle (say|says|said|argue|argues|claim|claims)\b",
    re.IGNORECASE,
)
_COMMENT_HINT = re.compile(
    r"\b(comments?|commenters?|commentators?|readers?|replies|reply|responses?)\b", re.IGNORECASE
)
_FOLLOW_UP = re.compile(
    r"^(and|also|but|so|what about|how about|and what|what else|anything else|else|why|why not"
    r"|really|more)\b|\b(he|she|they|him|her|them|his|their|this|that|it|those|these)\b",
    re.IGNORECASE,
)


def clean_question(text: str) -> str:
    """NFKC, no terminal escapes, no control characters (C0, C1), no bidi controls or other
    invisible formatting characters, no HTML tags or entities, one line. Every front end
    uses and echoes the question only after this."""
    text = unicodedata.normalize("NFKC", text)
    text = html.unescape(_TAG.sub(" ", _ANSI.sub("", text)))
    text = _ANSI.sub("", text)
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) not in ("Cf", "Co", "Cs", "Cn")
    )
    return re.sub(r"\s+", " ", text).strip()


_REPLY_WORDS = frozenset(
    "reply replies replied replying respond responds responded responding response answer "
    "answers answered rebut rebuts rebutted disagree disagrees disagreed quote quotes quoted "
    "react reacts reacted dispute disputes disputed address addresses addressed".split()
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where to look: comments by ``commenters`` (replying to ``replying_to`` when set),
    one kind of source, or everything."""

    commenters: tuple[str, ...] = ()
    replying_to: tuple[str, ...] = ()
    source: Source | None = None

    @property
    def is_open(self) -> bool:
        return not self.commenters and not self.replying_to and self.source is None

    @property
    def named(self) -> tuple[str, ...]:
        return self.commenters + self.replying_to


def question_scope(question: str, corpus: Corpus) -> Scope:
    """Who and where a question asks about. Names come from the parsed corpus only."""
    commenters = tuple(dict.fromkeys(a for d in corpus.documents for a in d.commenters))
    authors = tuple(dict.fromkeys(d.author for d in corpus.documents if d.author))
    mentions = find_people(question, commenters + tuple(a for a in authors if a not in commenters))
    named = [m for m in mentions if m.person in commenters]
    named_author = any(m.person in authors and m.person not in commenters for m in mentions)
    if named:
        reply_at = next((i for i, w in enumerate(words(question)) if w in _REPLY_WORDS), None)
        if reply_at is None:
            return Scope(commenters=tuple(m.person for m in named))
        before = tuple(m.person for m in named if m.position < reply_at)
        after = tuple(m.person for m in named if m.position > reply_at)
        # "How did VikingLS respond to Michael Kenny?": VikingLS's comments answering Kenny;
        # "Who replied to Michael Kenny?": any comment answering Kenny.
        return Scope(commenters=before[:1], replying_to=after)
    if named_author or _ARTICLE_HINT.search(question):
        return Scope(source="article")
    if _COMMENT_HINT.search(question):
        return Scope(source="comment")
    return Scope()


def is_follow_up(question: str) -> bool:
    """A short question that leans on the previous one ("and what about Ukraine?")."""
    return len(question.split()) <= 12 and bool(_FOLLOW_UP.search(question))
