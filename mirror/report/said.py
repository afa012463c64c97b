"""Words nobody said: without a script, free recognition guesses words, often wrongly ("the law of
larvae" for "good morning"). Only the words it heard with confidence are shown as said; the rest
stay speech (the speaking segments and the pace are kept), and a note says how to do better.
Words aligned to a script (`forced`) are what the person meant to say and are all kept."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mirror.speech.words import clean_word

if TYPE_CHECKING:
    from mirror.align import EventSpeech
    from mirror.analysis import Analysis

WORD_FLOOR = 0.95  # a freely recognised word is shown as said from this confidence up (on the
# demo without its script, words at 0.8-0.95 were still mostly wrong: "you", "that", "are")
TRIGGER_FLOOR = 0.5  # a trigger word of the profile ("price") is kept from this one up
TRUSTED_METHODS = ("forced",)


def hide_uncertain_words(analysis: Analysis, triggers: tuple[str, ...] = ()
                         ) -> tuple[Analysis, str | None]:
    """`analysis` without the freely recognised words below the floors, in the speech words and
    in every episode's and cue's context; and a note for the reader, or None when nothing was
    hidden."""
    sp = analysis.speech
    if sp.method in TRUSTED_METHODS:
        return analysis, None
    wanted = {clean_word(t) for t in triggers}
    kept = [w for w in sp.words if w.probability >= (
        TRIGGER_FLOOR if clean_word(w.text) in wanted else WORD_FLOOR)]
    if len(kept) == len(sp.words):
        return analysis, None
    keys = {(round(w.start, 2), w.text) for w in kept}

    def said(ctx: EventSpeech) -> EventSpeech:
        return replace(ctx, words=tuple(w for w in ctx.words if (round(w.start, 2), w.text)
                                        in keys),
                       words_before=tuple(w for w in ctx.words_before
                                          if (round(w.start, 2), w.text) in keys))

    out = replace(analysis, speech=replace(sp, words=tuple(kept)),
                  episodes=tuple(replace(e, speech=said(e.speech)) for e in analysis.episodes),
                  cues=tuple(replace(c, speech=said(c.speech)) for c in analysis.cues))
    hidden = len(sp.words) - len(kept)
    note = (f"the words were recognised without a script and are uncertain: {hidden} of "
            f"{len(sp.words)} heard with little confidence are not shown as said (speech and "
            "pauses are); give the script you rehearsed (--script, or F2 in the app) to see what "
            "you said")
    return out, note
