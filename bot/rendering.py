"""Replies in English: plain text for terminals (console chat and ``ask``) and the
``ask --json`` record. The Telegram front end renders the same :func:`answer_lines`
as HTML (:mod:`bot.telegram.formatting`).

Every kind of fact and every reason a question is not answered has one sentence
here (:data:`FACT_SENTENCES`, :data:`REASON_SENTENCES`); a new kind of answer adds its own.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.intents import ARTICLE_KINDS
from bot.replies import Citation, Fact, Quote, Reply, format_date_long
from corpus.model import Document

NOT_FOUND = "I couldn't find that in the article or its comments."
GAP = " … "
"""Between quoted sentences that are not consecutive in the source."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an answer: who speaks (may be empty), then what they say."""

    lead: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.lead} {self.body}" if self.lead else self.body


def _date(value: str | None) -> str:
    return format_date_long(datetime.fromisoformat(value) if value else None)


def _markers(numbers: Sequence[int]) -> str:
    return "".join(f" [{n}]" for n in numbers)


def _marker(numbers: Sequence[int], index: int) -> str:
    return f" [{numbers[index]}]" if index < len(numbers) else ""


def _numbers(values: Sequence[int]) -> str:
    return ", ".join(f"#{n}" for n in values)


def _author(fact: Fact) -> str:
    v = fact.values
    role = f", {v['role']}" if v.get("role") else ""
    return f"“{fact.document}” was written by {v['author']}{role}{_markers(fact.citations)}."


def _title(fact: Fact) -> str:
    sentence = f"The article is titled “{fact.values['title']}”{_markers(fact.citations)}."
    titles = fact.values.get("all_titles")
    if titles:
        sentence += " The documents here are: " + "; ".join(f"“{t}”" for t in titles) + "."
    return sentence


def _site(fact: Fact) -> str:
    v = fact.values
    where = f" ({v['url']})" if v.get("url") else ""
    return f"It was published by {v['site']}{where}{_markers(fact.citations)}."


def _comment_count(fact: Fact) -> str:
    v, numbers = fact.values, fact.citations
    return (
        f"“{fact.document}” has {v['comments']} comments from {v['readers']} different readers, "
        f"posted between {_date(v['first'])}{_marker(numbers, 0)} and "
        f"{_date(v['last'])}{_marker(numbers, 1)}."
    )


def _repeat_commenters(fact: Fact) -> str:
    commenters = fact.values["commenters"]
    if not commenters:
        return "Every comment is from a different reader."
    parts = [
        f"{c['author']} ({_numbers(c['numbers'])}){_marker(fact.citations, i)}"
        for i, c in enumerate(commenters)
    ]
    return "Commented more than once: " + "; ".join(parts) + "."


def _comment_posted(fact: Fact) -> str:
    v = fact.values
    return (
        f"Comment #{v['number']} was posted by {v['author']} on "
        f"{_date(v['posted_at'])}{_markers(fact.citations)}."
    )


def _commenter(fact: Fact) -> str:
    v = fact.values
    count = len(v["numbers"])
    times = "once" if count == 1 else f"{count} times"
    return (
        f"{v['author']} is a reader who commented {times} ({_numbers(v['numbers'])}), "
        f"first on {_date(v['first'])}{_markers(fact.citations)}."
    )


def _published(fact: Fact) -> str:
    value = fact.values["date"]
    try:
        shown = f"{date.fromisoformat(value[:10]):%B} {int(value[8:10])}, {value[:4]}"
    except ValueError:
        shown = value
    return f"“{fact.document}” was published on {shown}{_markers(fact.citations)}."


def _not_given(fact: Fact) -> str:
    """A part of the question the document doesn't answer, and why."""
    v = fact.values
    asked = v["asked"].rstrip(" ?")
    reason = REASON_SENTENCES.get(v.get("reason") or "", REASON_SENTENCES["no_match"])
    return f"On “{asked}”: {reason(v.get('detail') or {})}"


FACT_SENTENCES: dict[str, Callable[[Fact], str]] = {
    "author": _author,
    "title": _title,
    "site": _site,
    "comment_count": _comment_count,
    "repeat_commenters": _repeat_commenters,
    "comment_posted": _comment_posted,
    "published": _published,
    "commenter": _commenter,
}


def _silent(detail: Mapping[str, Any]) -> str:
    names = " or ".join(detail["names"])
    return f"I couldn't find anything about that in the comments by {names}."


