"""The words of a question that ask about a speaker's act or the document's parts.

"Which commenter predicted a war?" asks about war; "predicted" and "commenter" only say
whose words to look in. Such words tell nothing about whether the document holds an
answer, so retrieval leaves them out when it weighs how much of a question the document
covers (:mod:`bot.retrieval`), and the metadata route reads them as part of a question
about the document itself (:mod:`bot.metadata`).

Two things decide, neither of them grown from any question set:

- a published verb class: the one-word verbs whose most frequent sense (WordNet orders
  senses by their frequency in its tagged corpus) is in WordNet 3.0's lexicographer files
  ``verb.communication`` (telling, asking, arguing, warning, praising...) or
  ``verb.cognition`` (thinking, believing, predicting...), with their irregular forms
  (Miller 1995; Fellbaum 1998). ``bot/data/wordnet_verbs.txt`` is generated from WordNet's
  database by ``benchmarks/wordnet_verbs.py`` and carries WordNet's licence;
- the question's grammar: such a word is the speaker's act only where it stands as the
  clause's verb ("what did Gazza *say* about…", "who *warned*…", "*describe* the…") or as a
  speaker's noun that introduces the topic ("the author's *view* of…", "any *mention*
  of…"). Otherwise, after a determiner or preposition, it is the topic itself
  ("What do the *sanctions* cover?", "Why did he *support* the *sanctions*?": the second
  verb-class word of a clause is the object, not the act).

The names of the corpus's own parts and of unnamed speakers (article, author, comment,
commenter, reader, someone…) come from the corpus model (:mod:`corpus.model`) and English's
closed class of indefinite pronouns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from embeddings.sparse import tokenize


@dataclass(frozen=True, slots=True)
class SpeechWords:
    """WordNet's words of speaking and thinking, and its capitalised adjectives (see
    ``benchmarks/wordnet_verbs.py``)."""

    verbs: frozenset[str]
    particle_verbs: frozenset[tuple[str, str]]
    nouns: frozenset[str]
    irregular: dict[str, str]  # "told" -> "tell"
    capitalised_adjectives: frozenset[str]  # "French", "Andalusian"


@lru_cache(maxsize=1)
def speech_words() -> SpeechWords:
    """The words of ``bot/data/wordnet_speech.txt``, read once."""
    text = resources.files("bot").joinpath("data/wordnet_speech.txt").read_text(encoding="utf-8")
    verbs, nouns, particles, irregular, adjectives = set(), set(), set(), {}, set()
    for line in text.splitlines():
        kind, *words = line.split()
        if kind == "v":
            verbs.add(words[0])
        elif kind == "n":
            nouns.add(words[0])
        elif kind == "p":
            particles.add((words[0], words[1]))
        elif kind == "i":
            irregular[words[0]] = words[1]
        elif kind == "a":
            adjectives.add(words[0])
    return SpeechWords(
        frozenset(verbs), frozenset(particles), frozenset(nouns), irregular, frozenset(adjectives)
    )


# The corpus model's parts and the people in it, in the words a reader names them with.
CORPUS_PARTS = frozenset(
    "article articles piece essay op-ed column post text document author writer comment "
    "comments commenter commenters reader readers".split()
)
# English's indefinite pronouns for a person: "did anyone…" names no topic.
INDEFINITE_PERSONS = frozenset(
    "someone somebody anyone anybody everyone everybody no-one nobody".split()
)
# Closed-class words before a noun: after one of these a verb-class word is a noun.
_NOUN_MARKERS = frozenset(
    "a an the this that these those my your his her its our their any some no every each "
    "another other such what which whose about of on in at for with from by into over "
    "against between among under after before during without".split()
)
# Words that start a new clause (or a question's verb phrase), so the next verb-class word
# can again be the clause's verb.
_CLAUSE_OPENERS = frozenset(
    "do does did don't doesn't didn't will would won't wouldn't can could can't couldn't "
    "shall should might may must has have had hasn't haven't hadn't is are was were isn't "
    "aren't wasn't weren't be been being and or but to who that".split()
)
# A noun of saying or thinking after one of these (or after "X's") is someone's act ("his
# view of", "any mention of") when a topic follows it.
_SPEAKER_MARKERS = frozenset("my your his her its our their any no".split())
# After these the clause's verb is in its base form ("does the author *support* sanctions").
_BASE_FORM_BEFORE = frozenset(
    "do does did don't doesn't didn't will would won't wouldn't can could can't couldn't "
    "shall should might may must to".split()
)
# After these a verb is a participle ("was *criticized*", "is *arguing*").
_PARTICIPLE_BEFORE = frozenset("is are was were be been being isn't aren't wasn't weren't".split())
# Prepositions that introduce what a noun of saying or thinking is about.
_TOPIC_PREPOSITIONS = frozenset("of on about that regarding concerning".split())
_WORD = re.compile(r"[a-z]+(?:[-'’][a-z]+)*")


def reporting_words(question: str) -> list[str]:
    """The words of ``question`` (lower-case, as written) that name a speaker's act or
    the document's parts rather than what the question is about."""
    words = _WORD.findall(question.lower().replace("’", "'"))
    speech = speech_words()
    found: list[str] = []
    verb_free = True  # the current clause has no verb of saying or thinking yet
    base_form = False  # after "did", "would", "to": the clause's verb has no ending
    participle = False  # after "is", "was", "been": only a participle is a verb
    for position, word in enumerate(words):
        bare = word[:-2] if word.endswith("'s") else word
        if bare in CORPUS_PARTS or bare in INDEFINITE_PERSONS:
            found.append(word)
            continue
        if word in _CLAUSE_OPENERS:
            verb_free = True
            base_form = word in _BASE_FORM_BEFORE
            participle = word in _PARTICIPLE_BEFORE
        before = words[position - 1] if position else ""
        after = words[position + 1] if position + 1 < len(words) else ""
        lemmas = {word} if base_form else _verb_lemmas(word, speech)
        if participle and not word.endswith(("ed", "ing")) and word not in speech.irregular:
            lemmas = set()  # "what is the main *claim*": a noun after the copula
        if lemmas & speech.verbs or any(
            (lemma, after) in speech.particle_verbs for lemma in lemmas
        ):
            noun_position = before in _NOUN_MARKERS or before.endswith("'s")
            if not noun_position and verb_free:
                found.append(word)
                verb_free = False
                continue
        if (lemmas & speech.verbs or _noun_lemma(word) in speech.nouns) and _names_topic(
            before, after
        ):
            found.append(word)
    return found


