"""Pure units of the class-agnostic spotter (movement, unnamed episodes) and of the per-person
speech model, on synthetic arrays."""

import numpy as np
import pytest

from mirror.events.detect import (
    detect_events,
    extend_bounds,
    movement_onset,
    nameable,
    trim_to_leader,
    trim_to_own,
)
from mirror.events.model import UNNAMED
from mirror.events.movement import MOVE_LEVEL, compute_movement, describe_movement
from mirror.expressions.actions import (
    AU_NAMES,
    ActionUnitOptions,
    ActionUnits,
    detect_blinks,
    extend_decay,
)
from mirror.expressions.emotions import compute_emotion_scores
from mirror.expressions.talking import explain_jaw, explain_talking, fit_jaw_model
from mirror.profiles import SpotOptions
from mirror.signal import held_above

FPS = 30.0


def bump(n: int, at: int, width: int, height: float) -> np.ndarray:
    s = np.zeros(n)
    s[at:at + width] = height * np.sin(np.linspace(0, np.pi, width + 2)[1:-1])
    return s


def action_units(n: int, levels: dict[str, np.ndarray], talking: np.ndarray | None = None
                 ) -> ActionUnits:
    """ActionUnits with the given AUs (both sides and their mean set alike), the rest at 0."""
    cols = np.zeros((n, len(AU_NAMES)))
    for name, x in levels.items():
        for col in (name, f"{name}_r", f"{name}_l"):
            if col in AU_NAMES:
                cols[:, AU_NAMES.index(col)] = x
    return ActionUnits(t=np.arange(n) / FPS, names=AU_NAMES, levels=cols,
                       reliable=np.ones(n, bool), blink=np.zeros(n, bool),
                       talking=np.zeros(n) if talking is None else talking,
                       options=ActionUnitOptions())


# --- the speech model ---------------------------------------------------------------------------

def test_jaw_model_learns_what_the_jaw_brings_and_keeps_what_it_does_not():
    rng = np.random.default_rng(0)
    n = 900
    jaw = np.clip(rng.normal(0.3, 0.2, n), 0, None)
    coupled = 0.6 * jaw + rng.normal(0, 0.01, n)  # the nose wings ride on this face's jaw
    expression = bump(n, 400, 15, 0.5)
    out = explain_jaw(jaw, coupled + expression, np.ones(n, bool))
    outside = np.r_[0:390, 420:n]
    assert np.quantile(out[outside], 0.9) < 0.06  # the jaw's share is gone
    assert out[400:415].max() > 0.4  # the expression stands


def test_jaw_model_is_non_decreasing_and_empty_without_frames():
    rng = np.random.default_rng(1)
    jaw = rng.uniform(0, 1, 600)
    model = fit_jaw_model(jaw, 0.5 * jaw, np.ones(600, bool))
    assert np.all(np.diff(model.level) >= 0)
    empty = fit_jaw_model(jaw[:10], jaw[:10], np.ones(10, bool))
    assert empty.jaw.size == 0 and np.all(empty.expected(jaw) == 0)


def test_talking_range_removes_syllables_but_not_a_smile_held_through_a_phrase():
    n = 900
    t = np.arange(n) / FPS
    talking = np.ones(n)
    syllables = 0.3 * np.clip(np.sin(2 * np.pi * 4 * t), 0, None)  # 4 Hz lip shapes
    held = np.zeros(n)
    held[300:390] = 0.6  # a 3 s smile while talking
    level = syllables + held
    slow = np.array([np.median(level[max(0, i - 15):i + 16]) for i in range(n)])
    out = explain_talking(level, talking, quantile=0.9, slow=slow)
    assert out[np.r_[0:290, 400:n]].max() < 0.05
    assert out[310:380].min() > 0.3
    # without talking nothing changes
    assert np.array_equal(explain_talking(level, np.zeros(n), quantile=0.9, slow=slow), level)


# --- blinks -------------------------------------------------------------------------------------

def test_blink_tail_is_bridged_while_the_eye_measure_decays():
    mask = np.zeros(20, bool)
    mask[5:7] = True
    level = np.r_[np.zeros(5), 1.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.35, 0.5, np.zeros(7)]
    out = extend_decay(mask, level, max_frames=15)
    assert out[5:11].all()  # 1.0 -> 0.3 falling: the blink's tail
    assert not out[11]  # rising again: a squint of its own, not the blink