def _whom(detail: Mapping[str, Any]) -> str:
    return str(detail.get("target") or "the author")


def _no_stance(detail: Mapping[str, Any]) -> str:
    verb = "agrees with" if detail.get("polarity") == "agrees" else "disagrees with"
    return f"No comment clearly says it {verb} {_whom(detail)}."


def _no_exchange(detail: Mapping[str, Any]) -> str:
    first, second = detail["people"]
    return f"{first} and {second} don't reply to each other in the comments."


REASON_SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "no_match": lambda _: NOT_FOUND,
    "commenters_silent": _silent,
    "no_stated_year": lambda _: "I couldn't find a year for that in the article or its comments.",
    "no_stated_quantity": lambda _: (
        "I couldn't find a number for that in the article or its comments."
    ),
    "no_such_comment": lambda d: (
        f"There is no such comment; the comments run from #{d['first']} to #{d['last']}."
    ),
    "no_stance": _no_stance,
    "no_exchange": _no_exchange,
    "no_objection": lambda _: "No comment clearly argues against the author.",
    "no_comments": lambda _: "There are no comments to summarise.",
    "no_evidence": lambda _: "The article gives no figures, studies or examples I can point to.",
    "no_counterpoints": lambda _: "The article doesn't take up an objection I can point to.",
    "no_author": lambda d: f"“{d['document']}” doesn't name its author.",
    "no_date": lambda d: f"“{d['document']}” doesn't say when it was published.",
    "other_work": lambda d: (
        f"The documents I answer from never mention “{d['name']}”, so I can't answer that "
        "from them."
    ),
    "empty": lambda _: "Please ask a question about the article or its comments.",
    "no_words": lambda _: "Please ask a question in words.",
    "too_long": lambda d: (
        f"Your question is {d['length']:,} characters long; the limit is {d['limit']:,}. "
        "Please ask something shorter."
    ),
}


_PART_LEADS = {
    "opening": "It opens:",
    "question": "It asks:",
    "thesis": "Its answer:",
    "support": "It argues:",
    "recommendation": "It recommends:",
    "closing": "It ends:",
    "evidence": "It gives as evidence:",
    "counterpoint": "It takes up an objection:",
    "rebuttal": "Its reply:",
    "concession": "It grants a point and answers it in the same sentence:",
}
_SURE = {
    "clear": "says so",
    "likely": "likely, from how the comment answers",
    "weak": "weak: close to the article's argument, without saying so",
    "mixed": "in part, with a reservation",
}


def overview_lines(reply: Reply) -> list[Line]:
    """An overview: a heading for its kind, then one line per quote with the part it
    plays (themes numbered with their size, stances with how sure they are)."""
    detail, kind = reply.detail, reply.detail.get("overview")
    lines: list[Line] = []
    if kind == "evidence":
        lines.append(Line("", "The evidence the article gives (in the article's order):"))
    elif kind == "counterpoints":
        lines.append(Line("", "The objections the article takes up, and its replies:"))
    elif kind in ARTICLE_KINDS:
        lines.append(Line("", "The article, in its own words (in the article's order):"))
    elif kind == "themes":
        lines.append(
            Line(
                "",
                f"The main themes of the {detail.get('comments')} comments (grouped by "
                "meaning, each with a representative line):",
            )
        )
    elif kind in ("agree", "disagree"):
        verb = "agree with" if kind == "agree" else "disagree with"
        lines.append(Line("", f"Comments that {verb} {_whom(detail)} (and how sure that is):"))
    elif kind == "objection":
        lines.append(Line("", "The strongest objection to the author in the comments:"))
    elif kind == "exchange":
        one, other = detail["people"]
        lines.append(Line("", f"The exchange between {one} and {other}, in order:"))
    group = 0
    first: int | None = None  # the comment an exchange starts from
    previous: Quote | None = None
    for quote in reply.quotes:
        if kind == "themes" and quote.group != group:
            group = quote.group
            numbers = _numbers(quote.members)
            lines.append(Line(f"{group}.", f"{len(quote.members)} comments ({numbers}):"))
        lead = _PART_LEADS.get(quote.part or "", quote_lead(quote))
        if quote.role == "commenter":
            lead = quote_lead(quote)
            if kind in ("agree", "disagree", "objection") and quote.confidence:
                lead = f"{lead[: -len(' writes:')]} ({_SURE[quote.confidence]}):"
            elif kind == "exchange" and first is not None and quote.members[0] != first:
                lead = f"{lead[: -len(' writes:')]} replies:"
            first = quote.members[0] if first is None else first
        line = Line(lead, quote_text(quote))
        if lines and lines[-1].lead == lead and lines[-1].body.endswith(f"[{quote.citation}]"):
            body = lines[-1].body[: -len(f" [{quote.citation}]")]
            # Consecutive sentences of the source run on; others are marked apart.
            adjacent = previous is not None and quote.positions[0] == previous.positions[-1] + 1
            lines[-1] = Line(lead, f"{body}{' ' if adjacent else GAP}{quote_text(quote)}")
        else:
            lines.append(line)
        previous = quote
    apart = detail.get("apart")
    if kind == "themes" and apart:
        lines.append(Line("", f"{len(apart)} more stand apart ({_numbers(apart)})."))
    if kind in ("agree", "disagree") and all(q.confidence == "weak" for q in reply.quotes):
        lines.append(Line("", "The evidence is weak: none of these says outright where it stands."))
    return lines


