"""Documents on Telegram: admins (``TELEGRAM_ADMIN_IDS``) add one with ``/add URL`` or by
sending a file; ``/documents`` lists the documents with their sources.

Adding parses the file before anything is written and rebuilds the index in the answer
worker, then the bot answers from the new index. A bad file or URL gets a one-line
message and changes nothing: the corpus folder and the index stay as they were.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from html import escape
from pathlib import PurePosixPath
from urllib.parse import urlparse

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.answering import Answerer
from bot.knowledge import add_and_rebuild
from bot.telegram.front_end import FrontEnd
from corpus.errors import ArticleBotError
from corpus.fetching import fetch
from corpus.formats import FORMATS
from corpus.loading import MAX_DOCUMENT_BYTES, format_for
from corpus.model import Document

log = logging.getLogger("article_bot.telegram")

Context = ContextTypes.DEFAULT_TYPE
FRONT_END = "article_bot"  # the key handlers.py keeps the front end under
ADMINS_ONLY = "Sorry, only the bot's admins can add documents."
ADD_USAGE = "Send /add followed by a web address, for example /add https://example.com/article"


def _html(text: str) -> str:
    return escape(text, quote=False)


def _front(context: Context) -> FrontEnd:
    front: FrontEnd = context.bot_data[FRONT_END]
    return front


def is_admin(update: Update, front: FrontEnd) -> bool:
    user = update.effective_user
    return bool(user and user.id in front.settings.telegram_admin_ids)


async def list_documents(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None:
        return
    lines = ["<b>Documents</b>"]
    for d in _front(context).core.knowledge.corpus.documents:
        lines.append(f"• {describe(d)}")
    await message.reply_html("\n".join(lines))


def describe(document: Document) -> str:
    """One document as HTML: title, author, file, parts, and the address it came from."""
    by = f" by {_html(document.author)}" if document.author else ""
    text = (
        f"<b>{_html(document.title)}</b>{by} ({_html(document.path)}): "
        f"{len(document.paragraphs)} paragraphs, {len(document.comments)} comments"
    )
    if document.source_url:
        text += f"\nfrom {_html(document.source_url)}"
    return text


async def add_url(update: Update, context: Context) -> None:
    message, front = update.effective_message, _front(context)
    if message is None:
        return
    if not is_admin(update, front):
        await message.reply_html(_html(ADMINS_ONLY))
        return
    if not context.args:
        await message.reply_html(_html(ADD_USAGE))
        return
    url = context.args[0]
    try:
        fetched = await asyncio.to_thread(fetch, url)
    except ArticleBotError as exc:
        await message.reply_html(f"Couldn't add that: {_html(str(exc))}")
        return
    stem = PurePosixPath(urlparse(fetched.final_url).path).stem or "page"
    name = stem + fetched.format.suffixes[0]
    await _add(update, front, name, fetched.data, fetched.final_url)


async def upload(update: Update, context: Context) -> None:
    message, front = update.effective_message, _front(context)
    if message is None or message.document is None:
        return
    if not is_admin(update, front):
        # In a group, a file is usually shared with the people there, not sent to the bot.
        if message.chat.type == ChatType.PRIVATE:
            await message.reply_html(_html(ADMINS_ONLY))
        return
    name = message.document.file_name or "upload"
    try:
        format_for(name)
    except ArticleBotError:
        await message.reply_html(
            f"Couldn't add {_html(name)}: I read {_html(FORMATS.describe())} files."
        )
        return
    size = message.document.file_size or 0
    if size > MAX_DOCUMENT_BYTES:
        await message.reply_html(
            f"Couldn't add {_html(name)}: it is {size / 1_048_576:.0f} MiB; the limit is 20 MiB."
        )
        return
    file = await message.document.get_file()
    data = bytes(await file.download_as_bytearray())
    await _add(update, front, name, data, None)


async def _add(
    update: Update, front: FrontEnd, name: str, data: bytes, source_url: str | None
) -> None:
    message = update.effective_message
    if message is None:
        return
    settings = front.settings
    core = front.core
    work = partial(
        add_and_rebuild,
        settings.corpus_dir,
        settings.index_dir,
        core.embedder,
        settings.chunking,
        name,
        data,
        source_url,
    )
    try:
        # The answer worker builds the index: the model is used by one thread at a time.
        loop = asyncio.get_running_loop()
        document, knowledge, report = await loop.run_in_executor(front.executor, work)
    except ArticleBotError as exc:
        await message.reply_html(
            f"Couldn't add {_html(name)}: {_html(str(exc))}. Nothing was changed."
        )
        return
    front.answerer = Answerer(knowledge, core.embedder, core.settings)
    log.info(
        "chat %s added %s: %d document(s), %d passages",
        message.chat.id,
        document.path,
        report.documents,
        report.passages,
    )
    await message.reply_html(
        f"Added {describe(document)}\n"
        f"I now answer from {report.documents} document(s), {report.passages} passages."
    )