def test_a_half_seen_blink_is_found_by_its_speed():
    from mirror.expressions.neutral import Neutral
    from mirror.face.features import GEOMETRY_NAMES
    from mirror.tracks import BS, FaceTracks

    n = 30
    geo = np.ones((n, len(GEOMETRY_NAMES)), np.float32)
    i_r, i_l = GEOMETRY_NAMES.index("eye_open_r"), GEOMETRY_NAMES.index("eye_open_l")
    geo[10, [i_r, i_l]] = 0.64  # the lids close at blink speed, but only a third of the way
    geo[11, [i_r, i_l]] = 0.7
    tracks = FaceTracks(t=np.arange(n) / FPS, found=np.ones(n, bool),
                        blendshapes=np.zeros((n, len(BS)), np.float32), geometry=geo,
                        geometry_names=GEOMETRY_NAMES, pose=np.zeros((n, 6), np.float32),
                        bbox=np.zeros((n, 4), np.float32), n_faces=np.ones(n, np.int8),
                        landmarks=np.zeros((n, 0, 3), np.float32), landmark_ids=(),
                        meta={})
    neutral = Neutral(blendshapes=np.zeros(len(BS)), geometry=np.ones(len(GEOMETRY_NAMES)),
                      blendshape_spread=np.full(len(BS), 0.01),
                      geometry_spread=np.full(len(GEOMETRY_NAMES), 0.01),
                      pose=np.zeros(6), frame_index=0, source="estimated")
    blink = detect_blinks(tracks, neutral, ActionUnitOptions())
    assert blink[10] and not blink[0] and not blink[25]


# --- movement and unnamed episodes --------------------------------------------------------------

def test_brows_raised_alone_and_mouth_shapes_while_talking_are_not_movement():
    n = 300
    brows = action_units(n, {"AU1": bump(n, 100, 12, 0.9), "AU2": bump(n, 100, 12, 0.9)})
    assert compute_movement(brows).max() == 0.0
    talking = np.ones(n)
    mouth = action_units(n, {"AU20": bump(n, 100, 12, 0.9)}, talking=talking)
    assert compute_movement(mouth).max() == 0.0
    quiet = action_units(n, {"AU20": bump(n, 100, 12, 0.9)})
    assert compute_movement(quiet).max() == pytest.approx(0.9 / MOVE_LEVEL, rel=0.05)


def test_a_strong_movement_no_prototype_fits_is_reported_unnamed_with_what_moved():
    n = 300
    # a pucker with lowered, drawn-together brows: no emotion's prototype
    au = action_units(n, {"AU4k": bump(n, 100, 14, 0.8), "AU23": bump(n, 100, 14, 0.7)})
    scores = compute_emotion_scores(au)
    events = detect_events(scores, au, SpotOptions())
    assert len(events) == 1
    (e,) = events
    assert e.expression == UNNAMED
    assert "brows drawn together" in e.description and "lips tightened" in e.description
    assert 3.2 < e.apex_s < 3.9 and e.kind == "leak"


def test_a_prototype_is_named_not_unnamed():
    n = 300
    au = action_units(n, {"AU1": bump(n, 100, 12, 0.7), "AU15": bump(n, 100, 12, 0.6)})
    events = detect_events(compute_emotion_scores(au), au, SpotOptions())
    assert [e.expression for e in events] == ["sadness"]
    assert "lip corners pulled down" in events[0].description


def test_the_sad_brow_alone_is_sadness_but_with_the_outer_brows_or_the_lids_it_is_not():
    # inner brows raised and drawn together (1+4, the 1+4+11 variant without a measurable 11)
    n = 300

    def named(**aus: float) -> list[str]:
        au = action_units(n, {k: bump(n, 100, 20, v) for k, v in aus.items()})
        return [e.expression for e in detect_events(compute_emotion_scores(au), au, SpotOptions())]

    assert named(AU1=0.5, AU4k=0.3) == ["sadness"]
    assert named(AU1=0.5) == []  # the inner brows alone: no emotion, no movement
    assert named(AU1=0.5, AU2=0.5, AU4k=0.3) != ["sadness"]  # fear's brows raise the outer too
    assert named(AU1=0.5, AU4k=0.3, AU5=0.5) != ["sadness"]  # ... and its lids


def test_a_two_frame_flash_at_25_fps_is_named_but_a_two_frame_movement_is_not():
    # 0.08 s: the foreign set's and many webcams' 25 fps show a micro flash in two frames; an
    # unnamed movement has one action unit's evidence for itself and needs 0.1 s
    from dataclasses import replace

    n = 250

    def found(aus: dict[str, float], width: int) -> list[str]:
        au = action_units(n, {k: bump(n, 100, width, v) for k, v in aus.items()})
        au = replace(au, t=np.arange(n) / 25.0)
        return [e.expression for e in detect_events(compute_emotion_scores(au), au, SpotOptions())]

    assert found({"AU6": 0.6, "AU12": 0.6}, 2) == ["happiness"]
    assert found({"AU6": 0.6, "AU12": 0.6}, 1) == []
    assert found({"AU23": 0.9}, 2) == []
    assert found({"AU23": 0.9}, 3) == [UNNAMED]


