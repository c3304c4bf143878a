"""Recognising questions that ask for an overview rather than a lookup.

"What is the main argument?", "Summarise the piece", "What do readers think?", "Who
disagreed with the author?", "What is the exchange between X and Y about?" ask about the
document as a whole, not about one passage. Two signals decide, so that other wordings
and typos are recognised without one regular expression per phrasing:

- **meaning**: the question's cosine to a few exemplar questions per kind, embedded
  with the same model as the passages (names are replaced by a placeholder first, so
  "What did Gazza and collin argue about?" reads like any exchange question, and the
  document's everyday words are left out, so "What evidence does the author give for
  bike lanes?" reads like "What evidence does the author give?");
- **cue words**: words that name the kind ("thesis", "summary", "agree", "objection"),
  matched with a fuzzy ratio so "sumarize" and "dissagree" count.

A question is an overview only when it has nothing left to look up: once the cue words,
speech-act words, names, function words and the document's everyday words (those in its
title or in a large share of its passages) are set aside, no topic word remains. "What
does the author think about sending arms to Ukraine?" keeps "arms" and stays a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import Literal

from rapidfuzz import fuzz, process

from bot.thresholds import Thresholds
from corpus.names import match_person, name_key, words
from embeddings.embedder import Embedder, Vectors
from embeddings.sparse import tokenize

IntentKind = Literal[
    "summary",
    "thesis",
    "opening",
    "ending",
    "recommendation",
    "evidence",
    "counterpoints",
    "themes",
    "agree",
    "disagree",
    "objection",
    "exchange",
]

# Exemplar questions per kind, written in general terms (no document's topic).
EXEMPLARS: dict[IntentKind, tuple[str, ...]] = {
    "summary": (
        "Summarize the article.",
        "Give me a summary of the piece.",
        "What is the article about?",
        "What are the key points of the essay?",
        "Can you give an overview of the text?",
        "TL;DR of the article?",
    ),
    "thesis": (
        "What is the author's main argument?",
        "What is the central claim of the article?",
        "What is the thesis of the piece?",
        "What is the main point the writer makes?",
        "What is the author trying to say?",
        "What is the key takeaway of the article?",
        "What does the author argue overall?",
        "What is the author's position?",
        "What does the author think?",
        "What is the writer's view?",
    ),
    "opening": (
        "How does the article open?",
        "How does the author begin the piece?",
        "What does the first paragraph say?",
        "What is the introduction of the article?",
    ),
    "ending": (
        "How does the article end?",
        "What is the article's conclusion?",
        "What does the author conclude?",
        "What does the last paragraph say?",
        "How does the piece finish?",
        "How does the article wrap up?",
    ),
    "recommendation": (
        "What does the author recommend?",
        "What does the author propose should be done?",
        "What course of action does the article call for?",
        "What should be done according to the author?",
        "What solution does the writer offer?",
    ),
    "evidence": (
        "What evidence does the author give?",
        "What examples does the author use?",
        "How does the writer support the argument?",
        "What facts and figures does the article cite?",
        "What data backs up the author's claims?",
        "What studies or sources does the piece rely on?",
    ),
    "counterpoints": (
        "Which objections does the author answer?",
        "What counterarguments does the writer address?",
        "How does the author respond to critics?",
        "What concerns does the article anticipate?",
        "Which criticisms does the author rebut?",
        "What do opponents say, and how does the writer reply?",
    ),
    "themes": (
        "What do the commenters think?",
        "What do readers say in the comments?",
        "What are the main themes in the comments?",
        "How did readers react to the article?",
        "What is the general opinion of the commenters?",
        "What topics do the comments discuss?",
    ),
    "agree": (
        "Did any commenter agree with the author?",
        "Which readers agreed with the article?",
        "Who supports the author's view?",
        "Who sided with the writer?",
        "Who agrees with NAME?",
    ),
    "disagree": (
        "Who disagreed with the author?",
        "Which commenters opposed the article?",
        "Did anyone push back against the author?",
        "Who criticized the writer's argument?",
        "Who disagrees with NAME?",
    ),
    "objection": (
        "What is the strongest counter-argument in the comments?",
        "What is the best objection to the article?",
        "What is the main criticism of the author's argument?",
        "What is the strongest rebuttal from readers?",
    ),
    "exchange": (
        "What is the exchange between NAME and NAME about?",
        "What did NAME and NAME argue about?",
        "Summarize the debate between NAME and NAME.",
        "What was the back-and-forth between NAME and NAME?",
    ),
}

# Words that name a kind; a fuzzy match of any counts as a cue for it.
_CUE_TEXT: dict[IntentKind, str] = {
    "summary": "summary summarize summarise summarization overview gist tldr synopsis recap "
    "outline nutshell about brief briefly",
    "thesis": "argument thesis claim point takeaway message position argue contend idea "
    "stance case",
    "opening": "open opens opening begin begins beginning start starts introduction intro lede",
    "ending": "end ends ending conclusion conclude concludes close closes closing finish "
    "finishes final wrap",
    "recommendation": "recommend recommends recommendation propose proposes proposal advise "
    "advice prescription solution suggest suggests suggestion urge urges fix remedy want wants "
    "action course steps",
    "evidence": "evidence examples example data facts figures numbers statistics stats study "
    "studies research proof prove proves sources source cite illustrate illustrates support "
    "supports backs",
    "counterpoints": "objection objections counterargument counterarguments critics critic "
    "criticism criticisms concerns concern doubts worries fears skeptics sceptics opponents "
    "rebut rebuts refute refutes anticipate anticipates concede concedes acknowledge caveats",
    "themes": "themes theme topics react reaction reactions sentiment consensus opinion "
    "opinions feel think say views mostly most mood tone atmosphere vibe",
    "agree": "agree agreed agrees support supported supports side sided endorse endorsed "
    "concur concurred share shared backed backing",
    "disagree": "disagree disagreed disagrees oppose opposed opposes object objected dispute "
    "disputed reject rejected criticize criticized criticise criticised challenge "
    "challenged pushback against",
    "objection": "objection objections counterargument counter rebuttal criticism critique "
    "counterpoint strongest best weakness flaw",
    "exchange": "exchange debate argument discussion conversation dispute argue argued "
    "between spat disagreement thread back-and-forth",
}
CUES: dict[IntentKind, frozenset[str]] = {k: frozenset(v.split()) for k, v in _CUE_TEXT.items()}
# Two-word cues whose words alone mean something else ("back" of "pushed back").
PHRASE_CUES: dict[IntentKind, tuple[tuple[str, str], ...]] = {
    "disagree": (
        ("push", "back"),
        ("pushed", "back"),
        ("pushes", "back"),
        ("pushing", "back"),
        ("take", "issue"),
        ("took", "issue"),
        ("takes", "issue"),
    ),
    "summary": (("sum", "up"),),
}

# Function words and words about speaking or the document itself: they leave no topic.
_NEUTRAL = frozenset(
    """
    a about above according after again all also am an and any anyone anybody are as at be
    because been before being between both but by can could did do does doing done during each
    either else ever for from further give gave get got had has have having he her here him his
    how i if in into is it its itself just let me more most much my no nor not now of off on once
    one only or other others our out over own please really same she should so some someone
    somebody such than that the their them then there these they this those through to too
    under until up very was we were what whats when where which while who whom whose why will
    with would you your yours s t u ur pls plz tell show us overall main central key whole
    general generally basically big core primary chief major principal biggest
    article articles piece essay text document column op ed oped op-ed post blog story writer
    author authors columnist writers comment comments commenter commenters commentator
    commentators reader readers people person anyone section part paragraph paragraphs
    say says said saying think thinks thought write writes wrote written mean means meant
    talk talks talked make makes made view views opinion believe believes feel feels felt
    trying try tries want wants wanted raise raised raises bring brings brought mention
    mentions mentioned offer offers offered put puts given react reacted respond responded
    reply replied answer answered discuss discussed describe described explain explained
    mostly most many all
    viewpoint stance perspective side sides kind sort way ways
    use uses used using rely relies relied draw draws drew provide provides provided
    present presents presented deal deals dealt handle handles handled address addresses
    addressed reach reaches reached take takes took taking instead rather exactly actually
    specifically particularly precisely
    """.split()
)

# The lowest exemplar cosine at which a question counts as an overview, with a cue word
# and without one (meaning alone), is a setting (:class:`bot.thresholds.Thresholds`);
# a cued kind is preferred by this much over one read from meaning alone.
CUE_BONUS = 0.15
# Kinds a question must name with one of their words: meaning alone confuses "How did X
# respond to Y?" (a lookup) with an exchange, and "Who wrote it?" with a stance.
NEEDS_CUE = frozenset({"agree", "disagree", "objection", "exchange"})
FUZZY_MIN = 85


@dataclass(frozen=True, slots=True)
class Intent:
    """What an overview question asks for, and about whom (named commenters, in order)."""

    kind: IntentKind
    score: float
    people: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A kind a question may ask for: its best exemplar cosine, and whether a cue word
    names it."""

    kind: IntentKind
    similarity: float
    cued: bool


