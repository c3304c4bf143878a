"""Reader comments in a saved web page, from the markup sites commonly use.

Tried in order, the first that finds comments wins:

1. WordPress's comment list (``ol.comment-list`` / ``ol.commentlist`` of ``li.comment``,
   replies in ``ol.children``);
2. schema.org ``Comment`` in microdata (``itemtype=".../Comment"``, replies nested);
3. schema.org ``Comment`` in JSON-LD (an article's ``comment`` list, replies in each
   comment's own ``comment``);
4. a generic fallback: elements whose class or id says "comment" and that hold an
   author (``author``/``user``/``name`` class, ``<cite>``, ``rel=author``).

Each comment keeps its author, time (when the page gives one), text, and the comment it
replies to (by position). :func:`comment_sections` names the page parts to drop from the
article's text: the comment list and the comment form.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import html as lxml_html

Element = Any  # lxml.html.HtmlElement (lxml has no type information)


@dataclass(frozen=True, slots=True)
class RawComment:
    """A comment as found; ``parent`` is the position of the comment it replies to."""

    author: str
    posted_at: datetime | None
    text: str
    parent: int | None = None


def extract_comments(tree: Element) -> list[RawComment]:
    for strategy in (_wordpress, _microdata, _json_ld, _generic):
        comments = strategy(tree)
        if comments:
            return comments
    return []


def _class_test(*names: str) -> str:
    """An XPath test that an element's class list holds one of ``names`` (whole tokens,
    so "comment" doesn't match "comment-meta")."""
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in names
    )


_SECTION_XPATH = (
    "//*[@id='comments' or @id='respond' or @id='disqus_thread' or @id='commentform'"
    f" or {_class_test('comments-area', 'comment-list', 'commentlist', 'comment-respond')}"
    " or contains(@itemtype, 'schema.org/Comment')]"
)


def comment_sections(tree: Element) -> list[Element]:
    """The page parts that hold comments or the comment form (outermost only)."""
    found = list(tree.xpath(_SECTION_XPATH))
    found.extend(tree.xpath("//form[.//textarea]"))
    found.extend(_generic_items(tree))
    outer = []
    for element in found:
        if not any(other is not element and _is_ancestor(other, element) for other in found):
            outer.append(element)
    return list(dict.fromkeys(outer))


# --- WordPress -------------------------------------------------------------------------

_WP_ITEMS = (
    f"//*[{_class_test('comment-list', 'commentlist')}]"
    f"//li[{_class_test('comment')}"
    " or starts-with(@id, 'comment-')]"
)


def _wordpress(tree: Element) -> list[RawComment]:
    items = list(tree.xpath(_WP_ITEMS))
    comments = []
    for item in items:
        if _has_class(item, "pingback") or _has_class(item, "trackback"):
            continue
        author = _own_first(item, items, ".//*[contains(@class, 'fn')]")
        if author is None:
            author = _own_first(item, items, ".//*[contains(@class, 'comment-author')]")
        time_element = _own_first(item, items, ".//time")
        meta = _own_first(
            item,
            items,
            ".//*[contains(@class, 'comment-metadata') or contains(@class, 'comment-meta')"
            " or contains(@class, 'commentmetadata')]",
        )
        content = _own_first(item, items, ".//*[contains(@class, 'comment-content')]")
        if content is not None:
            text = _text_of(content)
        else:
            skip = [e for e in (author, meta) if e is not None]
            text = _paragraphs(item, items, skip)
        posted = _time_of(time_element) if time_element is not None else None
        if posted is None and meta is not None:
            posted = parse_when(_flat(meta.text_content()))
        comments.append((item, _author_name(author), posted, text))
    return _with_parents(comments, items)


# --- schema.org microdata --------------------------------------------------------------


