"""Reading a question: cleaning hostile input, and working out whom and where it asks about."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from corpus.loading import Corpus
from corpus.names import find_people

Source = Literal["article", "comment"]

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
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
    """NFKC, no control or invisible characters, no HTML tags or entities, one line."""
    text = unicodedata.normalize("NFKC", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) not in ("Cf", "Co", "Cs", "Cn")
    )
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True, slots=True)
class Scope:
    """Where to look: named commenters' comments, or one kind of source, or everything."""

    commenters: tuple[str, ...] = ()
    source: Source | None = None
    about_author: bool = False
    names: tuple[str, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return not self.commenters and self.source is None


def question_scope(question: str, corpus: Corpus) -> Scope:
    """Who and where a question asks about. Names come from the parsed corpus only."""
    commenters = tuple(dict.fromkeys(a for d in corpus.documents for a in d.commenters))
    authors = tuple(dict.fromkeys(d.author for d in corpus.documents if d.author))
    mentions = find_people(question, commenters + tuple(a for a in authors if a not in commenters))
    named_commenters = tuple(m.person for m in mentions if m.person in commenters)
    named_author = any(m.person in authors and m.person not in commenters for m in mentions)
    if named_commenters:
        return Scope(commenters=named_commenters, names=tuple(m.person for m in mentions))
    if named_author or _ARTICLE_HINT.search(question):
        return Scope(source="article", about_author=True)
    if _COMMENT_HINT.search(question):
        return Scope(source="comment")
    return Scope()


def is_follow_up(question: str) -> bool:
    """A short question that leans on the previous one ("and what about Ukraine?")."""
    return len(question.split()) <= 12 and bool(_FOLLOW_UP.search(question))
