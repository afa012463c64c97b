"""Cue detection's pure parts: geometry of gaze and tilt, the profile rules, scoring, the schema."""

import json

import numpy as np
import pytest

from mirror.align import EventSpeech, TriggerHit
from mirror.analysis import JudgedCue, compute_summary
from mirror.cues.detect import (
    CueOptions,
    averted_frames,
    detect_brow_flash,
    detect_lip_press,
    detect_masking,
    detect_tension,
    gaze_direction,
    short_blinks,
)
from mirror.cues.model import CUE_INFO, CUES, Cue, CuePart
from mirror.cues.signals import compute_gaze, compute_head_roll
from mirror.evaluate import score_cues
from mirror.events.model import Event
from mirror.expressions.actions import AU_NAMES, ActionUnitOptions, ActionUnits
from mirror.expressions.emotions import EMOTIONS, EmotionScores
from mirror.face.features import KEPT_LANDMARKS
from mirror.face.gaze import compute_eye_gaze, eye_to_degrees
from mirror.judgement import after_trigger
from mirror.judgement import is_cue_problem as is_problem
from mirror.pipeline import judge_cues
from mirror.profiles import DEFAULT_CUE_RULES, CueRule, load_profile
from mirror.tracks import FaceTracks

# A frontal face in normalised image coordinates (square frame): eye corners, irises, chin.
FACE = {33: (0.35, 0.4), 133: (0.45, 0.4), 362: (0.55, 0.4), 263: (0.65, 0.4),
        468: (0.40, 0.4), 473: (0.60, 0.4), 152: (0.5, 0.8)}


def tracks_with(n: int, iris_shift: np.ndarray, roll_deg: np.ndarray) -> FaceTracks:
    """n frames of FACE, the irises moved by iris_shift (n, 2) eye widths (x right in the image,
    y down) and the whole face rotated by roll_deg (n,) about its centre (image plane)."""
    ids = np.array(KEPT_LANDMARKS)
    lm = np.zeros((n, ids.size, 3))
    for k, i in enumerate(ids):
        x, y = FACE.get(int(i), (0.5, 0.5))
        lm[:, k, 0], lm[:, k, 1] = x, y
    for iris in (468, 473):
        k = int(np.flatnonzero(ids == iris)[0])
        lm[:, k, :2] += 0.1 * iris_shift
    th = np.radians(roll_deg)[:, None]
    x, y = lm[..., 0] - 0.5, lm[..., 1] - 0.5
    lm[..., 0] = 0.5 + x * np.cos(th) - y * np.sin(th)
    lm[..., 1] = 0.5 + x * np.sin(th) + y * np.cos(th)
    return FaceTracks(
        t=np.arange(n) / 30.0, found=np.ones(n, bool), n_faces=np.ones(n, int),
        blendshapes=np.zeros((n, 52)), pose=np.zeros((n, 6)), bbox=np.zeros((n, 4)),
        landmarks=lm, landmark_ids=ids, geometry=np.zeros((n, 0)), geometry_names=(),
        meta={"width": 640, "height": 640})


def test_eye_gaze_follows_the_iris_in_eye_widths_and_the_persons_own_sides():
    shift = np.array([[0.0, 0.0], [0.2, 0.0], [-0.2, 0.0], [0.0, 0.15]])
    h, v = compute_eye_gaze(tracks_with(4, shift, np.zeros(4)))
    # image right is the person's left in a camera view: positive h
    np.testing.assert_allclose(h, [0, 0.2, -0.2, 0], atol=1e-9)
    np.testing.assert_allclose(v, [0, 0, 0, 0.15], atol=1e-9)


def test_eye_gaze_does_not_move_when_the_head_rolls():
    h, v = compute_eye_gaze(tracks_with(3, np.zeros((3, 2)), np.array([0.0, 10.0, -15.0])))
    np.testing.assert_allclose(h, 0, atol=1e-9)
    np.testing.assert_allclose(v, 0, atol=1e-9)


def test_head_roll_is_the_eye_lines_angle_positive_to_the_persons_left():
    roll = compute_head_roll(tracks_with(3, np.zeros((3, 2)), np.array([0.0, 10.0, -12.0])))
    np.testing.assert_allclose(roll, [0, 10, -12], atol=1e-6)


def test_eye_rotation_in_degrees():
    assert eye_to_degrees(np.array([0.0]))[0] == 0
    assert eye_to_degrees(np.array([0.1]))[0] == pytest.approx(14.48, abs=0.01)
    assert eye_to_degrees(np.array([-1.0]))[0] == -90


@pytest.mark.parametrize(("h", "v", "want"), [(10, 2, "left"), (-10, 2, "right"),
                                              (1, 9, "down"), (1, -9, "up")])
def test_gaze_direction(h, v, want):
    assert gaze_direction(h, v) == want