def test_describe_movement_joins_pairs_and_orders_by_strength():
    assert describe_movement({"AU1": 0.5, "AU2": 0.4, "AU20": 0.6}) == \
        "lips stretched and brows raised"
    assert describe_movement({"AU4": 0.3, "AU4k": 0.2, "AU9": 0.1}) == \
        "brows lowered and drawn together"
    assert describe_movement({"AU12": 0.05}) == ""


def test_unnamed_movements_are_neither_hits_nor_false_alarms_in_scoring():
    from mirror.evaluate import score_events
    from mirror.events.model import Event

    truth = [Event(1.0, 1.2, 1.4, "fear", "leak", True, 0.5, "both")]
    unnamed = Event(1.0, 1.2, 1.4, UNNAMED, "leak", True, 0.5, "both", description="x")
    s = score_events([unnamed], truth)
    assert (s.tp, s.fp, s.fn) == (0, 0, 1)


# --- issue 12, session 4: blinks inside a frown, blends, smiles while talking ----------------------

def _tracks_with(n: int, bs: dict[str, np.ndarray], geo: dict[str, np.ndarray]):
    from mirror.expressions.neutral import Neutral
    from mirror.face.features import GEOMETRY_NAMES
    from mirror.tracks import BS, FaceTracks

    blend = np.zeros((n, len(BS)), np.float32)
    for name, x in bs.items():
        blend[:, BS[name]] = x
    g = np.ones((n, len(GEOMETRY_NAMES)), np.float32)
    for name, x in geo.items():
        g[:, GEOMETRY_NAMES.index(name)] = x
    tracks = FaceTracks(t=np.arange(n) / FPS, found=np.ones(n, bool), blendshapes=blend,
                        geometry=g, geometry_names=GEOMETRY_NAMES,
                        pose=np.zeros((n, 6), np.float32), bbox=np.zeros((n, 4), np.float32),
                        n_faces=np.ones(n, np.int8), landmarks=np.zeros((n, 0, 3), np.float32),
                        landmark_ids=(), meta={})
    neutral = Neutral(blendshapes=np.zeros(len(BS)), geometry=np.ones(len(GEOMETRY_NAMES)),
                      blendshape_spread=np.full(len(BS), 0.01),
                      geometry_spread=np.full(len(GEOMETRY_NAMES), 0.01),
                      pose=np.zeros(6), frame_index=0, source="estimated")
    return tracks, neutral


def test_a_blink_inside_a_frown_does_not_cut_the_frown_but_still_hides_the_lids():
    from mirror.expressions.actions import compute_action_units

    n = 90
    frown = np.zeros(n)
    frown[20:70] = 0.4  # browDown held 1.7 s ...
    closed = np.ones(n)
    closed[40:46] = 0.1  # ... with a 0.2 s blink in it (0.33 s with its widening)
    blink_bs = np.where(closed < 0.5, 0.9, 0.0)
    tracks, neutral = _tracks_with(
        n, {"browDownLeft": frown, "browDownRight": frown, "eyeBlinkLeft": blink_bs,
            "eyeBlinkRight": blink_bs},
        {"eye_open_r": closed, "eye_open_l": closed})
    au = compute_action_units(tracks, neutral)
    assert au.blink[40:46].all()
    assert au["AU4"][38:50].min() > 0.5 * au["AU4"][30]  # bridged: one frown
    shut = closed.copy()
    shut[35:60] = 0.1  # eyes squeezed shut for 0.8 s: no blink, the brows are measured as they are
    tracks, neutral = _tracks_with(
        n, {"browDownLeft": frown, "browDownRight": frown},
        {"eye_open_r": shut, "eye_open_l": shut})
    au = compute_action_units(tracks, neutral)
    assert au.blink[40:55].all() and au["AU4"][40:55].min() > 0.5 * au["AU4"][30]


def test_leads_of_one_display_are_joined_and_two_expressions_in_a_row_kept_apart():
    from mirror.events.detect import join_blends

    m = 40
    ratio = np.zeros((m, 7))
    scores = np.zeros((m, 7))
    # fear (2) leads, loses its lip stretch at frame 20 and surprise (1) leads; fear stays above
    # its threshold throughout: one display
    ratio[:, 2] = np.r_[np.full(20, 2.0), np.full(20, 1.3)]
    ratio[:, 1] = np.r_[np.full(20, 1.2), np.full(20, 2.0)]
    scores[:, 2], scores[:, 1] = 0.3 * ratio[:, 2], 0.25 * ratio[:, 1]
    leads = [(0, 19, 2), (20, 39, 1)]
    assert join_blends(leads, scores, ratio) == [(0, 39, 2)]
    # anger (3) fades before happiness (0) leads: two expressions
    ratio[:] = 0.0
    ratio[:, 3] = np.r_[np.full(20, 2.0), np.linspace(0.9, 0.0, 20)]
    ratio[:, 0] = np.r_[np.linspace(0.0, 0.9, 20), np.full(20, 2.0)]
    assert join_blends([(0, 19, 3), (20, 39, 0)], ratio, ratio) == [(0, 19, 3), (20, 39, 0)]


