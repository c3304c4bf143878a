"""The words a question uses to ask about a speaker's act (bot/reporting.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.reporting import reporting_terms, reporting_words, speech_words
from embeddings.sparse import tokenize

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("question", "words"),
    [
        # the clause's verb of saying or thinking, in any form
        ("Which commenter predicted a war?", ["commenter", "predicted"]),
        ("What did Putin say in his 2018 speech?", ["say"]),
        ("Who criticizes the sanctions?", ["criticizes"]),
        ("Who referred to the Bucharest summit?", ["referred"]),
        ("Who told the story?", ["told"]),
        ("Was the plan criticized by anyone?", ["criticized", "anyone"]),
        ("Explain the Iraq war.", ["explain"]),
        # a verb of two words
        ("Which songs did John bring up?", ["bring"]),
        # a speaker's noun that introduces the topic
        ("What is the author's view of Putin?", ["author's", "view"]),
        ("Is there any mention of NATO?", ["mention"]),
        ("What is the Dolchstosslegende reference about?", ["reference"]),
        ("What does Stephen J say in reply to craigsummers?", ["say", "reply"]),
        # the same words as the topic itself
        ("Does the author support sanctions?", ["author"]),
        ("Did the writer predict sanctions?", ["writer", "predict"]),
        ("Did the sanctions work?", []),
        ("Did anyone complain about the tone of the article?", ["anyone", "complain", "article"]),
        ("What is the main claim?", []),
        # verbs whose commonest sense is not one of saying or thinking
        ("How does remote work affect productivity?", []),
        ("How many bike lanes does Paris have?", []),
    ],
)
def test_reporting_words(question: str, words: list[str]) -> None:
    assert reporting_words(question) == words


def test_reporting_terms_are_the_index_terms() -> None:
    assert reporting_terms("Which commenter predicted a war?") == frozenset(
        tokenize("commenter predicted")
    )
    assert "war" not in reporting_terms("Which commenter predicted a war?")


def test_speech_words_come_from_wordnet_classes() -> None:
    speech = speech_words()
    assert {"say", "predict", "argue", "think", "believe", "warn"} <= speech.verbs
    # the commonest sense of these is not one of communication or cognition
    assert not {"work", "have", "support", "write"} & speech.verbs
    assert ("bring", "up") in speech.particle_verbs
    assert {"opinion", "view", "reference"} <= speech.nouns
    assert speech.irregular["told"] == "tell"
    assert {"French", "Andalusian", "Olympic"} <= speech.capitalised_adjectives
    assert "Korea" not in speech.capitalised_adjectives


def test_shipped_list_is_wordnets() -> None:
    """The shipped file is exactly what the generator makes from WordNet's database
    (Debian's wordnet-base, which .ci/run installs)."""
    wordnet = Path("/usr/share/wordnet")
    assert (wordnet / "index.verb").exists(), "apt-get install wordnet-base"
    spec = importlib.util.spec_from_file_location(
        "wordnet_verbs", ROOT / "benchmarks" / "wordnet_verbs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = (ROOT / "bot/data/wordnet_speech.txt").read_text(encoding="utf-8")
    assert shipped == module.HEADER + "\n".join(module.words(wordnet)) + "\n"
