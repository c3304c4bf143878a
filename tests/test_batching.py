"""Micro-batching: concurrent questions share model calls; a lone one goes straight through."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import Knowledge
from embeddings.batching import MicroBatchingEmbedder
from embeddings.embedder import Vectors
from tests.fakes import HashingEmbedder


class GatedEmbedder(HashingEmbedder):
    """Records each batch of questions; the first call waits until the gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.inside = threading.Event()
        self.concurrent = 0
        self.most_concurrent = 0

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.concurrent += 1
        self.most_concurrent = max(self.most_concurrent, self.concurrent)
        self.batches.append(list(texts))
        self.inside.set()
        self.gate.wait(timeout=10)
        if any("explode" in t for t in texts):
            self.concurrent -= 1
            raise RuntimeError("model failure")
        vectors = self.embed_documents(texts)
        self.concurrent -= 1
        return vectors


def ask_all(batcher: MicroBatchingEmbedder, questions: list[str]) -> dict[str, object]:
    results: dict[str, object] = {}

    def ask(question: str) -> None:
        try:
            results[question] = batcher.embed_query(question)
        except RuntimeError as exc:
            results[question] = exc

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    return {"threads": threads, "results": results}


def wait_for(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_lone_question_is_one_call_of_one() -> None:
    inner = GatedEmbedder()
    inner.gate.set()
    batcher = MicroBatchingEmbedder(inner)
    vector = batcher.embed_query("what about sanctions?")
    assert inner.batches == [["what about sanctions?"]]
    np.testing.assert_allclose(vector, inner.embed_query("what about sanctions?"))


def test_questions_arriving_while_the_model_is_busy_share_the_next_call() -> None:
    inner = GatedEmbedder()
    batcher = MicroBatchingEmbedder(inner, max_batch=8)
    first = ask_all(batcher, ["first question"])
    assert inner.inside.wait(timeout=10)
    questions = [f"question number {i} about topic {i % 3}" for i in range(20)]
    rest = ask_all(batcher, questions)
    wait_for(lambda: batcher.queued == 20)
    inner.gate.set()
    for thread in [*first["threads"], *rest["threads"]]:  # type: ignore[attr-defined]
        thread.join(timeout=10)
    # One call for the first question, then the 20 in batches of at most 8.
    assert [len(b) for b in inner.batches] == [1, 8, 8, 4]
    assert inner.most_concurrent == 1
    results = rest["results"]
    for question in questions:
        np.testing.assert_allclose(results[question], inner.embed_query(question))  # type: ignore[index]


def test_a_failing_call_fails_its_askers_only_and_the_batcher_goes_on() -> None:
    inner = GatedEmbedder()
    batcher = MicroBatchingEmbedder(inner)
    first = ask_all(batcher, ["first"])
    assert inner.inside.wait(timeout=10)
    doomed = ask_all(batcher, ["explode now", "innocent bystander"])
    wait_for(lambda: batcher.queued == 2)
    inner.gate.set()
    for thread in [*first["threads"], *doomed["threads"]]:  # type: ignore[attr-defined]
        thread.join(timeout=10)
    results = doomed["results"]
    assert isinstance(results["explode now"], RuntimeError)  # type: ignore[index]
    assert isinstance(results["innocent bystander"], RuntimeError)  # type: ignore[index]
    assert batcher.embed_query("later").shape == (inner.dimension,)
    with pytest.raises(RuntimeError, match="model failure"):
        batcher.embed_query("explode again")


def test_answers_given_to_many_threads_at_once_are_those_given_one_at_a_time(
    fake_knowledge: Knowledge, fake_embedder: HashingEmbedder
) -> None:
    """The whole core under concurrent askers (as Telegram's workers ask): the shared
    caches of word terms and cue matches, and the batcher, give every thread its own
    answer."""
    answerer = Answerer(fake_knowledge, MicroBatchingEmbedder(fake_embedder), AnswerSettings())
    questions = [
        "Who wrote the article?",
        "When was the first comment posted?",
        "What is the main argument of the piece?",
        "What do the commenters mostly talk about?",
        "waht does the autor thnk about sendng wepons to ukrane?",
        "What did Gazza say about the DNC emails?",
        "How did VikingLS respond to Michael Kenny?",
        "Which commenter brought up the petrodollar?",
        "Is a normal relationship with Russia possible?",
        "Who disagreed with the author?",
        "Summarise the comments about Crimea",
        "What is the tallest mountain in Africa?",
    ] * 3
    together: dict[int, dict[str, object]] = {}
    barrier = threading.Barrier(len(questions))

    def ask(number: int) -> None:
        barrier.wait()
        together[number] = answerer.answer(questions[number]).to_json()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(together) == len(questions)
    for number, question in enumerate(questions):
        assert together[number] == answerer.answer(question).to_json(), question
    assert {together[i]["kind"] for i in together} >= {"metadata", "content"}