def test_a_smile_that_lifts_the_cheeks_needs_no_extra_evidence_while_talking():
    from mirror.events.detect import compute_thresholds, spotter_options

    n = 60
    talking = np.ones(n)
    flash = np.zeros(n)
    flash[20:35] = 0.3  # half a second: not yet a smile held through the sentence
    lips_only = compute_emotion_scores(action_units(n, {"AU12": flash}, talking))
    with_cheeks = compute_emotion_scores(action_units(
        n, {"AU12": flash, "AU6": np.full(n, 0.4)}, talking))
    opts = spotter_options(SpotOptions())
    k = lips_only.names.index("happiness")
    thr_lips = compute_thresholds(lips_only, opts)[20:35, k]
    thr_cheeks = compute_thresholds(with_cheeks, opts)[20:35, k]
    assert thr_cheeks.max() < thr_lips.min()  # speech spreads the lips but does not lift cheeks
    k = lips_only.names.index("disgust")  # other mouth emotions keep their speech penalty
    assert compute_thresholds(with_cheeks, opts)[0, k] == compute_thresholds(lips_only, opts)[0, k]


def test_a_blink_alone_moves_no_nose_wings_nor_upper_lip():
    from mirror.expressions.actions import compute_action_units

    n = 60
    closed = np.ones(n)
    closed[25:31] = 0.1
    rides = np.where(closed < 0.5, 0.4, 0.0)  # the mesh's nose and lip follow the closing lids
    tracks, neutral = _tracks_with(
        n, {"noseSneerLeft": rides, "noseSneerRight": rides, "mouthUpperUpLeft": rides,
            "mouthUpperUpRight": rides},
        {"eye_open_r": closed, "eye_open_l": closed})
    au = compute_action_units(tracks, neutral)
    assert au["AU9"].max() == 0.0 and au["AU10"].max() == 0.0


def test_an_episode_starts_where_its_action_units_start_moving():
    n = 300
    # brows up from frame 100; the upper lids follow later, so the surprise score (which needs
    # the lids raised as far as the brows) opens only well into the display
    au = action_units(n, {"AU1": bump(n, 100, 24, 0.8), "AU2": bump(n, 100, 24, 0.8),
                          "AU5": bump(n, 108, 16, 0.8)})
    scores = compute_emotion_scores(au)
    first_scored = int(np.flatnonzero(scores["surprise"] > 0.12)[0])
    (e,) = detect_events(scores, au, SpotOptions())
    assert e.expression == "surprise"
    assert e.start_s <= 102 / FPS < first_scored / FPS - 0.1


def test_movement_onset_walks_down_the_rise_and_stops_at_a_valley():
    m = np.r_[np.zeros(5), bump(20, 2, 8, 0.6)[:12], np.zeros(3),
              np.linspace(0.1, 1.0, 10), np.linspace(1.0, 0.0, 10), np.zeros(5)]
    top = int(np.argmax(m))
    rise = int(np.flatnonzero(m[:top] == 0)[-1]) + 1  # the second bump's first moved frame
    assert movement_onset(m, top - 2, top + 3) == rise
    assert movement_onset(m, top - 2, top + 3, max_frames=4) == top - 6
    assert movement_onset(np.zeros(50), 20, 30) == 20


def test_a_one_sided_pull_held_through_speech_is_contempt_but_a_syllable_is_not():
    n, talking = 300, np.ones(300)
    held = action_units(n, {"AU12_r": bump(n, 100, 30, 0.28)}, talking=talking)
    events = detect_events(compute_emotion_scores(held), held, SpotOptions())
    assert [e.expression for e in events] == ["contempt"]
    syllable = action_units(n, {"AU12_r": bump(n, 100, 6, 0.28)}, talking=talking)
    assert detect_events(compute_emotion_scores(syllable), syllable, SpotOptions()) == []


def test_a_smile_held_through_a_sentence_is_a_smile_but_syllables_spreading_the_lips_are_not():
    # talking throughout: the lip corners held up for 3 s, dipping with each syllable (never
    # below 0.12), against the same peaks on syllables that come and go (down to 0 each time)
    n, talking = 300, np.ones(300)
    held = np.zeros(n)
    held[60:150] = 0.22 + 0.1 * np.sin(np.arange(90) * 2 * np.pi / 8)
    syllables = np.zeros(n)
    syllables[60:150] = np.clip(0.32 * np.sin(np.arange(90) * 2 * np.pi / 16), 0, None)
    au = action_units(n, {"AU12": held}, talking=talking)
    (e,) = detect_events(compute_emotion_scores(au), au, SpotOptions())
    assert (e.expression, e.kind) == ("happiness", "held")
    assert abs(e.start_s - 60 / FPS) < 0.1 and abs(e.end_s - 150 / FPS) < 0.1
    au = action_units(n, {"AU12": syllables}, talking=talking)
    assert detect_events(compute_emotion_scores(au), au, SpotOptions()) == []