def choose(
    candidates: Sequence[Candidate], thresholds: Thresholds, people: tuple[str, ...] = ()
) -> Intent | None:
    """The candidate that clears its threshold with the best score (a cue adds
    :data:`CUE_BONUS`), or ``None``: the question is a lookup."""
    scored = [
        (c.similarity + (CUE_BONUS if c.cued else 0.0), c.kind)
        for c in candidates
        if c.similarity >= (thresholds.intent if c.cued else thresholds.intent_uncued)
    ]
    if not scored:
        return None
    score, kind = max(scored)
    return Intent(kind, round(score, 4), people)


class IntentReader:
    """Reads overview intents with one embedder; the exemplars are embedded once."""

    def __init__(
        self,
        embedder: Embedder,
        everyday: Callable[[str], bool] = lambda word: False,
        thresholds: Thresholds | None = None,
    ) -> None:
        self._embedder = embedder
        self._everyday = everyday
        self.thresholds = thresholds or Thresholds()
        self._kinds: list[IntentKind] = []
        texts: list[str] = []
        for kind, exemplars in EXEMPLARS.items():
            for exemplar in exemplars:
                self._kinds.append(kind)
                texts.append(exemplar)
        self._vectors: Vectors = embedder.embed_documents(texts)

    def read(
        self,
        question: str,
        people: Sequence[str] = (),
        names: Sequence[str] = (),
        source: str | None = None,
        comments: bool = True,
    ) -> Intent | None:
        """The overview a question asks for, or ``None`` for a lookup.

        ``people`` are the commenters the question names, in order; ``names`` every
        name in the corpus (commenters and authors), whose words are set aside;
        ``source`` is "article" or "comment" when the question says which it is about;
        without ``comments`` in the corpus only the article's kinds are open."""
        found = self.candidates(question, people, names, source, comments)
        return choose(found, self.thresholds, tuple(dict.fromkeys(people)))

    def candidates(
        self,
        question: str,
        people: Sequence[str] = (),
        names: Sequence[str] = (),
        source: str | None = None,
        comments: bool = True,
    ) -> list[Candidate]:
        """The kinds the question may ask for, each with its best exemplar cosine and
        whether a cue word names it, before any threshold; none when the question has a
        topic of its own (a lookup whatever the thresholds). ``read`` chooses among them,
        ``article-bot calibrate`` sets the thresholds from them."""
        tokens = words(question)
        named = {i for i, token in enumerate(tokens) if _is_name(token, names)}
        plain = [w for i, w in enumerate(tokens) if i not in named]
        cues = _phrase_cues(plain)
        plain = [w for w in plain if not any(w in found for found in cues.values())]
        for kind in CUES:
            cues[kind] = cues.get(kind, set()) | _cued(plain, CUES[kind])
        if _topic_words(plain, cues, self._everyday) or self._asks_for_a_thing(plain, cues):
            return []
        people = tuple(dict.fromkeys(people))
        possible = [
            kind
            for kind in dict.fromkeys(self._kinds)
            if _possible(kind, people, source, comments, cues[kind], tokens, named)
        ]
        if not possible:  # no kind fits the question's names and cues: no model call
            return []
        # The document's everyday words ("bike lanes" in a piece on bike lanes) say
        # nothing about the kind of question, and only pull it towards the topic.
        cue_words = set().union(*cues.values())
        placeholder = " ".join(
            "NAME" if i in named else _canonical(w)
            for i, w in enumerate(tokens)
            if i in named or w in cue_words or _neutral(w) or not self._everyday(w)
        )
        similarities = self._vectors @ self._embedder.embed_query(placeholder)
        best: dict[IntentKind, float] = {}
        for kind, similarity in zip(self._kinds, similarities.tolist(), strict=True):
            best[kind] = max(best.get(kind, -1.0), similarity)
        return [Candidate(kind, best[kind], bool(cues[kind])) for kind in possible]

    def _asks_for_a_thing(self, tokens: list[str], cues: dict[IntentKind, set[str]]) -> bool:
        """ "Which cities does the author point to?" asks for things of the document's own
        vocabulary (a lookup), where "Which objections…" asks for a kind of overview."""
        if len(tokens) < 2 or tokens[0] not in ("which", "what"):
            return False
        head = tokens[1]
        cue_words = set().union(*cues.values())
        return head not in cue_words and not _neutral(head) and self._everyday(head)


