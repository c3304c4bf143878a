"""Who agrees or disagrees with whom in the comments, and how sure that is.

A comment's stance is read from three kinds of evidence, strongest first:

1. **It says so** ("clear"): a stance phrase aimed at someone, in the comment's opening
   sentences or in a sentence that names or addresses them: "I agree with you", "X is
   right", "No. That is utter rubbish", "the answer to Mr Larison's question is no",
   "the problem with your analysis". A stance phrase with a "but" after it ("I would
   agree with you but…") is a qualified agreement and counts as mixed.
2. **Its shape** ("likely"): a reply that opens with a pointed question at the person it
   answers ("Are you serious?") disagrees; a reply whose first own sentence restates,
   without negation, the line it quotes ("It is not only possible, it is necessary")
   agrees. A stance towards the author is also inferred through the reply structure:
   rebutting a commenter who clearly disagrees with the author sides with the author.
3. **Its content** ("weak"): a comment close in meaning to the article's thesis, with
   no stance phrase and no reply to anyone, makes the author's kind of argument; the
   reply says so and that it cannot tell more.

Whom a comment answers comes from the parsed reply structure (addressed names, quoted
lines) and from names in the sentence itself; a comment that answers no one else answers
the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.picks import Confidence, Pick, Role, Sentence, centroid, flat_text, vectors_of
from bot.themes import CommentView, comment_views
from bot.thresholds import Thresholds
from corpus.model import Document
from corpus.names import find_people
from embeddings.embedder import Vectors
from embeddings.index import PassageIndex

Polarity = Literal["agrees", "disagrees", "mixed"]
ARTICLE = ""  # the target meaning "the author / the article"

_AGREE = re.compile(
    r"\b(i (?:\w+ )?(?:agree|concur)|(?:is|are|was|were) (?:\w+ )?(?:right|correct|spot on)"
    r"|(?:well|nicely) said|good point|exactly right|hear,? hear|couldn'?t agree more"
    r"|(?:fair|good|great|valid) point|it is not only possible|you(?:'re| are) right)\b",
    re.IGNORECASE,
)
_DISAGREE = re.compile(
    r"\b(i (?:\w+ )?disagree|(?:is|are|was|were) (?:\w+ )?(?:wrong|mistaken|incorrect)"
    r"|rubbish|nonsense|not true|untrue|are you serious|the problem with your"
    r"|you (?:cannot|can'?t)|(?:answer|response)\b[^.?!]{0,60}\bis no\b|exactly the opposite"
    r"|you(?:'re| are) wrong|i doubt|baloney|absurd|counterpoint|not convinced"
    r"|(?:don'?t|do not) buy|beg to differ|not so sure)\b|^no\b[.!,]",
    re.IGNORECASE,
)
_BUT = re.compile(r"\b(but|however|though|although|yet)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(no|not|never|nothing|n't|cannot|nor)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(you|your|yours)\b", re.IGNORECASE)
OPENING_SENTENCES = 2
# How close an own first sentence must be to the line it quotes to restate it, and a
# comment to the thesis to count as weak agreement: cosines, so settings
# (:class:`bot.thresholds.Thresholds` ``echo`` and ``stance_content``).
WEIGHT: dict[Confidence, float] = {"clear": 3.0, "likely": 2.0, "weak": 1.0}


@dataclass(frozen=True, slots=True)
class Stance:
    """One comment's stance towards one target (``ARTICLE`` or a commenter's name)."""

    comment: int
    author: str
    target: str
    polarity: Polarity
    confidence: Confidence
    sentence: Sentence
    reason: str


class StanceReader:
    """Stances of one document's comments (computed once, then queried)."""

    def __init__(
        self,
        index: PassageIndex,
        document: Document,
        thesis: Vectors | None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.document = document
        self.index = index
        self.thresholds = thresholds or Thresholds()
        self.views = {v.number: v for v in comment_views(index, document)}
        self.thesis = thesis  # the article's thesis vector, None when it has none
        self.stances = self._read()

    def toward(self, target: str) -> list[Stance]:
        """Stances towards ``target``, strongest first, one per commenter."""
        found = [s for s in self.stances if s.target == target]
        found.sort(key=lambda s: (-WEIGHT[s.confidence], s.comment))
        seen: set[tuple[str, Polarity]] = set()
        out = []
        for stance in found:
            key = (stance.author, stance.polarity)
            if key not in seen:
                seen.add(key)
                out.append(stance)
        return out

    def _read(self) -> list[Stance]:
        direct: list[Stance] = []
        for comment in self.document.comments:
            view = self.views.get(comment.number)
            if view is None:
                continue
            direct.extend(self._direct(comment.number, view))
        inferred = self._through_replies(direct)
        read = {(s.comment, s.target) for s in direct + inferred}
        content = self._by_content(read)
        return direct + inferred + content

    def _targets(self, number: int) -> list[str]:
        """Whom comment ``number`` answers: commenters it replies to, and the article."""
        comment = self.document.comment(number)
        if comment is None:
            return []
        targets = []
        for replied in comment.replies_to:
            original = self.document.comment(replied)
            if original is not None and original.author != comment.author:
                targets.append(original.author)
        if comment.replies_to_article:
            targets.append(ARTICLE)
        return list(dict.fromkeys(targets))

    def _named(self, text: str) -> list[str]:
        people = [c.author for c in self.document.comments]
        if self.document.author:
            people.append(self.document.author)
        named = [m.person for m in find_people(text, list(dict.fromkeys(people)))]
        return [ARTICLE if n == self.document.author else n for n in named]

    def _direct(self, number: int, view: CommentView) -> list[Stance]:
        comment = self.document.comment(number)
        assert comment is not None
        targets = self._targets(number)
        out: list[Stance] = []
        for k, sentence in enumerate(view.sentences):
            text = sentence.text
            named = [n for n in self._named(text) if n != comment.author]
            opening = k < OPENING_SENTENCES
            addressed = bool(named) or bool(_SECOND_PERSON.search(text))
            if not (opening or addressed):
                continue
            agree, disagree = _AGREE.search(text), _DISAGREE.search(text)
            if not (agree or disagree):
                continue
            # A comment that answers no one else answers the article.
            whom = named or targets or [ARTICLE]
            polarity: Polarity
            if agree and not disagree:
                tail = text[agree.end() :]
                polarity = "mixed" if _BUT.search(tail) else "agrees"
            elif disagree and not agree:
                polarity = "disagrees"
            else:
                polarity = "mixed"
            out.append(
                Stance(number, comment.author, whom[0], polarity, "clear", sentence, "says so")
            )
            break
        if out:
            return out
        return self._by_shape(number, view, targets)

    def _by_shape(self, number: int, view: CommentView, targets: list[str]) -> list[Stance]:
        """A pointed question opening a reply disagrees; restating the quoted line agrees."""
        comment = self.document.comment(number)
        if comment is None or not targets or not view.sentences:
            return []
        first = view.sentences[0]
        if first.text.rstrip().endswith("?"):
            return [
                Stance(number, comment.author, targets[0], "disagrees", "likely", first, "asks")
            ]
        quoted = self._quoted_vector(comment.quotes)
        if quoted is not None and not _NEGATION.search(first.text):
            similarity = float(vectors_of(self.index, [first])[0] @ quoted)
            if similarity >= self.thresholds.echo:
                return [
                    Stance(number, comment.author, targets[0], "agrees", "likely", first, "echoes")
                ]
        return []

    def _quoted_vector(self, quotes: Sequence[str]) -> Vectors | None:
        """The vector of the quoted line, found among the indexed sentences."""
        if not quotes:
            return None
        wanted = flat_text(quotes[0])[:60]
        if not wanted:
            return None
        for passage in self.index.passages:
            if passage.document != self.document.path:
                continue
            for position, text in enumerate(passage.sentences):
                if wanted in flat_text(text):
                    row = passage.first_sentence + position
                    vector: Vectors = self.index.sentence_vectors[row]
                    return vector
        return None

    def _through_replies(self, direct: list[Stance]) -> list[Stance]:
        """Rebutting someone who clearly disagrees with the author sides with the author;
        agreeing with them sides against."""
        about_author = {
            s.author: s.polarity
            for s in direct
            if s.target == ARTICLE and s.confidence == "clear" and s.polarity != "mixed"
        }
        spoken = {s.comment for s in direct if s.target == ARTICLE}
        out = []
        for stance in direct:
            their = about_author.get(stance.target)
            if their is None or stance.comment in spoken or stance.polarity == "mixed":
                continue
            same = stance.polarity == "agrees"
            polarity: Polarity = their if same else _opposite(their)
            reason = f"{'sides with' if same else 'answers'} {stance.target}"
            out.append(
                Stance(
                    stance.comment,
                    stance.author,
                    ARTICLE,
                    polarity,
                    "likely",
                    stance.sentence,
                    reason,
                )
            )
        return out

    def _by_content(self, read: set[tuple[int, str]]) -> list[Stance]:
        """Comments that answer no one but argue close to the thesis: weak agreement."""
        if self.thesis is None:
            return []
        out = []
        answered = {number for number, _ in read}
        for number, view in self.views.items():
            comment = self.document.comment(number)
            if comment is None or number in answered or comment.replies_to:
                continue
            vectors = vectors_of(self.index, view.sentences)
            similarities = vectors @ self.thesis
            best = int(np.argmax(similarities))
            close = float(similarities[best]) >= self.thresholds.stance_content
            if close and float(view.vector @ self.thesis) > 0:
                sentence = view.sentences[best]
                out.append(
                    Stance(number, comment.author, ARTICLE, "agrees", "weak", sentence, "close")
                )
        return out


def stance_picks(stances: list[Stance], polarity: Polarity, limit: int) -> list[Pick]:
    """Picks for the stances of ``polarity`` (mixed ones count for either side)."""
    chosen = [s for s in stances if s.polarity in (polarity, "mixed")][:limit]
    role: Role = "agrees" if polarity == "agrees" else "disagrees"
    return [
        Pick(s.sentence.passage, (s.sentence.position,), role, (s.comment,), s.confidence)
        for s in chosen
    ]


def strongest_objection(reader: StanceReader, limit: int) -> list[Pick]:
    """The comment against the author with the most weight: the surest stance, then the
    one that engages the article most (its sentence closest to the thesis)."""
    against = [s for s in reader.toward(ARTICLE) if s.polarity == "disagrees"]
    if not against:
        return []
    thesis = reader.thesis

    def engagement(stance: Stance) -> float:
        view = reader.views[stance.comment]
        if thesis is None:
            return float(len(view.sentences))
        return float((vectors_of(reader.index, view.sentences) @ thesis).max())

    best = max(against, key=lambda s: (WEIGHT[s.confidence], engagement(s)))
    view = reader.views[best.comment]
    positions = [best.sentence]
    if thesis is not None:
        scores = vectors_of(reader.index, view.sentences) @ thesis
        for i in np.argsort(-scores).tolist():
            candidate = view.sentences[i]
            if candidate.row != best.sentence.row and candidate.words <= 45:
                positions.append(candidate)
                break
    picks = [
        Pick(s.passage, (s.position,), "objection", (best.comment,), best.confidence)
        for s in sorted(positions, key=lambda s: s.row)
    ]
    return picks[:limit]


def exchange(reader: StanceReader, people: tuple[str, ...], limit: int) -> list[Pick]:
    """Both sides of the replies between two commenters, in the order they were posted:
    the line answered (the quoted one, else the closest in meaning) and the reply's own
    opening."""
    first, second = people[0], people[1]
    document = reader.document
    pairs: list[tuple[int, int]] = []
    for comment in document.comments:
        for replied in comment.replies_to:
            earlier = document.comment(replied)
            if earlier is not None and {comment.author, earlier.author} == {first, second}:
                pairs.append((earlier.number, comment.number))
    picks: list[Pick] = []
    for original, reply in sorted(pairs):
        reply_view, original_view = reader.views.get(reply), reader.views.get(original)
        if reply_view is None or original_view is None:
            continue
        opening = reply_view.sentences[:2]
        answered = _answered_sentence(reader, original_view, reply)
        picks.append(
            Pick(answered.passage, (answered.position,), "exchange", (original,), group=original)
        )
        for sentence in opening:
            picks.append(
                Pick(sentence.passage, (sentence.position,), "exchange", (reply,), group=reply)
            )
    seen: set[tuple[int, int]] = set()
    unique = []
    for pick in picks:
        key = (pick.passage.id, pick.positions[0])
        if key not in seen:
            seen.add(key)
            unique.append(pick)
    return unique[: limit * 2]


def _answered_sentence(reader: StanceReader, original: CommentView, reply: int) -> Sentence:
    comment = reader.document.comment(reply)
    if comment is not None:
        for quote in comment.quotes:
            wanted = flat_text(quote)[:60]
            for sentence in original.sentences:
                if wanted and wanted[:40] in flat_text(sentence.text):
                    return sentence
    reply_view = reader.views[reply]
    scores = vectors_of(reader.index, original.sentences) @ centroid(
        vectors_of(reader.index, reply_view.sentences)
    )
    return original.sentences[int(np.argmax(scores))]


def _opposite(polarity: Polarity) -> Polarity:
    return "agrees" if polarity == "disagrees" else "disagrees"
