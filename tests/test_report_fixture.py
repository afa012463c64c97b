"""A consistent analysis folder for the report tests: a generated video of a drawn face, and
hand-written events, expression tracks, face tracks and speech that agree with it.

`build_analysis(folder, ...)` is imported by the other tests/test_report*.py files; the tests here
check the fixture itself and the frame grabber on it (each frame encodes its index in two grey
blocks, so the grabbed frame can be identified).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from mirror.events.model import EMOTIONS, EVENTS_SCHEMA
from mirror.tracks import FaceTracks, save_tracks

W, H = 640, 480
SCRIPT = [
    ("opening", "good morning and thank you for making the time today"),
    ("offer", "our platform cuts your reporting work in half from the first week"),
    ("price", "the price is twelve thousand a year with a ten percent discount"),
    ("close", "shall we start the pilot next monday"),
]


def small_events() -> list[dict[str, Any]]:
    """Five episodes over 12 s: a posed held smile, a contempt micro leak after `price`, ..."""
    cue = {"name": "no_eye_involvement", "value": 0.11, "threshold": 0.25, "unit": "ratio",
           "note": "cheeks did not rise with the smile"}
    flat = {"name": "flat_plateau", "value": 0.03, "threshold": 0.06, "unit": "relative",
            "note": "the smile stayed at one level"}
    return [
        _event(1.0, 2.4, 4.0, "happiness", "held", 0.55, cues=[cue, flat], regions=["mouth"]),
        _event(6.9, 7.05, 7.25, "contempt", "leak", 0.62, side="left", regions=["mouth"]),
        _event(8.0, 8.4, 8.8, "fear", "leak", 0.4, regions=["brows", "lids"]),
        _event(9.3, 9.5, 9.7, "surprise", "leak", 0.3, regions=["brows"]),
        _event(10.6, 10.75, 10.9, "disgust", "leak", 0.5, regions=["nose"]),
    ]


def _event(start: float, apex: float, end: float, expression: str, kind: str,
           intensity: float, *, cues: list[dict[str, Any]] | None = None, side: str = "both",
           regions: list[str] | None = None) -> dict[str, Any]:
    dur = end - start
    return {"start_s": start, "apex_s": apex, "end_s": end, "duration_s": round(dur, 3),
            "expression": expression, "kind": kind, "micro": kind == "leak" and dur <= 0.5,
            "intensity": intensity, "side": side, "posed_cues": cues or [],
            "regions": regions or ["mouth"], "confidence": 0.8,
            "evidence": {"AU12": round(intensity, 2)}}


def many_events(n: int, duration: float, seed: int = 4) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        start = float(rng.uniform(0.2, duration - 3.5))
        held = rng.random() < 0.2
        dur = float(rng.uniform(1.2, 3.0) if held else rng.uniform(0.15, 0.9))
        emo = str(rng.choice(EMOTIONS))
        cues = ([{"name": "asymmetry", "value": 0.5, "threshold": 0.35, "unit": "ratio",
                  "note": "one side moved more"}] if held and rng.random() < 0.5 else [])
        out.append(_event(round(start, 2), round(start + dur * 0.4, 2), round(start + dur, 2),
                          emo, "held" if held else "leak", round(float(rng.uniform(0.15, 1)), 2),
                          cues=cues))
    return sorted(out, key=lambda e: e["start_s"])


def face_center(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the drawn face is (pixels): a slow sway."""
    return W / 2 + 40 * np.sin(t * 0.7), H / 2 + 15 * np.sin(t * 0.4)


def _active(events: list[dict[str, Any]], t: float) -> str | None:
    for e in events:
        if e["start_s"] <= t <= e["end_s"]:
            return str(e["expression"])
    return None