def test_short_blinks_keep_long_closures_out():
    t = np.arange(60) / 30.0
    blink = np.zeros(60, bool)
    blink[5:9] = True  # 0.13 s: a blink
    blink[20:50] = True  # 1 s: lowered lids, not a blink
    out = short_blinks(t, blink, 0.5)
    assert out[5:9].all() and not out[20:50].any()


def cue_json(**kw):
    base = Cue(cue="gaze_aversion", start_s=1.0, apex_s=1.2, end_s=1.8, intensity=0.5,
               confidence=0.9, direction="left").to_json()
    return {**base, **kw}


def test_cue_json_round_trip_and_catalogue():
    c = Cue(cue="masking", start_s=1.0, apex_s=1.4, end_s=3.0, intensity=0.7, confidence=0.8,
            parts=(CuePart("masked", "anger", 1.0, 1.2, 1.4), CuePart("mask", "happiness",
                                                                      1.45, 2.0, 3.0)),
            evidence={"gap_s": 0.05})
    d = json.loads(json.dumps(c.to_json()))
    assert Cue.from_json(d) == c
    assert d["label"] == "masking" and d["duration_s"] == 2.0
    assert set(CUE_INFO) == set(CUES) == set(DEFAULT_CUE_RULES)


def judged(cue: Cue, speech: EventSpeech, profile: str = "sales-pitch") -> JudgedCue:
    return judge_cues([cue], [speech], load_profile(profile))[0]


PRICE = (TriggerHit("price", 0.5, 0.5),)


def test_rules_sales_gaze_counts_only_after_a_trigger_and_never_when_reading():
    gaze = Cue.from_json(cue_json())
    after = judged(gaze, EventSpeech(speaking=False, triggers=PRICE))
    assert after.judgement.problem is True and after.after_trigger == "price"
    assert judged(gaze, EventSpeech(speaking=False)).judgement.problem is False
    reading = judged(Cue.from_json(cue_json(direction="down")),
                     EventSpeech(speaking=True, triggers=PRICE))
    assert reading.cue.reading is True and reading.judgement.problem is False


def test_rules_poker_face_every_cue_is_a_tell_except_reading_notes():
    rules = load_profile("negotiation-poker-face").cues

    def cue(name: str, reading: bool) -> Cue:
        return Cue(cue=name, start_s=1.0, apex_s=1.2, end_s=1.8, intensity=0.5, confidence=0.9,
                   reading=reading)

    for name in CUES:
        assert is_problem(cue(name, False), None, rules[name]), name
    gaze = cue("gaze_aversion", True)
    assert not is_problem(gaze, None, rules["gaze_aversion"])
    assert not is_problem(gaze, None, CueRule("always", reading_ok=True))
    assert is_problem(gaze, None, CueRule("always", reading_ok=False))


def test_reading_without_speech_analysis_falls_back_to_the_jaw():
    down = Cue.from_json(cue_json(direction="down", reading=True))
    assert judged(down, EventSpeech(speaking=None)).cue.reading is True
    left = Cue.from_json(cue_json(direction="left", reading=True))
    assert judged(left, EventSpeech(speaking=True)).cue.reading is False


def test_after_trigger_takes_the_latest_word_before_the_cue():
    hits = (TriggerHit("price", 0.0, 1.5), TriggerHit("discount", 1.1, 0.4),
            TriggerHit("budget", 2.1, -0.6))
    assert after_trigger(hits) == "discount"
    assert after_trigger(()) is None


def test_cue_summary_counts():
    nod = Cue.from_json(cue_json())
    speech = EventSpeech(speaking=False, triggers=PRICE)
    cues = (judged(nod, speech), judged(nod, EventSpeech(speaking=False)), judged(nod, speech))
    s = compute_summary([], cues, 10.0)
    assert (s.cues, s.cue_problems, dict(s.cue_counts)) == (3, 2, {"gaze_aversion": 3})


def test_score_cues_matches_within_a_type_and_checks_direction():
    def c(name, a, b, d=None):
        return Cue(cue=name, start_s=a, apex_s=a, end_s=b, intensity=1, confidence=1,
                   direction=d)
    truth = [c("gaze_aversion", 1, 2, "left"), c("head_tilt", 5, 7, "right"),
             c("lip_press", 10, 11)]
    found = [c("gaze_aversion", 1.1, 2.1, "right"), c("gaze_aversion", 5, 7, "left"),
             c("lip_press", 10.6, 11.5)]
    s = score_cues(found, truth)
    assert (s.tp, s.fp, s.fn) == (1, 2, 2)
    assert s.label_right == 0  # the matched aversion went the other way


