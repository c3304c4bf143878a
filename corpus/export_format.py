"""Parser for the article-with-comments export format.

The format, as saved from the site::

    - SITE NAME - https://site -
    TITLE
    paragraph                      (blank-line separated; the last one may be a byline:
    ...                             "Daniel Larison is senior editor at ...")
    19 Comments (Open | Close)
    19 Comments To "TITLE"
    #1 Comment By AUTHOR On December 6, 2017 @ 11:18 pm
    comment text ...
"""

from __future__ import annotations

import re
from datetime import datetime

from corpus.errors import CorpusError
from corpus.model import Comment, Document, Paragraph

SITE_LINE = re.compile(r"^-\s*(?P<site>.+?)\s+-\s+(?P<url>https?://\S+?)\s*-?\s*$")
COMMENT_HEADER = re.compile(
    r"^#(?P<number>\d+)\s+Comment\s+By\s+(?P<author>.+?)\s+On\s+(?P<date>.+?)\s*@\s*(?P<time>.+?)\s*$"
)
COMMENT_HEADER_START = re.compile(r"^#\d+\s+Comment\s+By\b", re.IGNORECASE)
COMMENT_COUNT = re.compile(r"^(?P<count>\d+)\s+Comments?\s+\(Open\s*\|\s*Close\)\s*$")
COMMENTS_TO = re.compile(r"^\d+\s+Comments?\s+To\s+", re.IGNORECASE)
BYLINE = re.compile(
    r"^(?P<author>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3})\s+is\s+(?P<role>(?:an?|the)?\s*.+?)\.?\s*$"
)
_ADDRESS_AT = re.compile(r"^@\s*(?P<name>[^\W\d_][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})")
_ADDRESS_LINE = re.compile(
    r"^(?P<name>(?:(?:Mr|Mrs|Ms|Dr)\.?\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})\s*:?\s*$"
)
_ADDRESS_ABOVE = re.compile(r"^(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?)\s+\(above\)")
_QUOTED_LINE = re.compile(r"^(?:blockquote>\s*)?[“\"”](?P<quote>.+)[”\"“]\s*$")

_DATE_FORMATS = ("%B %d, %Y %I:%M %p", "%b %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%Y-%m-%d %H:%M")


