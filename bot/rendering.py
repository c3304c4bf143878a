"""Plain-text rendering of replies for terminals (console chat and ``ask``)."""

from __future__ import annotations

import textwrap

from bot.replies import Citation, Reply
from corpus.model import Document


def render_reply(reply: Reply, width: int = 88) -> str:
    """The answer, then one line per citation: ``[1] Article ¶11``."""
    paragraphs = [textwrap.fill(line, width) for line in reply.answer.splitlines() if line.strip()]
    lines = ["\n".join(paragraphs)]
    if reply.citations:
        lines.append("")
        lines.extend(f"[{c.number}] {c.label}" for c in reply.citations)
        lines.extend(f"Source: {url}" for url in cited_sources(reply))
    return "\n".join(lines)


def cited_sources(reply: Reply) -> list[str]:
    """The web addresses the cited documents came from, once each, in citation order."""
    return list(
        dict.fromkeys(c.passage.source_url for c in reply.citations if c.passage.source_url)
    )


def document_line(document: Document) -> str:
    """``“Title” (path) by Author: 7 paragraphs, 5 comments, from URL``."""
    by = f" by {document.author}" if document.author else ""
    line = (
        f"“{document.title}” ({document.path}){by}: {len(document.paragraphs)} paragraphs, "
        f"{len(document.comments)} comments"
    )
    return line + (f", from {document.source_url}" if document.source_url else "")


def render_citation_text(citation: Citation, width: int = 88) -> str:
    """A citation with its full passage text, indented."""
    body = textwrap.indent(textwrap.fill(citation.passage.text, width - 4), "    ")
    return f"[{citation.number}] {citation.label}\n{body}"
