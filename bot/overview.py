"""The article's key sentences: its thesis, its support, how it opens and ends.

Every sentence is scored with the same model that indexes the passages:

- **centrality**: cosine to the mean of all the article's sentence vectors (what the
  piece keeps coming back to);
- **title**: cosine to the title, which in an opinion piece usually states the question
  or the claim.

and the shape of an opinion piece adds two cues that need no topic knowledge:

- **the answered question**: a question the author asks and answers in the next
  sentence of the same paragraph ("Is X possible? … the answer is still yes") is the
  thesis; the answer is quoted with its question;
- **the recommendation**: a sentence in the closing part that says what should be done
  ("should", "must", "need to", "would be to" …).

A summary spreads its picks over the article (one from each stretch of paragraphs), a
thesis answer takes the answered question, the most central other sentence and the
recommendation; openings and endings quote the first and last paragraphs. The picks
come back in the article's order, as data (:class:`bot.picks.Pick`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.intents import IntentKind
from bot.picks import Pick, Role, Sentence, centroid, group_by_passage, part_sentences, vectors_of
from embeddings.embedder import Vectors
from embeddings.index import PassageIndex

# Words that make a sentence prescriptive: what someone should do.
_PRESCRIPTIVE = re.compile(
    r"\b(should|must|ought|needs? to|has to|have to|would be to|would do well|it is time"
    r"|it is important|it is essential|it is necessary|better to|recommend|urge|start by"
    r"|the (?:first|best|right) step|a good place|we need|let us|let's"
    r"|(?:approach|answer|solution|remedy|lesson|way forward|task|priority|fix|cure)\b"
    r"[^.?!;:]{0,50}\b(?:is|was|would be) to"
    r"|a (?:better|smarter|wiser) (?:approach|way|course|path|option|policy))\b",
    re.IGNORECASE,
)
# Marks of evidence: figures, studies and data, sources and reported speech, examples.
_FIGURES = re.compile(
    r"\d|\b(?:hundreds?|thousands?|millions?|billions?|dozens?|percent|per cent|(?:twen|thir"
    r"|for|fif|six|seven|eigh|nine)ty|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen)\b",
    re.IGNORECASE,
)
# Quantities without a figure ("half", "several times as many") are weaker evidence.
_QUANTITIES = re.compile(
    r"\b(?:half|twice|double|doubled|tripled|a third|a quarter|several times|most|majority"
    r"|average|rates?|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE,
)
_STUDIES = re.compile(
    r"\b(?:stud(?:y|ies)|surveys?|data|research(?:ers)?|reports?|polls?|statistics|analys[ie]s"
    r"|evidence|experiments?|records?|figures|found|finds|showed|shows|measured|according to"
    r"|estimates?)\b",
    re.IGNORECASE,
)
_SOURCES = re.compile(
    r"\b(?:said|says|told|wrote|reported|testified|recalled|admitted|announced)\b|[“\"]",
    re.IGNORECASE,
)
_EXAMPLES = re.compile(
    r"\b(?:for example|for instance|such as|e\.g\.|in the case of|take|consider|when)\b"
    r"|(?<=[a-z,] )[A-Z][a-z]+",
)
# Comparisons and measures back a quantity ("at higher rates than", "over an hour").
_MEASURES = re.compile(
    r"\bthan\b|\bas (?:many|much)\b|\b(?:hours?|minutes?|days?|weeks?|months?|years?"
    r"|kilomet(?:re|er)s?|miles?|dollars?|euros?|pounds?)\b",
    re.IGNORECASE,
)
# An objection the author takes up: what others say, fear or argue, or a concession.
_OBJECTION = re.compile(
    r"\b(?:critics|opponents|skeptics|sceptics|detractors|some|many|others)\b[^.?!]{0,40}"
    r"\b(?:say|says|said|claim|claims|argue|argues|insist|insists|worry|worries|fear|fears"
    r"|believe|contend|contends|complain|complains|object|objects|warn|warns)\b"
    r"|\b(?:often|usually|routinely|commonly|frequently|typically) (?:fear|worry|argue|say"
    r"|claim|cite|complain|object|insist|warn)s?\b"
    r"|\b(?:they|he|she) (?:argue|argues|say|says|claim|claims|insist|insists)\b"
    r"|\bobjections?\b|\bcounter-?arguments?\b|\bof course\b|\bto be sure\b"
    r"|\badmittedly\b|\bgranted\b|\bit is true that\b|\b(?:a|is) (?:real|fair|valid"
    r"|legitimate) (?:concern|point|worry|objection)\b|\bone might (?:say|argue|object)\b"
    r"|\b(?:telling|account|version|narrative|framing)\b|^(?:despite|although|while|though)\b",
    re.IGNORECASE,
)
# A sentence that opens by turning against the one before answers it ("But that is not
# quite how things unfolded."): the one before is a point the author takes up.
_OPENING_TURN = re.compile(
    r"^(?:but|yet|however|still|in fact|actually|in reality|not so|that is not|this is not)\b",
    re.IGNORECASE,
)
_TURN = re.compile(
    r"\b(?:but|yet|however|still|in fact|actually|in reality|instead|nonetheless"
    r"|nevertheless|the other way|overestimate|wrong)\b",
    re.IGNORECASE,
)
EVIDENCE_PICKS = 4
COUNTERPOINTS = 3
# Sentences shorter than this say too little to stand for the article on their own.
MIN_WORDS = 6
LONG_WORDS = 45
SUMMARY_STRETCHES = 4


@dataclass(frozen=True, slots=True)
class ArticleShape:
    """The scored sentences of one document's article."""

    sentences: list[Sentence]
    base: np.ndarray
    paragraphs: list[int]

    def paragraph_of(self, i: int) -> int:
        paragraph = self.sentences[i].passage.paragraph
        return 0 if paragraph is None else paragraph