def write_video(path: Path, duration: float, fps: int, events: list[dict[str, Any]]) -> None:
    """An H.264 clip of a drawn face; the mouth and eyes change during episodes; frame i shows
    i // 32 and i % 32 as grey levels (steps of 8) in two 24-px blocks at the top left."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.options = {"preset": "ultrafast", "g": str(fps)}
        base = np.zeros((H, W, 3), np.uint8)
        base[:] = (60, 70, 90)
        for i in range(int(duration * fps)):
            t = i / fps
            cx, cy = (float(v) for v in face_center(np.array(t)))
            img = base.copy()
            # Draw only in a window around the face (fast enough for long clips).
            x0, y0 = int(cx) - 100, int(cy) - 130
            win = img[y0:y0 + 260, x0:x0 + 200]
            yy, xx = np.mgrid[y0:y0 + 260, x0:x0 + 200].astype(np.float32)
            win[((xx - cx) / 95) ** 2 + ((yy - cy) / 125) ** 2 <= 1] = (224, 182, 150)
            emo = _active(events, t)
            eye_r = 16 if emo in ("fear", "surprise") else 10
            for ex in (cx - 38, cx + 38):
                win[((xx - ex) / eye_r) ** 2 + ((yy - cy + 30) / eye_r) ** 2 <= 1] = (40, 40, 40)
            mh = {"surprise": 22, "happiness": 12, "fear": 9}.get(emo or "", 4)
            mw = 50 if emo == "happiness" else 34
            shift = 14 if emo == "contempt" else 0
            mouth = ((xx - cx - shift) / mw) ** 2 + ((yy - cy - 55) / mh) ** 2 <= 1
            win[mouth] = (150, 40, 50) if emo != "disgust" else (90, 120, 40)
            img[:24, :24] = (i // 32) * 8
            img[:24, 24:48] = (i % 32) * 8
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _speech(events: list[dict[str, Any]], duration: float) -> tuple[dict[str, Any], list[dict]]:
    words = []
    t = 0.4
    for section, text in SCRIPT:
        for w in text.split():
            words.append({"start": round(t, 2), "end": round(t + 0.28, 2), "text": w,
                          "section": section})
            t += 0.33
        t += 0.7
    scale = (duration - 0.8) / t  # spread the script over the clip
    for w in words:
        w["start"], w["end"] = round(w["start"] * scale, 2), round(w["end"] * scale, 2)
    segments, cur = [], None
    for w in words:
        if cur and w["start"] - cur["end"] < 0.5:
            cur["end"] = w["end"]
        else:
            cur = {"start": w["start"], "end": w["end"], "speaking": True}
            segments.append(cur)
    span = words[-1]["end"] - words[0]["start"]
    figures = {  # the shape of mirror.speech.figures.compute_figures (+ align's section_shares)
        "speaking_s": round(sum(s["end"] - s["start"] for s in segments), 3),
        "words": len(words), "wpm": round(len(words) / span * 60, 1), "pace": "fast",
        "pace_range_wpm": [100.0, 165.0],
        "sections": [{"section": sec, "start": 0.0, "end": 1.0, "words": len(text.split()),
                      "duration_s": 3.0, "readings": 1, "wpm": 150.0 + 10 * k,
                      "pace": "comfortable"} for k, (sec, text) in enumerate(SCRIPT)],
        "pauses": {"count": len(segments) - 1, "total_s": 2.1, "mean_s": 0.7, "longest_s": 0.9,
                   "list": []},
        "fillers": {"total": 2, "per_minute": 1.4, "counts": {"um": 1, "you know": 1}},
        "section_shares": [{"section": sec, "duration_s": 3.0, "neutral": 0.8 - 0.1 * k,
                            "leak": 0.1, "held": 0.1} for k, (sec, _) in enumerate(SCRIPT)],
    }
    speech = {"method": "forced", "note": "", "segments": segments,
              "words": [dict(w, probability=0.9) for w in words], "figures": figures}
    contexts = []

    def brief(w: dict[str, Any]) -> dict[str, Any]:
        return {"text": w["text"], "start": w["start"], "end": w["end"]}

    for e in events:
        during = [brief(w) for w in words if w["end"] >= e["start_s"] and w["start"] <= e["end_s"]]
        before = [brief(w) for w in words if w["end"] < e["start_s"]][-4:]
        trig = [{"text": w["text"], "start": w["start"], "lag_s": e["start_s"] - w["start"]}
                for w in words if w["text"] in ("price", "discount")
                and 0 <= e["start_s"] - w["start"] <= 2.0]
        sec = [w["section"] for w in words if w["start"] <= e["apex_s"]]
        contexts.append({"words": during, "words_before": before,
                         "speaking": any(s["start"] <= e["apex_s"] <= s["end"] for s in segments),
                         "section": sec[-1] if sec else words[0]["section"], "triggers": trig})
    return speech, contexts


def build_analysis(folder: Path, *, events: list[dict[str, Any]] | None = None,
                   duration: float = 12.0, fps: int = 30, speech: bool = True,
                   profile: str = "sales-pitch", video: bool = True) -> Path:
    """Make `folder/analysis/` (with `folder/rehearsal.mp4`) and return the analysis folder."""
    events = small_events() if events is None else events
    analysis = folder / "analysis"
    analysis.mkdir(parents=True, exist_ok=True)
    src = folder / "rehearsal.mp4"
    if video:
        write_video(src, duration, fps, events)
    t = np.arange(int(duration * fps)) / fps
    scores = np.full((t.size, len(EMOTIONS)), 0.03)
    for e in events:
        if e["expression"] not in EMOTIONS:  # an unnamed movement has no emotion score
            continue
        j = EMOTIONS.index(e["expression"])
        width = max((e["end_s"] - e["start_s"]) / 2.5, 0.05)
        scores[:, j] = np.maximum(scores[:, j],
                                  e["intensity"] * np.exp(-0.5 * ((t - e["apex_s"]) / width) ** 2))
    np.savez_compressed(analysis / "expressions.npz", t=t, scores=scores,
                        names=np.array(EMOTIONS))
    cx, cy = face_center(t)
    n = t.size
    bbox = np.stack([(cx - 95) / W, (cy - 125) / H, (cx + 95) / W, (cy + 125) / H], axis=1)
    found = np.ones(n, bool)
    found[int(n * 0.9):] = False  # the face is lost near the end
    bbox[~found] = np.nan
    save_tracks(analysis / "tracks.npz", FaceTracks(
        t=t, found=found, n_faces=found.astype(np.int8), blendshapes=np.full((n, 52), np.nan),
        pose=np.full((n, 6), np.nan), bbox=bbox, landmarks=np.full((n, 0, 3), np.nan),
        landmark_ids=np.zeros(0, np.int32), geometry=np.full((n, 0), np.nan),
        geometry_names=(), meta={"fps": fps}))
    doc: dict[str, Any] = {
        "schema": EVENTS_SCHEMA, "source": str(src), "duration_s": duration, "fps": fps,
        "profile": profile, "neutral_s": 0.5, "warnings": [], "events": events,
    }
    if speech:
        doc["speech"], contexts = _speech(events, duration)
        doc["av_offset_s"] = 0.04
        doc["events"] = [dict(e, **c) for e, c in zip(events, contexts, strict=True)]
    (analysis / "events.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return analysis


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_analysis(tmp_path_factory.mktemp("fixture") / "session")


def test_fixture_is_a_consistent_analysis(clip: Path) -> None:
    from mirror.report.analysis import find_video, load_analysis

    a = load_analysis(clip.parent)
    assert a.directory == clip and find_video(a) is not None and len(a.events) == 5
    assert a.scores is not None and a.scores.values.shape == (360, 7)
    assert a.tracks is not None and a.tracks.n == 360
    second = a.episodes[1].speech
    assert second.trigger_words == ("price",) and second.section == "price"


def test_grab_frames_returns_the_frame_nearest_each_time(clip: Path) -> None:
    from mirror.media.stills import grab_frames

    times = [11.9, 0.0, 5.03, 5.0, 0.5, 20.0]  # unsorted, close together, past the end
    frames = grab_frames(clip.parent / "rehearsal.mp4", times)
    assert set(frames) == set(times)
    for t in times:
        img = frames[t]
        index = round(img[4:20, 4:20].mean() / 8) * 32 + round(img[4:20, 28:44].mean() / 8)
        assert index == min(round(t * 30), 359), t
