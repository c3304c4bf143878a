"""The handlers: each one small, all wired in :mod:`bot.telegram.app`.

Answering is the shared core's :meth:`Answerer.answer_turn`, run off the event loop by
:class:`FrontEnd`; these functions only turn updates into questions and replies into
messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from html import escape

from telegram import Bot, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.replies import Reply
from bot.state.protocols import SentAnswer
from bot.telegram import operations
from bot.telegram.delivery import MaybeDelivered
from bot.telegram.formatting import (
    MESSAGE_LIMIT,
    citation_keyboard,
    pack_messages,
    parse_callback_data,
    passage_blocks,
    reply_blocks,
    telegram_length,
)
from bot.telegram.front_end import FrontEnd

log = logging.getLogger("article_bot.telegram")

Context = ContextTypes.DEFAULT_TYPE
FRONT_END = "article_bot"
TYPING_EVERY = 4.5  # Telegram shows "typing…" for about 5 seconds per chat action.
TYPING_WAIT = 2.0  # at most this long for the first "typing…" before answering

NON_TEXT = "I can only answer text questions. Please type your question."
EXPIRED = "This answer has expired, please ask again."
FAILED = "Sorry, something went wrong while answering. Please try again."
UNDELIVERED = "Sorry, Telegram did not accept my answer for a while. Please ask again."
NOT_ALLOWED = "Sorry, this bot only talks to the people its operator allowed."


def front_end(context: Context) -> FrontEnd:
    front: FrontEnd = context.bot_data[FRONT_END]
    return front


# Commands ---------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    await _say(update, front_end(context).greeting())


async def help_command(update: Update, context: Context) -> None:
    await _say(update, front_end(context).help_text())


async def sources(update: Update, context: Context) -> None:
    await _say(update, front_end(context).sources_text())


async def about(update: Update, context: Context) -> None:
    await _say(update, front_end(context).about_text())


async def reset(update: Update, context: Context) -> None:
    if update.effective_chat:
        await front_end(context).contexts.forget(update.effective_chat.id)
    await _say(update, "Forgotten: your next question starts afresh.")


async def ask(update: Update, context: Context) -> None:
    message = update.effective_message
    text = message.text if message and message.text else ""
    question = text.partition(" ")[2].strip() if " " in text else " ".join(context.args or ())
    if not question:
        await _say(update, "Ask like this: <code>/ask What is the article about?</code>")
        return
    await answer(update, context, question)


# Questions ----------------------------------------------------------------------------


async def private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message and message.text:
        await answer(update, context, message.text)


async def group_text(update: Update, context: Context) -> None:
    """In groups, only messages that mention the bot or reply to it are questions."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = addressed_question(message, context.bot)
    if question is not None:
        await answer(update, context, question)


def addressed_question(message: Message, bot: Bot) -> str | None:
    """The question with the bot's @mention removed, or None if the bot isn't addressed."""
    text = message.text or ""
    mention = re.compile(rf"@{re.escape(bot.username)}(?!\w)", re.IGNORECASE)
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot.id)
    if not mention.search(text) and not to_bot:
        return None
    return re.sub(r"\s{2,}", " ", mention.sub(" ", text)).strip()


async def non_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return
    if update.effective_chat.type == ChatType.PRIVATE or _replies_to_bot(message, context.bot):
        await message.reply_html(NON_TEXT)


def _replies_to_bot(message: Message, bot: Bot) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


