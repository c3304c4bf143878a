"""Overview answers: the article's key sentences, the comments' themes, stances, the
strongest objection, an exchange; and how their intents are told from lookups."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answering import Answerer, AnswerSettings
from bot.knowledge import Knowledge, open_knowledge
from bot.overview import answered_question, article_shape, key_sentences, recommendation
from bot.rendering import answer_text
from bot.replies import Reply
from bot.stance import ARTICLE, StanceReader
from bot.telegram.formatting import MESSAGE_LIMIT, pack_messages, reply_blocks
from bot.themes import centred, cluster, comment_themes
from embeddings.passages import Chunking
from tests.fakes import HashingEmbedder
from tests.test_quality import CORPORA


def parts(reply: Reply) -> list[str]:
    """The cited parts in order: "a7" for article ¶7, "c5" for comment #5."""
    out = []
    for citation in reply.citations:
        p = citation.passage
        out.append(f"c{p.comment_number}" if p.source_type == "comment" else f"a{p.paragraph}")
    return list(dict.fromkeys(out))


# --- methods, with the fake embedder -------------------------------------------------


def test_clustering_finds_two_separate_groups() -> None:
    rng = np.random.default_rng(0)
    a, b = np.eye(8, dtype=np.float32)[0], np.eye(8, dtype=np.float32)[1]
    vectors = np.stack([a + 0.05 * rng.standard_normal(8) for _ in range(4)])
    vectors = np.vstack([vectors, np.stack([b + 0.05 * rng.standard_normal(8) for _ in range(3)])])
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    assert cluster(vectors, 2) == [[0, 1, 2, 3], [4, 5, 6]]


def test_centring_removes_the_shared_direction() -> None:
    shared = np.ones(4, dtype=np.float32)
    vectors = np.stack([shared + np.eye(4, dtype=np.float32)[i] for i in range(4)])
    centred_vectors = centred(vectors)
    assert np.allclose(np.linalg.norm(centred_vectors, axis=1), 1.0)
    assert abs(float(centred_vectors.sum(axis=0) @ shared)) < 1e-5


def test_the_answered_question_and_the_closing_recommendation(fake_knowledge: Knowledge) -> None:
    document = fake_knowledge.corpus.documents[0]
    title = HashingEmbedder().embed_documents([document.title])[0]
    shape = article_shape(fake_knowledge.index, document.path, title)
    pair = answered_question(shape)
    assert pair is not None
    question, answer = (shape.sentences[i] for i in pair)
    assert question.text.endswith("?") and question.passage.paragraph == answer.passage.paragraph
    assert "the answer is still yes" in answer.text
    advice = recommendation(shape)
    assert advice is not None
    assert shape.sentences[advice].passage.paragraph == max(shape.paragraphs)
    roles = [p.role for p in key_sentences(shape, "thesis", 6)]
    assert roles[:2] == ["question", "thesis"] and roles[-1] == "recommendation"


def test_stances_from_what_comments_say_and_whom_they_answer(fake_knowledge: Knowledge) -> None:
    document = fake_knowledge.corpus.documents[0]
    reader = StanceReader(fake_knowledge.index, document, None)
    said = {(s.comment, s.target): (s.polarity, s.confidence) for s in reader.stances}
    # "Cornell (above) is right, of course." / "No. That is utter rubbish."
    assert said[(2, "cornel lencar")] == ("agrees", "clear")
    assert said[(17, "collin")] == ("disagrees", "clear")
    # "the answer to Mr Larison's question is no"; "I would agree with you but …"
    assert said[(5, ARTICLE)] == ("disagrees", "clear")
    assert said[(6, ARTICLE)] == ("mixed", "clear")
    # Rebutting a clear critic of the author (Kenny, #5) sides with the author, likely.
    assert said[(7, "Michael Kenny")][0] == "disagrees"
    assert said[(7, ARTICLE)] == ("agrees", "likely")


# --- answers, with the real model ----------------------------------------------------