def looks_like_export(text: str) -> bool:
    """True when the text has the site line or numbered comment headers of the export."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if SITE_LINE.match(first.strip()):
        return True
    return any(COMMENT_HEADER_START.match(line) for line in text.splitlines())


def parse_export(text: str, path: str) -> Document:
    """Parse one export; raises :class:`CorpusError` naming the file and line."""
    lines = text.splitlines()
    cursor = _skip_blank(lines, 0)
    site = url = None
    if cursor < len(lines) and (m := SITE_LINE.match(lines[cursor].strip())):
        site, url = m["site"].strip(), m["url"]
        cursor = _skip_blank(lines, cursor + 1)
    if cursor >= len(lines) or COMMENT_HEADER_START.match(lines[cursor]):
        raise CorpusError(path, "expected the article title", cursor + 1)
    title = lines[cursor].strip()
    cursor += 1

    article_end = len(lines)
    declared = None
    for i in range(cursor, len(lines)):
        stripped = lines[i].strip()
        if m := COMMENT_COUNT.match(stripped):
            declared = int(m["count"])
            article_end = min(article_end, i)
        elif COMMENTS_TO.match(stripped) or COMMENT_HEADER_START.match(stripped):
            article_end = min(article_end, i)
            if COMMENT_HEADER_START.match(stripped):
                break

    blocks = _blocks(lines, cursor, article_end)
    if not blocks:
        raise CorpusError(path, "the article has no paragraphs", cursor + 1)
    author = role = byline = None
    byline_line = None
    last_line, last_text = blocks[-1]
    if len(last_text.split()) <= 30 and (m := BYLINE.match(last_text)):
        # Exports keep the site's non-breaking spaces ("editor at\u00a0The ..."); a
        # byline is compared and shown as plain words.
        author, role = " ".join(m["author"].split()), " ".join(m["role"].split())
        byline, byline_line = " ".join(last_text.split()), last_line
        blocks = blocks[:-1]
    paragraphs = tuple(
        Paragraph(number=n, text=_drop_link_markers(text), line=line)
        for n, (line, text) in enumerate(blocks, 1)
    )
    comments = _parse_comments(lines, article_end, path)
    return Document(
        path=path,
        title=title,
        kind="export",
        paragraphs=paragraphs,
        comments=comments,
        site=site,
        url=url,
        author=author,
        author_role=role,
        byline=byline,
        byline_line=byline_line,
        declared_comment_count=declared,
    )


_LINK_MARKER = re.compile(r"\s*\[\d{1,3}\](?=[\s.,;:!?)]|$)")


def _drop_link_markers(text: str) -> str:
    """The export marks links in the article as ``[1]``; in an answer they would read as
    citation markers, so they go."""
    return _LINK_MARKER.sub("", text)


def _parse_comments(lines: list[str], start: int, path: str) -> tuple[Comment, ...]:
    headers: list[tuple[int, re.Match[str]]] = []
    for i in range(start, len(lines)):
        stripped = lines[i].strip()
        if not COMMENT_HEADER_START.match(stripped):
            continue
        m = COMMENT_HEADER.match(stripped)
        if m is None:
            raise CorpusError(
                path,
                "malformed comment header (expected '#N Comment By AUTHOR On DATE @ TIME')",
                i + 1,
            )
        headers.append((i, m))
    comments: list[Comment] = []
    seen: set[int] = set()
    for k, (i, m) in enumerate(headers):
        number = int(m["number"])
        if number in seen:
            raise CorpusError(path, f"comment #{number} appears twice", i + 1)
        seen.add(number)
        posted_at = _parse_datetime(m["date"], m["time"], path, i + 1)
        end = headers[k + 1][0] if k + 1 < len(headers) else len(lines)
        body = [line.rstrip() for line in lines[i + 1 : end]]
        text = "\n".join(body).strip()
        text = re.sub(r"\n{3,}", "\n\n", text)
        comments.append(
            Comment(
                number=number,
                author=m["author"].strip(),
                posted_at=posted_at,
                text=text,
                line=i + 1,
                addressed_to=addressed_names(text),
                quotes=quoted_lines(text),
            )
        )
    # The site numbers comments in the order they were posted; a hand-edited export may
    # list them otherwise, and replies are resolved against earlier numbers.
    return tuple(sorted(comments, key=lambda comment: comment.number))


def _parse_datetime(date: str, time: str, path: str, line: int) -> datetime:
    value = f"{date.strip()} {time.strip()}"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise CorpusError(path, f"can't read the comment date {value!r}", line)


def addressed_names(text: str) -> tuple[str, ...]:
    """Names the comment addresses: ``@Name``, a first line ``Name`` or ``Name:``,
    or ``Name (above)``."""
    names: list[str] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for position, line in enumerate(lines[:3]):
        if m := _ADDRESS_AT.match(line):
            names.append(m["name"])
        elif position == 0 and (m := _ADDRESS_LINE.match(line)):
            names.append(m["name"])
        elif position == 0 and (m := _ADDRESS_ABOVE.match(line)):
            names.append(m["name"])
    return tuple(dict.fromkeys(n.strip().rstrip(":") for n in names))


def quoted_lines(text: str) -> tuple[str, ...]:
    """Whole lines the comment quotes (a line in quotation marks, or ``blockquote>``)."""
    quotes = []
    for line in text.splitlines()[:6]:
        m = _QUOTED_LINE.match(line.strip())
        if m and len(m["quote"].split()) >= 4:
            quotes.append(m["quote"].strip(" .…"))
    return tuple(quotes)


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _blocks(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
    """Blank-line separated blocks as (1-based first line, text joined by spaces)."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    first = start
    for i in range(start, end):
        stripped = lines[i].strip()
        if stripped:
            if not current:
                first = i
            current.append(stripped)
        elif current:
            blocks.append((first + 1, " ".join(current)))
            current = []
    if current:
        blocks.append((first + 1, " ".join(current)))
    return blocks
