"""Link comments to what they answer: an addressed commenter, a quoted comment, the article."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from corpus.model import Comment, Document
from corpus.names import match_person

_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})


def _flat(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_CHARS).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _fragments(quote: str) -> list[str]:
    """The pieces of a quote between ellipses, longest first, at least five words long."""
    pieces = re.split(r"…|\.{3,}", quote)
    flat = [_flat(p) for p in pieces]
    return sorted((p for p in flat if len(p.split()) >= 5), key=len, reverse=True)


def link_replies(document: Document) -> Document:
    """Return ``document`` with each comment's ``replies_to`` / ``replies_to_article`` set."""
    if not document.comments:
        return document
    article_text = _flat(" ".join(p.text for p in document.paragraphs))
    flat_comments = {c.number: _flat(c.text) for c in document.comments}
    linked: list[Comment] = []
    for comment in document.comments:
        earlier = [c for c in document.comments if c.number < comment.number]
        replies: list[int] = list(comment.replies_to)  # what the page's nesting showed
        to_article = comment.replies_to_article
        for name in comment.addressed_to:
            if document.author and match_person(name, [document.author]):
                to_article = True
                continue
            person = match_person(name, [c.author for c in earlier])
            if person is not None:
                replies.extend(c.number for c in earlier if c.author == person)
        for quote in comment.quotes:
            for fragment in _fragments(quote)[:1]:
                if fragment in article_text:
                    to_article = True
                    continue
                source = next(
                    (c for c in reversed(earlier) if fragment in flat_comments[c.number]), None
                )
                if source is not None:
                    replies.append(source.number)
        linked.append(
            dataclasses.replace(
                comment,
                replies_to=tuple(sorted(set(replies))),
                replies_to_article=to_article,
            )
        )
    return dataclasses.replace(document, comments=tuple(linked))
