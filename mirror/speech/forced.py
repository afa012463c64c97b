"""Forced alignment of the pitch script to the audio, tolerant of skips, repeats and ad-libs.

Aligning the whole script to the whole recording in one pass (pocketsphinx alignment mode) breaks as
soon as the speaker departs from the script: every later word is dragged to the wrong place. So the
work is split at the pauses:

1. every speaking segment (from the VAD) is recognised freely (pocketsphinx, English LM);
2. the recognised words are turned into phones (the decoder's dictionary) and located in the
   script's phone string by a semi-global sequence alignment (`locate_in_script`, dynamic
   programming: the segment must be used whole, the script may start and end anywhere). Matching
   phones rather than words tolerates recognition errors ("prius days" still matches "price is").
   A small penalty for starting away from where the previous segment ended prefers reading on in
   order, but a good match elsewhere wins: a repeated passage maps back, a skipped one is jumped;
3. the located span of script words is placed on the segment's audio by pocketsphinx's alignment
   mode (`set_align_text`), which gives the word times; script words just outside the span (a
   phrase-initial "our" the recogniser missed) are added when the acoustic score prefers them;
4. a segment that matches nowhere in the script (an ad-lib, an answer to a question) keeps the
   freely recognised words, in the section of the speech around it.

Measured on espeak-ng speech with known word times (tests/test_speech_forced.py): median onset
error ~30 ms; see docs/speech.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mirror.speech.model import Word
from mirror.speech.recognize import Recognizer
from mirror.speech.script import Script

_CLASSES = {
    **dict.fromkeys(("AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY",
                     "UH", "UW"), 0),
    **dict.fromkeys(("P", "B", "T", "D", "K", "G"), 1),
    **dict.fromkeys(("F", "V", "TH", "DH", "S", "Z", "SH", "ZH", "HH"), 2),
    **dict.fromkeys(("M", "N", "NG"), 3),
    **dict.fromkeys(("L", "R", "W", "Y"), 4),
    **dict.fromkeys(("CH", "JH"), 5),
}


@dataclass(frozen=True)
class AlignOptions:
    match: float = 1.0
    same_class: float = 0.0  # two different phones of one broad class (two vowels, two stops)
    mismatch: float = -0.6
    gap: float = -0.7  # a phone on one side with nothing on the other
    jump_penalty: float = 0.01  # per script phone between the expected start and the actual one
    min_score_per_phone: float = 0.15  # below this a segment is an ad-lib, not the script
    max_gap_words: int = 3  # script words either side of a located span that may join it
    edge_gap_s: float = 0.1  # speech unexplained by heard words at a segment edge to try that


@dataclass(frozen=True)
class Location:
    """Where a segment's phones lie in the script's phones.

    start, end: script phone indices [start, end); score: the alignment score;
    lead, trail: hyp phones before the first and after the last matched phone;
    pairs: (hyp phone index, script phone index) of every match or substitution.
    """

    start: int
    end: int
    score: float
    lead: int
    trail: int
    pairs: tuple[tuple[int, int], ...]


def _phone_ids(phones: list[str], table: dict[str, int]) -> np.ndarray:
    return np.array([table.setdefault(p, len(table)) for p in phones], dtype=np.int32)


def locate_in_script(
    *, hyp: list[str], script: list[str], expected: int, options: AlignOptions
) -> Location | None:
    """Semi-global alignment of hyp phones (all used) inside script phones (free start and end).

    hyp: (m,) phones heard; script: (n,) phones of the whole script; expected: the script phone
    index where reading on in order would start. O(m * n) time, vectorised along the script.
    """
    m, n = len(hyp), len(script)
    if m == 0 or n == 0:
        return None
    table: dict[str, int] = {}
    h = _phone_ids(hyp, table)
    s = _phone_ids(script, table)
    inv = {v: k for k, v in table.items()}
    cls = np.array([_CLASSES.get(inv[i], 9 + i) for i in range(len(table))])
    o = options
    cols = np.arange(n + 1, dtype=np.float64)
    H = np.empty((m + 1, n + 1))
    H[0] = -o.jump_penalty * np.abs(cols - expected)
    for i in range(1, m + 1):
        sub = np.where(s == h[i - 1], o.match, np.where(cls[s] == cls[h[i - 1]], o.same_class,
                                                        o.mismatch))
        t = np.empty(n + 1)
        t[0] = H[i - 1, 0] + o.gap
        t[1:] = np.maximum(H[i - 1, :-1] + sub, H[i - 1, 1:] + o.gap)
        # horizontal gaps (script phones not heard): H[j] = max_k<=j t[k] + gap * (j - k)
        H[i] = np.maximum.accumulate(t - o.gap * cols) + o.gap * cols
    j = int(np.argmax(H[m]))
    score = float(H[m, j])
    end = j
    pairs: list[tuple[int, int]] = []
    i = m
    eps = 1e-9
    while i > 0:
        if j > 0:
            hp, sp = h[i - 1], s[j - 1]
            sc = o.match if hp == sp else (o.same_class if cls[hp] == cls[sp] else o.mismatch)
            if abs(H[i, j] - (H[i - 1, j - 1] + sc)) < eps:
                pairs.append((i - 1, j - 1))
                i, j = i - 1, j - 1
                continue
            if abs(H[i, j] - (H[i, j - 1] + o.gap)) < eps:
                j -= 1
                continue
        i -= 1  # hyp phone inserted
    pairs.reverse()
    if not pairs:
        return None
    start = pairs[0][1]
    return Location(start=start, end=end, score=score, lead=pairs[0][0], trail=m - 1 - pairs[-1][0],
                    pairs=tuple(pairs))


def _phones_of(words: list[str], rec: Recognizer) -> tuple[list[str], list[int]]:
    """Phones of words and, for each phone, the index of its word (OOV words give no phones)."""
    phones: list[str] = []
    owner: list[int] = []
    for k, w in enumerate(words):
        ps = rec.pronunciation(w)
        phones.extend(ps)
        owner.extend([k] * len(ps))
    return phones, owner


def align_script(
    *,
    audio: np.ndarray,
    sr: int,
    speech: list[tuple[float, float]],
    heard: list[list[Word]],
    script: Script,
    recognizer: Recognizer,
    pad_s: float = 0.15,
    options: AlignOptions | None = None,
) -> tuple[list[Word], int]:
    """Words of `script` placed on (n,) audio, times in seconds from the audio's first sample.

    speech: the speaking segments (start_s, end_s); heard[k]: the free recogniser's words in
    segment k (same times). Returns the words in time order, each with its section, and the
    number of segments that matched the script (the others are ad-libs, kept as heard).
    """
    o = options or AlignOptions()
    words = list(script.words)
    wsec = script.word_sections
    sphones, sowner = _phones_of(words, recognizer)
    word_first_phone: dict[int, int] = {}
    for p_i, w_i in enumerate(sowner):
        word_first_phone.setdefault(w_i, p_i)
    out: list[Word] = []
    matched = 0
    expected_word = 0
    last_section = script.sections[0].title if script.sections else ""
    for (a, b), seg_words in zip(speech, heard, strict=True):
        hphones, howner = _phones_of([w.text for w in seg_words], recognizer)
        expected = word_first_phone.get(expected_word, len(sphones))
        loc = locate_in_script(hyp=hphones, script=sphones, expected=expected, options=o)
        if loc is None or loc.score < o.min_score_per_phone * max(1, len(hphones)):
            out.extend(Word(w.start, w.end, w.text, last_section, w.probability) for w in seg_words)
            continue
        first_w, last_w = sowner[loc.start], sowner[loc.end - 1]
        span = list(range(first_w, last_w + 1))
        heard_prob = _heard_probabilities(loc, howner, sowner, seg_words, words)
        a0 = max(0.0, a - pad_s)
        b0 = min(len(audio) / sr, b + pad_s)
        clip = audio[int(a0 * sr):int(b0 * sr)]
        placed = _place(clip, span, words, recognizer, offset_s=a0)
        # The script words just outside the span are often short words the recogniser missed at
        # the edges of the phrase ("our competitor"): where the heard words leave speech at an
        # edge unexplained, add them one by one while the acoustic score of the alignment improves.
        lo = expected_word if first_w >= expected_word else 0
        lead_gap = seg_words[0].start - a > o.edge_gap_s if seg_words else False
        trail_gap = b - seg_words[-1].end > o.edge_gap_s if seg_words else False
        for k in range(first_w - 1, max(lo, first_w - o.max_gap_words) - 1, -1):
            if not lead_gap:
                break
            longer = _place(clip, [k, *span], words, recognizer, offset_s=a0) if placed else None
            if longer is None or placed is None or longer[1] <= placed[1]:
                break
            span, placed = [k, *span], longer
        for k in range(last_w + 1, min(len(words), last_w + 1 + o.max_gap_words)):
            if not trail_gap:
                break
            longer = _place(clip, [*span, k], words, recognizer, offset_s=a0) if placed else None
            if longer is None or placed is None or longer[1] <= placed[1]:
                break
            span, placed = [*span, k], longer
        first_w, last_w = span[0], span[-1]
        if placed is None:  # alignment failed: keep what was heard, in this section
            sec = script.sections[wsec[first_w]].title
            out.extend(Word(w.start, w.end, w.text, sec, w.probability) for w in seg_words)
            continue
        known = [k for k in span if recognizer.in_dictionary(words[k])]
        times = {k: (p.start, p.end) for k, p in zip(known, placed[0], strict=True)}
        for k in span:
            st, en = times.get(k) or _interpolate(k, times, a, b)
            sec = script.sections[wsec[k]].title
            out.append(Word(st, en, words[k], sec, heard_prob.get(k, 0.0)))
        last_section = script.sections[wsec[last_w]].title
        expected_word = last_w + 1
        matched += 1
    # Words heard or placed past the audio's ends (a speech segment reaching beyond them) are
    # kept inside them: every time is a moment of this audio.
    out = [_clamp(w, len(audio) / sr) for w in out]
    out.sort(key=lambda w: w.start)
    return out, matched


def _clamp(w: Word, duration_s: float) -> Word:
    start = min(max(w.start, 0.0), duration_s)
    end = min(max(w.end, start), duration_s)
    return w if (start, end) == (w.start, w.end) else replace(w, start=start, end=end)


def _place(clip: np.ndarray, span: list[int], words: list[str], rec: Recognizer, *,
           offset_s: float) -> tuple[list[Word], float] | None:
    """Alignment-mode placement of script words span (those in the dictionary) on clip."""
    known = [words[k] for k in span if rec.in_dictionary(words[k])]
    return rec.align(clip, known, offset_s=offset_s)


def _heard_probabilities(loc: Location, howner: list[int], sowner: list[int],
                         heard: list[Word], words: list[str]) -> dict[int, float]:
    """Script word index -> posterior of the same word heard at the matched place."""
    probs: dict[int, float] = {}
    for hp, sp in loc.pairs:
        hw, sw = heard[howner[hp]], sowner[sp]
        if hw.text == words[sw]:
            probs[sw] = max(probs.get(sw, 0.0), hw.probability)
    return probs


def _interpolate(k: int, times: dict[int, tuple[float, float]], a: float, b: float
                 ) -> tuple[float, float]:
    """Times for a word the aligner could not place (not in the dictionary): between neighbours."""
    before = [t[1] for j, t in times.items() if j < k]
    after = [t[0] for j, t in times.items() if j > k]
    st = max(before) if before else a
    en = min(after) if after else b
    return (st, max(st, en))