def _possible(
    kind: IntentKind,
    people: tuple[str, ...],
    source: str | None,
    comments: bool,
    cues: set[str],
    tokens: list[str],
    named: set[int],
) -> bool:
    """Whether ``kind`` may be read at all, before any closeness in meaning: it fits the
    people named and the source, the corpus has comments where it needs them, and the
    question names it with a cue where it must."""
    if not _fits_people(kind, people) or not _fits_source(kind, source):
        return False
    if not comments and kind not in ARTICLE_KINDS:
        return False
    if not cues and kind in NEEDS_CUE:
        return False
    # "What did X criticize?" asks what X said (a lookup), not who disagrees with X.
    return not (kind in ("agree", "disagree") and people and _named_first(tokens, named, cues))


def _phrase_cues(tokens: list[str]) -> dict[IntentKind, set[str]]:
    """Cue words found as two-word phrases, per kind."""
    found: dict[IntentKind, set[str]] = {}
    pairs = set(pairwise(tokens))
    for kind, phrases in PHRASE_CUES.items():
        for phrase in phrases:
            if phrase in pairs:
                found.setdefault(kind, set()).update(phrase)
    return found


def _named_first(tokens: list[str], named: set[int], cues: set[str]) -> bool:
    """Whether a name comes before the stance word (the named person is its subject)."""
    cue_at = min((i for i, t in enumerate(tokens) if t in cues), default=len(tokens))
    return any(i < cue_at for i in named)


