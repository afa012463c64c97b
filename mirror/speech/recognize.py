"""Words with times from pocketsphinx (offline, the English model in its PyPI wheel).

Three uses of one `pocketsphinx.Decoder`, fed one VAD segment at a time (whole utterances, so the
cepstral mean is normalised over the segment, `full_utt=True`):

- `recognize`: free recognition with the default English language model;
- `align`: alignment mode (`set_align_text`): the given words are placed on the audio;
- `spot`: keyword spotting (`add_kws`) for a short list of words, e.g. the profile's triggers.

Frames are 10 ms (pocketsphinx's default frate of 100). pocketsphinx's continuous-mode timestamps
have been reported off by seconds on long audio (pocketsphinx issue #73); decoding short VAD
segments and offsetting each by its start keeps every time anchored.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass

import numpy as np

from mirror.speech.audio import to_pcm16
from mirror.speech.model import Word

FRAME_S = 0.01
_NOISE = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\(NULL\)|\+\+.*\+\+)$")


def _base(word: str) -> str:
    """pocketsphinx marks alternative pronunciations as word(2): drop that."""
    return re.sub(r"\(\d+\)$", "", word).strip()


@dataclass(frozen=True)
class RecognizerOptions:
    sr: int = 16_000
    kws_threshold: float = 1e-15


class Recognizer:
    """A loaded pocketsphinx decoder (the model takes ~0.3 s to load: make one, reuse it)."""

    def __init__(self, options: RecognizerOptions | None = None) -> None:
        from pocketsphinx import Decoder

        self.options = options or RecognizerOptions()
        self._decoder = Decoder(loglevel="FATAL", samprate=float(self.options.sr))
        self._kws: dict[tuple[str, ...], str] = {}

    def in_dictionary(self, word: str) -> bool:
        return self._decoder.lookup_word(word) is not None

    def pronunciation(self, word: str) -> list[str]:
        p = self._decoder.lookup_word(word)
        return p.split() if p else []

    def _run(self, audio: np.ndarray) -> None:
        d = self._decoder
        d.start_utt()
        d.process_raw(to_pcm16(audio).tobytes(), no_search=False, full_utt=True)
        d.end_utt()

    def _words(self, *, offset_s: float) -> list[Word]:
        d = self._decoder
        out = []
        for seg in d.seg():
            if _NOISE.match(seg.word):
                continue
            prob = float(seg.prob)  # the Python API already gives the posterior (0..1)
            out.append(Word(
                start=offset_s + seg.start_frame * FRAME_S,
                end=offset_s + (seg.end_frame + 1) * FRAME_S,
                text=_base(seg.word), probability=min(1.0, max(0.0, prob)),
            ))
        return out

    def recognize(self, audio: np.ndarray, *, offset_s: float = 0.0) -> list[Word]:
        """Free recognition of (n,) float32 audio at options.sr; times offset by offset_s."""
        d = self._decoder
        d.activate_search()
        self._run(audio)
        return self._words(offset_s=offset_s) if d.hyp() is not None else []

    def align(self, audio: np.ndarray, words: list[str], *, offset_s: float = 0.0
              ) -> tuple[list[Word], float] | None:
        """Place `words` (all in the dictionary) on (n,) audio.

        Returns the placed words and the alignment's acoustic score (log domain; comparable
        between alignments of the same audio), or None when the alignment fails.
        """
        if not words:
            return [], 0.0
        d = self._decoder
        score = 0.0
        try:
            d.set_align_text(" ".join(words))
            self._run(audio)
            hyp = d.hyp()
            got = self._words(offset_s=offset_s) if hyp is not None else []
            score = float(hyp.best_score) if hyp is not None else 0.0
        except RuntimeError:
            got = []
        finally:
            d.activate_search()
        if [w.text for w in got] != list(words):
            return None
        return got, score

    def spot(self, audio: np.ndarray, keywords: tuple[str, ...], *, offset_s: float = 0.0
             ) -> list[Word]:
        """Keyword spotting for `keywords` (those in the dictionary) in (n,) audio."""
        keys = tuple(sorted({
            k for k in keywords if k and all(self.in_dictionary(p) for p in k.split())
        }))
        if not keys:
            return []
        d = self._decoder
        name = self._kws.get(keys)
        if name is None:
            name = f"kws{len(self._kws)}"
            fd, path = tempfile.mkstemp(suffix=".kws")
            try:
                with os.fdopen(fd, "w") as fh:
                    for k in keys:
                        fh.write(f"{k} /{self.options.kws_threshold:g}/\n")
                d.add_kws(name, path)
            finally:
                os.unlink(path)
            self._kws[keys] = name
        d.activate_search(name)
        try:
            self._run(audio)
            got = self._words(offset_s=offset_s) if d.hyp() is not None else []
        finally:
            d.activate_search()
        return [Word(start=w.start, end=w.end, text=w.text.strip(), probability=w.probability)
                for w in got]
