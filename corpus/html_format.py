"""Saved web pages: the article (trafilatura) and its reader comments (html_comments).

trafilatura finds the article's text and metadata (title, author, date, site) and leaves
out navigation, cookie banners, share buttons, related links and footers. The comment
list and the comment form are taken out of the page before it looks, so comments are
never read as the article; they are read by :mod:`corpus.html_comments` instead and
numbered in page order (#1 first), replies keeping the comment they answer.

The page's source address is its "saved from url" mark (what browsers write when saving
a page), else its canonical link.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from corpus.errors import CorpusError
from corpus.export_format import addressed_names, quoted_lines
from corpus.html_comments import RawComment, comment_sections, extract_comments
from corpus.model import Comment, Document, Paragraph
from corpus.plain_text import fallback_title
from corpus.threads import link_replies

MEDIA_TYPES = ("text/html", "application/xhtml+xml")
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(?P<url>\S+?)\s*-->", re.IGNORECASE)
_BY = re.compile(r"^by\s+", re.IGNORECASE)


def saved_from_mark(url: str) -> bytes:
    """The mark browsers put at the top of a saved page, naming where it came from."""
    encoded = url.encode("utf-8")
    return b"<!-- saved from url=(%04d)%s -->\n" % (len(encoded), encoded)


def parse_html(data: bytes, path: str) -> Document:
    import trafilatura
    from lxml import etree

    if not data.strip():
        raise CorpusError(path, "the web page is empty")
    try:
        tree = trafilatura.load_html(data)
    except (ValueError, etree.ParserError) as exc:
        raise CorpusError(path, f"can't be read as HTML ({exc})") from None
    if tree is None:
        raise CorpusError(path, "can't be read as HTML")
    raw_comments = extract_comments(tree)
    article_tree = copy.deepcopy(tree)
    for section in comment_sections(article_tree):
        section.drop_tree()
    extracted = trafilatura.bare_extraction(
        article_tree,
        include_comments=False,
        include_tables=False,
        include_formatting=False,
        with_metadata=True,
        favor_precision=True,
        # Only dates the page states as its own (metadata, markup); the wider search
        # takes a copyright year for the publication date.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(extracted, trafilatura.settings.Document) or extracted.body is None:
        raise CorpusError(path, "no article text found in the web page")
    title = " ".join((extracted.title or "").split())
    author = _author(extracted.author)
    paragraphs = _paragraphs(extracted.body, title, author)
    if not paragraphs:
        raise CorpusError(path, "no article text found in the web page")
    saved = _SAVED_FROM.search(data[:4096])
    source = saved["url"].decode("utf-8", "replace") if saved else extracted.url
    document = Document(
        path=path,
        title=title or fallback_title(path),
        kind="html",
        paragraphs=tuple(paragraphs),
        comments=_comments(raw_comments),
        site=(extracted.sitename or "").strip() or None,
        url=source or None,
        author=author,
        byline=f"By {author}" if author else None,
        published=extracted.date or None,
        source_url=source or None,
    )
    return link_replies(document)


def _paragraphs(body: Any, title: str, author: str | None) -> list[Paragraph]:
    """Article paragraphs from trafilatura's XML body; ``<head>`` labels what follows.
    The title and a "By AUTHOR" line, when trafilatura keeps them, are not paragraphs."""
    paragraphs: list[Paragraph] = []
    section: str | None = None
    for position, element in enumerate(body.iterchildren(), 1):
        text = " ".join("".join(element.itertext()).split())
        if not text or text == title:
            continue
        if author and _BY.sub("", text) == author:
            continue
        if element.tag == "head":
            section = text
            continue
        if element.tag == "list":
            items = [" ".join("".join(i.itertext()).split()) for i in element.iter("item")]
            text = "\n".join(i for i in items if i)
        paragraphs.append(Paragraph(len(paragraphs) + 1, text, position, section))
    return paragraphs


def _author(raw: str | None) -> str | None:
    if not raw:
        return None
    first = raw.split(";")[0].strip()
    return _BY.sub("", first).strip() or None


def _comments(raw: list[RawComment]) -> tuple[Comment, ...]:
    comments = []
    for number, found in enumerate(raw, 1):
        comments.append(
            Comment(
                number=number,
                author=found.author,
                posted_at=found.posted_at,
                text=found.text,
                line=number,
                addressed_to=addressed_names(found.text),
                quotes=quoted_lines(found.text),
                replies_to=() if found.parent is None else (found.parent + 1,),
            )
        )
    return tuple(comments)
