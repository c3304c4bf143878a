"""``article-bot calibrate SET.jsonl``: choose ``min_score`` for your model and documents.

The abstention thresholds are cosine similarities, and a cosine value means something
only for the model that produced it: 0.42 suits all-MiniLM-L6-v2 on opinion pieces,
not necessarily another model (``ARTICLE_BOT_MODEL``) or another kind of document.
This command answers a question set of your own (the ``eval`` format, with answerable
and unanswerable questions) at each ``min_score`` of a sweep, with the index and the
model loaded once, and reports the value that best balances the two ways to fail:
refusing an answerable question and answering an unanswerable one.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.answering import Answerer
from bot.evaluation import EvalReport, read_questions, run, score
from corpus.errors import ConfigurationError
from embeddings.embedder import Embedder, Vectors


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


def cmd_calibrate(args: argparse.Namespace, settings: Any) -> int:
    from bot.cli import load_answerer

    if not 0 < args.step <= 1 or args.start > args.stop:
        raise ConfigurationError("calibrate needs --from <= --to and a --step in (0, 1]")
    questions = read_questions(Path(args.questions))
    if not any(q.kind == "out_of_scope" for q in questions):
        print("note: the set has no out_of_scope questions, so refusing can't be measured")
    answerer = load_answerer(settings)
    count = round((args.stop - args.start) / args.step) + 1
    values = [round(args.start + i * args.step, 4) for i in range(count)]
    points = sweep(answerer, questions, values, args.k)
    print(f"{'min_score':>9}  {'answered':>8}  {'refused':>7}  {'hit@' + str(args.k):>6}  MRR")
    for p in points:
        refused = p.report.abstain_accuracy
        print(
            f"{p.min_score:9.3f}  {1 - (p.report.false_abstain_rate or 0.0):8.3f}  "
            f"{'n/a' if refused is None else f'{refused:.3f}':>7}  "
            f"{p.report.hit_at_k or 0.0:6.3f}  {p.report.mrr or 0.0:.3f}"
        )
    chosen = best(points)
    print(f"\nbest: ARTICLE_BOT_MIN_SCORE={chosen.min_score:g}  (now {settings.min_score:g})")
    if args.write:
        _write_setting(Path(args.write), chosen.min_score)
        print(f"written to {args.write}")
    return 0


def _write_setting(path: Path, value: float) -> None:
    """Set ``ARTICLE_BOT_MIN_SCORE`` in a ``.env`` file, keeping its other lines."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if not line.strip().startswith("ARTICLE_BOT_MIN_SCORE=")]
    kept.append(f"ARTICLE_BOT_MIN_SCORE={value:g}")
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def add_calibrate_command(commands: Any) -> None:
    parser = commands.add_parser(
        "calibrate", help="sweep ARTICLE_BOT_MIN_SCORE over a question set and report the best"
    )
    parser.add_argument("questions", help="question set, JSON lines (the eval format)")
    parser.add_argument("--from", dest="start", type=float, default=0.20, help="default 0.20")
    parser.add_argument("--to", dest="stop", type=float, default=0.70, help="default 0.70")
    parser.add_argument("--step", type=float, default=0.02, help="default 0.02")
    parser.add_argument("--k", type=int, default=3, help="citations counted per answer")
    parser.add_argument("--write", metavar="ENV_FILE", help="also set the value in this .env file")
    parser.set_defaults(handler=cmd_calibrate)
