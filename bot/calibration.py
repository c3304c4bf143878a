"""``article-bot calibrate SET.jsonl``: the cosine thresholds for your model and documents.

The thresholds are cosine similarities, and a cosine value means something only for the
model that produced it: 0.42 suits all-MiniLM-L6-v2 on opinion pieces, not necessarily
another model (``ARTICLE_BOT_MODEL``) or another kind of document. This command takes a
question set of your own (the ``eval`` format) and recommends each of them:

- ``min_score``: the set is answered at each value of a sweep, with the index and the
  model loaded once; the value that best balances the two ways to fail (refusing an
  answerable question, answering an unanswerable one) wins.
- the overview thresholds (``intent``, ``intent_uncued``): from the set's labels, the
  cuts that best separate its ``overview`` questions from the others (lookups and
  traps) by each question's best exemplar cosine, with and without a cue word; of equal
  cuts, the one nearest the model-relative value below.
- the thresholds no label speaks to (``echo``, ``stance_content``, ``named_sentence``,
  and the overview ones when the set has no overview questions or no others): the
  default's standing carried over from the bundled model. Both models embed the same
  texts (the corpus's sentences, the set's questions); the default's share of the bundled
  model's cosines at or below it becomes the same quantile of your model's cosines.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering import Answerer
from bot.evaluation import EvalReport, Question, read_questions, run, score
from bot.intents import EXEMPLARS, Candidate
from bot.thresholds import ENVIRONMENT, Thresholds
from corpus.errors import ConfigurationError
from embeddings.embedder import Embedder, Vectors

# Cuts tried for the overview thresholds.
GRID = np.round(np.arange(0.0, 1.0, 0.01), 2)
# What each distribution compares, as the report names it.
_PAIRS = {
    "exemplars": "question-to-exemplar",
    "sentences": "sentence-to-sentence",
    "questions": "question-to-sentence",
}
# Corpus sentences sampled for the cosine distributions (evenly through the corpus).
SAMPLE_SENTENCES = 300


class _RememberingEmbedder:
    """The embedder, with each query embedded once for the whole sweep."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._queries: dict[str, Vectors] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_query(self, text: str) -> Vectors:
        if text not in self._queries:
            self._queries[text] = self._embedder.embed_query(text)
        return self._queries[text]


@dataclass(frozen=True, slots=True)
class Point:
    min_score: float
    report: EvalReport

    @property
    def balance(self) -> float:
        """Mean of answered-when-answerable and refused-when-unanswerable."""
        answered = 1 - (self.report.false_abstain_rate or 0.0)
        refused = self.report.abstain_accuracy
        return answered if refused is None else (answered + refused) / 2

    @property
    def rank(self) -> tuple[float, float, float]:
        return (self.balance, self.report.hit_at_k or 0.0, self.report.mrr or 0.0)


def sweep(answerer: Answerer, questions: list[Any], values: list[float], k: int) -> list[Point]:
    """Score ``questions`` at each ``min_score`` in ``values``."""
    embedder = _RememberingEmbedder(answerer.embedder)
    points = []
    for value in values:
        settings = replace(answerer.settings, min_score=value)
        trial = Answerer(answerer.knowledge, embedder, settings)
        points.append(Point(value, score(questions, run(trial.answer, questions), k=k)))
    return points