def test_the_lids_are_not_read_while_the_eyes_are_turned_away():
    # the landmark model reads the lids from the eye's outline, which the eyes turned in the head
    # change: a glance aside or down is not narrowed (anger) or widened (fear) lids
    from test_cues_units import tracks_with

    from mirror.expressions.actions import lids_seen

    n = 200  # looking where they rest for most of it
    shift = np.zeros((n, 2))
    shift[110:140, 0] = 0.05  # the irises a twentieth of an eye width aside: about 7 degrees
    shift[140:170, 0] = 0.1  # a tenth: about 14.5 degrees
    shift[170:, 1] = 0.1  # down (vertical offsets count double): 30 degrees
    seen = lids_seen(tracks_with(n, shift, np.zeros(n)), np.ones(n, bool), max_gap_s=0.5)
    assert seen[:140].min() == 1.0  # at rest and within 8 degrees: read as they are
    assert seen[140:170] == pytest.approx(1 - (14.48 - 8) / 8, abs=0.01)
    assert seen[170:].max() == 0.0


def test_brows_lowered_with_the_nose_wrinkled_are_disgust_not_anger():
    # while talking (disgust's threshold raised), brows lowered and lids tightened with the nose
    # wrinkled and the upper lip raised: the nose wrinkler lowers the brows itself
    n, talking = 300, np.ones(300)
    face = {"AU4": bump(n, 100, 60, 0.4), "AU7": bump(n, 100, 60, 0.3)}
    au = action_units(n, face, talking=talking)
    assert [e.expression for e in detect_events(compute_emotion_scores(au), au,
                                                SpotOptions())] == ["anger"]
    au = action_units(n, face | {"AU9": bump(n, 100, 60, 0.4), "AU10": bump(n, 100, 60, 0.28)},
                      talking=talking)
    assert [e.expression for e in detect_events(compute_emotion_scores(au), au,
                                                SpotOptions())] == ["disgust"]


def test_held_above_keeps_only_stretches_long_enough():
    t = np.arange(100) / FPS
    score = np.zeros(100)
    score[10:16] = 0.3  # 0.2 s: a syllable
    score[40:70] = 0.3  # 1 s: held
    held = held_above(t, score, 0.2, min_s=0.4)
    assert not held[:30].any() and held[40:70].all() and not held[71:].any()


def test_an_interval_is_named_by_an_emotion_that_reaches_its_threshold():
    scores = np.zeros((20, 7))
    ratio = np.zeros((20, 7))
    scores[:, 4], ratio[:, 4] = 0.2, 0.9  # weak evidence all along, never at its threshold
    scores[8:11, 0], ratio[8:11, 0] = 0.5, 3.0  # a strong, brief one
    named = nameable(scores, ratio)
    assert named[:, 4].max() == 0.0 and named[9, 0] == 0.5
    assert np.array_equal(nameable(scores[:, :], np.minimum(ratio, 0.5)), scores)


def test_brows_raised_with_the_jaw_dropped_beyond_speech_is_surprise_mid_sentence():
    n = 600
    t = np.arange(n) / FPS
    talking = np.ones(n)
    syllables = 0.5 * np.clip(np.sin(2 * np.pi * 4 * t), 0, None)  # this face's talking jaw
    brows = bump(n, 300, 10, 0.45)
    dropped = syllables.copy()
    dropped[300:310] = np.maximum(dropped[300:310], bump(n, 300, 10, 1.0)[300:310])

    def surprise(jaw: np.ndarray, brows_up: np.ndarray) -> float:
        au = action_units(n, {"AU1": brows_up, "AU2": brows_up, "AU26": jaw}, talking=talking)
        return float(compute_emotion_scores(au)["surprise"].max())

    assert surprise(dropped, brows) > 0.3  # the jaw dropped twice as far as syllables take it
    assert surprise(syllables, brows) < 0.05  # a conversational brow raise on a syllable
    assert surprise(dropped, 0.15 * brows) < 0.05  # an "O" with the brows barely raised


def test_an_interval_is_named_in_units_of_each_emotions_threshold():
    # while talking, a cheek-raising smile flash (its threshold barely raised) followed by a nose
    # wing rise held a little longer (the speech penalty triples disgust's threshold): more raw
    # disgust score in the interval, but the smile stands far higher above its own threshold
    n, talking = 300, np.ones(300)
    nose = np.zeros(n)
    nose[104:116] = 0.4
    au = action_units(n, {"AU12": bump(n, 100, 4, 0.9), "AU6": bump(n, 100, 4, 0.5),
                          "AU9": nose}, talking=talking)
    events = detect_events(compute_emotion_scores(au), au, SpotOptions())
    assert [e.expression for e in events] == ["happiness"]
    assert events[0].end_s < 105 / FPS  # the nose wings' tail is not the smile's


