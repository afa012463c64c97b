"""Words nobody said: without a script, free recognition guesses words, often wrongly ("the law of
larvae" for "good morning"). Only the words it heard with confidence are shown as said; the rest
stay speech (the speaking segments and the pace are kept), and a note says how to do better.
Words aligned to a script (`forced`) are what the person meant to say and are all kept."""

from __future__ import annotations

import copy
from typing import Any

from mirror.speech.words import clean_word

WORD_FLOOR = 0.95  # a freely recognised word is shown as said from this confidence up (on the
# demo without its script, words at 0.8-0.95 were still mostly wrong: "you", "that", "are")
TRIGGER_FLOOR = 0.5  # a trigger word of the profile ("price") is kept from this one up
TRUSTED_METHODS = ("forced",)


def hide_uncertain_words(doc: dict[str, Any], triggers: tuple[str, ...] = ()
                         ) -> tuple[dict[str, Any], str | None]:
    """`doc` (events.json) without the freely recognised words below the floors, in the speech
    words and in every episode's and cue's context; and a note for the reader, or None when
    nothing was hidden. The input is not changed."""
    sp = doc.get("speech")
    if not isinstance(sp, dict) or sp.get("method") in TRUSTED_METHODS:
        return doc, None
    words = [w for w in sp.get("words") or [] if isinstance(w, dict)]
    wanted = {clean_word(t) for t in triggers}

    def sure(w: dict[str, Any]) -> bool:
        try:
            p = float(w.get("probability", 1.0))
        except (TypeError, ValueError):
            return False
        return p >= (TRIGGER_FLOOR if clean_word(str(w.get("text", ""))) in wanted else WORD_FLOOR)

    kept = [w for w in words if sure(w)]
    if len(kept) == len(words):
        return doc, None
    keys = {(round(float(w.get("start", -1)), 2), str(w.get("text", ""))) for w in kept}
    out = copy.deepcopy(doc)
    out["speech"]["words"] = kept
    for item in [*(out.get("events") or []), *(out.get("cues") or [])]:
        if not isinstance(item, dict):
            continue
        for field in ("words", "words_before"):
            said = item.get(field)
            if isinstance(said, list):
                item[field] = [w for w in said if isinstance(w, dict) and (
                    round(float(w.get("start", -1)), 2), str(w.get("text", ""))) in keys]
    hidden = len(words) - len(kept)
    note = (f"the words were recognised without a script and are uncertain: {hidden} of "
            f"{len(words)} heard with little confidence are not shown as said (speech and pauses "
            "are); give the script you rehearsed (--script, or F2 in the app) to see what you "
            "said")
    return out, note