ARTICLE_KINDS = frozenset(
    {"summary", "thesis", "opening", "ending", "recommendation", "evidence", "counterpoints"}
)


def _fits_source(kind: IntentKind, source: str | None) -> bool:
    """A question about the article ("the author thinks") is not about the comments'
    themes, and one about the comments is not about the article's own shape."""
    if source == "article":
        return kind != "themes"
    if source == "comment":
        return kind not in ARTICLE_KINDS
    return True


def _fits_people(kind: IntentKind, people: tuple[str, ...]) -> bool:
    """An exchange needs two named people; agreement may name one (the one agreed with);
    the other kinds are about the whole document and name no one."""
    if kind == "exchange":
        return len(people) >= 2
    if kind in ("agree", "disagree"):
        return len(people) <= 1
    return not people


def _is_name(token: str, names: Sequence[str]) -> bool:
    """A word of someone's name, whole or run together ("craig" of "craigsummers")."""
    if len(token) < 3 or _neutral(token):
        return False
    if match_person(token, names) is not None:
        return True
    return len(token) >= 4 and any(token in name_key(name) for name in names)


def _cued(tokens: list[str], cues: frozenset[str]) -> set[str]:
    """The question's words that match a cue by stem ("debating", "pushed") or with a
    typo in words of five letters or more ("sumarize", "dissagree")."""
    stems, long_cues = _cue_forms(cues)
    return {
        token
        for token in tokens
        if (token.isalpha() and _stem(token) in stems)
        or (
            len(token) >= 5
            and process.extractOne(token, long_cues, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
            is not None
        )
    }


@cache
def _cue_forms(cues: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A cue set's stems and its words long enough for a fuzzy match, worked out once."""
    return frozenset(_stem(cue) for cue in cues if cue.isalpha()), tuple(
        sorted(cue for cue in cues if len(cue) >= 5)
    )


_VOCABULARY = sorted(_NEUTRAL.union(*CUES.values()))


def _canonical(token: str) -> str:
    """``token`` with a typo mended against the cue and function words ("artcle" →
    "article"), so the model reads the question as meant; other words unchanged."""
    if len(token) < 5 or token in _NEUTRAL or any(token in cues for cues in CUES.values()):
        return token
    best = max(_VOCABULARY, key=lambda word: fuzz.ratio(token, word))
    return best if len(best) >= 5 and fuzz.ratio(token, best) >= FUZZY_MIN else token


def _stem(word: str) -> str:
    stems = tokenize(word)
    return stems[0] if stems else word


def _topic_words(
    tokens: list[str], cues: dict[IntentKind, set[str]], everyday: Callable[[str], bool]
) -> list[str]:
    """Words that give the question a topic of its own (so it is a lookup)."""
    cue_words = set().union(*cues.values())
    return [
        token
        for token in tokens
        if token not in cue_words
        and not _neutral(token)
        and not everyday(token)
        and not token.isdigit()
    ]


@lru_cache(maxsize=1 << 14)
def _neutral(token: str) -> bool:
    if token in _NEUTRAL:
        return True
    stem = token.rstrip("s")
    if stem in _NEUTRAL:
        return True
    return (
        len(token) >= 6
        and process.extractOne(token, _LONG_NEUTRAL, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
        is not None
    )


_LONG_NEUTRAL = tuple(sorted(word for word in _NEUTRAL if len(word) >= 6))