def test_a_run_loses_its_ends_where_another_nameable_emotion_leads():
    named = np.zeros((10, 7))
    named[2:5, 0] = [2.0, 4.0, 2.0]  # a smile flash
    named[0:2, 4] = 0.5  # disgust leading before it and after it, under its threshold
    named[5:10, 4] = [1.0, 0.8, 0.6, 0.4, 0.3]
    assert trim_to_leader(named, 0, 9, 0) == (2, 4)
    named[6, 0] = 1.2  # the smile back above its threshold: kept up to there
    assert trim_to_leader(named, 0, 9, 0) == (2, 6)


def test_an_episode_does_not_start_with_another_emotions_faint_stirring():
    # the nose wings stir for half a second before a smile flash, far under disgust's
    # threshold: the interval found on all emotions together starts there, the smile does not
    n = 300
    nose = np.zeros(n)
    nose[85:104] = 0.08
    au = action_units(n, {"AU12": bump(n, 100, 8, 0.6), "AU6": bump(n, 100, 8, 0.4),
                          "AU9": nose})
    (e,) = detect_events(compute_emotion_scores(au), au, SpotOptions())
    assert e.expression == "happiness"
    assert 99 / FPS <= e.start_s <= 101 / FPS  # the smile's own rise (it began at 84 / FPS)


def test_trim_to_own_drops_the_ends_below_a_fraction_of_the_own_peak():
    r = np.array([0.05, 0.1, 0.5, 2.0, 1.0, 0.3, 0.1])
    assert trim_to_own(r, 0, 6, low_fraction=0.1, end_fraction=0.1) == (2, 5)
    assert trim_to_own(r, 0, 6, low_fraction=0.0, end_fraction=0.0) == (0, 6)
    assert trim_to_own(r, 0, 6, low_fraction=0.1) == (2, 4)  # the tail: to a quarter of the peak
    assert trim_to_own(np.zeros(5), 0, 4, low_fraction=0.1) == (0, 4)  # nothing to trim to


def test_an_episode_ends_where_its_score_has_fallen_to_a_quarter_of_its_apex():
    # a flash of 6 frames whose score then decays slowly over 20 frames (the landmark model's
    # action units settling): the episode ends on the decay's way down, not in its faint tail
    s = np.zeros(60)
    s[10:16] = [0.2, 0.6, 1.0, 1.0, 0.8, 0.5]
    s[16:36] = 0.45 * 0.85 ** np.arange(20)
    first, last = extend_bounds(s, 11, 12, 15)
    assert first == 10
    assert s[last] > 0.25 * s[12] >= s[last + 1]
    assert extend_bounds(s, 11, 12, 15, end_floor=0.05)[1] > last + 5  # the old walk


def test_one_corner_raised_above_the_other_is_contempt_but_one_pulled_down_is_not():
    # both corners drop together with the jaw by more than the pull (syllables move them alike);
    # their height difference stays quiet, and a one-sided raise of 0.02 stands out in it
    from mirror.expressions.actions import compute_action_units
    from mirror.profiles import SpotOptions as Spot

    n = 300
    rng = np.random.default_rng(3)
    common = 1.0 - 0.03 * np.abs(np.sin(np.arange(n) * np.pi / 8)) + rng.normal(0, 0.001, n)
    common[140:170] = 1.0 + rng.normal(0, 0.001, 30)  # the jaw at rest around the pull
    pull = np.zeros(n)
    pull[150:160] = 0.02

    def contempt_events(left: np.ndarray, right: np.ndarray) -> list[str]:
        tracks, neutral = _tracks_with(n, {}, {"corner_up_l": left, "corner_up_r": right})
        au = compute_action_units(tracks, neutral)
        return [f"{e.expression}:{e.side}" for e in detect_events(compute_emotion_scores(au), au,
                                                                    Spot())
                if e.expression == "contempt"]

    assert contempt_events(common + pull, common) == ["contempt:left"]
    assert contempt_events(common, common - pull) == []


def test_the_whole_mouth_pulled_to_one_side_is_a_movement_not_contempt():
    # one corner raised above the other, as in contempt; with the whole mouth shifted to that
    # side (MediaPipe's mouthLeft), it is a mouth twist: reported, in words, under no emotion
    from mirror.expressions.actions import compute_action_units
    from mirror.profiles import SpotOptions as Spot

    n = 300
    pull = np.ones(n)
    pull[120:180] += 0.04

    def events(shift: float) -> list[tuple[str, str]]:
        tracks, neutral = _tracks_with(n, {"mouthLeft": (pull - 1.0) / 0.04 * shift},
                                       {"corner_up_l": pull, "corner_up_r": np.ones(n)})
        au = compute_action_units(tracks, neutral)
        return [(e.expression, e.description)
                for e in detect_events(compute_emotion_scores(au), au, Spot())]

    assert [e for e, _ in events(0.0)] == ["contempt"]  # the corner alone
    assert [e for e, _ in events(0.1)] == ["contempt"]  # a dimpler drags the mouth a little
    (name, words), = events(0.8)
    assert name == "unnamed" and words.startswith("mouth pulled to one side")