def _names_topic(before: str, after: str) -> bool:
    """Whether a noun of saying or thinking between ``before`` and ``after`` introduces
    the question's topic: "<the reference> about…", "<his view> of…", "in <reply> to…"."""
    if after == "about":
        return True
    speaker = before in _SPEAKER_MARKERS or before.endswith("'s")
    return (speaker and after in _TOPIC_PREPOSITIONS) or (before == "in" and after == "to")


def reporting_terms(question: str) -> frozenset[str]:
    """The stemmed terms (as :func:`embeddings.sparse.tokenize` makes them) of
    :func:`reporting_words`."""
    return frozenset(term for word in reporting_words(question) for term in tokenize(word))


def _verb_lemmas(word: str, speech: SpeechWords) -> set[str]:
    """The lemmas ``word`` may be an inflection of, by WordNet's detachment rules and its
    irregular forms ("predicted" -> predict, "referred" -> refer, "told" -> tell)."""
    lemmas = {word}
    if word in speech.irregular:
        lemmas.add(speech.irregular[word])
    for suffix, endings in _INFLECTIONS:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)]
            lemmas.update(stem + ending for ending in endings)
            if suffix in ("ed", "ing") and len(stem) > 2 and stem[-1] == stem[-2]:
                lemmas.add(stem[:-1])
    return lemmas


def _noun_lemma(word: str) -> str:
    """``word`` without a possessive ending."""
    return word[:-2] if word.endswith("'s") else word


# WordNet's own detachment rules for verbs (morphy(7WN)): suffix -> endings of the lemma.
_INFLECTIONS = (
    ("ies", ("y",)),
    ("es", ("e", "")),
    ("s", ("",)),
    ("ed", ("e", "")),
    ("ing", ("e", "")),
)
