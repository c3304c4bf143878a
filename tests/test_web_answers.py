"""A saved web page with comments answers like the comment export does (real model):
author, comment count, what a commenter said about a topic (cited by comment number and
author), a follow-up, and nothing about the site's own boilerplate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import open_knowledge
from bot.rendering import answer_text, render_reply
from bot.replies import Reply
from embeddings.passages import Chunking

pytestmark = pytest.mark.integration

PAGE = Path(__file__).parent / "pages" / "wordpress-library-sundays.html"
SOURCE = "https://ledger.example/2021/03/keep-the-library-open-on-sundays/"


@pytest.fixture(scope="module")
def web_answerer(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Answerer:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("web-corpus")
    shutil.copy(PAGE, folder / PAGE.name)
    index = tmp_path_factory.mktemp("web-index") / "index"
    knowledge = open_knowledge(folder, index, real_embedder, Chunking())
    return Answerer(knowledge, real_embedder, AnswerSettings())


def labels(reply: Reply) -> list[str]:
    return [c.label for c in reply.citations]


def test_author_and_comment_count(web_answerer: Answerer) -> None:
    author = web_answerer.answer("Who wrote the article?")
    assert author.found and author.facts[0].values["author"] == "Margaret Okafor"
    assert author.citations[0].passage.author == "Margaret Okafor"
    count = web_answerer.answer("How many comments are there?")
    assert count.found
    assert {k: count.facts[0].values[k] for k in ("comments", "readers")} == {
        "comments": 5,
        "readers": 4,
    }
    assert labels(count) == [
        "Comment #1 — Dr. Helen Park, Mar 2, 2021 9:12 am",
        "Comment #5 — Dr. Helen Park, Mar 4, 2021 8:30 pm",
    ]


def test_what_a_commenter_said_about_a_topic_is_cited_by_number_and_author(
    web_answerer: Answerer,
) -> None:
    reply = web_answerer.answer("What did Tom Bryce say about volunteers?")
    assert reply.found
    assert labels(reply) == ["Comment #2 — Tom Bryce, Mar 2, 2021 11:40 am"]
    assert any(
        "volunteers from the Friends of the Library" in s for q in reply.quotes for s in q.sentences
    )
    assert reply.citations[0].to_json()["source_url"] == SOURCE
    assert render_reply(reply).endswith(f"Source: {SOURCE}")


def test_a_follow_up_keeps_the_commenter(web_answerer: Answerer) -> None:
    first, turn = web_answerer.answer_turn("What did Lena Fischer say about heating?")
    assert labels(first) == ["Comment #3 — Lena Fischer, Mar 3, 2021 1:45 pm"]
    follow_up, _ = web_answerer.answer_turn("and the boiler?", turn)
    assert follow_up.found
    assert labels(follow_up)[0] == "Comment #3 — Lena Fischer, Mar 3, 2021 1:45 pm"
    assert any("its own boiler" in s for q in follow_up.quotes for s in q.sentences)


def test_a_reply_cites_the_comment_it_answers(web_answerer: Answerer) -> None:
    comments = web_answerer.knowledge.corpus.documents[0].comments
    assert comments[1].replies_to == (1,)  # Tom Bryce answers Dr. Helen Park
    reply = web_answerer.answer("How did Tom Bryce respond to Helen Park?")
    assert reply.found
    cited = [(c.passage.comment_number, c.passage.author) for c in reply.citations]
    assert (2, "Tom Bryce") in cited and (1, "Dr. Helen Park") in cited


@pytest.mark.parametrize(
    "question",
    [
        "Does the site use cookies?",
        "How much does a subscription cost?",
        "How do I subscribe to the newsletter?",
        "Where can I share this article on Facebook?",
    ],
)
def test_the_sites_boilerplate_is_not_answered(web_answerer: Answerer, question: str) -> None:
    reply = web_answerer.answer(question)
    assert not reply.found
    assert reply.citations == ()


def test_publication_date_and_site_come_from_the_page(web_answerer: Answerer) -> None:
    published = web_answerer.answer("When was the article published?")
    assert published.found
    assert [(f.kind, dict(f.values)) for f in published.facts] == [
        ("published", {"date": "2021-03-02"})
    ]
    assert answer_text(published) == (
        "“Keep the Library Open on Sundays” was published on March 2, 2021 [1]."
    )
    assert labels(published) == ["Article header"]
    site = web_answerer.answer("Which site published it?")
    assert answer_text(site) == f"It was published by The Riverside Ledger ({SOURCE}) [1]."
    # A question about a comment's time is still about the comment.
    when = web_answerer.answer("When was the third comment posted?")
    assert labels(when) == ["Comment #3 — Lena Fischer, Mar 3, 2021 1:45 pm"]