def action_units(n: int, **levels: np.ndarray) -> ActionUnits:
    """n frames at 30 fps, every AU at 0 except `levels` (name -> (n,) array), not talking."""
    lv = np.zeros((n, len(AU_NAMES)))
    for name, x in levels.items():
        lv[:, AU_NAMES.index(name)] = x
    return ActionUnits(t=np.arange(n) / 30.0, names=AU_NAMES, levels=lv,
                       reliable=np.ones(n, bool), blink=np.zeros(n, bool),
                       talking=np.zeros(n), options=ActionUnitOptions())


def bump(n: int, a: int, b: int, level: float) -> np.ndarray:
    x = np.zeros(n)
    x[a:b] = level
    return x


def test_tension_is_narrowed_lids_with_tightened_lips_alone():
    """Lids narrowed (AU7) with the mouth narrowed (AU23, lip tightening) and neither brows nor
    pressed lips: tension (the foreign generator's tension is mostly AU7 + AU23)."""
    n = 150
    au = action_units(n, AU7=bump(n, 30, 100, 0.6), AU23=bump(n, 30, 100, 0.4))
    found = detect_tension(au, [], CueOptions())
    assert len(found) == 1 and found[0].start_s == pytest.approx(1.0, abs=0.05)
    assert found[0].evidence["AU23"] == pytest.approx(0.4)


def test_no_tension_while_the_eyes_are_turned_away():
    """The face model reads the lids as narrowing whenever the eyes turn far away: tension is
    not read from them during a gaze aversion."""
    n = 150
    au = action_units(n, AU7=bump(n, 30, 100, 0.6), AU4=bump(n, 30, 100, 0.2))
    assert len(detect_tension(au, [], CueOptions())) == 1
    gaze = [Cue(cue="gaze_aversion", start_s=1.0, apex_s=1.1, end_s=100 / 30.0, intensity=0.5,
                confidence=0.9, direction="left")]
    averted = averted_frames(au.t, gaze)
    assert averted[30:100].all() and not averted[:25].any() and not averted[110:].any()
    assert detect_tension(au, [], CueOptions(), averted) == []


def scores_with(n: int, **rows: np.ndarray) -> EmotionScores:
    s = np.zeros((n, len(EMOTIONS)))
    for name, x in rows.items():
        s[:, EMOTIONS.index(name)] = x
    return EmotionScores(t=np.arange(n) / 30.0, names=EMOTIONS, scores=s, side=np.zeros(n),
                         reliable=np.ones(n, bool), talking=np.zeros(n))


def test_masking_gap_is_measured_from_the_smiles_start():
    """Sadness for 0.3 s, then a weak smile that starts 0.2 s later but crosses its threshold
    only 0.6 s after the sadness ended: the smile still masks it (its start is what counts)."""
    n = 150
    sad = bump(n, 30, 39, 0.5)
    smile = np.zeros(n)
    smile[45:63] = 0.06  # the rise: above 30 % of the threshold, below the threshold
    smile[63:120] = 0.2
    sc = scores_with(n, sadness=sad, happiness=smile)
    thresholds = np.full(len(EMOTIONS), 0.12)
    ev = [Event(start_s=2.1, apex_s=2.5, end_s=4.0, expression="happiness", kind="held",
                micro=False, intensity=0.5, side="both", confidence=0.8)]
    found = detect_masking(ev, sc, thresholds, CueOptions())
    assert len(found) == 1
    masked, mask = found[0].parts
    assert masked.expression == "sadness" and mask.expression == "happiness"
    assert found[0].evidence["gap_s"] == pytest.approx(0.2, abs=0.05)
    assert detect_masking(ev, sc, thresholds, CueOptions(mask_gap_s=0.1)) == []


def test_gaze_is_bridged_over_a_blink_and_the_irises_settling():
    """A blink during an aversion hides the irises for the blink plus their settling (0.67 s
    here): the gaze is interpolated across (the aversion goes on), up to `max_gap_s`."""
    n = 120
    shift = np.zeros((n, 2))
    shift[30:80, 0] = 0.1
    unseen = np.zeros(n, bool)
    unseen[45:65] = True
    ok = np.ones(n, bool)
    tr = tracks_with(n, shift, np.zeros(n))
    short = compute_gaze(tr, ok, unseen, max_gap_s=0.4)
    bridged = compute_gaze(tr, ok, unseen, max_gap_s=0.75)
    assert np.isnan(short["h"][55])
    assert bridged["h"][55] == pytest.approx(bridged["h"][40], rel=1e-6) and bridged["h"][55] > 5