def test_a_brief_movement_keeps_its_own_extent_when_another_unit_drifts_on_after_it():
    # lips tightened for 0.2 s, then the mouth drifts slightly to one side (under a clear
    # movement) until a smile: the movement ends with the tightening, apart from the smile
    n = 300
    drift = np.zeros(n)
    drift[104:160] = 0.35
    au = action_units(n, {"AU23": bump(n, 100, 6, 0.6), "sideways": drift,
                          "AU12": bump(n, 160, 60, 0.8), "AU6": bump(n, 160, 60, 0.5)})
    events = detect_events(compute_emotion_scores(au), au, SpotOptions())
    assert [e.expression for e in events] == [UNNAMED, "happiness"]
    assert events[0].end_s < 3.8 and "lips tightened" in events[0].description


def test_a_one_sided_raise_is_described_in_the_episode_and_in_words():
    from mirror.events.movement import describe_movement
    from mirror.report.fmt import evidence_text

    assert describe_movement({"AU12d": 0.5, "AU6": 0.2}) == "one lip corner pulled up and cheeks raised"
    text = evidence_text({"AU12d": 0.53, "AU24": 0.4, "AU24_r": 0.44, "AU24_l": 0.34})
    assert text.startswith("one lip corner pulled up, 53 % of a full one-sided pull (AU12d 0.53)")
    assert "lips pressed, 40 % of a full press (AU24 0.4; right 44 %, left 34 %)" in text
    assert evidence_text({"sideways": 1.2}) == ("mouth pulled to one side, 120 % of a full shift"
                                                " (sideways 1.2)")
    assert evidence_text({"pressed": 0.54}) == ("lips pressed or thinned, 54 % of a full press"
                                                " (pressed 0.54)")


def test_a_recording_smiling_throughout_has_no_relaxed_neutral_and_says_so():
    from mirror.expressions.neutral import estimate_neutral, not_relaxed

    n = 300
    calm, _ = _tracks_with(n, {"mouthSmileLeft": bump(n, 150, 30, 0.8)}, {})
    assert not_relaxed(estimate_neutral(calm)) == ""
    # smiling in 80 % of the frames: the calmest 40 % are smiles too
    smiling = np.where(np.arange(n) < 240, 0.55, 0.0)
    tracks, _ = _tracks_with(n, {"mouthSmileLeft": smiling, "mouthSmileRight": smiling}, {})
    assert not_relaxed(estimate_neutral(tracks)) == "smiling"
    raised, _ = _tracks_with(n, {"mouthUpperUpRight": np.full(n, 0.4)}, {})
    assert not_relaxed(estimate_neutral(raised)) == "with the upper lip raised"


def test_inner_brows_raised_without_the_outer_are_fear_not_surprise():
    # lids raised and the jaw dropped (12 frames, 0.4 s): the whole brow raised in a curve is
    # surprise; the inner brows raised with the outer ones left behind are fear's brows
    n = 300
    face = {"AU5": bump(n, 150, 12, 0.4), "AU26": bump(n, 150, 12, 1.0)}

    def named(au1: float, au2: float, **more: np.ndarray) -> list[str]:
        au = action_units(n, face | {"AU1": bump(n, 150, 12, au1), "AU2": bump(n, 150, 12, au2)}
                          | more)
        return [e.expression for e in detect_events(compute_emotion_scores(au), au, SpotOptions())]

    assert named(0.6, 0.4) == ["surprise"]
    assert named(0.6, 0.2) == ["surprise"]  # the outer brows a third of the inner: still a curve
    assert named(0.6, 0.02) == ["fear"]
    assert named(0.15, 0.0) == ["fear"]  # weak, but no surprise brow either
    # the same with the lips pushed forward into an "O": neither
    assert named(0.6, 0.02, AU18=bump(n, 150, 12, 1.0)) in ([], ["unnamed"])