def _microdata(tree: Element) -> list[RawComment]:
    items = [
        e
        for e in tree.xpath("//*[@itemtype]")
        if re.search(r"schema\.org/(Comment|UserComments)$", e.get("itemtype", "").strip())
    ]
    comments = []
    for item in items:
        author = _own_first(item, items, ".//*[@itemprop='author' or @itemprop='creator']")
        name = None
        if author is not None:
            inner = author.xpath(".//*[@itemprop='name']")
            name = _prop_value(inner[0]) if inner else _prop_value(author)
        when = _own_first(
            item,
            items,
            ".//*[@itemprop='dateCreated' or @itemprop='datePublished' or @itemprop='commentTime']",
        )
        body = _own_first(
            item,
            items,
            ".//*[@itemprop='text' or @itemprop='commentText' or @itemprop='description']",
        )
        posted = None
        if when is not None:
            posted = parse_when(when.get("datetime") or when.get("content") or "") or parse_when(
                _flat(when.text_content())
            )
        text = _text_of(body) if body is not None else ""
        comments.append((item, _clean_name(name or ""), posted, text))
    return _with_parents(comments, items)


# --- schema.org JSON-LD ----------------------------------------------------------------


def _json_ld(tree: Element) -> list[RawComment]:
    out: list[RawComment] = []

    def visit(node: Any, parent: int | None, in_comment: bool) -> None:
        if isinstance(node, list):
            for child in node:
                visit(child, parent, in_comment)
            return
        if not isinstance(node, dict):
            return
        kinds = node.get("@type", ())
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        if "Comment" in kinds and isinstance(node.get("text"), str):
            author = node.get("author")
            if isinstance(author, list):
                author = author[0] if author else None
            name = author.get("name", "") if isinstance(author, dict) else str(author or "")
            when = node.get("dateCreated") or node.get("datePublished") or ""
            out.append(
                RawComment(
                    _clean_name(str(name)),
                    parse_when(str(when)),
                    _flat_text(_strip_tags(node["text"])),
                    parent,
                )
            )
            here = len(out) - 1
            visit(node.get("comment", []), here, True)
            return
        for key, value in node.items():
            if key in ("comment", "@graph", "mainEntity", "hasPart") or isinstance(
                value, (list, dict)
            ):
                visit(value, parent, in_comment)

    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        visit(data, None, False)
    return [c for c in out if c.text]


# --- generic fallback ------------------------------------------------------------------

_COMMENT_WORD = re.compile(r"comment|reply|response", re.IGNORECASE)
_CONTAINER_WORD = re.compile(
    r"comments|replies|responses|list|form|respond|count|title|header|footer|meta|content"
    r"|body|text|author|date|time|link|button|action|avatar|share|nav",
    re.IGNORECASE,
)
_AUTHOR_XPATH = (
    ".//*[contains(@class, 'author') or contains(@class, 'user') or contains(@class, 'name')"
    " or contains(@class, 'byline') or @rel='author' or self::cite]"
)


def _generic_items(tree: Element) -> list[Element]:
    """Elements that look like one comment: "comment" in a class or id (and not a list,
    form or part of one) with an author inside."""
    items = []
    for element in tree.iter("article", "li", "div", "section"):
        labels = " ".join(filter(None, (element.get("class"), element.get("id"))))
        tokens = re.split(r"[\s_]+", labels)
        if not any(_COMMENT_WORD.search(t) and not _CONTAINER_WORD.search(t) for t in tokens):
            continue
        if not element.xpath(_AUTHOR_XPATH):
            continue
        items.append(element)
    # When a comment and a wrapper inside it both qualify, keep the outer one.
    return [
        e
        for e in items
        if not any(_is_ancestor(o, e) and _same_author(o, e, items) for o in items if o is not e)
    ]


def _generic(tree: Element) -> list[RawComment]:
    items = _generic_items(tree)
    comments = []
    for item in items:
        author = _own_first(item, items, _AUTHOR_XPATH)
        time_element = _own_first(item, items, ".//time")
        body = _own_first(
            item,
            items,
            ".//*[contains(@class, 'content') or contains(@class, 'body')"
            " or contains(@class, 'text') or contains(@class, 'message')]",
        )
        skip = [e for e in (author, time_element) if e is not None]
        text = _text_of(body) if body is not None else _paragraphs(item, items, skip)
        posted = _time_of(time_element) if time_element is not None else None
        comments.append((item, _author_name(author), posted, text))
    return _with_parents(comments, items)


