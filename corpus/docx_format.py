"""Word documents (python-docx): title, paragraphs, and headings that label the
paragraphs under them. No comments.

The title is the document's Title property, else its first paragraph in the "Title"
style, else its first heading. "Heading N" paragraphs label the paragraphs under them.
"""

from __future__ import annotations

import io
import zipfile

from corpus.errors import CorpusError
from corpus.model import Document, Paragraph
from corpus.plain_text import fallback_title

MEDIA_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)


def parse_docx(data: bytes, path: str) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(path, f"can't be read as a Word .docx file ({exc})") from None
    title = (word.core_properties.title or "").strip()
    author = (word.core_properties.author or "").strip() or None
    paragraphs: list[Paragraph] = []
    section: str | None = None
    for position, block in enumerate(word.paragraphs, 1):
        text = " ".join(block.text.split())
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if style == "Title" or style.startswith("Heading"):
            if not title:
                title = text
            elif text != title:
                section = text
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, position, section))
    if not paragraphs:
        raise CorpusError(path, "the Word document has no paragraphs")
    return Document(
        path=path,
        title=title or fallback_title(path),
        kind="docx",
        paragraphs=tuple(paragraphs),
        author=author,
    )