def best(points: list[Point]) -> Point:
    """The best-balanced point; of equals, the middle one (the farthest from either edge)."""
    top = max(p.rank for p in points)
    tied = [p for p in points if p.rank == top]
    return tied[len(tied) // 2]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One setting: its value now, the value recommended, and how it was found."""

    variable: str
    now: float
    value: float
    method: str


def intent_cuts(
    labelled: Sequence[tuple[bool, Sequence[Candidate]]], near: tuple[float, float]
) -> tuple[float, float, str] | None:
    """The (cued, uncued) cuts that best separate overview questions (``True``) from the
    others by their candidates' cosines: the highest balanced accuracy, then the nearest
    to ``near``; ``None`` when the set lacks either kind of question."""
    overview = np.array([is_overview for is_overview, _ in labelled])
    if overview.all() or not overview.any():
        return None
    cued = np.array([max((c.similarity for c in cs if c.cued), default=-2.0) for _, cs in labelled])
    plain = np.array(
        [max((c.similarity for c in cs if not c.cued), default=-2.0) for _, cs in labelled]
    )
    # routed[q, i, j]: question q is an overview at cued cut GRID[i] and uncued cut GRID[j].
    routed = (cued[:, None, None] >= GRID[None, :, None]) | (
        plain[:, None, None] >= GRID[None, None, :]
    )
    found = routed[overview].mean(axis=0)
    kept_apart = 1 - routed[~overview].mean(axis=0)
    balance = (found + kept_apart) / 2
    distance = np.abs(GRID[:, None] - near[0]) + np.abs(GRID[None, :] - near[1])
    best = np.flatnonzero(balance.ravel() >= balance.max() - 1e-9)
    i, j = np.unravel_index(best[np.argmin(distance.ravel()[best])], balance.shape)
    equal = balance >= balance.max() - 1e-9
    cued_span = GRID[equal[:, j]]
    plain_span = GRID[equal[i, :]]
    hits = int(routed[overview][:, i, j].sum())
    misses = int(routed[~overview][:, i, j].sum())
    note = (
        f"labels: {hits}/{int(overview.sum())} overview questions routed, "
        f"{misses}/{int((~overview).sum())} others misrouted (as well anywhere in "
        f"{cued_span.min():.2f}–{cued_span.max():.2f} with a cue, "
        f"{plain_span.min():.2f}–{plain_span.max():.2f} without)"
    )
    return float(GRID[i]), float(GRID[j]), note


def carried_over(default: float, reference: Vectors, model: Vectors) -> float:
    """``default`` moved from the reference model's cosines to the same quantile of the
    model's: ``reference`` and ``model`` are the two models' cosines over the same pairs.
    Quantiles are interpolated between neighbouring cosines, so a model carried over to
    itself keeps its value."""
    ranks = np.linspace(0.0, 1.0, len(reference))
    share = float(np.interp(default, np.sort(reference), ranks))
    return round(float(np.interp(share, np.linspace(0.0, 1.0, len(model)), np.sort(model))), 2)


@dataclass(frozen=True, slots=True)
class Distributions:
    """One model's cosines over the pairs each threshold compares."""

    exemplars: Vectors  # the set's questions against the intent exemplars
    sentences: Vectors  # corpus sentences against each other
    questions: Vectors  # the set's questions against corpus sentences


def distributions(embedder: Embedder, questions: list[str], sentences: list[str]) -> Distributions:
    exemplar_texts = [e for group in EXEMPLARS.values() for e in group]
    asked = np.stack([embedder.embed_query(q) for q in questions])
    exemplars = embedder.embed_documents(exemplar_texts)
    said = embedder.embed_documents(sentences)
    pairs = said @ said.T
    upper = np.triu_indices(len(sentences), k=1)
    return Distributions(
        (asked @ exemplars.T).ravel(), pairs[upper].ravel(), (asked @ said.T).ravel()
    )


def sample_sentences(answerer: Answerer, count: int = SAMPLE_SENTENCES) -> list[str]:
    """Up to ``count`` distinct sentences of the corpus, evenly through it."""
    texts = list(dict.fromkeys(s for p in answerer.knowledge.index.passages for s in p.sentences))
    if len(texts) <= count:
        return texts
    step = len(texts) / count
    return [texts[int(i * step)] for i in range(count)]


def recommend_thresholds(
    answerer: Answerer,
    questions: Sequence[Question],
    reference: Embedder | None,
    sample: int = SAMPLE_SENTENCES,
) -> list[Recommendation]:
    """A recommended value for every threshold of :class:`bot.thresholds.Thresholds`.

    ``reference`` is the bundled model when ``answerer`` uses another one (``None`` when
    it is the bundled model: then the defaults stand where no label speaks)."""
    now = answerer.settings.thresholds
    default = Thresholds()
    carried = {f.name: getattr(default, f.name) for f in fields(Thresholds)}
    how = {name: "the bundled model's default" for name in carried}
    if reference is not None:
        texts = [q.question for q in questions]
        sentences = sample_sentences(answerer, sample)
        ours = distributions(answerer.embedder, texts, sentences)
        theirs = distributions(reference, texts, sentences)
        pairs = {
            "intent": "exemplars",
            "intent_uncued": "exemplars",
            "echo": "sentences",
            "stance_content": "sentences",
            "named_sentence": "questions",
        }
        for name, kind in pairs.items():
            carried[name] = carried_over(carried[name], getattr(theirs, kind), getattr(ours, kind))
            how[name] = f"model-relative: the default's quantile of {_PAIRS[kind]} cosines"
    values = dict(carried)
    labelled = [(q.kind == "overview", answerer.overview_candidates(q.question)) for q in questions]
    cuts = intent_cuts(labelled, (carried["intent"], carried["intent_uncued"]))
    if cuts is not None:
        values["intent"], values["intent_uncued"], note = cuts
        how["intent"] = how["intent_uncued"] = note
    return [
        Recommendation(ENVIRONMENT[name], getattr(now, name), values[name], how[name])
        for name in ENVIRONMENT
    ]


def _reference_embedder(settings: Any) -> Embedder | None:
    """The bundled model, when the configured one is another."""
    if settings.model == "default":
        return None
    from bot.startup import make_embedder

    return make_embedder(replace(settings, model="default"))


def cmd_calibrate(args: argparse.Namespace, settings: Any) -> int:
    from bot.cli import load_answerer

    if not 0 < args.step <= 1 or args.start > args.stop:
        raise ConfigurationError("calibrate needs --from <= --to and a --step in (0, 1]")
    questions = read_questions(Path(args.questions))
    if not any(q.kind == "out_of_scope" for q in questions):
        print("note: the set has no out_of_scope questions, so refusing can't be measured")
    if not any(q.kind == "overview" for q in questions):
        print("note: the set has no overview questions, so the overview cuts come from the model")
    answerer = load_answerer(settings)
    count = round((args.stop - args.start) / args.step) + 1
    values = [round(args.start + i * args.step, 4) for i in range(count)]
    scored = [q for q in questions if q.kind != "overview"]
    points = sweep(answerer, scored, values, args.k)
    print(f"{'min_score':>9}  {'answered':>8}  {'refused':>7}  {'hit@' + str(args.k):>6}  MRR")
    for p in points:
        refused = p.report.abstain_accuracy
        print(
            f"{p.min_score:9.3f}  {1 - (p.report.false_abstain_rate or 0.0):8.3f}  "
            f"{'n/a' if refused is None else f'{refused:.3f}':>7}  "
            f"{p.report.hit_at_k or 0.0:6.3f}  {p.report.mrr or 0.0:.3f}"
        )
    chosen = best(points)
    recommendations = [
        Recommendation(
            "ARTICLE_BOT_MIN_SCORE",
            settings.min_score,
            chosen.min_score,
            "sweep: the best balance of answered and refused",
        ),
        *recommend_thresholds(answerer, questions, _reference_embedder(settings)),
    ]
    print(f"\n{'setting':31} {'now':>5} {'best':>5}  how")
    for r in recommendations:
        print(f"{r.variable:31} {r.now:5.2f} {r.value:5.2f}  {r.method}")
    print()
    for r in recommendations:
        print(f"{r.variable}={r.value:g}")
    if args.write:
        _write_settings(Path(args.write), {r.variable: r.value for r in recommendations})
        print(f"written to {args.write}")
    return 0


def _write_settings(path: Path, values: dict[str, float]) -> None:
    """Set each variable of ``values`` in a ``.env`` file, keeping its other lines."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [
        line
        for line in lines
        if line.strip().split("=", 1)[0].removeprefix("export ").strip() not in values
    ]
    kept += [f"{name}={value:g}" for name, value in values.items()]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def add_calibrate_command(commands: Any) -> None:
    parser = commands.add_parser(
        "calibrate",
        help="recommend ARTICLE_BOT_MIN_SCORE and the other cosine thresholds from a question set",
    )
    parser.add_argument("questions", help="question set, JSON lines (the eval format)")
    parser.add_argument("--from", dest="start", type=float, default=0.20, help="default 0.20")
    parser.add_argument("--to", dest="stop", type=float, default=0.70, help="default 0.70")
    parser.add_argument("--step", type=float, default=0.02, help="default 0.02")
    parser.add_argument("--k", type=int, default=3, help="citations counted per answer")
    parser.add_argument("--write", metavar="ENV_FILE", help="also set the values in this .env file")
    parser.set_defaults(handler=cmd_calibrate)