# --- helpers ---------------------------------------------------------------------------


def _with_parents(
    found: list[tuple[Element, str, datetime | None, str]], items: list[Element]
) -> list[RawComment]:
    """RawComments in page order, each with the position of the comment it sits in."""
    kept = [entry for entry in found if entry[3].strip()]
    position = {id(entry[0]): n for n, entry in enumerate(kept)}
    out = []
    for element, author, posted, text in kept:
        parent = None
        for ancestor in element.iterancestors():
            if id(ancestor) in position:
                parent = position[id(ancestor)]
                break
        out.append(RawComment(author or "Anonymous", posted, text, parent))
    return out


def _own_first(item: Element, items: list[Element], xpath: str) -> Element | None:
    """The first match of ``xpath`` in ``item`` that is not inside a nested comment."""
    for found in item.xpath(xpath):
        if _owner(found, items) is item:
            return found
    return None


def _owner(element: Element, items: list[Element]) -> Element | None:
    ids = {id(i) for i in items}
    for ancestor in element.iterancestors():
        if id(ancestor) in ids:
            return ancestor
    return None


def _same_author(outer: Element, inner: Element, items: list[Element]) -> bool:
    authors = outer.xpath(_AUTHOR_XPATH)
    return bool(authors) and any(_is_ancestor(inner, a) for a in authors[:1])


def _is_ancestor(ancestor: Element, element: Element) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _has_class(element: Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _paragraphs(item: Element, items: list[Element], skip: list[Element]) -> str:
    """The item's own ``<p>`` texts, or its own text without ``skip`` parts."""
    paragraphs = [
        p
        for p in item.xpath(".//p")
        if _owner(p, items) is item and not any(_is_ancestor(s, p) for s in skip)
    ]
    if paragraphs:
        return "\n".join(t for t in (_flat(p.text_content()) for p in paragraphs) if t)
    return ""


_BLOCK_TAGS = {"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}


def _text_of(element: Element) -> str:
    """Text with one line per paragraph (block elements and ``<br>`` break lines)."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        if node.tag in _BLOCK_TAGS:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "button"):
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if node.tag in _BLOCK_TAGS:
            parts.append("\n")

    walk(element)
    return _flat_text("".join(parts))


def _flat_text(text: str) -> str:
    lines = (_flat(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _strip_tags(text: str) -> str:
    if "<" not in text:
        return text
    return _text_of(lxml_html.fragment_fromstring(text, create_parent="div"))


def _prop_value(element: Element) -> str:
    return element.get("content") or _flat(element.text_content())


def _author_name(element: Element | None) -> str:
    return _clean_name(_flat(element.text_content())) if element is not None else ""


def _clean_name(name: str) -> str:
    """``Dr. X says:`` -> ``Dr. X``."""
    name = re.sub(r"\s+(says|wrote|writes)\s*:?\s*$", "", name.strip(), flags=re.IGNORECASE)
    return name.strip(" :|-–—")


def _time_of(element: Element) -> datetime | None:
    return parse_when(element.get("datetime") or "") or parse_when(_flat(element.text_content()))


_YEAR = re.compile(r"\b(19|20)\d\d\b")


def parse_when(value: str) -> datetime | None:
    """A timestamp as the page shows it (wall-clock time; a zone is dropped), or None.

    ISO 8601 first; other text is read only when it has a four-digit year, so "3 days
    ago" or "Reply" is never taken for a date."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    if not _YEAR.search(value):
        return None
    from dateutil import parser as date_parser

    cleaned = re.sub(r"\b(at|on|posted|um|@)\b|@", " ", value, flags=re.IGNORECASE)
    try:
        return date_parser.parse(cleaned, fuzzy=True).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