def article_shape(index: PassageIndex, document: str, title_vector: Vectors) -> ArticleShape:
    """Score every sentence of ``document``'s numbered paragraphs."""
    passages = [
        p
        for p in index.passages
        if p.document == document and p.source_type == "article" and p.paragraph is not None
    ]
    sentences = part_sentences(index, passages)
    vectors = vectors_of(index, sentences)
    if not sentences:
        return ArticleShape([], np.zeros(0), [])
    central = vectors @ centroid(vectors)
    titled = vectors @ title_vector
    lengths = np.array([s.words for s in sentences])
    fit = np.where(lengths < MIN_WORDS, -0.15, 0.0) + np.where(lengths > LONG_WORDS, -0.05, 0.0)
    base = 0.6 * central + 0.4 * titled + fit
    paragraphs = sorted({p.paragraph for p in passages if p.paragraph is not None})
    return ArticleShape(sentences, base, paragraphs)


def answered_question(shape: ArticleShape) -> tuple[int, int] | None:
    """The question the author asks and answers right after, in the same paragraph:
    (question, answer) sentence indexes, the best scored pair when there are several."""
    pairs = []
    for i in range(len(shape.sentences) - 1):
        question, answer = shape.sentences[i], shape.sentences[i + 1]
        if (
            question.text.rstrip().endswith("?")
            and not answer.text.rstrip().endswith("?")
            and shape.paragraph_of(i) == shape.paragraph_of(i + 1)
            and answer.words >= 3
        ):
            pairs.append((float(shape.base[i] + shape.base[i + 1]), i, i + 1))
    if not pairs:
        return None
    _, question_at, answer_at = max(pairs)
    return question_at, answer_at


