"""Passages: the retrievable units, cut from one part of a document each."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pysbd
from pysbd.utils import TextSpan

from corpus.model import Document

SourceType = Literal["article", "comment"]


@dataclass(frozen=True, slots=True)
class Chunking:
    """How parts are cut into passages. Part of the index manifest."""

    max_words: int = 80
    overlap_max_words: int = 25

    def as_dict(self) -> dict[str, int]:
        return {"max_words": self.max_words, "overlap_max_words": self.overlap_max_words}


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of whole sentences from one part (an article paragraph or a comment).

    ``sentences`` is ``text`` split at sentence boundaries; ``first_sentence`` is the
    row of the first one in the index's sentence matrix.
    """

    id: int
    document: str
    document_title: str
    source_type: SourceType
    paragraph: int | None
    comment_number: int | None
    author: str | None
    posted_at: str | None
    piece: int
    pieces: int
    sentences: tuple[str, ...]
    first_sentence: int = 0
    source_url: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def part_key(self) -> tuple[str, SourceType, int | None]:
        """Identifies the part: passages with the same key come from the same part."""
        number = self.paragraph if self.source_type == "article" else self.comment_number
        return (self.document, self.source_type, number)

    @property
    def embedding_text(self) -> str:
        """What is embedded: a comment's text is prefixed with who wrote it."""
        if self.source_type == "comment":
            return f"Comment by {self.author}: {self.text}"
        return self.text

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "document_title": self.document_title,
            "source_type": self.source_type,
            "paragraph": self.paragraph,
            "comment_number": self.comment_number,
            "author": self.author,
            "posted_at": self.posted_at,
            "piece": self.piece,
            "pieces": self.pieces,
            "sentences": list(self.sentences),
            "first_sentence": self.first_sentence,
            "source_url": self.source_url,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Passage:
        return cls(
            id=int(row["id"]),
            document=str(row["document"]),
            document_title=str(row["document_title"]),
            source_type=row["source_type"],
            paragraph=row["paragraph"],
            comment_number=row["comment_number"],
            author=row["author"],
            posted_at=row["posted_at"],
            piece=int(row["piece"]),
            pieces=int(row["pieces"]),
            sentences=tuple(str(s) for s in row["sentences"]),
            first_sentence=int(row["first_sentence"]),
            source_url=row.get("source_url"),
        )


class _Segmenter(pysbd.Segmenter):
    r"""pysbd's English segmenter, with its last step done by plain string search.

    pysbd finds each sentence it made back in the original text (to keep the text's own
    characters) with ``re.finditer(re.escape(sentence) + r"\s*", text)``: a new regular
    expression for every sentence. Compiling those took half the time of chunking and
    pushed pysbd's own patterns out of ``re``'s cache, so they were compiled again too.
    :meth:`sentences_with_char_spans` finds the same matches with ``str.find``.
    """

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        text: str = self.original_text
        spans: list[TextSpan] = []
        prior_end = 0
        for sentence in sentences:
            for start, end in _occurrences(sentence, text):
                if end > prior_end:  # pysbd's rule: the first match past the last one
                    spans.append(TextSpan(text[start:end], start, end))
                    prior_end = end
                    break
        return spans


def _occurrences(sentence: str, text: str) -> Iterator[tuple[int, int]]:
    r"""The spans ``re.finditer(re.escape(sentence) + r"\s*", text)`` yields: leftmost,
    non-overlapping occurrences of ``sentence``, each with the whitespace after it
    (``\s`` in a ``str`` pattern is what ``str.isspace`` says)."""
    if not sentence:  # only whitespace runs and empty matches: leave it to re
        yield from (match.span() for match in re.finditer(r"\s*", text))
        return
    position = 0
    while (start := text.find(sentence, position)) >= 0:
        end = start + len(sentence)
        while end < len(text) and text[end].isspace():
            end += 1
        yield start, end
        position = end


_SEGMENTER = _Segmenter(language="en", clean=False)


def split_sentences(text: str, max_words: int = 160) -> list[str]:
    """Sentences of ``text``; line breaks end sentences. A sentence longer than
    ``max_words`` (a run-on with no full stop) is cut into word windows."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for sentence in _SEGMENTER.segment(line):
            sentence = re.sub(r"\s+", " ", sentence).strip()
            if not sentence:
                continue
            words = sentence.split(" ")
            if len(words) <= max_words:
                out.append(sentence)
            else:
                out.extend(
                    " ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)
                )
    return out


def _group(sentences: list[str], chunking: Chunking) -> list[list[str]]:
    """Consecutive sentences in groups of about equal size, at most ~max_words each,
    each group after the first starting with the previous group's last sentence when
    that sentence is short (the overlap). No group is longer than
    :func:`hard_limit` words, and no group is only the overlap of the next one."""
    counts = [len(s.split()) for s in sentences]
    total = sum(counts)
    if total <= chunking.max_words:
        return [sentences]
    limit = hard_limit(chunking)
    target = total / math.ceil(total / chunking.max_words)
    groups: list[list[str]] = [[]]
    size = 0
    fresh = 0  # sentences in the current group that are not the overlap
    for sentence, count in zip(sentences, counts, strict=True):
        if fresh and (size + count / 2 > target or size + count > limit):
            previous = groups[-1][-1]
            previous_count = len(previous.split())
            overlap = (
                previous_count <= chunking.overlap_max_words and previous_count + count <= limit
            )
            groups.append([previous] if overlap else [])
            size = previous_count if overlap else 0
            fresh = 0
        groups[-1].append(sentence)
        size += count
        fresh += 1
    return groups


def hard_limit(chunking: Chunking) -> int:
    """The most words a passage may have: half as much again as ``max_words``."""
    return chunking.max_words * 3 // 2


def _parts(document: Document) -> Iterator[tuple[SourceType, int, str, str | None, str | None]]:
    for paragraph in document.paragraphs:
        yield "article", paragraph.number, paragraph.text, document.author, None
    for comment in document.comments:
        posted = comment.posted_at.isoformat() if comment.posted_at else None
        yield "comment", comment.number, comment.text, comment.author, posted


def chunk_documents(
    documents: Iterable[Document],
    chunking: Chunking,
    progress: Callable[[int], None] | None = None,
) -> list[Passage]:
    """Cut every part of every document into passages; ids are positions in the list.
    ``progress`` is told how many parts are done, every few parts."""
    passages: list[Passage] = []
    sentence_row = 0
    parts = 0
    for document in documents:
        for source_type, number, text, author, posted_at in _parts(document):
            parts += 1
            if progress is not None and parts % 16 == 0:
                progress(parts)
            groups = _group(split_sentences(text, hard_limit(chunking)), chunking)
            groups = [g for g in groups if g]
            for piece, group in enumerate(groups):
                passages.append(
                    Passage(
                        id=len(passages),
                        document=document.path,
                        document_title=document.title,
                        source_type=source_type,
                        paragraph=number if source_type == "article" else None,
                        comment_number=number if source_type == "comment" else None,
                        author=author,
                        posted_at=posted_at,
                        piece=piece,
                        pieces=len(groups),
                        sentences=tuple(group),
                        first_sentence=sentence_row,
                        source_url=document.source_url,
                    )
                )
                sentence_row += len(group)
    if progress is not None:
        progress(parts)
    return passages
