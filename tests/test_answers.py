"""What a reader notices about answers, with the real model on the bundled article."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bot.answering import CLOSE_CALL, Answerer
from bot.questions import question_scope
from bot.rendering import answer_lines
from bot.replies import Quote, Reply
from embeddings.passages import Passage

pytestmark = pytest.mark.integration


def comments_cited(reply) -> list[int]:  # type: ignore[no-untyped-def]
    return [c.passage.comment_number for c in reply.citations if c.passage.comment_number]


def quoted(reply: Reply) -> list[tuple[Quote, Passage]]:
    """Each quote of an answer with the passage its citation points to."""
    return [(q, reply.citations[q.citation - 1].passage) for q in reply.quotes]


def test_every_answer_sentence_is_a_whole_sentence_of_its_cited_passage(
    real_answerer: Answerer,
) -> None:
    for question in [
        "What does the author say about the 2014 crisis in Ukraine?",
        "What did the author say about the Iraq war?",  # two parts of one paragraph
    ]:
        reply = real_answerer.answer(question)
        assert reply.found
        assert sorted(q.citation for q in reply.quotes) == [c.number for c in reply.citations]
        for quote, passage in quoted(reply):
            assert quote.sentences
            for sentence, position in zip(quote.sentences, quote.positions, strict=True):
                assert passage.sentences[position] == sentence


def test_article_and_commenters_are_never_blended(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("Is a normal relationship with Russia possible?")
    assert reply.found and reply.citations
    for quote, passage in quoted(reply):
        assert quote.speaker == passage.author
        assert quote.source_type == passage.source_type
        if passage.source_type == "article":
            assert (quote.role, quote.paragraph) == ("author", passage.paragraph)
        else:
            assert (quote.role, quote.comment_number) == ("commenter", passage.comment_number)


@pytest.mark.parametrize(
    ("question", "commenter"),
    [
        ("What did Micheal Kenny say about Flynn?", 5),  # misspelt
        ("Gazza's view on Flynn?", 18),
        ("what did peter say about canada", 16),
        ("What did b. say about the Arctic?", 10),  # a one-letter name
        ("What does craig summers think of spheres of influence?", 4),
    ],
)
def test_a_named_commenter_is_searched_in_their_own_comments(
    real_answerer: Answerer, question: str, commenter: int
) -> None:
    reply = real_answerer.answer(question)
    assert reply.found
    assert comments_cited(reply)[0] == commenter


def test_source_words_narrow_the_search(real_answerer: Answerer) -> None:
    in_comments = real_answerer.answer("What do the comments say about NATO?")
    assert in_comments.citations and all(
        c.passage.source_type == "comment" for c in in_comments.citations
    )
    in_article = real_answerer.answer("What does the article say about NATO?")
    assert in_article.citations and all(
        c.passage.source_type == "article" for c in in_article.citations
    )


def test_a_question_about_a_reply_cites_the_reply_and_what_it_answers(
    real_answerer: Answerer,
) -> None:
    reply = real_answerer.answer("How did VikingLS respond to Michael Kenny?")
    assert comments_cited(reply)[:2] == [7, 5]
    first, second = reply.quotes[:2]
    assert not first.replied_to
    assert second.replied_to and (second.speaker, second.comment_number) == ("Michael Kenny", 5)
    # The address line is not an answer.
    assert not any("@Micheal" in s for q in reply.quotes for s in q.sentences)


def test_rare_words_are_found(real_answerer: Answerer) -> None:
    for question, comment in [
        ("What is the Dolchstosslegende reference about?", 10),
        ("Who thinks Seth Rich leaked the emails?", 17),
        ("Which commenter brought up the petrodollar?", 1),
    ]:
        reply = real_answerer.answer(question)
        assert reply.found, question
        assert comment in comments_cited(reply)[:3], (question, reply.quotes)


def test_in_scope_questions_without_the_documents_words_are_answered(
    real_answerer: Answerer,
) -> None:
    # "friendship", "Kremlin", "White House", "feasible": none is in the document, so
    # the answer can only come from meaning (the relationship paragraphs ¶7-¶9).
    question = "Would friendship between the Kremlin and the White House be feasible?"
    assert real_answerer.retriever.coverage(question) < 0.5
    reply = real_answerer.answer(question)
    assert reply.found
    assert reply.citations[0].passage.paragraph in (7, 8, 9)
    reply = real_answerer.answer("Should America give weapons to Kyiv?")
    assert reply.found
    assert reply.citations[0].passage.paragraph == 11  # "reject the plan to send arms to Ukraine"
    reply = real_answerer.answer("Did lawmakers punish Moscow financially?")
    assert reply.found
    assert 2 in [
        c.passage.paragraph for c in reply.citations
    ]  # "Congress has imposed new sanctions"


@pytest.mark.parametrize(
    "question",
    [
        "What is the tallest mountain in Africa?",
        "How do I install Python on Windows?",
        "Recommend a good pizza place in Chicago.",
        "How do I bake sourdough bread?",
        "What is the speed of light?",
    ],
)
def test_questions_the_document_cannot_answer_cite_nothing(
    real_answerer: Answerer, question: str
) -> None:
    reply = real_answerer.answer(question)
    assert (reply.verdict, reply.reason) == ("not_found", "no_match")
    assert reply.citations == () and reply.quotes == ()


def test_a_follow_up_uses_the_previous_question(real_answerer: Answerer) -> None:
    first, turn = real_answerer.answer_turn("What did Gazza say about the DNC emails?")
    assert comments_cited(first)[0] == 17
    follow_up, turn = real_answerer.answer_turn("and what about Flynn?", turn)
    assert follow_up.found
    # Gazza's scope carries over, and the new question's own words lead.
    assert set(comments_cited(follow_up)) <= {17, 18}
    assert comments_cited(follow_up)[0] == 18
    # Without the previous turn the same words are not limited to Gazza's comments.
    fresh, _ = real_answerer.answer_turn("and what about Flynn?", None)
    assert set(comments_cited(fresh)) - {17, 18}


def test_overlapping_passages_never_quote_a_sentence_twice(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("What do the comments say about the petrodollar?")
    sentences = [s for q in reply.quotes for s in q.sentences]
    assert len(sentences) == len(set(sentences))


def test_one_speakers_sentences_share_one_line(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("What did the author say about the reset?")
    leads = [line.lead for line in answer_lines(reply)]
    assert all(a != b for a, b in pairwise(leads))
    assert len(reply.quotes) > len(leads)  # some line quotes two passages


def test_a_close_runner_up_is_cited_too(real_answerer: Answerer) -> None:
    # Retrieval can't separate the first two passages, so both are quoted and cited,
    # though the second one's best sentence is not as close to the question.
    question = "Is the relationship today as dangerous as during the Cold War?"
    scope = question_scope(question, real_answerer.knowledge.corpus)
    ranked = real_answerer.retriever.retrieve(
        question, real_answerer.embedder.embed_query(question), scope
    ).ranked
    assert ranked[1].fused >= CLOSE_CALL * ranked[0].fused
    reply = real_answerer.answer(question)
    cited = [c.passage.id for c in reply.citations]
    assert cited[:2] == [ranked[0].passage.id, ranked[1].passage.id]


@pytest.mark.parametrize(
    "question",
    [
        "What did Gazza say about NATO expansion?",  # Gazza never mentions NATO
        "What did Paul say about the Iran nuclear deal?",
    ],
)
def test_a_commenter_who_never_touches_the_topic_is_not_quoted(
    real_answerer: Answerer, question: str
) -> None:
    reply = real_answerer.answer(question)
    assert (reply.verdict, reply.reason) == ("not_found", "commenters_silent")
    assert reply.citations == ()
    scope = question_scope(question, real_answerer.knowledge.corpus)
    assert reply.detail["names"] == list(scope.named)


@pytest.mark.parametrize(
    "question",
    [
        "What did Michael Kenny predict?",  # no topic words: any of his comments
        "What did craigsummers say about Latin America?",  # by meaning, not by word
    ],
)
def test_a_commenter_is_quoted_on_what_they_did_say(real_answerer: Answerer, question: str) -> None:
    assert real_answerer.answer(question).found


def test_a_question_for_a_year_needs_an_answer_that_gives_one(real_answerer: Answerer) -> None:
    # The article names the Magnitsky Act and the ABM Treaty but dates neither.
    for question in [
        "In what year was the Magnitsky Act signed into law?",
        "In which year did the United States pull out of the ABM Treaty?",
    ]:
        reply = real_answerer.answer(question)
        assert (reply.verdict, reply.reason) == ("not_found", "no_stated_year"), question
        assert reply.citations == ()
    reply = real_answerer.answer("In what year did Russia and Georgia go to war?")
    assert reply.found and any("2008" in s for q in reply.quotes for s in q.sentences)


def test_a_question_about_a_year_the_article_never_names_is_not_answered(
    real_answerer: Answerer,
) -> None:
    """The article is close in topic to "Who won the 2018 Russian presidential election?"
    but names no 2018; a year it names is answered."""
    missing = real_answerer.answer("Who won the 2018 Russian presidential election?")
    assert not missing.found and not missing.citations
    named = real_answerer.answer("What did Congress do after the 2016 election?")
    assert named.found and named.citations
