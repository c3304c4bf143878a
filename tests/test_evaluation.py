"""Scoring a question set: the figures ``article-bot eval`` prints."""

from __future__ import annotations

import json
from pathlib import Path

from bot.answering import Answerer
from bot.evaluation import format_report, read_questions, run, score


def write(path: Path, *questions: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return path


def test_a_set_without_a_kind_of_question_reports_no_score_for_it(
    fake_answerer: Answerer, tmp_path: Path
) -> None:
    questions = read_questions(
        write(
            tmp_path / "set.jsonl",
            {
                "id": "A",
                "question": "Who wrote the article?",
                "kind": "metadata",
                "answer_contains": [["Daniel Larison"]],
            },
            {
                "id": "B",
                "question": "What is the tallest mountain in Africa?",
                "kind": "out_of_scope",
            },
        )
    )
    report = score(questions, run(fake_answerer.answer, questions))
    assert report.metadata_accuracy == 1.0
    assert report.hit_at_1 is None and report.mrr is None  # no content questions
    assert report.false_abstain_rate == 0.0  # the metadata question was answered
    text = format_report(report)
    assert "hit@1                        n/a" in text
    assert report.to_json()["hit_at_1"] is None
