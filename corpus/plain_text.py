"""Parser for plain-text and Markdown documents (no comments).

The title is the first Markdown heading, else the first non-empty line. Paragraphs are
blank-line separated blocks; Markdown headings are not paragraphs but label the
paragraphs under them (``section``). A short "By NAME" line near the top is the byline.
"""

from __future__ import annotations

import re

from corpus.errors import CorpusError
from corpus.model import Document, DocumentKind, Paragraph

_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_BY = re.compile(r"^(?:by|By|BY)\s+(?P<author>[^\W\d_][\w.'’ -]{1,60}?)\s*$")


def parse_plain(text: str, path: str, kind: DocumentKind) -> Document:
    lines = text.splitlines()
    blocks = _blocks(lines, markdown=kind == "markdown")
    if not blocks:
        raise CorpusError(path, "the document has no text", 1)

    title, blocks = _take_title(blocks, path)
    author = byline = None
    byline_line = None
    paragraphs: list[Paragraph] = []
    section: str | None = None
    for line, block_text, is_heading in blocks:
        if is_heading:
            section = block_text
            continue
        if author is None and not paragraphs and (m := _BY.match(block_text)):
            author, byline, byline_line = m["author"].strip(), block_text, line
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, block_text, line, section))
    if not paragraphs:
        raise CorpusError(
            path, "the document has a title but no paragraphs", blocks[0][0] if blocks else 1
        )
    return Document(
        path=path,
        title=_strip_markup(title),
        kind=kind,
        paragraphs=tuple(paragraphs),
        author=author,
        byline=byline,
        byline_line=byline_line,
    )


def _take_title(
    blocks: list[tuple[int, str, bool]], path: str
) -> tuple[str, list[tuple[int, str, bool]]]:
    """The title (first heading, else a short first line, else the file name) and the rest."""
    heading = next((i for i, block in enumerate(blocks) if block[2]), None)
    if heading is not None:
        return blocks[heading][1], blocks[:heading] + blocks[heading + 1 :]
    if len(blocks[0][1].split()) <= 20:
        return blocks[0][1], blocks[1:]
    return fallback_title(path), blocks


def fallback_title(path: str) -> str:
    """A title made from the file name, for documents that state none."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()


def _blocks(lines: list[str], markdown: bool) -> list[tuple[int, str, bool]]:
    """(1-based line, text, is_heading) for each block; headings are their own block."""
    out: list[tuple[int, str, bool]] = []
    current: list[str] = []
    first = 0
    in_fence = False

    def flush() -> None:
        nonlocal current
        if current:
            out.append((first + 1, " ".join(current), False))
            current = []

    for i, raw in enumerate(lines):
        stripped = raw.strip()
        if markdown and stripped.startswith("```"):
            in_fence = not in_fence
            continue
        if markdown and not in_fence:
            if m := _HEADING.match(stripped):
                flush()
                out.append((i + 1, _strip_markup(m["text"]), True))
                continue
            if current and _SETEXT_UNDERLINE.match(stripped) and len(current) == 1:
                out.append((first + 1, _strip_markup(current[0]), True))
                current = []
                continue
        if stripped:
            if not current:
                first = i
            current.append(_strip_markup(stripped) if markdown else stripped)
        else:
            flush()
    flush()
    return out


def _strip_markup(text: str) -> str:
    """Drop the Markdown that would read oddly in a citation: emphasis, links, code ticks."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    return text.strip()
