"""The textbook hybrid retriever, for comparison with the bot (a benchmark, not a test).

Whole parts (each article paragraph, each comment) are the units; BM25 (bm25s, Snowball
stemming, English stop words) and dense search (the same all-MiniLM-L6-v2, cosine) each
rank all of them, reciprocal rank fusion (k = 60, equal weights) merges the two, and the
top three parts are cited. It never abstains, and its "answer" is the sentence of the
top part closest to the question. Its answers are written in the ``ask --json`` shape
and scored by the shared scorer, so its figures compare with the bot's:

    .venv/bin/python benchmarks/textbook_baseline.py CORPUS_DIR QUESTIONS.jsonl \\
        [--scorer ../shared/eval/score.py] [--answers OUT.jsonl]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from corpus.loading import load_corpus
from embeddings.passages import split_sentences
from embeddings.search import Hit, reciprocal_rank_fusion
from embeddings.sentence_model import SentenceTransformerEmbedder

TOP = 3
RRF_K = 60


def parts(corpus_dir: Path) -> list[dict[str, object]]:
    """Every article paragraph and comment of the corpus, whole, in the citation shape."""
    out: list[dict[str, object]] = []
    for document in load_corpus(corpus_dir).documents:
        for paragraph in document.paragraphs:
            out.append(
                {"source_type": "article", "paragraph": paragraph.number,
                 "comment_number": None, "author": document.author, "text": paragraph.text}
            )  # fmt: skip
        for comment in document.comments:
            out.append(
                {"source_type": "comment", "paragraph": None, "comment_number": comment.number,
                 "author": comment.author, "text": comment.text}
            )  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", type=Path)
    parser.add_argument("questions", type=Path)
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--scorer", type=Path, default=root.parent / "shared/eval/score.py")
    parser.add_argument("--answers", type=Path, help="also keep the answers here")
    args = parser.parse_args()

    units = parts(args.corpus_dir)
    texts = [str(u["text"]) for u in units]
    stemmer = Stemmer.Stemmer("english")
    bm25 = bm25s.BM25()
    bm25.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False),
               show_progress=False)  # fmt: skip
    embedder = SentenceTransformerEmbedder()
    vectors = embedder.embed_documents(texts)

    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    answers = []
    for row in rows:
        question = row["question"]
        query = embedder.embed_query(question)
        dense = np.argsort(-(vectors @ query), kind="stable")
        sparse = np.argsort(-_bm25_scores(bm25, question, stemmer, len(units)), kind="stable")
        fused = reciprocal_rank_fusion(
            [[Hit(int(i), 0.0) for i in dense], [Hit(int(i), 0.0) for i in sparse]], k=RRF_K
        )
        top = [units[h.passage_id] for h in fused[:TOP]]
        sentences = split_sentences(str(top[0]["text"]))
        closest = embedder.embed_documents(sentences) @ query
        answer = sentences[int(np.argmax(closest))]
        citations = [{"number": n, **unit} for n, unit in enumerate(top, start=1)]
        answers.append(
            {"question": question, "found": True, "answer": f"{answer} [1]", "citations": citations}
        )

    out = args.answers or Path(tempfile.mkstemp(suffix=".jsonl")[1])
    out.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers))
    print(f"textbook hybrid (BM25 + dense, RRF k={RRF_K}, whole parts, top {TOP}): "
          f"{len(units)} parts, {len(rows)} questions")  # fmt: skip
    scored = subprocess.run([sys.executable, str(args.scorer), str(args.questions), str(out)])
    if args.answers is None:
        out.unlink()
    return scored.returncode


def _bm25_scores(
    bm25: bm25s.BM25, question: str, stemmer: Stemmer.Stemmer, size: int
) -> np.ndarray:
    """BM25 score of every part; words the parts never use are left out (bm25s needs that)."""
    tokens = bm25s.tokenize([question], stopwords="en", stemmer=stemmer, show_progress=False)
    inverse = {i: word for word, i in tokens.vocab.items()}
    known = [inverse[i] for i in tokens.ids[0] if inverse[i] in (bm25.vocab_dict or {})]
    return np.asarray(bm25.get_scores(known), dtype=np.float32) if known else np.zeros(size)


if __name__ == "__main__":
    sys.exit(main())
