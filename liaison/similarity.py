"""Text similarity for "one matter, one record" (R11): pure functions, no database.

Chinese has no spaces between words, so entries are compared by their character bigrams (two
characters side by side): "变压器增容" gives 变压 · 压器 · 器增 · 增容. Two texts are as similar as
the Dice coefficient of their bigram sets, 2·|A∩B| / (|A|+|B|): 1 for the same text, 0 for texts
sharing no pair of characters. Punctuation, spaces and letter case are ignored; Latin letters and
digits count like Chinese characters.

On PostgreSQL, pg_trgm's `similarity()` with a GIN index could later rank the candidates in the
database; the candidate bounding in `liaison.selectors.similar` keeps this pure version cheap
until then.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# A draft must share at least this much with an earlier entry for it to be shown as similar.
# Two unrelated sentences about power supply share a bigram or two ("供电"), about 0.1.
SIMILARITY_THRESHOLD = 0.2


def normalise(text: str) -> str:
    """Return `text` in NFKC, lower case, keeping only letters and digits (any script)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def bigrams(text: str) -> frozenset[str]:
    """Return the set of adjacent character pairs of `text` once normalised; a single
    character stands for itself."""
    clean = normalise(text)
    if len(clean) < 2:
        return frozenset({clean}) if clean else frozenset()
    return frozenset(clean[i : i + 2] for i in range(len(clean) - 1))


def text_bigrams(parts: Iterable[str]) -> frozenset[str]:
    """Return the bigrams of several texts (title, description) without pairing the last
    character of one with the first of the next."""
    grams: set[str] = set()
    for part in parts:
        grams |= bigrams(part)
    return frozenset(grams)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Dice coefficient of two bigram sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def similarity(a: str, b: str) -> float:
    """Return how alike two texts are, from 0 to 1, by their character bigrams."""
    return dice(bigrams(a), bigrams(b))