async def answer(update: Update, context: Context, question: str) -> None:
    """Rate-limit, answer off the event loop with the chat's context, send the reply."""
    front = front_end(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    started = time.perf_counter()
    decision = await front.rate_limit.check(user.id if user else chat.id)
    if not decision.allowed:
        operations.RATE_LIMITED.inc()
        log.info("chat %s: over the rate limit for %.0f s more", chat.id, decision.retry_after)
        # One "slow down" per window: a user who keeps sending is not answered each time.
        if decision.warn:
            await message.reply_html(front.slow_down_text(decision.retry_after))
        return
    operations.QUESTIONS.inc()
    async with front.locks.acquire(chat.id):
        async with typing(context.bot, chat.id):
            previous = await front.contexts.get(chat.id)
            reply, turn = await front.answer(question, previous)
        await front.contexts.put(chat.id, turn)
        await send_reply(message, reply, front)
    elapsed = time.perf_counter() - started
    operations.ANSWERS.labels(reply.verdict).inc()
    operations.ANSWER_SECONDS.observe(elapsed)
    log.info(
        "chat %s: answered (%s, %s, %d citation(s)%s) in %.2f s",
        chat.id,
        reply.verdict,
        reply.kind,
        len(reply.citations),
        ", a follow-up" if previous is not None else "",
        elapsed,
    )


async def send_reply(message: Message, reply: Reply, front: FrontEnd) -> None:
    """The answer in as many messages as needed; the buttons go on the last one.

    The answer is stored before it is sent, so its buttons work as soon as they show
    (with several workers, the press may reach another worker at once)."""
    texts = pack_messages(reply_blocks(reply))
    key = front.answers.new_key() if reply.citations else ""
    if reply.citations:
        await front.answers.put(key, SentAnswer(reply, texts[-1]))
    keyboard = citation_keyboard(key, reply.citations)
    for number, text in enumerate(texts, start=1):
        last = number == len(texts)
        try:
            await message.reply_html(text, reply_markup=keyboard if last else None)
        except MaybeDelivered:
            # Telegram may well have shown it: sending it again could show it twice, and
            # "Sorry" would be wrong. The rest of the answer still goes out.
            log.warning(
                "reply %d/%d in chat %s may not have arrived", number, len(texts), message.chat_id
            )


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends."""

    async def show() -> None:
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def keep_typing() -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY)
            await show()

    with contextlib.suppress(TimeoutError):  # a slow API must not hold up the answer
        await asyncio.wait_for(show(), TYPING_WAIT)
    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# Citation buttons ---------------------------------------------------------------------


async def show_citation(update: Update, context: Context) -> None:
    """Show a cited passage in full under the answer (or after it, if too long)."""
    query = update.callback_query
    if query is None:
        return
    parsed = parse_callback_data(query.data or "")
    stored = await front_end(context).answers.get(parsed[0]) if parsed else None
    citation = (
        next((c for c in stored.citations if c.number == parsed[1]), None)
        if stored and parsed
        else None
    )
    message = query.message
    if stored is None or citation is None or not isinstance(message, Message):
        await query.answer(EXPIRED, show_alert=True)
        return
    await query.answer()
    log.info("chat %s: showed citation [%d]", message.chat.id, citation.number)
    passage = "\n\n".join(passage_blocks(citation))
    edited = f"{stored.last_message}\n\n{passage}"
    if telegram_length(edited) <= MESSAGE_LIMIT:
        try:
            await query.edit_message_text(edited, reply_markup=message.reply_markup)
        except BadRequest as exc:  # pressing the button of the passage already shown
            if "not modified" not in str(exc).lower():
                raise
        return
    for text in pack_messages(passage_blocks(citation)):
        await message.reply_html(text, do_quote=False)


# Gatekeeping and errors ---------------------------------------------------------------


async def restrict(update: Update, context: Context) -> None:
    """Runs before every other handler: with an allowlist set, others are turned away."""
    settings = front_end(context).settings
    allowed = settings.telegram_allowed_ids | settings.telegram_admin_ids
    if not settings.telegram_allowed_ids:
        return
    user, chat = update.effective_user, update.effective_chat
    if (user and user.id in allowed) or (chat and chat.id in allowed):
        return
    if update.callback_query:
        await update.callback_query.answer(NOT_ALLOWED, show_alert=True)
    elif chat and chat.type == ChatType.PRIVATE and update.effective_message:
        await update.effective_message.reply_html(escape(NOT_ALLOWED))
    log.info(
        "turned away an update from chat %s (not in TELEGRAM_ALLOWED_IDS)",
        chat.id if chat else None,
    )
    raise ApplicationHandlerStop


async def drop_seen(update: Update, context: Context) -> None:
    """Runs first: an update delivered again (same ``update_id``) is handled once."""
    if not await front_end(context).state.seen.first_time(update.update_id):
        operations.UPDATES_DUPLICATE.inc()
        chat = update.effective_chat
        log.info(
            "chat %s: update %d was delivered again; handled once already",
            chat.id if chat else None,
            update.update_id,
        )
        raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log every failure with its chat id, tell the user once, and keep running.

    Network trouble is one log line (the request layer has already retried it); a reply
    that may have arrived gets no "Sorry"; a bug is logged with its traceback."""
    error = context.error
    if isinstance(error, TelegramError):
        operations.TELEGRAM_ERRORS.labels(type(error).__name__).inc()
    chat = update.effective_chat if isinstance(update, Update) else None
    where = f"chat {chat.id}" if chat else "polling"
    if isinstance(error, MaybeDelivered):
        log.warning("%s: a reply may not have arrived: %s", where, error)
        return
    if isinstance(error, (NetworkError, TimedOut, Conflict)):
        log.warning("%s: the Bot API failed: %s", where, _one_line(error))
        text = UNDELIVERED
    else:
        log.error("failed to handle an update in %s: %s", where, error, exc_info=error)
        text = FAILED
    if chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, text)


def _one_line(error: BaseException) -> str:
    if isinstance(error, Conflict):
        return f"{error.message} (is another copy of the bot running with this token?)"
    return str(error)


async def _say(update: Update, html: str) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(html)