def test_a_summary_cites_the_article_across_its_length_in_order(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("Can you sumarize the artcle for me?")
    cited = parts(reply)
    assert reply.found and all(p.startswith("a") for p in cited)
    paragraphs = [int(p[1:]) for p in cited]
    assert paragraphs == sorted(paragraphs) and len(paragraphs) >= 3
    assert paragraphs[0] <= 3 and paragraphs[-1] >= 9
    thesis = [q for q in reply.quotes if q.part == "thesis"]
    assert thesis and "the answer is still yes" in " ".join(thesis[0].sentences)
    assert [q.part for q in reply.quotes if q.paragraph == 7] == ["question", "thesis"]
    assert "It asks:" in answer_text(reply) and "Its answer:" in answer_text(reply)
    assert len(reply.citations) <= 6


def test_the_main_argument_quotes_the_answer_and_the_recommendation(
    real_answerer: Answerer,
) -> None:
    reply = real_answerer.answer("whats the authors main point?")
    assert reply.found and set(parts(reply)) >= {"a7", "a11"}
    assert not any(p.startswith("c") for p in parts(reply))


def test_how_the_article_opens_and_ends(real_answerer: Answerer) -> None:
    assert parts(real_answerer.answer("How does the piece begin?")) == ["a1"]
    assert parts(real_answerer.answer("How does the essay end?"))[-1] == "a11"


def test_the_comment_themes_with_their_counts(real_answerer: Answerer) -> None:
    knowledge = real_answerer.knowledge
    document = knowledge.corpus.documents[0]
    picks, read = comment_themes(knowledge.index, document, 6)
    assert read == 19
    groups = {p.group: p.members for p in picks}
    assert len(groups) >= 3
    numbers = [n for members in groups.values() for n in members]
    assert len(numbers) == len(set(numbers)) <= 19
    assert all(p.passage.comment_number in p.members for p in picks)
    reply = real_answerer.answer("What are readers saying?")
    assert reply.found and len(parts(reply)) >= 4
    assert all(p.startswith("c") for p in parts(reply))
    shown = {q.group: q.members for q in reply.quotes}
    assert all(q.part == "theme" and q.comment_number in q.members for q in reply.quotes)
    for members in shown.values():
        assert f"{len(members)} comments (" in answer_text(reply)


def test_who_disagrees_and_who_agrees_with_the_author(real_answerer: Answerer) -> None:
    against = parts(real_answerer.answer("Which readers pushed back on the article?"))
    assert {"c4", "c5"} <= set(against)
    assert not set(against) & {"c7", "c9", "c10", "c17", "c18"}
    siding = parts(real_answerer.answer("Did anyone side with the author?"))
    assert "c10" in siding and not set(siding) & {"c4", "c5", "c12"}


def test_stance_towards_a_commenter_and_weak_evidence_said_so(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("Who disagrees with Michael Kenny?")
    assert reply.found and set(parts(reply)) <= {"c7", "c18"} and parts(reply)
    assert all(q.part == "disagrees" and q.confidence for q in reply.quotes)
    nobody = real_answerer.answer("Who agreed with JoAnne Braley?")
    assert not nobody.found and not nobody.citations
    assert nobody.reason == "no_stance"
    assert "No comment clearly says it agrees with JoAnne" in answer_text(nobody)


def test_the_strongest_objection_is_a_comment_against_the_author(
    real_answerer: Answerer,
) -> None:
    reply = real_answerer.answer("What's the best counterargument raised by commenters?")
    assert reply.found and parts(reply)[0] in {"c4", "c5"}


def test_an_exchange_cites_both_sides_in_order(real_answerer: Answerer) -> None:
    reply = real_answerer.answer("What did Gazza and collin argue about?")
    assert parts(reply) == ["c6", "c17"]
    assert [q.comment_number for q in reply.quotes][:2] == [6, 17]
    assert "Commenter Gazza (#17) replies:" in answer_text(reply)


@pytest.mark.parametrize(
    "question",
    [
        "What does the author think of sending weapons to Ukraine?",
        "How did VikingLS respond to Michael Kenny?",
        "What did cornel lencar criticize the author for?",
        "Does the author think better relations with Russia are possible?",
    ],
)
def test_questions_with_a_topic_stay_lookups(real_answerer: Answerer, question: str) -> None:
    assert real_answerer.overview_intent(question) is None
    assert real_answerer.answer(question).found


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Give me the gist of this piece", "summary"),
        ("What is Larison's thesis?", "thesis"),
        ("What does the writer conclude?", "ending"),
        ("what do most comenters think?", "themes"),
        ("Which readers pushed back on the article?", "disagree"),
        ("What's the strongest objection to the author's view?", "objection"),
        ("What were craigsummers and Will Harrington debating?", "exchange"),
    ],
)
def test_overview_intents_in_other_words_and_with_typos(
    real_answerer: Answerer, question: str, kind: str
) -> None:
    intent = real_answerer.overview_intent(question)
    assert intent is not None and intent.kind == kind


