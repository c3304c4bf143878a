"""Chunking: passages stay inside one part, are bounded in size, overlap a little,
keep their part's metadata, and survive hostile text."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from corpus import Corpus, parse_document
from embeddings.passages import Chunking, Passage, chunk_documents, split_sentences

MAX_PASSAGE_WORDS = 120


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture(scope="module")
def passages(bundled_corpus: Corpus) -> list[Passage]:
    return chunk_documents(bundled_corpus.documents, Chunking())


def by_part(passages: list[Passage]) -> dict[tuple, list[Passage]]:
    parts: dict[tuple, list[Passage]] = defaultdict(list)
    for passage in passages:
        parts[passage.part_key].append(passage)
    return parts


def test_every_part_becomes_passages_and_ids_are_positions(
    bundled_corpus: Corpus, passages: list[Passage]
) -> None:
    document = bundled_corpus.documents[0]
    parts = by_part(passages)
    expected = {(document.path, "article", p.number) for p in document.paragraphs} | {
        (document.path, "comment", c.number) for c in document.comments
    }
    assert set(parts) == expected
    assert [p.id for p in passages] == list(range(len(passages)))


def test_a_passage_never_crosses_a_part(bundled_corpus: Corpus, passages: list[Passage]) -> None:
    document = bundled_corpus.documents[0]
    for passage in passages:
        if passage.source_type == "comment":
            comment = document.comment(passage.comment_number)  # type: ignore[arg-type]
            assert comment is not None
            source = " ".join(comment.text.split())
        else:
            source = document.paragraphs[passage.paragraph - 1].text  # type: ignore[operator]
        for sentence in passage.sentences:
            assert sentence in source, (passage.part_key, sentence)


def test_passages_keep_their_parts_metadata(
    bundled_corpus: Corpus, passages: list[Passage]
) -> None:
    document = bundled_corpus.documents[0]
    for passage in passages:
        assert passage.document == "rapprochement-with-russia.txt"
        assert passage.document_title == document.title
        if passage.source_type == "comment":
            comment = document.comment(passage.comment_number)  # type: ignore[arg-type]
            assert comment is not None
            assert passage.author == comment.author
            assert passage.posted_at == comment.posted_at.isoformat()
            assert passage.paragraph is None
        else:
            assert passage.author == "Daniel Larison"
            assert passage.posted_at is None and passage.comment_number is None
    gazza = [p for p in passages if p.comment_number == 18]
    assert gazza and all(p.posted_at == "2017-12-10T05:58:00" for p in gazza)


def test_passage_pieces_are_numbered_within_their_part(passages: list[Passage]) -> None:
    for part, pieces in by_part(passages).items():
        assert [p.piece for p in pieces] == list(range(len(pieces))), part
        assert {p.pieces for p in pieces} == {len(pieces)}, part


def test_passages_are_bounded_and_sentences_are_whole(passages: list[Passage]) -> None:
    assert max(words(p.text) for p in passages) <= MAX_PASSAGE_WORDS
    # The long comment #14 is cut into several passages, each ending at a sentence end.
    fourteen = [p for p in passages if p.comment_number == 14]
    assert len(fourteen) >= 5
    for passage in fourteen:
        assert passage.sentences[-1].rstrip('”"’)').endswith((".", "?", "!", "…"))


def test_consecutive_passages_of_a_long_part_overlap_a_little(passages: list[Passage]) -> None:
    overlapping = 0
    for pieces in by_part(passages).values():
        for before, after in itertools.pairwise(pieces):
            shared = set(before.sentences) & set(after.sentences)
            if shared:
                overlapping += 1
                # The overlap is the previous passage's last sentence, and it is short.
                assert after.sentences[0] == before.sentences[-1]
                assert words(after.sentences[0]) <= Chunking().overlap_max_words
                assert len(after.sentences) > 1
    assert overlapping >= 10


def test_a_short_part_is_one_passage(passages: list[Passage]) -> None:
    seven = [p for p in passages if p.comment_number == 7]
    assert len(seven) == 1
    assert seven[0].pieces == 1
    assert seven[0].text == (
        "@Micheal Kenny Is regime change necessary for you to feel Putin ISN’T getting away "
        "with it?"
    )
    assert seven[0].embedding_text.startswith("Comment by VikingLS: @Micheal Kenny")


def test_max_words_is_a_setting(bundled_corpus: Corpus, passages: list[Passage]) -> None:
    small = chunk_documents(bundled_corpus.documents, Chunking(max_words=40))
    assert len(small) > len(passages)
    assert max(words(p.text) for p in small) <= 60


def test_sentence_rows_follow_the_passages(passages: list[Passage]) -> None:
    row = 0
    for passage in passages:
        assert passage.first_sentence == row
        row += len(passage.sentences)


def document(text: str):  # type: ignore[no-untyped-def]
    return parse_document(text, "hostile.txt")


def test_a_5000_word_line_without_punctuation_is_still_split() -> None:
    line = " ".join(f"w{i}" for i in range(5000))
    passages = chunk_documents([document(f"Hostile\n\n{line}\n")], Chunking())
    assert len(passages) >= 5000 // MAX_PASSAGE_WORDS
    assert max(words(p.text) for p in passages) <= MAX_PASSAGE_WORDS
    # Nothing is lost or duplicated beyond a small overlap.
    seen = [w for p in passages for w in p.text.split()]
    assert set(seen) == set(line.split())
    assert len(seen) <= 5000 * 1.1


def test_long_and_short_sentences_mixed_stay_bounded() -> None:
    sentences = []
    for i, size in enumerate([8, 119, 21, 119, 5, 60, 90, 3, 110, 12] * 5):
        sentences.append(" ".join(f"s{i}w{j}" for j in range(size - 1)) + f" end{i}.")
    passages = chunk_documents([document("Mixed\n\n" + " ".join(sentences))], Chunking())
    assert max(words(p.text) for p in passages) <= MAX_PASSAGE_WORDS
    # No passage is only a repeat of the start of the next one.
    for before, after in itertools.pairwise(passages):
        assert not set(before.sentences) <= set(after.sentences), before.sentences
    assert {s for p in passages for s in p.sentences} == set(sentences)


def test_split_sentences_breaks_at_line_ends_and_keeps_abbreviations() -> None:
    text = "Dr. Bill Wedin wrote this. The U.S. agrees\nA new line starts here"
    assert split_sentences(text) == [
        "Dr. Bill Wedin wrote this.",
        "The U.S. agrees",
        "A new line starts here",
    ]


def test_sentence_segmenter_finds_sentences_back_as_pysbd_does(bundled_corpus: Corpus) -> None:
    """Our segmenter finds pysbd's sentences back in the text by string search instead of
    a regular expression per sentence: the sentences must be pysbd's own, whitespace
    after them included, for repeated sentences and every kind of space too."""
    import random

    import pysbd

    from embeddings.passages import _SEGMENTER

    reference = pysbd.Segmenter(language="en", clean=False)
    lines = [
        line
        for document in bundled_corpus.documents
        for part in [*document.paragraphs, *document.comments]
        for line in part.text.splitlines()
    ]
    pieces = [
        "Hello there.", "Hi.", "Hi.", "Dr. Smith", "e.g.", "U.S.", "a.m.", "Yes!", "No?",
        "...", "1.5", "(a)", '"Quoted."', "word", " ", "  ", "\t", "\u00a0", "\u2003",
        "\u3000", "\x1c",
    ]  # fmt: skip
    rng = random.Random(7)
    lines += [
        "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(rng.randint(1, 12)))
        for _ in range(500)
    ]
    different = [line for line in lines if _SEGMENTER.segment(line) != reference.segment(line)]
    assert not different
    assert _SEGMENTER.segment("Hi.  Hi. Hi.\u2003") == ["Hi.  ", "Hi. ", "Hi.\u2003"]
