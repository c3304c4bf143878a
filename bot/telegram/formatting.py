"""Replies as Telegram HTML: escaped, split under the message limit, with citation buttons.

Every piece of document and user text goes through :func:`html.escape`: the article
itself contains quotes, ``<``, ``&`` and a literal ``blockquote>``. Messages are split on
plain text *before* escaping, so a split never lands inside a tag, an entity such as
``&amp;`` or a citation marker such as ``[12]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.rendering import answer_lines, understood_line
from bot.replies import Citation, Reply

# Telegram counts UTF-16 code units of the text after entity parsing; bounding the HTML
# source instead is stricter, so a message that passes here always fits.
MESSAGE_LIMIT = 4096
BUTTON_LABEL_CHARS = 48
QUESTION_ECHO_CHARS = 200
CALLBACK_PREFIX = "cite"

_PIECES = re.compile(r"\S+|\s+")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def html_text(text: str) -> str:
    return escape(text, quote=False)


def reply_blocks(reply: Reply) -> list[str]:
    """The reply as self-contained HTML paragraphs (each has balanced tags): the question
    as understood (mention removed; shortened), the answer lines, the list of sources."""
    question = " ".join(reply.question.split())
    if len(question) > QUESTION_ECHO_CHARS:
        question = question[: QUESTION_ECHO_CHARS - 1] + "…"
    blocks = [f"<b>Q:</b> <i>{html_text(question)}</i>"] if question else []
    understood = understood_line(reply)
    if understood:
        blocks.append(f"<i>{html_text(understood[:QUESTION_ECHO_CHARS])}</i>")
    for line in answer_lines(reply):
        # The speaker in bold, when the line fits one message (a longer one is split
        # as plain text).
        bold = f"<b>{html_text(line.lead)}</b> {html_text(line.body)}"
        fits = line.lead and telegram_length(bold) <= MESSAGE_LIMIT
        blocks.append(bold if fits else html_text(line.text))
    if reply.citations:
        sources = "\n".join(f"[{c.number}] {html_text(c.label)}" for c in reply.citations)
        blocks.append(f"<i>Sources</i> (press a button to read one in full):\n{sources}")
    return blocks


def passage_blocks(citation: Citation) -> list[str]:
    """A cited passage in full: its label, then the text in an expandable blockquote."""
    heading = f"<b>[{citation.number}] {html_text(citation.label)}</b>"
    return [heading, *_quoted(citation.passage.text)]


def _quoted(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    def wrap(piece: str) -> str:
        return f"<blockquote expandable>{html_text(piece)}</blockquote>"

    return [wrap(piece) for piece in split_plain(text, limit, wrap)]


def pack_messages(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join HTML blocks with blank lines into as few messages of at most ``limit`` as fit.

    A block longer than ``limit`` must already have been split by the caller; plain
    blocks (no tags) are split here at word boundaries as a last resort.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if telegram_length(block) <= limit:
            pieces = [block]
        else:  # fill what is left of the current message first
            room = limit - telegram_length(current) - 2 if current else limit
            pieces = _split_escaped(block, limit, first=room if room >= 500 else limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _split_escaped(block: str, limit: int, first: int) -> list[str]:
    """Split an over-long block of escaped text without tags (an answer line); the first
    piece gets at most ``first`` characters."""
    if "<" in block:
        raise ValueError("a block with tags must be split before packing")
    plain = block.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    head, *rest = split_plain(plain, first, html_text)
    tail = " ".join(rest)
    pieces = [head, *(split_plain(tail, limit, html_text) if tail else [])]
    return [html_text(piece) for piece in pieces]


def split_plain(text: str, limit: int, render: Callable[[str], str]) -> list[str]:
    """Cut plain ``text`` into pieces whose rendering is at most ``limit`` characters,
    at whitespace (so never inside a word or a ``[n]`` marker), preferring line breaks."""
    if telegram_length(render(text)) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for token in _tokens(text):
        if telegram_length(render(current + token)) <= limit:
            current += token
            continue
        if current.strip():
            pieces.append(current.strip())
        current = token.lstrip()
        while telegram_length(render(current)) > limit:  # one "word" longer than a message
            cut = _longest_prefix(current, limit, render)
            pieces.append(current[:cut])
            current = current[cut:]
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _tokens(text: str) -> list[str]:
    """Lines first (paragraph boundaries), then words with the spaces after them."""
    tokens: list[str] = []
    for line in text.splitlines(keepends=True):
        tokens.extend(_PIECES.findall(line))
    return tokens


def _longest_prefix(text: str, limit: int, render: Callable[[str], str]) -> int:
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if telegram_length(render(text[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def citation_keyboard(key: str, citations: Sequence[Citation]) -> InlineKeyboardMarkup | None:
    """One button per citation; its callback data ``cite:<key>:<n>`` stays far below
    Telegram's 64-byte limit because ``key`` is a short id for the stored answer."""
    if not citations:
        return None
    rows = [
        [InlineKeyboardButton(_button_label(c), callback_data=callback_data(key, c.number))]
        for c in citations
    ]
    return InlineKeyboardMarkup(rows)


def callback_data(key: str, number: int) -> str:
    data = f"{CALLBACK_PREFIX}:{key}:{number}"
    if len(data.encode()) > 64:
        raise ValueError("callback data longer than Telegram's 64 bytes")
    return data


def parse_callback_data(data: str) -> tuple[str, int] | None:
    prefix, _, rest = data.partition(":")
    key, _, number = rest.partition(":")
    if prefix != CALLBACK_PREFIX or not key or not number.isdigit():
        return None
    return key, int(number)


def _button_label(citation: Citation) -> str:
    label = f"[{citation.number}] {citation.label}"
    return label if len(label) <= BUTTON_LABEL_CHARS else label[: BUTTON_LABEL_CHARS - 1] + "…"
