"""Cue episodes in the test-data generator (issue 8): the spec's rules, the truth document, the
old recipes unchanged, and each cue as the real face model sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirror.synth.spec import ClipSpec, CueEpisode, Episode
from mirror.synth.truth import compute_truth, load_truth, save_truth, truth_to_dict


def _neg(expr: str = "anger", onset: float = 1.0, fall: float = 0.2) -> Episode:
    return Episode(expression=expr, onset_s=onset, apex_s=onset + 0.15, apex_end_s=onset + 0.5,
                   offset_s=onset + 0.5 + fall)


def test_cue_validation():
    CueEpisode(cue="gaze_aversion", onset_s=1, apex_s=1.1, apex_end_s=2, offset_s=2.1,
               direction="down")
    with pytest.raises(ValueError):
        CueEpisode(cue="wink", onset_s=1, apex_s=1.1, apex_end_s=2, offset_s=2.1)
    with pytest.raises(ValueError):
        CueEpisode(cue="head_tilt", onset_s=1, apex_s=1.1, apex_end_s=2, offset_s=2.1,
                   direction="down")
    with pytest.raises(ValueError):
        CueEpisode(cue="lip_press", onset_s=1, apex_s=0.9, apex_end_s=2, offset_s=2.1)
    with pytest.raises(ValueError):  # only gaze aversion takes a head turn
        CueEpisode(cue="lip_press", onset_s=1, apex_s=1.1, apex_end_s=2, offset_s=2.1, head=0.5)
    with pytest.raises(ValueError):  # a pressed mouth while talking is speech
        ClipSpec(duration_s=4, talking=((0.5, 1.5),), cues=(CueEpisode(
            cue="lip_press", onset_s=1, apex_s=1.1, apex_end_s=2, offset_s=2.1),))
    ClipSpec(duration_s=4, talking=((0.5, 1.5),), cues=(CueEpisode(
        cue="tension", onset_s=1, apex_s=1.3, apex_end_s=2.5, offset_s=2.8),))


def test_masking_validation_and_truth(tmp_path: Path):
    neg = _neg()
    smile = Episode(expression="happiness", onset_s=1.6, apex_s=1.8, apex_end_s=3.0,
                    offset_s=3.3)
    cue = CueEpisode(cue="masking", onset_s=neg.onset_s, apex_s=neg.apex_s,
                     apex_end_s=neg.apex_end_s, offset_s=smile.offset_s, masked=neg, mask=smile)
    assert cue.mask_kind == "happiness" and cue.episodes == (neg, smile)
    with pytest.raises(ValueError):  # the smile comes too late
        late = Episode(expression="happiness", onset_s=2.2, apex_s=2.4, apex_end_s=3.0,
                       offset_s=3.3)
        CueEpisode(cue="masking", onset_s=1.0, apex_s=1.15, apex_end_s=1.5, offset_s=3.3,
                   masked=neg, mask=late)
    with pytest.raises(ValueError):  # a squelch must be fast
        CueEpisode(cue="masking", onset_s=1.0, apex_s=1.15, apex_end_s=1.5, offset_s=1.7,
                   masked=neg)
    with pytest.raises(ValueError):  # happiness cannot be masked
        CueEpisode(cue="masking", onset_s=1.0, apex_s=1.15, apex_end_s=1.5, offset_s=3.3,
                   masked=_neg("happiness"), mask=smile)
    quick = _neg("fear", onset=5.0, fall=0.1)
    squelch = CueEpisode(cue="masking", onset_s=5.0, apex_s=5.15, apex_end_s=5.5, offset_s=5.6,
                         masked=quick)
    spec = ClipSpec(duration_s=7, cues=(squelch, cue))
    truth = compute_truth(spec, n_frames=210)
    assert [e.expression for e in truth.episodes] == ["anger", "happiness", "fear"]
    a, b = truth.cues
    assert (a.cue, a.start_s, a.end_s, a.mask) == ("masking", 1.0, 3.3, "happiness")
    assert [(p.role, p.expression) for p in a.parts] == [("masked", "anger"),
                                                         ("mask", "happiness")]
    assert a.parts[1].start_s == 1.6 and a.parts[0].end_s == 1.7
    assert (b.start_s, b.end_s, b.mask) == (5.0, 5.6, "neutral")
    assert [(p.expression, p.start_s, p.end_s) for p in b.parts] == [("fear", 5.0, 5.6),
                                                                    ("neutral", 5.5, 5.6)]
    save_truth(tmp_path / "t.json", truth)
    assert load_truth(tmp_path / "t.json") == truth
    assert truth_to_dict(truth)["cues"][0]["parts"][1]["expression"] == "happiness"


def test_clips_without_cues_keep_their_document():
    truth = compute_truth(ClipSpec(duration_s=2), n_frames=60)
    assert truth.cues == () and "cues" not in truth_to_dict(truth)
