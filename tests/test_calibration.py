"""``article-bot calibrate``: a min_score sweep over a question set picks a balanced value."""

from __future__ import annotations

import json
from pathlib import Path

from bot.answering import Answerer
from bot.calibration import _write_setting, best, sweep
from bot.evaluation import read_questions

QUESTIONS = [
    {
        "id": "c1",
        "question": "What did Congress do to punish Russia?",
        "kind": "content",
        "evidence": {"comments": [], "phrases": ["imposed new sanctions"]},
    },
    {
        "id": "c2",
        "question": "What does the article say about arms to Ukraine?",
        "kind": "content",
        "evidence": {"comments": [], "phrases": ["send arms to Ukraine"]},
    },
    {"id": "o1", "question": "How do I bake sourdough bread?", "kind": "out_of_scope"},
]


def test_the_sweep_answers_everything_when_low_refuses_everything_when_high(
    fake_answerer: Answerer, tmp_path: Path
) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUESTIONS), encoding="utf-8")
    questions = read_questions(path)
    points = sweep(fake_answerer, questions, [-1.0, 0.3, 0.99], k=3)
    low, _, high = points
    assert low.report.false_abstain_rate == 0.0 and low.report.abstain_accuracy == 0.0
    assert high.report.abstain_accuracy == 1.0 and high.report.false_abstain_rate == 1.0
    chosen = best(points)
    assert chosen.balance == max(p.balance for p in points)
    assert fake_answerer.settings.min_score == 0.42  # the answerer itself is untouched


def test_the_chosen_value_is_written_into_the_env_file_keeping_other_lines(
    tmp_path: Path,
) -> None:
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=x\nARTICLE_BOT_MIN_SCORE=0.5\n", encoding="utf-8")
    _write_setting(env, 0.38)
    assert env.read_text(encoding="utf-8") == ("TELEGRAM_BOT_TOKEN=x\nARTICLE_BOT_MIN_SCORE=0.38\n")
