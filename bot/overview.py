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
    r"|the (?:first|best|right) step|a good place)\b",
    re.IGNORECASE,
)
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
        advice = recommendation(shape)
        if advice is None:
            chosen.update(_paragraph_lead(shape, shape.paragraphs[-1], "closing"))
        else:
            chosen[advice] = "recommendation"
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
