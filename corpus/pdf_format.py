"""PDF documents (pypdf): title, paragraphs, and headings that label the paragraphs
under them. No comments.

pypdf gives each run of text with its font size and position. Runs on one baseline form
a line; a line set clearly larger than the body text, and short, is a heading; a
paragraph ends at a heading or where the gap to the next line is larger than the usual
line spacing. The title is the PDF's Title metadata, else the first heading.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from corpus.errors import CorpusError
from corpus.model import Document, Paragraph
from corpus.plain_text import fallback_title

HEADING_SCALE = 1.15
HEADING_MAX_WORDS = 15


@dataclass(slots=True)
class _Line:
    page: int
    y: float
    size: float
    text: str


def parse_pdf(data: bytes, path: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CorpusError(path, "is an encrypted PDF; save an unencrypted copy")
        lines = [line for number, page in enumerate(reader.pages) for line in _lines(page, number)]
        meta = reader.metadata
        meta_title = (meta.title or "").strip() if meta else ""
        meta_author = (meta.author or "").strip() if meta else ""
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(path, f"can't be read as a PDF ({exc})") from None
    if not lines:
        raise CorpusError(path, "the PDF has no text (a scanned PDF needs OCR first)")
    return _document(lines, path, meta_title, meta_author)


def _lines(page: Any, number: int) -> list[_Line]:
    """The page's text lines, top to bottom, each with its (largest) font size."""
    runs: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        scale = abs(tm[3]) or abs(tm[0]) or 1.0
        y = tm[5] * cm[3] + cm[5]
        x = tm[4] * cm[0] + cm[4]
        runs.append((round(y, 1), x, size * scale * (abs(cm[3]) or 1.0), text))

    page.extract_text(visitor_text=visit)
    by_y: dict[float, list[tuple[float, float, str]]] = {}
    for y, x, size, text in runs:
        key = next((k for k in by_y if abs(k - y) < 2.0), y)
        by_y.setdefault(key, []).append((x, size, text))
    lines = []
    for y in sorted(by_y, reverse=True):
        parts = sorted(by_y[y], key=lambda part: part[0])
        text = re.sub(r"\s+", " ", " ".join(p[2].strip() for p in parts)).strip()
        if text:
            lines.append(_Line(number, y, max(p[1] for p in parts), text))
    return lines


def _document(lines: list[_Line], path: str, meta_title: str, meta_author: str) -> Document:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    body = sizes.most_common(1)[0][0]
    gaps = [
        a.y - b.y
        for a, b in itertools.pairwise(lines)
        if a.page == b.page and a.y - b.y > 0 and round(a.size, 1) == body
    ]
    # The usual line spacing: a low quantile, since paragraph gaps are among the gaps too.
    usual = sorted(g for g in gaps if g >= body * 0.8)
    spacing = usual[len(usual) // 4] if usual else body * 1.2

    def is_heading(line: _Line) -> bool:
        return line.size >= body * HEADING_SCALE and len(line.text.split()) <= HEADING_MAX_WORDS

    title = meta_title
    paragraphs: list[Paragraph] = []
    section: str | None = None
    current: list[str] = []
    start = 1
    previous: _Line | None = None

    def flush() -> None:
        nonlocal current
        if current:
            text = _join_lines(current)
            paragraphs.append(Paragraph(len(paragraphs) + 1, text, start, section))
            current = []

    for position, line in enumerate(lines, 1):
        if is_heading(line):
            flush()
            if not title:
                title = line.text
            elif line.text != title:
                section = line.text
            previous = line
            continue
        new_paragraph = previous is None or (
            previous.page == line.page and previous.y - line.y > spacing * 1.4
        )
        if new_paragraph or (previous is not None and is_heading(previous)):
            flush()
        if not current:
            start = position
        current.append(line.text)
        previous = line
    flush()
    if not paragraphs:
        raise CorpusError(path, "the PDF has a title but no paragraphs")
    return Document(
        path=path,
        title=title or fallback_title(path),
        kind="pdf",
        paragraphs=tuple(paragraphs),
        author=meta_author or None,
    )


def _join_lines(lines: list[str]) -> str:
    """Lines of one paragraph as one text; a word hyphenated across a line is rejoined."""
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"[^\W\d]-$", text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}"
    return text