def test_a_nose_wrinkle_held_through_a_sentence_is_one_disgust_not_pieces():
    # talking throughout: the nose wrinkled for 3 s, dipping with the syllables (0.17-0.33),
    # never reaches disgust's talking threshold (0.37): a held display all the same. Nose
    # wings that ride on syllables (down to 0 each time) are no disgust.
    n, talking = 300, np.ones(300)
    held = np.zeros(n)
    held[60:150] = 0.25 + 0.08 * np.sin(np.arange(90) * 2 * np.pi / 8)
    au = action_units(n, {"AU9": held}, talking=talking)
    (e,) = detect_events(compute_emotion_scores(au), au, SpotOptions())
    assert (e.expression, e.kind) == ("disgust", "held")
    assert abs(e.start_s - 60 / FPS) < 0.15 and abs(e.end_s - 150 / FPS) < 0.15
    syllables = np.zeros(n)
    syllables[60:150] = np.clip(0.33 * np.sin(np.arange(90) * 2 * np.pi / 16), 0, None)
    au = action_units(n, {"AU9": syllables}, talking=talking)
    assert detect_events(compute_emotion_scores(au), au, SpotOptions()) == []


def test_nose_wings_stretched_by_a_wide_jaw_under_raised_brows_are_not_disgust():
    n = 300

    def held(level: float) -> np.ndarray:
        return np.where((np.arange(n) >= 150) & (np.arange(n) < 180), level, 0.0)

    face = {"AU9": held(0.35), "AU26": held(1.0)}
    au = action_units(n, face | {"AU1": held(0.4), "AU2": held(0.2)})
    assert float(compute_emotion_scores(au)["disgust"].max()) == 0.0
    au = action_units(n, face)
    assert float(compute_emotion_scores(au)["disgust"].max()) > 0.3


def test_one_display_is_one_episode_and_a_surprise_over_a_smile_stays_two():
    from mirror.events.detect import Span, merge_displays

    n = 200
    # the lip corners and the upper lip raised throughout frames 20-150 (a laugh): the mouth moves
    # at both apexes, and the two spans (happiness 0, then disgust 4) overlap
    au = action_units(n, {"AU12": bump(n, 20, 130, 0.8), "AU10": bump(n, 20, 130, 0.5),
                          "AU1": bump(n, 160, 30, 0.6), "AU2": bump(n, 160, 30, 0.6)})
    scores = compute_emotion_scores(au)
    ratio = np.zeros((n, 7))
    ratio[20:100, 0], ratio[90:150, 4] = 3.0, 1.5
    laugh = merge_displays([Span(20, 60, 100, 0), Span(90, 120, 150, 4)], scores, ratio, au,
                           merge_gap_s=0.5)
    assert laugh == [Span(20, int(np.argmax(scores.scores[20:151, 0])) + 20, 150, 0)]
    # the same emotion again within the merge gap (0.3 s): one episode
    again = merge_displays([Span(20, 40, 60, 0), Span(69, 80, 100, 0)], scores, ratio, au,
                           merge_gap_s=0.5)
    assert [(s.first, s.last, s.k) for s in again] == [(20, 100, 0)]
    # ... but not beyond it, nor two emotions that only follow each other
    assert len(merge_displays([Span(20, 40, 60, 0), Span(90, 100, 110, 0)], scores, ratio, au,
                              merge_gap_s=0.5)) == 2
    # brows raised (surprise, 1) overlapping the smile's end: other regions, two displays
    apart = merge_displays([Span(20, 80, 165, 0), Span(160, 175, 190, 1)], scores, ratio, au,
                           merge_gap_s=0.5)
    assert [s.k for s in apart] == [0, 1]


def test_a_laugh_with_the_eyes_squeezed_shut_is_not_a_smile_without_the_eyes():
    from dataclasses import replace

    from mirror.events.classify import detect_posed_cues
    from mirror.profiles import PosedOptions

    n = 120
    smile = bump(n, 20, 80, 0.9)
    apex = 60
    au = action_units(n, {"AU12": smile})  # no cheek raise read anywhere (AU6 0)
    sl = slice(20, 100)

    def cues(units: ActionUnits) -> set[str]:
        return {c.name for c in detect_posed_cues(expression="happiness", t=units.t[sl],
                                                  s=smile[sl], au=units, sl=sl, apex=apex,
                                                  options=PosedOptions())}

    # eyes open, cheeks still: a smile without the eyes
    assert "no_eye_involvement" in cues(au)
    # a blink at the apex (0.2 s) says nothing about the cheeks: still flagged
    blink = np.zeros(n, bool)
    blink[apex - 3:apex + 3] = True
    assert "no_eye_involvement" in cues(replace(au, blink=blink))
    # ... but the cheeks raised around it, unreadable under the closed lids, are read beside it
    levels = au.levels.copy()
    for col in ("AU6", "AU6_r", "AU6_l"):
        levels[:, AU_NAMES.index(col)] = np.where(blink, 0.0, 0.6 * smile)
    assert "no_eye_involvement" not in cues(replace(au, levels=levels, blink=blink))
    # the eyes held shut for 0.8 s around the apex: the laugh squeezed them, the cheeks took part
    blink[apex - 12:apex + 12] = True
    assert "no_eye_involvement" not in cues(replace(au, blink=blink))
