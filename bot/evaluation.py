"""``article-bot eval``: run a question set through the same path as ``ask`` and score it.

Question set format (JSON lines), one question a line::

    {"id": "Q1", "question": "...", "kind": "content",
     "evidence": {"comments": [5], "phrases": ["send arms to Ukraine"]}}
    {"id": "Q2", "question": "...", "kind": "metadata", "answer_contains": [["Daniel Larison"]]}
    {"id": "Q3", "question": "...", "kind": "out_of_scope"}

A content question is a hit at rank r when the r-th citation is one of the gold comments
or its text holds one of the gold phrases (case, quotes and spacing normalised). A
metadata answer must hold, for every group of ``answer_contains``, one of its strings.
An out-of-scope question is right when the bot abstains. An overview question
("Summarize the article") is right when the answer is found and its citations (all of
them) cover at least ``min_groups`` of the gold ``groups`` and ``min_sources`` distinct
parts, citing at most ``max_avoid`` of ``avoid`` (parts named ``a7`` for article
paragraph 7, ``c5`` for comment #5), as the shared scorer counts it::

    {"id": "Q4", "question": "...", "kind": "overview", "evidence": {"groups": [["a7"],
     ["a11"]], "min_groups": 2, "min_sources": 2, "avoid": ["c5"], "max_avoid": 0}}
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.rendering import answer_text
from bot.replies import Reply
from corpus.errors import ConfigurationError

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    kind: str
    comments: tuple[int, ...] = ()
    phrases: tuple[str, ...] = ()
    answer_contains: tuple[tuple[str, ...], ...] = ()
    overview: Overview | None = None


@dataclass(frozen=True, slots=True)
class Overview:
    """What an overview answer must cite (see the module docstring)."""

    groups: tuple[frozenset[str], ...]
    min_groups: int
    min_sources: int
    avoid: frozenset[str] = frozenset()
    max_avoid: int = 0

    def satisfied(self, reply: Reply) -> bool:
        parts = {_part(c.passage) for c in reply.citations} - {None}
        covered = sum(1 for group in self.groups if parts & group)
        return (
            reply.found
            and covered >= self.min_groups
            and len(parts) >= self.min_sources
            and len(parts & self.avoid) <= self.max_avoid
        )


def _part(passage: Any) -> str | None:
    if passage.source_type == "comment" and passage.comment_number is not None:
        return f"c{passage.comment_number}"
    if passage.paragraph is not None:
        return f"a{passage.paragraph}"
    return None


def _overview(evidence: dict[str, Any]) -> Overview:
    groups = tuple(frozenset(str(p) for p in group) for group in evidence["groups"])
    return Overview(
        groups,
        int(evidence.get("min_groups", len(groups))),
        int(evidence.get("min_sources", 1)),
        frozenset(str(p) for p in evidence.get("avoid", [])),
        int(evidence.get("max_avoid", 0)),
    )


def read_questions(path: Path) -> list[Question]:
    """Read a question set; a malformed line is an error naming the file and line."""
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"can't read the question set {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            kind = row["kind"]
            if kind not in ("content", "metadata", "out_of_scope", "overview"):
                raise ValueError(f"unknown kind {kind!r}")
            evidence = row.get("evidence", {})
            questions.append(
                Question(
                    id=str(row.get("id", number)),
                    question=str(row["question"]),
                    kind=kind,
                    comments=tuple(int(c) for c in evidence.get("comments", [])),
                    phrases=tuple(str(p) for p in evidence.get("phrases", [])),
                    answer_contains=tuple(
                        tuple(str(s) for s in g) for g in row.get("answer_contains", [])
                    ),
                    overview=_overview(evidence) if kind == "overview" else None,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"{path}:{number}: not a valid question ({exc})") from None
    return questions


def hit_rank(question: Question, reply: Reply, k: int) -> int | None:
    phrases = [_norm(p) for p in question.phrases]
    for rank, citation in enumerate(reply.citations[:k], start=1):
        if citation.passage.comment_number in question.comments:
            return rank
        text = _norm(citation.passage.text)
        if any(p in text for p in phrases):
            return rank
    return None


@dataclass
class EvalReport:
    """Scores of a question set; a score is ``None`` when the set has no questions of the
    kind it counts (no metadata questions, say)."""

    questions: int
    hit_at_1: float | None
    hit_at_k: float | None
    mrr: float | None
    metadata_accuracy: float | None
    answer_exact: float | None
    """Share of content questions with ``answer_contains`` whose answer text holds it."""
    overview_accuracy: float | None
    abstain_accuracy: float | None
    false_abstain_rate: float | None
    mean_cited_chars: float
    k: int = 3
    missed: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def score(questions: Sequence[Question], replies: Sequence[Reply], k: int = 3) -> EvalReport:
    ranks: list[int | None] = []
    exact: list[bool] = []
    metadata: list[bool] = []
    overview: list[bool] = []
    abstain: list[bool] = []
    missed: list[dict[str, Any]] = []
    for question, reply in zip(questions, replies, strict=True):
        if question.kind == "content":
            rank = hit_rank(question, reply, k)
            ranks.append(rank)
            ok = rank is not None and reply.found
            if question.answer_contains:
                exact.append(_holds(question, reply))
                ok = ok and exact[-1]
        elif question.kind == "metadata":
            ok = _holds(question, reply)
            metadata.append(ok)
        elif question.overview is not None:
            ok = question.overview.satisfied(reply)
            overview.append(ok)
        else:
            ok = not reply.found
            abstain.append(ok)
        if not ok:
            missed.append(
                {
                    "id": question.id,
                    "kind": question.kind,
                    "question": question.question,
                    "found": reply.found,
                    "cited": [c.label for c in reply.citations[:k]],
                }
            )
    in_scope = [r for q, r in zip(questions, replies, strict=True) if q.kind != "out_of_scope"]
    return EvalReport(
        questions=len(questions),
        hit_at_1=_mean([r == 1 for r in ranks]),
        hit_at_k=_mean([r is not None for r in ranks]),
        mrr=_mean([1 / r if r else 0.0 for r in ranks]),
        metadata_accuracy=_mean(metadata),
        answer_exact=_mean(exact),
        overview_accuracy=_mean(overview),
        abstain_accuracy=_mean(abstain),
        false_abstain_rate=_mean([not r.found for r in in_scope]),
        mean_cited_chars=sum(sum(len(c.passage.text) for c in r.citations[:k]) for r in replies)
        / max(len(replies), 1),
        k=k,
        missed=missed,
    )


def _holds(question: Question, reply: Reply) -> bool:
    """Whether the answer text holds one string of every ``answer_contains`` group."""
    answer = _norm(answer_text(reply))
    return all(any(_norm(s) in answer for s in group) for group in question.answer_contains)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def run(answer: Any, questions: Iterable[Question]) -> list[Reply]:
    """Answer each question on its own, as ``ask --json -`` does."""
    return [answer(q.question) for q in questions]


def format_report(report: EvalReport) -> str:
    rows = [
        ("questions", f"{report.questions}"),
        ("hit@1", _figure(report.hit_at_1)),
        (f"hit@{report.k}", _figure(report.hit_at_k)),
        ("MRR", _figure(report.mrr)),
        ("metadata accuracy", _figure(report.metadata_accuracy)),
        ("answer holds the answer", _figure(report.answer_exact)),
        ("overview accuracy", _figure(report.overview_accuracy)),
        ("abstention accuracy", _figure(report.abstain_accuracy)),
        ("false abstentions", _figure(report.false_abstain_rate)),
        (f"mean cited chars (top {report.k})", f"{report.mean_cited_chars:.0f}"),
    ]
    lines = [f"{name:28} {value}" for name, value in rows]
    if report.missed:
        lines.append("")
        lines.append(f"missed ({len(report.missed)}):")
        for miss in report.missed:
            cited = ", ".join(miss["cited"]) or "nothing"
            lines.append(f"  {miss['id']:6} {miss['kind']:12} {miss['question']}  -> cited {cited}")
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace, settings: Any) -> int:
    from bot.cli import load_answerer

    questions = read_questions(Path(args.questions))
    answerer = load_answerer(settings)
    report = score(questions, run(answerer.answer, questions), k=args.k)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


def add_eval_command(commands: Any) -> None:
    parser = commands.add_parser("eval", help="score a question set (see README for the format)")
    parser.add_argument("questions", help="question set, JSON lines")
    parser.add_argument("--k", type=int, default=3, help="citations counted per answer (default 3)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.set_defaults(handler=cmd_eval)