def recommendation(shape: ArticleShape) -> int | None:
    """The prescriptive sentence of the closing third: from the latest paragraph that
    has one (a piece ends on its call to action), the most central."""
    if not shape.paragraphs:
        return None
    last_third = shape.paragraphs[-max(1, len(shape.paragraphs) // 3) :]
    for paragraph in reversed(last_third):
        candidates = [
            i
            for i, s in enumerate(shape.sentences)
            if shape.paragraph_of(i) == paragraph and _PRESCRIPTIVE.search(s.text)
        ]
        if candidates:
            return max(candidates, key=lambda i: float(shape.base[i]))
    return None


def evidence(shape: ArticleShape) -> list[int]:
    """Sentences that give evidence, best first, one per paragraph: figures, studies and
    data, sources and reported speech, examples, weighed with the sentence's score."""
    scored = []
    for i, sentence in enumerate(shape.sentences):
        text = sentence.text
        if text.rstrip().endswith("?") or sentence.words < MIN_WORDS:
            continue
        marks = (
            0.3 * bool(_FIGURES.search(text))
            + 0.15 * bool(_QUANTITIES.search(text) and not _FIGURES.search(text))
            + 0.3 * bool(_STUDIES.search(text))
            + 0.15 * bool(_SOURCES.search(text))
            + 0.1 * bool(_MEASURES.search(text))
            + 0.1 * min(2, len(_EXAMPLES.findall(text)))
        )
        if marks >= 0.25:
            scored.append((marks + float(shape.base[i]), i))
    chosen: list[int] = []
    used: set[int] = set()
    for _, i in sorted(scored, reverse=True):
        if shape.paragraph_of(i) not in used:
            used.add(shape.paragraph_of(i))
            chosen.append(i)
    return chosen


def counterpoints(shape: ArticleShape) -> list[tuple[int, list[int]]]:
    """Objections the author takes up, best first, one per paragraph: a sentence that
    reports what others say, fear or argue (or concedes a point), with the sentences of
    the same paragraph that answer it (up to the one that turns against it)."""
    found = []
    used: set[int] = set()
    for i, sentence in enumerate(shape.sentences):
        paragraph = shape.paragraph_of(i)
        turned_next = (
            i + 1 < len(shape.sentences)
            and shape.paragraph_of(i + 1) == paragraph
            and bool(_OPENING_TURN.search(shape.sentences[i + 1].text))
        )
        if paragraph in used or not (_OBJECTION.search(sentence.text) or turned_next):
            continue
        answer: list[int] = []
        # A concession that turns within itself ("a real concern, but…") is its own answer.
        turned = _TURN.search(_after_objection(sentence.text))
        for j in range(i + 1, min(i + 3, len(shape.sentences))):
            if turned or shape.paragraph_of(j) != paragraph:
                break
            answer.append(j)
            if _TURN.search(shape.sentences[j].text) or not _OBJECTION.search(
                shape.sentences[j].text
            ):
                break
        used.add(paragraph)
        score = float(shape.base[i]) + (0.2 if answer or turned else 0.0)
        found.append((score, i, answer))
    found.sort(key=lambda item: -item[0])
    return [(i, answer) for _, i, answer in found]


def _after_objection(text: str) -> str:
    found = _OBJECTION.search(text)
    return text[found.end() :] if found else ""


def proposals(shape: ArticleShape) -> list[int]:
    """Prescriptive sentences other than reported objections, best first: the closing
    recommendation, then others weighed by score and by how late they come."""
    first = recommendation(shape)
    count = max(1, len(shape.sentences) - 1)
    scored = [
        (float(shape.base[i]) + 0.2 * i / count, i)
        for i, s in enumerate(shape.sentences)
        if i != first and _PRESCRIPTIVE.search(s.text) and not _OBJECTION.search(s.text)
    ]
    return ([first] if first is not None else []) + [i for _, i in sorted(scored, reverse=True)]


def key_sentences(shape: ArticleShape, kind: IntentKind, limit: int) -> list[Pick]:
    """The picks for an article overview of ``kind``, in the article's order."""
    if not shape.sentences:
        return []
    chosen: dict[int, Role] = {}
    if kind == "opening":
        chosen.update(_paragraph_lead(shape, shape.paragraphs[0], "opening"))
    elif kind == "ending":
        chosen.update(_paragraph_lead(shape, shape.paragraphs[-1], "closing"))
        advice = recommendation(shape)
        if advice is not None:
            chosen.setdefault(advice, "recommendation")
    elif kind == "recommendation":
        proposed = proposals(shape)[:2]
        if not proposed:
            chosen.update(_paragraph_lead(shape, shape.paragraphs[-1], "closing"))
        chosen.update({i: "recommendation" for i in proposed})
    elif kind == "evidence":
        found = evidence(shape)[: min(limit, EVIDENCE_PICKS)]
        if not found:
            return []
        chosen.update({i: "evidence" for i in found})
    elif kind == "counterpoints":
        for objection, answer in counterpoints(shape)[: min(limit, COUNTERPOINTS)]:
            # "Despite the obstacles, the answer is still yes": the reply is in the sentence.
            text = shape.sentences[objection].text
            own_reply = not answer and _TURN.search(_after_objection(text))
            chosen[objection] = "concession" if own_reply else "counterpoint"
            for j in answer:
                # An objection that goes on ("…, they argue, …") before the reply turns.
                text = shape.sentences[j].text
                still = _OBJECTION.search(text) and not _TURN.search(_after_objection(text))
                chosen[j] = "counterpoint" if still else "rebuttal"
        if not chosen:
            return []
    else:
        chosen.update(_thesis(shape))
        if kind == "summary":
            chosen.update(_stretches(shape, chosen, limit))
        else:
            _add_support(shape, chosen, limit)
    ordered = sorted(chosen.items())[: max(limit, 1) * 2]
    picks = list(group_by_passage([(shape.sentences[i], role) for i, role in ordered]))
    return _within(picks, limit)


def _thesis(shape: ArticleShape) -> dict[int, Role]:
    chosen: dict[int, Role] = {}
    pair = answered_question(shape)
    if pair is not None:
        chosen[pair[0]] = "question"
        chosen[pair[1]] = "thesis"
    else:
        chosen[int(np.argmax(shape.base))] = "thesis"
    advice = recommendation(shape)
    if advice is not None:
        chosen.setdefault(advice, "recommendation")
    return chosen


def _add_support(shape: ArticleShape, chosen: dict[int, Role], limit: int) -> None:
    """The most central sentence from a paragraph not yet quoted."""
    used = {shape.paragraph_of(i) for i in chosen}
    for i in np.argsort(-shape.base).tolist():
        if shape.paragraph_of(i) not in used and shape.sentences[i].words >= MIN_WORDS:
            chosen[i] = "support"
            return


def _stretches(shape: ArticleShape, chosen: dict[int, Role], limit: int) -> dict[int, Role]:
    """One sentence from each stretch of paragraphs (the article cut into about equal
    runs), skipping stretches already quoted: a summary covers the whole piece."""
    paragraphs = shape.paragraphs
    count = min(SUMMARY_STRETCHES, len(paragraphs))
    stretches = [list(run) for run in np.array_split(np.array(paragraphs), count)]
    used = {shape.paragraph_of(i) for i in chosen}
    added: dict[int, Role] = {}
    for position, run in enumerate(stretches):
        if used.intersection(run):
            continue
        members = [i for i in range(len(shape.sentences)) if shape.paragraph_of(i) in run]
        if not members:
            continue
        best = max(members, key=lambda i: float(shape.base[i]))
        added[best] = "opening" if position == 0 else "support"
        if len(chosen) + len(added) >= limit:
            break
    return added


def _paragraph_lead(shape: ArticleShape, paragraph: int, role: Role) -> dict[int, Role]:
    """The first sentences of ``paragraph``, up to about 50 words."""
    chosen: dict[int, Role] = {}
    words = 0
    for i, sentence in enumerate(shape.sentences):
        if shape.paragraph_of(i) != paragraph:
            continue
        if chosen and words + sentence.words > 50:
            break
        chosen[i] = role
        words += sentence.words
    return chosen


def _within(picks: list[Pick], limit: int) -> list[Pick]:
    """At most ``limit`` passages cited, keeping the thesis and recommendation first."""
    if len({p.passage.id for p in picks}) <= limit:
        return picks
    priority = {"thesis": 0, "question": 0, "recommendation": 1}
    keep: set[int] = set()
    for pick in sorted(picks, key=lambda p: priority.get(p.role, 2)):
        if len(keep) < limit:
            keep.add(pick.passage.id)
    return [p for p in picks if p.passage.id in keep]
