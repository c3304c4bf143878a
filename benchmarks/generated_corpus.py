"""Generated documents for the benchmarks: articles with numbered reader comments in the
export format the bot reads, made from the bundled article's own words (seeded, so every
run makes the same text). Nothing generated is committed."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

from corpus import BUNDLED_CORPUS

_SEED_TEXT = next(BUNDLED_CORPUS.glob("*.txt")).read_text(encoding="utf-8")
_WORDS = re.findall(r"[A-Za-z][a-z]+", _SEED_TEXT)
_NAMES = [
    "Avery Stone", "bluefin", "Carla M.", "Dmitri", "E. Walsh", "frank_t", "Greta L",
    "Hassan", "Ines Ortega", "J. Park", "kestrel", "Lena", "Marcus Reid", "Nadia",
    "Oscar", "Priyanka", "Quentin", "R. Alvarez", "Sana", "Tomasz",
]  # fmt: skip


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 24))]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))


def document_text(target_bytes: int, number: int = 0, seed: int = 0) -> str:
    """One article with comments, about ``target_bytes`` long (UTF-8)."""
    rng = random.Random(seed * 1_000_003 + number)
    title = f"{_sentence(rng).rstrip('.?!')[:70]} (document {number})"
    article = [_paragraph(rng) for _ in range(8)]
    when = datetime(2020, 1, 1, 8, 0) + timedelta(days=number)
    comments: list[str] = []
    size = len(title) + sum(len(p) + 2 for p in article)
    while size < target_bytes:
        when += timedelta(minutes=rng.randint(3, 600))
        author = rng.choice(_NAMES)
        body = [_paragraph(rng) for _ in range(rng.randint(1, 4))]
        stamp = f"{when:%B} {when.day}, {when:%Y} @ {when:%I:%M %p}".replace(" 0", " ").lower()
        stamp = stamp[0].upper() + stamp[1:]  # "January 3, 2020 @ 9:05 am"
        comments.append(
            f"#{len(comments) + 1} Comment By {author} On {stamp}\n\n" + "\n\n".join(body)
        )
        size += len(comments[-1]) + 2
    parts = [
        "- Generated Review - https://example.invalid -",
        title,
        *article,
        f"{len(comments)} Comments (Open | Close)",
        f'{len(comments)} Comments To "{title}"',
        *comments,
    ]
    return "\n\n".join(parts) + "\n"


def write_corpus(folder: Path, documents: int, bytes_each: int, seed: int = 0) -> Path:
    """``documents`` generated documents of about ``bytes_each`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(documents):
        path = folder / f"generated-{number:05d}.txt"
        path.write_text(document_text(bytes_each, number, seed), encoding="utf-8")
    return folder
