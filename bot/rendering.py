"""Plain-text rendering of replies for terminals (console chat and ``ask``)."""

from __future__ import annotations

import textwrap

from bot.replies import Citation, Reply


def render_reply(reply: Reply, width: int = 88) -> str:
    """The answer, then one line per citation: ``[1] Article ¶11``."""
    paragraphs = [textwrap.fill(line, width) for line in reply.answer.splitlines() if line.strip()]
    lines = ["\n".join(paragraphs)]
    if reply.citations:
        lines.append("")
        lines.extend(f"[{c.number}] {c.label}" for c in reply.citations)
    return "\n".join(lines)


def render_citation_text(citation: Citation, width: int = 88) -> str:
    """A citation with its full passage text, indented."""
    body = textwrap.indent(textwrap.fill(citation.passage.text, width - 4), "    ")
    return f"[{citation.number}] {citation.label}\n{body}"
