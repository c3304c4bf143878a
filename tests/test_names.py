"""Which words of a question can name a person: common English words can't on their
own, first names and surnames can."""

from __future__ import annotations

from corpus.names import find_people

PEOPLE = ["Will Harrington", "Paul", "Michael Kenny", "peter"]


def test_a_common_english_word_is_not_read_as_a_name() -> None:
    assert find_people("Will Russia ever change?", PEOPLE) == []
    assert find_people("What does the author say about it?", PEOPLE) == []


def test_first_names_and_surnames_are_names() -> None:
    assert [m.person for m in find_people("what did peter say about canada", PEOPLE)] == ["peter"]
    assert [m.person for m in find_people("What did Paul say?", PEOPLE)] == ["Paul"]
    assert [m.person for m in find_people("Did Kenny reply?", PEOPLE)] == ["Michael Kenny"]
    assert [m.person for m in find_people("Did Will Harrington reply?", PEOPLE)] == [
        "Will Harrington"
    ]
