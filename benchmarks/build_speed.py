"""How fast the index builds, by document size, with the real model: the figure the
document size limit (corpus.loading.MAX_DOCUMENT_BYTES) is chosen from.

Each document is made of the bundled article's sentences, each made unique (a cache of
earlier embeddings can't make it faster than a new document), in paragraphs of four
sentences. Prints seconds, texts (passages + sentences) per second and KB per second for
each size, the median speed, and how long the size limit takes at that speed.

    .venv/bin/python benchmarks/build_speed.py            # 25, 50 and 100 KB
    .venv/bin/python benchmarks/build_speed.py --kb 50 200
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from bot.knowledge import rebuild
from corpus import BUNDLED_CORPUS, load_corpus
from corpus.loading import MAX_DOCUMENT_BYTES, corpus_files
from embeddings.passages import Chunking
from embeddings.sentence_model import SentenceTransformerEmbedder


def article_sentences() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in corpus_files(BUNDLED_CORPUS))
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return [s.strip() for s in sentences if 6 <= len(s.split()) <= 60 and "#" not in s]


def document(size: int, seed: int) -> str:
    """A plain-text document of about ``size`` bytes with no sentence repeated."""
    rng = random.Random(seed)
    sentences = article_sentences()
    parts = ["A benchmark document", ""]
    length, n = 0, 0
    while length < size:
        paragraph = " ".join(
            f"{rng.choice(sentences)[:-1]} (case {(n := n + 1)})." for _ in range(4)
        )
        parts += [paragraph, ""]
        length += len(paragraph.encode()) + 2
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, nargs="+", default=[25, 50, 100])
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    started = time.perf_counter()
    embedder.load()
    print(f"model loaded in {time.perf_counter() - started:.1f}s")
    speeds, rates = [], []
    for kb in args.kb:
        with tempfile.TemporaryDirectory() as scratch:
            corpus_dir = Path(scratch) / "corpus"
            corpus_dir.mkdir()
            (corpus_dir / "doc.txt").write_text(document(kb * 1024, kb), encoding="utf-8")
            corpus = load_corpus(corpus_dir)
            started = time.perf_counter()
            index, _ = rebuild(corpus, embedder, Chunking(), Path(scratch) / "index")
            seconds = time.perf_counter() - started
        texts = index.manifest.passages + index.manifest.sentences
        speeds.append(texts / seconds)
        rates.append(kb / seconds)
        print(
            f"{kb:>6} KB: {seconds:7.1f}s  {index.manifest.passages:>6} passages "
            f"{index.manifest.sentences:>6} sentences  {texts / seconds:6.1f} texts/s  "
            f"{kb / seconds:5.2f} KB/s"
        )
    rate = statistics.median(rates)
    print(f"median: {statistics.median(speeds):.1f} texts/s, {rate:.2f} KB/s")
    limit_kb = MAX_DOCUMENT_BYTES / 1024
    print(
        f"the document limit ({limit_kb:.0f} KB) builds in about {limit_kb / rate / 60:.1f} min "
        "at this speed"
    )


if __name__ == "__main__":
    main()