def test_an_overview_fits_one_telegram_message(real_answerer: Answerer) -> None:
    for question in ("Summarize the article.", "What do the commenters think?"):
        reply = real_answerer.answer(question)
        messages = pack_messages(reply_blocks(reply))
        assert len(messages) == 1 and len(messages[0]) <= MESSAGE_LIMIT


# --- the article's own overviews: evidence, objections it answers, proposals ---------


@pytest.fixture(scope="module")
def bike_lanes(real_embedder, tmp_path_factory: pytest.TempPathFactory) -> Answerer:  # type: ignore[no-untyped-def]
    """The Markdown article without comments, indexed with the real model."""
    folder = tmp_path_factory.mktemp("bike-lanes-index")
    knowledge = open_knowledge(CORPORA / "bike-lanes", folder, real_embedder, Chunking())
    return Answerer(knowledge, real_embedder, AnswerSettings())


def test_the_evidence_the_article_gives(bike_lanes: Answerer) -> None:
    reply = bike_lanes.answer("Which facts and figures does the writer use to make her case?")
    assert reply.found and reply.detail["overview"] == "evidence"
    quoted = " ".join(s for q in reply.quotes for s in q.sentences)
    # Figures (Seville's trips) and studies (thirteen cities, Toronto and New York).
    assert "seventy thousand" in quoted and "study" in quoted.lower()
    assert {q.part for q in reply.quotes} == {"evidence"}
    assert "It gives as evidence:" in answer_text(reply)


def test_the_objections_the_article_takes_up_with_its_replies(bike_lanes: Answerer) -> None:
    reply = bike_lanes.answer("How does the author deal with the critics' arguments?")
    assert reply.found and reply.detail["overview"] == "counterpoints"
    by_part = {q.part: " ".join(q.sentences) for q in reply.quotes}
    assert "counterpoint" in by_part and "rebuttal" in by_part
    assert set(parts(reply)) >= {"a1", "a5"}  # the traffic and the shop owners' objections
    assert "Its reply:" in answer_text(reply)


def test_a_concession_that_answers_itself_is_not_shown_as_an_objection(
    real_answerer: Answerer,
) -> None:
    reply = real_answerer.answer("Which objections does the author rebut?")
    assert reply.found and reply.detail["overview"] == "counterpoints"
    for quote in reply.quotes:
        text = " ".join(quote.sentences)
        if text.startswith(("Despite", "Although", "Though")) and quote.part != "rebuttal":
            # The sentence grants the point and turns against it in its own words.
            assert quote.part == "concession", text
    assert any(q.part == "concession" for q in reply.quotes)
    assert "It grants a point and answers it" in answer_text(reply)


def test_an_objection_question_without_comments_is_about_the_article(
    bike_lanes: Answerer,
) -> None:
    intent = bike_lanes.overview_intent("What is the strongest objection?")
    assert intent is not None and intent.kind == "counterpoints"


def test_what_the_author_proposes(bike_lanes: Answerer) -> None:
    reply = bike_lanes.answer("What course of action does the piece suggest?")
    assert reply.found and reply.detail["overview"] == "recommendation"
    assert "build quickly" in " ".join(s for q in reply.quotes for s in q.sentences)


@pytest.mark.parametrize(
    "question",
    [
        "What did the study of thirteen American cities find?",
        "What evidence is there that shop owners overestimate car trips?",
        "How many daily bicycle trips were there in Seville?",
    ],
)
def test_evidence_questions_with_a_topic_stay_lookups(bike_lanes: Answerer, question: str) -> None:
    assert bike_lanes.overview_intent(question) is None


def test_a_question_that_no_overview_kind_fits_costs_one_model_call(
    fake_answerer: Answerer, fake_embedder: HashingEmbedder
) -> None:
    """Two commenters named and no word of an exchange: only an exchange could fit two
    names, and it needs its word, so the question's meaning is not compared with the
    overview exemplars; the one model call is the lookup's own."""
    question = "How did VikingLS respond to Michael Kenny?"
    fake_answerer.answer(question)  # the exemplars are embedded on first use
    before = fake_embedder.calls
    reply = fake_answerer.answer(question)
    assert reply.kind == "content" and reply.found
    assert fake_embedder.calls - before == 1


def test_each_theme_is_stated_by_a_sentence_that_stands_on_its_own(
    real_answerer: Answerer,
) -> None:
    reply = real_answerer.answer("What do the commenters think?")
    lines = [" ".join(q.sentences) for q in reply.quotes]
    assert len(lines) >= 3
    for line in lines:
        assert not line.rstrip().endswith("?"), line  # a question states no theme
        assert line.split()[0].lower() not in {"it", "this", "those", "thus", "they"}, line
