"""Questions about the document itself, answered from the parsed bundled article, each
with a citation; checked with the fake embedder and once more with the real model."""

from __future__ import annotations

import pytest

from bot.answering import Answerer


@pytest.fixture(
    params=["fake_answerer", pytest.param("real_answerer", marks=pytest.mark.integration)]
)
def answerer(request: pytest.FixtureRequest) -> Answerer:
    return request.getfixturevalue(request.param)


# (question, phrases the answer must contain, labels of the citations in order)
CASES = [
    (
        "Who wrote the article?",
        ["Daniel Larison", "senior editor at The American Conservative"],
        ["Article byline"],
    ),
    (
        "What is the title of the article?",
        ["“Is Rapprochement with Russia Still Possible?”"],
        ["Article title"],
    ),
    (
        "How many comments are there?",
        ["19 comments", "17 different readers", "December 6, 2017 at 11:18 pm", "May 20, 2018"],
        [
            "Comment #1 — cornel lencar, Dec 6, 2017 11:18 pm (part 1 of 3)",
            "Comment #19 — JoAnne BRALEY, May 20, 2018 10:32 am",
        ],
    ),
    (
        "When was the first comment posted?",
        ["#1", "cornel lencar", "December 6, 2017 at 11:18 pm"],
        ["Comment #1 — cornel lencar, Dec 6, 2017 11:18 pm (part 1 of 3)"],
    ),
    (
        "When was the latest comment posted?",
        ["#19", "JoAnne BRALEY", "May 20, 2018 at 10:32 am"],
        ["Comment #19 — JoAnne BRALEY, May 20, 2018 10:32 am"],
    ),
    (
        "When was comment 5 posted?",
        ["#5", "Michael Kenny", "December 7, 2017 at 10:10 am"],
        ["Comment #5 — Michael Kenny, Dec 7, 2017 10:10 am (part 1 of 4)"],
    ),
    (
        "Who commented more than once?",
        ["craigsummers (#4, #12)", "Gazza (#17, #18)"],
        [
            "Comment #4 — craigsummers, Dec 7, 2017 10:06 am (part 1 of 4)",
            "Comment #17 — Gazza, Dec 10, 2017 5:43 am (part 1 of 2)",
        ],
    ),
    (
        "Who wrote comment 7?",
        ["VikingLS", "December 7, 2017 at 11:35 am"],
        ["Comment #7 — VikingLS, Dec 7, 2017 11:35 am"],
    ),
    (
        "When did Gazza post his comments?",
        ["#17", "December 10, 2017 at 5:43 am", "#18"],
        [
            "Comment #17 — Gazza, Dec 10, 2017 5:43 am (part 1 of 2)",
            "Comment #18 — Gazza, Dec 10, 2017 5:58 am",
        ],
    ),
    (
        "What site published this?",
        ["The American Conservative", "https://www.theamericanconservative.com"],
        ["Article header"],
    ),
]


@pytest.mark.parametrize(("question", "phrases", "labels"), CASES, ids=[c[0] for c in CASES])
def test_metadata_answers_cite_their_source(
    answerer: Answerer, question: str, phrases: list[str], labels: list[str]
) -> None:
    reply = answerer.answer(question)
    assert reply.found
    assert reply.kind == "metadata"
    assert reply.question == question
    for phrase in phrases:
        assert phrase in reply.answer
    assert [c.label for c in reply.citations] == labels
    for citation in reply.citations:
        assert f"[{citation.number}]" in reply.answer


def test_the_cited_comment_passage_is_that_comment(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("Who wrote comment 7?")
    [citation] = reply.citations
    assert citation.passage.comment_number == 7
    assert citation.passage.author == "VikingLS"
    assert citation.passage.text.startswith("@Micheal Kenny Is regime change necessary")
    assert citation.to_json()["posted_at"] == "2017-12-07T11:35:00"


def test_the_byline_citation_quotes_the_byline(fake_answerer: Answerer) -> None:
    [citation] = fake_answerer.answer("Who wrote the article?").citations
    assert citation.passage.text == "Daniel Larison is senior editor at The American Conservative."


@pytest.mark.parametrize(
    "question", ["Who wrote comment 40?", "When was comment #0 posted?"], ids=["40", "0"]
)
def test_a_comment_that_does_not_exist(fake_answerer: Answerer, question: str) -> None:
    reply = fake_answerer.answer(question)
    assert not reply.found
    assert reply.answer == "There is no such comment; the comments run from #1 to #19."
    assert reply.citations == ()


def test_ordinal_words_pick_the_comment(fake_answerer: Answerer) -> None:
    reply = fake_answerer.answer("Who wrote the third comment?")
    assert "Fran Macadam" in reply.answer
    assert reply.citations[0].passage.comment_number == 3
