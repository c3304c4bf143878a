"""Sizes and time (issue #8 row 11): a document's text is limited to what indexes in
minutes, and a long build says how far it got."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import knowledge
from bot.knowledge import open_knowledge
from corpus import load_corpus
from corpus.loading import MAX_DOCUMENT_CHARS
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder


def long_document(chars: int) -> str:
    """Plain text of exactly ``chars`` characters of paragraph text."""
    paragraph = "Bridges and tunnels are built by crews who work through the night. " * 14
    paragraphs, total = [], 0
    while total < chars:
        text = paragraph.strip()[: chars - total]
        paragraphs.append(text)
        total += len(text)
    return "\n\n".join(paragraphs) + "\n"


def test_a_document_over_the_text_limit_is_named_and_the_others_load(
    article_corpus_dir: Path,
) -> None:
    (article_corpus_dir / "book.txt").write_text(
        "A very long book\n\n" + long_document(MAX_DOCUMENT_CHARS + 1000), encoding="utf-8"
    )
    corpus = load_corpus(article_corpus_dir)
    assert [d.path for d in corpus.documents] == ["rapprochement-with-russia.txt"]
    [problem] = corpus.problems
    assert re.fullmatch(
        r"book\.txt: has 50\d,\d{3} characters of text; the limit is 500,000 \(more would "
        r"take too long to index\); split it into smaller documents",
        str(problem),
    )


def test_a_document_at_the_text_limit_loads(article_corpus_dir: Path) -> None:
    (article_corpus_dir / "long.txt").write_text(
        "A long report\n\n" + long_document(MAX_DOCUMENT_CHARS - 100), encoding="utf-8"
    )
    corpus = load_corpus(article_corpus_dir)
    assert corpus.problems == ()
    assert len(corpus.documents) == 2


def test_a_long_build_says_how_far_it_got_and_how_long_is_left(
    article_corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knowledge, "PROGRESS_NOTE_SECONDS", 0.0)  # every batch is "long"
    notes: list[str] = []
    open_knowledge(
        article_corpus_dir, tmp_path / "index", HashingEmbedder(), Chunking(), notes.append
    )
    pattern = (
        r"building the index: ([\d,]+) of ([\d,]+) texts embedded \((\d+)%\), "
        r"about \d+ (s|min|h) left"
    )
    progress = [n for n in notes if re.fullmatch(pattern, n)]
    assert len(progress) >= 3
    done = [int(re.fullmatch(pattern, n)[1].replace(",", "")) for n in progress]  # type: ignore[index]
    assert done == sorted(done) and done[0] > 0
    assert notes[0].startswith("no index at")  # why it builds comes first
    # The stages before embedding say how far they got too, in order.
    reading = (
        r"building the index: (cutting [\d,]+ parts of documents into passages|"
        r"[\d,]+ of [\d,]+ parts of documents cut into passages)"
    )
    stages = [n for n in notes if n.startswith("building the index:") and n not in progress]
    assert all(re.fullmatch(reading, n) for n in stages[:-1]) and len(stages) >= 2, stages
    total = re.fullmatch(pattern, progress[0])[2]  # type: ignore[index]
    assert stages[-1] == f"building the index: embedding {total} texts"
    assert notes.index(stages[-1]) < notes.index(progress[0])
    assert notes[-1].startswith("built the index:")


def test_a_build_says_it_starts_and_reading_the_documents_reports_each_file(
    article_corpus_dir: Path, tmp_path: Path
) -> None:
    (article_corpus_dir / "second.txt").write_text(
        "A second report\n\n" + long_document(2_000), encoding="utf-8"
    )
    (article_corpus_dir / "broken.xyz").write_text("not a document", encoding="utf-8")
    files: list[tuple[int, int]] = []
    corpus = load_corpus(article_corpus_dir, lambda done, total: files.append((done, total)))
    assert len(corpus.documents) == 2 and len(corpus.problems) == 1
    assert files == [(done, 3) for done in range(4)]  # the broken file counts as read
    notes: list[str] = []
    knowledge.rebuild(
        corpus, HashingEmbedder(), Chunking(), tmp_path / "index", notify=notes.append
    )
    assert notes == ["building the index of 2 document(s)"]  # short: no progress notes