def quote_lead(quote: Quote) -> str:
    """Who says it, so the article's and a commenter's views are never blended."""
    if quote.role == "commenter":
        if quote.replied_to:
            return f"In reply to {quote.speaker} (#{quote.comment_number}), who wrote:"
        return f"Commenter {quote.speaker} (#{quote.comment_number}) writes:"
    if quote.role == "author":
        return f"The author, {quote.speaker}, writes:"
    return "The article says:"


def quote_text(quote: Quote) -> str:
    """The quoted sentences, with " … " where the source has text between them."""
    return GAP.join(" ".join(run) for run in quote.runs()) + f" [{quote.citation}]"


def answer_lines(reply: Reply) -> list[Line]:
    """The answer as lines: one per speaker in a row of quotes, one per fact, or the
    sentence that says why there is no answer."""
    if not reply.found:
        sentence = REASON_SENTENCES.get(reply.reason or "", REASON_SENTENCES["no_match"])
        return [Line("", sentence(reply.detail))]
    if reply.kind == "overview":
        return overview_lines(reply)
    documents = {f.document for f in reply.facts if f.document}
    facts = [f for f in reply.facts if f.kind != "not_given"]
    lines = [_fact_line(fact, len(documents) > 1) for fact in facts]
    for quote in reply.quotes:
        lead, text = quote_lead(quote), quote_text(quote)
        if lines and lines[-1].lead == lead:
            # The same speaker again (two parts of one paragraph, say): one line.
            lines[-1] = Line(lead, f"{lines[-1].body} {text}")
        else:
            lines.append(Line(lead, text))
    lines.extend(Line("", _not_given(f)) for f in reply.facts if f.kind == "not_given")
    return lines


_NAMES_ITS_DOCUMENT = frozenset({"author", "title", "comment_count", "published"})


def _fact_line(fact: Fact, several_documents: bool) -> Line:
    """A fact's sentence; with facts from several documents, led by the document's
    title when the sentence doesn't name it."""
    sentence = FACT_SENTENCES[fact.kind](fact)
    if several_documents and fact.kind not in _NAMES_ITS_DOCUMENT:
        return Line(f"In “{fact.document}”:", sentence)
    return Line("", sentence)


def answer_text(reply: Reply) -> str:
    """The answer as plain text, one line per :class:`Line`."""
    return "\n".join(line.text for line in answer_lines(reply))


def understood_line(reply: Reply) -> str | None:
    """``(Read as: …)`` when misspelt words of the question were corrected."""
    return f"(Read as: “{reply.understood}”)" if reply.understood else None


def render_reply(reply: Reply, width: int = 88) -> str:
    """The answer, then one line per citation: ``[1] Article ¶11``."""
    texts = [understood_line(reply)] + [line.text for line in answer_lines(reply)]
    lines = ["\n".join(textwrap.fill(text, width) for text in texts if text)]
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


def reply_json(reply: Reply) -> dict[str, Any]:
    """The ``ask --json`` record: the reply's data plus the plain-text ``answer``."""
    data = reply.to_json()
    return {
        "question": data.pop("question"),
        "found": data.pop("found"),
        "answer": answer_text(reply),
        "citations": data.pop("citations"),
        **data,
    }
