"""Speed and memory of the answering core, measured in one run (not a test).

Prints medians over repeated runs: one model forward pass for a question (the floor),
a whole answer (retrieval + answer composition), the answer minus the forward pass, and
the ratio answer / forward pass; plus model load, index build and peak memory.

    .venv/bin/python benchmarks/answer_latency.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import open_knowledge
from corpus import BUNDLED_CORPUS
from embeddings.passages import Chunking
from embeddings.sentence_model import SentenceTransformerEmbedder

QUESTIONS = [
    "What does the author think of sending weapons to Ukraine?",
    "What did Gazza say about the DNC emails?",
    "How did VikingLS respond to Michael Kenny?",
    "What is the Dolchstosslegende reference about?",
    "Is a normal relationship with Russia possible?",
    "What is the tallest mountain in Africa?",
    "When was the first comment posted?",
    "Which commenter brought up the petrodollar?",
]


def timed(function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    embedder = SentenceTransformerEmbedder()
    load = timed(embedder.load)
    with tempfile.TemporaryDirectory() as folder:
        build = timed(open_knowledge, BUNDLED_CORPUS, Path(folder) / "index", embedder, Chunking())
        open_started = time.perf_counter()
        knowledge = open_knowledge(BUNDLED_CORPUS, Path(folder) / "index", embedder, Chunking())
        reopen = time.perf_counter() - open_started
    answerer = Answerer(knowledge, embedder, AnswerSettings())
    for question in QUESTIONS:  # warm-up
        answerer.answer(question)

    forward, answer = [], []
    for _ in range(args.repeat):
        for question in QUESTIONS:
            forward.append(timed(embedder.embed_query, question))
            answer.append(timed(answerer.answer, question))
    ms = 1000.0
    med_forward, med_answer = statistics.median(forward), statistics.median(answer)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"passages                     {len(knowledge.index.passages)}")
    print(f"model load                   {load * ms:8.0f} ms")
    print(f"index build (bundled corpus) {build * ms:8.0f} ms")
    print(f"index load (current)         {reopen * ms:8.0f} ms")
    print(f"forward pass, median         {med_forward * ms:8.1f} ms  ({len(forward)} runs)")
    print(f"whole answer, median         {med_answer * ms:8.1f} ms")
    print(f"answer - forward pass        {(med_answer - med_forward) * ms:8.1f} ms")
    print(f"answer / forward pass        {med_answer / med_forward:8.2f} x")
    print(
        f"whole answer, p95            {sorted(answer)[int(0.95 * len(answer)) - 1] * ms:8.1f} ms"
    )
    print(f"peak RSS                     {peak_mib:8.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
