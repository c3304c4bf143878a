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


def test_an_overview_question_is_right_when_its_citations_cover_the_parts_named(
    fake_answerer: Answerer, tmp_path: Path
) -> None:
    question = "What does the article say about sending arms to Ukraine?"
    cited = [
        f"a{c.passage.paragraph}" if c.passage.source_type == "article" else "c"
        for c in fake_answerer.answer(question).citations
    ]
    assert cited and cited[0].startswith("a")

    def overview(ident: str, **evidence: object) -> dict[str, object]:
        return {"id": ident, "question": question, "kind": "overview", "evidence": evidence}

    questions = read_questions(
        write(
            tmp_path / "set.jsonl",
            overview("covered", groups=[[cited[0]], ["a99"]], min_groups=1, min_sources=1),
            overview("one group short", groups=[[cited[0]], ["a99"]], min_groups=2),
            overview("avoided", groups=[[cited[0]]], avoid=[cited[0]], max_avoid=0),
            overview("too few parts", groups=[[cited[0]]], min_sources=len(set(cited)) + 1),
        )
    )
    report = score(questions, run(fake_answerer.answer, questions))
    assert report.overview_accuracy == 0.25
    assert [m["id"] for m in report.missed] == ["one group short", "avoided", "too few parts"]
    assert "overview accuracy            0.250" in format_report(report)