def brow_tracks(n: int, raise_iod: np.ndarray) -> FaceTracks:
    """n frames whose brows (inner and outer, both sides) sit `raise_iod` (n,) inter-ocular
    distances above their rest, blendshapes all zero (a face the brow blendshapes are blind to)."""
    names = ("brow_in_r", "brow_in_l", "brow_out_r", "brow_out_l")
    tr = tracks_with(n, np.zeros((n, 2)), np.zeros(n))
    geo = 0.3 + np.repeat(raise_iod[:, None], len(names), axis=1)
    return FaceTracks(t=tr.t, found=tr.found, n_faces=tr.n_faces, blendshapes=tr.blendshapes,
                      pose=tr.pose, bbox=tr.bbox, landmarks=tr.landmarks,
                      landmark_ids=tr.landmark_ids, geometry=geo, geometry_names=names,
                      meta=tr.meta)


def test_brow_flash_from_the_landmarks_when_the_brow_blendshapes_are_blind():
    """The brows rise 0.05 inter-ocular distances (0.7 of a full raise) for 0.3 s while AU1 and
    AU2 read only 0.2 (the blendshapes stay at zero on this face): a brow flash, from the
    landmarks' rise above where the brows rest."""
    n = 300
    lift = bump(n, 150, 159, 0.05)
    tr = brow_tracks(n, lift)
    au = action_units(n, AU1=bump(n, 150, 159, 0.2), AU2=bump(n, 150, 159, 0.2))
    found = detect_brow_flash(tr, au, [], CueOptions())
    assert len(found) == 1 and found[0].start_s == pytest.approx(5.0, abs=0.05)
    assert found[0].evidence["brow_raise"] == pytest.approx(0.05 / 0.07, abs=0.01)
    assert detect_brow_flash(brow_tracks(n, np.zeros(n)), au, [], CueOptions()) == []


def test_brow_flash_while_talking_is_a_signal_unless_turned_off():
    n = 300
    tr = brow_tracks(n, bump(n, 150, 159, 0.05))
    au = action_units(n)
    au = ActionUnits(t=au.t, names=au.names, levels=au.levels, reliable=au.reliable,
                     blink=au.blink, talking=np.ones(n), options=au.options)
    assert len(detect_brow_flash(tr, au, [], CueOptions())) == 1  # a stressed word's brow flash
    assert detect_brow_flash(tr, au, [], CueOptions(brow_while_talking=False)) == []


def test_a_blink_does_not_end_a_held_tension():
    """Narrowed lids and lowered brows for 3 s with the eye AUs blanked for 0.7 s by a blink
    and its tail: one tension episode over the whole of it, not two pieces."""
    n = 180
    au7 = bump(n, 30, 120, 0.6)
    au7[60:81] = 0.0
    au = action_units(n, AU7=au7, AU4=bump(n, 30, 120, 0.3))
    found = detect_tension(au, [], CueOptions())
    assert len(found) == 1
    assert found[0].start_s == pytest.approx(1.0, abs=0.05)
    assert found[0].end_s == pytest.approx(4.0, abs=0.05)


def test_lip_press_from_the_lips_thinning_when_mouth_press_is_blind():
    """The red lips thin by 0.05 inter-ocular distances (0.6 of a full press) for 0.6 s, the
    mouth closed and AU24 only 0.2 (mouthPress stays at zero on this face): a lip press."""
    n = 300
    tr = brow_tracks(n, np.zeros(n))
    thick = 0.2 - bump(n, 150, 168, 0.05)
    tr = FaceTracks(t=tr.t, found=tr.found, n_faces=tr.n_faces, blendshapes=tr.blendshapes,
                    pose=tr.pose, bbox=tr.bbox, landmarks=tr.landmarks,
                    landmark_ids=tr.landmark_ids, geometry=thick[:, None],
                    geometry_names=("lip_thickness",), meta=tr.meta)
    au = action_units(n, AU24=bump(n, 150, 168, 0.2))
    found = detect_lip_press(tr, au, [], CueOptions())
    assert len(found) == 1 and found[0].start_s == pytest.approx(5.0, abs=0.05)
    assert found[0].evidence["pressed"] == pytest.approx(0.05 / 0.08, abs=0.01)
    assert found[0].evidence["AU24"] == pytest.approx(0.2, abs=0.02)  # it read: it is said
    opened = action_units(n, AU24=bump(n, 150, 168, 0.2), AU26=bump(n, 140, 180, 0.5))
    assert detect_lip_press(tr, opened, [], CueOptions()) == []


def test_brow_flash_lifts_the_lids_a_little_surprise_lifts_them_beyond_the_brows_pull():
    n = 300
    tr = brow_tracks(n, np.zeros(n))

    def flash(lids: float) -> list[Cue]:
        au = action_units(n, AU1=bump(n, 150, 159, 0.9), AU2=bump(n, 150, 159, 0.9),
                          AU5=bump(n, 150, 159, lids))
        return detect_brow_flash(tr, au, [], CueOptions())

    assert len(flash(0.55)) == 1  # the brows' pull on the upper lids
    assert flash(0.9) == []  # lids raised beyond it: surprise, not a brow flash
