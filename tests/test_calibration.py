"""``article-bot calibrate``: a min_score sweep over a question set picks a balanced value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering import Answerer, AnswerSettings
from bot.calibration import _write_settings, best, intent_cuts, recommend_thresholds, sweep
from bot.evaluation import Question, read_questions
from bot.intents import Candidate, choose
from bot.knowledge import open_knowledge
from bot.thresholds import ENVIRONMENT, Thresholds
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder
from tests.test_cli_support import run_cli
from tests.test_quality import TESTS

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
    env.write_text(
        "TELEGRAM_BOT_TOKEN=x\nARTICLE_BOT_MIN_SCORE=0.5\nexport ARTICLE_BOT_ECHO_MIN=0.6\n",
        encoding="utf-8",
    )
    _write_settings(env, {"ARTICLE_BOT_MIN_SCORE": 0.38, "ARTICLE_BOT_ECHO_MIN": 0.41})
    assert env.read_text(encoding="utf-8") == (
        "TELEGRAM_BOT_TOKEN=x\nARTICLE_BOT_MIN_SCORE=0.38\nARTICLE_BOT_ECHO_MIN=0.41\n"
    )


# --- the other thresholds -------------------------------------------------------------


def test_the_overview_cuts_separate_the_labelled_questions_nearest_the_given_values() -> None:
    overview = (True, [Candidate("thesis", 0.62, True)])
    uncued_overview = (True, [Candidate("summary", 0.9, False)])
    lookup = (False, [Candidate("thesis", 0.4, True), Candidate("summary", 0.7, False)])
    topical = (False, [])  # a lookup whatever the cuts (it has a topic word)
    cuts = intent_cuts([overview, uncued_overview, lookup, topical], near=(0.3, 0.5))
    assert cuts is not None
    cued, uncued, note = cuts
    # Any cued cut in (0.40, 0.62] and uncued cut in (0.70, 0.90] separates them; the
    # nearest to (0.3, 0.5) is chosen.
    assert (cued, uncued) == (0.41, 0.71)
    assert "2/2 overview questions routed, 0/2 others misrouted" in note
    assert intent_cuts([overview, uncued_overview], near=(0.45, 0.85)) is None


def labelled_set() -> list[Question]:
    """Overview questions and lookups on the bundled article (the project's own sets)."""
    return read_questions(TESTS / "eval" / "article_reader.jsonl") + read_questions(
        TESTS / "eval" / "article_extra.jsonl"
    )


def routes(answerer: Answerer, questions: list[Question], thresholds: Thresholds) -> list[bool]:
    """Whether each question is right about being an overview at ``thresholds``."""
    return [
        (choose(answerer.overview_candidates(q.question), thresholds) is not None)
        == (q.kind == "overview")
        for q in questions
    ]


def recommended(answerer: Answerer, questions: list[Question], reference) -> Thresholds:  # type: ignore[no-untyped-def]
    found = recommend_thresholds(answerer, questions, reference, sample=80)
    assert [r.variable for r in found] == list(ENVIRONMENT.values())
    return Thresholds(*(r.value for r in found))


@pytest.mark.integration
def test_calibrated_on_a_labelled_set_the_real_model_routes_it_all_correctly(
    real_answerer: Answerer, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    questions = labelled_set()
    assert sum(q.kind == "overview" for q in questions) >= 8
    # The bundled model as its own reference: where no label speaks, the defaults stand.
    chosen = recommended(real_answerer, questions, real_embedder)
    default = Thresholds()
    for name in ("echo", "stance_content", "named_sentence"):
        assert abs(getattr(chosen, name) - getattr(default, name)) <= 0.02, name
    assert all(routes(real_answerer, questions, chosen))
    # Separating the set leaves the defaults where they were (they already do).
    assert (chosen.intent, chosen.intent_uncued) == (default.intent, default.intent_uncued)


@pytest.mark.integration
def test_the_recommended_values_move_with_the_model(
    article_corpus_dir: Path, tmp_path: Path, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    # A bag of words hashed into 16 dimensions: collisions make every cosine high, so
    # the bundled model's cut-offs would let everything through.
    crowded = HashingEmbedder(dimension=16)
    knowledge = open_knowledge(article_corpus_dir, tmp_path / "index", crowded, Chunking())
    answerer = Answerer(knowledge, crowded, AnswerSettings())
    questions = labelled_set()
    chosen = recommended(answerer, questions, real_embedder)
    default = Thresholds()
    # The values no label speaks to are carried up with the model's cosines.
    for name in ("intent_uncued", "echo", "stance_content", "named_sentence"):
        assert getattr(chosen, name) >= getattr(default, name) + 0.05, (name, chosen)
    # The cued cut is where the labels put it, and routes the set at least as well as the
    # bundled model's cuts do.
    assert sum(routes(answerer, questions, chosen)) >= sum(routes(answerer, questions, default))


@pytest.mark.integration
def test_calibrate_prints_every_setting_and_writes_them_all(
    index_copy: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "set.jsonl"
    lines = (TESTS / "eval" / "article_reader.jsonl").read_text(encoding="utf-8").splitlines()
    questions.write_text("\n".join(lines[:8] + lines[-6:]) + "\n", encoding="utf-8")
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=x\n", encoding="utf-8")
    result = run_cli(
        ["calibrate", str(questions), "--from", "0.4", "--to", "0.44", "--write", str(env_file)],
        env={"ARTICLE_BOT_INDEX_DIR": str(index_copy)},
    )
    assert result.returncode == 0, result.stderr
    written = env_file.read_text(encoding="utf-8").splitlines()
    assert written[0] == "TELEGRAM_BOT_TOKEN=x"
    variables = ["ARTICLE_BOT_MIN_SCORE", *ENVIRONMENT.values()]
    assert [line.split("=")[0] for line in written[1:]] == variables
    for line in written[1:]:
        assert line in result.stdout.splitlines()  # printed as the exact settings to set
    assert "labels: 8/8 overview questions routed, 0/6 others misrouted" in result.stdout
