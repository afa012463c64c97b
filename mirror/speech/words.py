"""Looking things up in the aligned words (pure): the one implementation of where a moment falls
in the transcript, which script section it belongs to, the sections' readings, and where the
profile's trigger words were said. The speech context (mirror.align), the speech figures, the
report and the app all use these, so they agree on every section and every trigger.

`words` are `Word`s in time order (start ascending), times on the session timeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mirror.speech.model import Word

_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def clean_word(text: str) -> str:
    """A word as triggers are matched: lower case, punctuation at either end stripped."""
    return _PUNCT.sub("", text).lower()


def marker_slot(t: float, words: Sequence[Word]) -> tuple[int, bool]:
    """Where a moment at time t stands in the transcript: (index, after). Before the word said
    at t (the first word not yet ended), or, when t falls in a pause, right after the last word
    said before it (the speech it follows: `after` is True). Past the last word: after it.
    Call with at least one word."""
    i = next((k for k, w in enumerate(words) if w.end >= t), len(words))
    if i == len(words) or (i > 0 and t < words[i].start):
        return i - 1, True
    return i, False


def section_at(t: float, words: Sequence[Word]) -> str | None:
    """The script section of the moment t: that of the word its transcript marker stands by
    (`marker_slot`); None without words or sections."""
    if not words:
        return None
    return words[marker_slot(t, words)[0]].section or None


@dataclass(frozen=True)
class Reading:
    """One uninterrupted reading of a section: its consecutive words."""

    section: str
    start: float
    end: float
    words: int


def section_readings(words: Sequence[Word]) -> list[Reading]:
    """Runs of consecutive words of one section, in order; a section read twice has two."""
    runs: list[Reading] = []
    for w in words:
        if runs and runs[-1].section == w.section:
            last = runs[-1]
            runs[-1] = Reading(last.section, last.start, max(last.end, w.end), last.words + 1)
        else:
            runs.append(Reading(w.section, w.start, w.end, 1))
    return runs


@dataclass(frozen=True)
class TriggerSaid:
    """A trigger word (or two-word phrase) of the profile, said at `start` (word `index`)."""

    text: str
    start: float
    index: int


def find_triggers(words: Sequence[Word], triggers: Sequence[str]) -> list[TriggerSaid]:
    """Where the profile's trigger words or two-word phrases were said (a phrase before a word
    when both match), matched on `clean_word`s."""
    wanted = {" ".join(clean_word(p) for p in t.split()) for t in triggers if t.strip()}
    if not wanted:
        return []
    clean = [clean_word(w.text) for w in words]
    hits = []
    for i, word in enumerate(clean):
        pair = f"{word} {clean[i + 1]}" if i + 1 < len(clean) else ""
        for cand in (pair, word):
            if cand and cand in wanted:
                hits.append(TriggerSaid(cand, words[i].start, i))
                break
    return hits
