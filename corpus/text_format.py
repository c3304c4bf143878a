"""Text files: the comment export (recognised by its content), plain text and Markdown."""

from __future__ import annotations

from corpus.errors import CorpusError
from corpus.export_format import looks_like_export, parse_export
from corpus.model import Document, DocumentKind
from corpus.plain_text import parse_plain
from corpus.threads import link_replies


def decode_text(data: bytes, path: str) -> str:
    """UTF-8 text (a BOM is fine) with ``\\n`` line ends; binary or other encodings are
    a :class:`CorpusError` naming the line."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(path, "looks like a binary file (NUL byte), not text", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} can't be decoded)", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text_document(text: str, path: str, kind: DocumentKind = "text") -> Document:
    """Parse decoded text; the export format is recognised by its content."""
    if not text.strip():
        raise CorpusError(path, "the document is empty", 1)
    if looks_like_export(text):
        return link_replies(parse_export(text, path))
    return parse_plain(text, path, kind)


def parse_text(data: bytes, path: str) -> Document:
    return parse_text_document(decode_text(data, path), path, "text")


def parse_markdown(data: bytes, path: str) -> Document:
    return parse_text_document(decode_text(data, path), path, "markdown")
