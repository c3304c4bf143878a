"""The parser registry: which file formats a corpus folder may hold and who parses each.

A format is one module with a ``parse(data, path) -> Document`` function, plus one
``FORMATS.register(...)`` line at the bottom of this file. Loading (``corpus.loading``),
``article-bot add`` and the Telegram upload all go through :data:`FORMATS`, so a format
registered here is read everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from corpus import docx_format, html_format, pdf_format, text_format
from corpus.model import Document

Parse = Callable[[bytes, str], Document]


@dataclass(frozen=True, slots=True)
class Format:
    """One file format: its name for messages, file suffixes, parser and the media types a
    web server sends for it (used to check a fetched URL's ``Content-Type``)."""

    name: str
    suffixes: tuple[str, ...]
    parse: Parse
    media_types: tuple[str, ...] = ()


class Registry:
    """Formats by suffix and by media type; the first registration of either wins."""

    def __init__(self) -> None:
        self._formats: list[Format] = []

    def register(self, fmt: Format) -> Format:
        taken = {s for f in self._formats for s in f.suffixes}
        if clash := taken.intersection(fmt.suffixes):
            raise ValueError(f"suffix {sorted(clash)[0]} is registered twice")
        self._formats.append(fmt)
        return fmt

    def for_suffix(self, suffix: str) -> Format | None:
        suffix = suffix.lower()
        return next((f for f in self._formats if suffix in f.suffixes), None)

    def for_media_type(self, media_type: str) -> Format | None:
        media_type = media_type.split(";", 1)[0].strip().lower()
        return next((f for f in self._formats if media_type in f.media_types), None)

    @property
    def formats(self) -> tuple[Format, ...]:
        return tuple(self._formats)

    @property
    def suffixes(self) -> tuple[str, ...]:
        return tuple(s for f in self._formats for s in f.suffixes)

    def describe(self) -> str:
        """``.txt, .md, .markdown, .html, …`` for messages."""
        return ", ".join(self.suffixes)


FORMATS = Registry()
FORMATS.register(Format("text", (".txt",), text_format.parse_text, ("text/plain",)))
FORMATS.register(
    Format("Markdown", (".md", ".markdown"), text_format.parse_markdown, ("text/markdown",))
)
FORMATS.register(
    Format("web page", (".html", ".htm"), html_format.parse_html, html_format.MEDIA_TYPES)
)
FORMATS.register(Format("PDF", (".pdf",), pdf_format.parse_pdf, ("application/pdf",)))
FORMATS.register(Format("Word", (".docx",), docx_format.parse_docx, docx_format.MEDIA_TYPES))
