"""Regenerates ``bot/data/wordnet_speech.txt`` from WordNet 3.0's database.

The file holds the words :mod:`bot.reporting` uses to recognise how a question asks about a
speaker's act ("What did X predict about Y?", "What is the author's view of Y?"), which
says nothing about whether the document holds the answer. Each line is a kind and words:

- ``v say``: a one-word verb whose most frequent sense is in the lexicographer file
  ``verb.communication`` (telling, asking, arguing, warning...) or ``verb.cognition``
  (thinking, believing, judging...); WordNet lists a word's senses by how often each was
  tagged in its semantic concordance, so "say" and "predict" count, while "work" and "have",
  whose sense of communication is rare, don't;
- ``p bring up``: a verb of two words (verb and particle) with any sense in those files;
  a particle verb can't be a noun, so there is no noun sense to mistake it for;
- ``n opinion``: a noun whose most frequent sense is in ``noun.communication`` or
  ``noun.cognition`` ("view", "reference", "mention");
- ``i told tell``: an irregular form of a verb above (WordNet's ``verb.exc``);
- ``a French``: a capitalised adjective ("French", "Andalusian", "Olympic"), which
  :mod:`bot.answerability` does not take for a name.

Usage (needs Debian's ``wordnet-base``, which installs the database in /usr/share/wordnet):
``python benchmarks/wordnet_verbs.py [/usr/share/wordnet]``. Formats: wndb(5WN).
"""

from __future__ import annotations

import sys
from pathlib import Path

VERB_FILES = {31: "verb.cognition", 32: "verb.communication"}
NOUN_FILES = {9: "noun.cognition", 10: "noun.communication"}
OUTPUT = Path(__file__).resolve().parent.parent / "bot" / "data" / "wordnet_speech.txt"
HEADER = """\
# Words of speaking and thinking, and capitalised adjectives, from WordNet 3.0, generated
# by benchmarks/wordnet_verbs.py from WordNet's index.verb, data.verb, index.noun,
# data.noun, data.adj and verb.exc (see that script for what each kind of line means).
#
# George A. Miller (1995). WordNet: A Lexical Database for English. Communications of the ACM
# 38(11): 39-41. Christiane Fellbaum (1998, ed.) WordNet: An Electronic Lexical Database.
# Cambridge, MA: MIT Press.
#
# WordNet Release 3.0. This software and database is being provided to you, the LICENSEE, by
# Princeton University under the following license. By obtaining, using and/or copying this
# software and database, you agree that you have read, understood, and will comply with these
# terms and conditions.: Permission to use, copy, modify and distribute this software and
# database and its documentation for any purpose and without fee or royalty is hereby
# granted, provided that you agree to comply with the following copyright notice and
# statements, including the disclaimer, and that the same appear on ALL copies of the
# software, database and documentation, including modifications that you make for internal
# use or for distribution. WordNet 3.0 Copyright 2006 by Princeton University. All rights
# reserved. THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
# REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION,
# PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANT- ABILITY OR FITNESS
# FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR
# DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER
# RIGHTS. The name of Princeton University or Princeton may not be used in advertising or
# publicity pertaining to distribution of the software and/or database. Title to copyright
# in this software, database and any associated documentation shall at all times remain
# with Princeton University and LICENSEE agrees to preserve same.
"""


def _files(data: Path) -> dict[str, int]:
    """Each synset's lexicographer file: ``offset lex_filenum ...`` (licence lines start
    with two spaces)."""
    found = {}
    for line in data.read_text(encoding="latin-1").splitlines():
        if not line.startswith("  "):
            fields = line.split(maxsplit=2)
            found[fields[0]] = int(fields[1])
    return found


def _senses(index: Path) -> dict[str, list[str]]:
    """Each lemma's synsets, most frequent first: ``lemma pos synset_cnt ... offset...``."""
    found = {}
    for line in index.read_text(encoding="latin-1").splitlines():
        if not line.startswith("  "):
            fields = line.split()
            found[fields[0]] = fields[-int(fields[2]) :]
    return found


def words(wordnet: Path) -> list[str]:
    """The lines of the file, without its header."""
    verb_file = _files(wordnet / "data.verb")
    noun_file = _files(wordnet / "data.noun")
    lines: set[str] = set()
    verbs: set[str] = set()
    for lemma, synsets in _senses(wordnet / "index.verb").items():
        parts = lemma.split("_")
        if not all(part.isalpha() for part in parts):
            continue
        if len(parts) == 1 and verb_file[synsets[0]] in VERB_FILES:
            lines.add(f"v {lemma}")
            verbs.add(lemma)
        elif len(parts) == 2 and any(verb_file[s] in VERB_FILES for s in synsets):
            lines.add(f"p {' '.join(parts)}")
            verbs.add(parts[0])
    for lemma, synsets in _senses(wordnet / "index.noun").items():
        if lemma.isalpha() and noun_file[synsets[0]] in NOUN_FILES:
            lines.add(f"n {lemma}")
    for line in (wordnet / "data.adj").read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        fields = line.split()
        for word in fields[4 : 4 + 2 * int(fields[3], 16) : 2]:
            word = word.split("(")[0]  # "French(a)": the adjective's syntactic marker
            if word[:1].isupper() and word.isalpha():
                lines.add(f"a {word}")
    for line in (wordnet / "verb.exc").read_text(encoding="latin-1").splitlines():
        form, *bases = line.split()
        for base in bases:
            if form.isalpha() and base in verbs and form not in verbs:
                lines.add(f"i {form} {base}")
    return sorted(lines)


def main() -> None:
    wordnet = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet")
    found = words(wordnet)
    OUTPUT.write_text(HEADER + "\n".join(found) + "\n", encoding="utf-8")
    print(f"{len(found)} lines -> {OUTPUT}")


if __name__ == "__main__":
    main()
