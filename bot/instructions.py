"""Instructions to the bot inside a question ("ignore all previous instructions", "you are
now…", "say that…").

The bot answers from the document only, so an instruction can't change what it does:
sentences about its behaviour are dropped, and a statement it is told to make (a claim:
"say the article was written by X", "write a poem about Y") is answered only when the
passages it would quote support every content word of the statement. Anything else gets
the not-found reply, whatever it asks. The rules are about the grammar of a request
(an imperative addressed to the bot and what it governs), not about particular topics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from embeddings.sparse import tokenize

# A complement that asks for information: "tell me what…", "say something about…".
_ASKING = (
    r"(?:what|who|whom|whose|which|when|where|why|how|whether|if|about|me\s+about|us\s+about|"
    r"more|something|anything|a\s+bit|a\s+little)\b"
)
# Where a clause can start, and the words that may come before its verb.
_START = r"(?:^|(?<=[.!?;:,\n])|\b(?:and|then|but|now|so)\s+)\s*(?:(?:please|now|just|simply)\s+)*"
_END = r"[^.!?;\n]*?(?=[.!?;\n]|,|\s(?:and|then|but)\s|$)"
# A clause telling the bot how to behave: drop its rules, take a role, obey new orders.
_BEHAVIOUR = re.compile(
    _START + r"(?:"
    r"(?:ignore|disregard|forget|override|bypass|abandon)\b[^.!?;:,\n]*?\b(?:instructions?|"
    r"rules?|prompts?|directions?|directives?|guidelines?|constraints?|restrictions?|"
    r"programming|orders?|context|everything|above)\b"
    r"|(?:pretend|act|behave|role-?play)\s+(?:to\s+be|that|you|as|like)\b"
    r"|you\s+(?:are|'re|will\s+be)\s+(?:now|no\s+longer|from\s+now)\b"
    r"|from\s+now\s+on\b"
    r"|(?:answer|reply|respond)\s+(?:to\s+)?(?:every|all|each|any)\b"
    r"|(?:always|never|only)\s+(?:say|answer|reply|respond|write|mention|talk)\b(?!\s+"
    + _ASKING
    + ")"
    r"|(?:new|system|developer|admin)\s+(?:instructions?|prompt|mode|message|rules?)\b"
    r")" + _END,
    re.IGNORECASE,
)
# An imperative telling the bot what to say or produce, and what it governs.
_DICTATION = re.compile(
    r"^(?:(?:please|now|just|simply|and|then)\s+)*"
    r"(?:say|state|claim|declare|assert|confirm|announce|repeat(?:\s+after\s+me)?|write|print|"
    r"output|(?:answer|reply|respond)(?:\s+only)?\s+with|"
    r"tell\s+(?:me|us|them|everyone|everybody|people|the\s+users?|the\s+readers?))\b"
    r"(?:\s+(?:that|this|exactly|only|back|out\s+loud))?\s*[:,]?\s*(?P<claim>.+)$",
    re.IGNORECASE,
)
_QUESTION_COMPLEMENT = re.compile(_ASKING, re.IGNORECASE)
# Words that name the document's own parts and its writing: a claim needn't find them in
# the quotes ("X wrote the article" is supported by a byline naming X).
_DOCUMENT_WORDS = frozenset(
    tokenize(
        "article articles comment comments commenter commenters "
        "author authors authored writer writers write writes wrote written"
    )
)


@dataclass(frozen=True, slots=True)
class Request:
    """What to answer: ``question`` (empty when only instructions were given), and the
    ``claim`` the quotes must support when the bot was told to say something."""

    question: str
    instructed: bool = False
    claim: str | None = None


def read_request(text: str) -> Request:
    """Separate instructions to the bot from what is asked of the document."""
    rest = _BEHAVIOUR.sub(" ", text)
    instructed = rest != text
    rest = re.sub(r"^[\s.,;:!?-]*(?:(?:and|then|but|so|now)\b[\s,]*)*", "", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" ,;:")
    if instructed and not any(ch.isalnum() for ch in rest):
        return Request("", instructed=True)
    dictated = _DICTATION.match(rest)
    if dictated and not _QUESTION_COMPLEMENT.match(dictated["claim"]):
        claim = dictated["claim"].strip(" \"'“”‘’.!")
        return Request(claim, instructed=True, claim=claim)
    return Request(rest if instructed else text, instructed=instructed)


def supports(claim: str, quoted: Iterable[str]) -> bool:
    """Whether the quoted text holds every content word of ``claim`` (stemmed)."""
    wanted = set(tokenize(claim)) - _DOCUMENT_WORDS
    found = {term for text in quoted for term in tokenize(text)}
    return bool(wanted) and wanted <= found
