"""Seven live expression meters, and whether a face is in view."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from mirror.events.model import EMOTIONS
from mirror.report.fmt import EMOTION_COLORS

PARTIAL = " ▏▎▍▌▋▊▉█"


def meter_bar(level: float, width: int) -> str:
    """A horizontal bar of `width` cells filled to `level` (0..1), with eighth-cell precision."""
    eighths = round(max(0.0, min(1.0, level)) * width * 8)
    full, rest = divmod(eighths, 8)
    bar = "█" * full + (PARTIAL[rest] if rest else "")
    return bar.ljust(width)


DECAY = 0.8  # per update: a brief leak stays readable for a moment after it passes


class EmotionMeters(Widget):
    """levels: {emotion: 0..1, "face": 0/1}; empty until the first analysed frame. The bars
    show the levels with a falling peak, so that a quarter-second leak can be seen."""

    levels: reactive[dict[str, float]] = reactive(dict, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.peaks: dict[str, float] = {}

    def watch_levels(self, levels: dict[str, float]) -> None:
        for emo in EMOTIONS:
            v = float(levels.get(emo, 0.0))
            self.peaks[emo] = max(v, self.peaks.get(emo, 0.0) * DECAY)

    def render(self) -> Text:
        width = max(4, self.size.width - 16)
        out = Text(no_wrap=True)
        if not self.levels:
            out.append("waiting for the first frame…\n", style="dim")
        elif self.levels.get("face", 1.0) < 0.5:
            out.append("no face in view\n", style="bold red")
        else:
            out.append("face in view\n", style="green")
        for emo in EMOTIONS:
            v = self.peaks.get(emo, 0.0)
            out.append(f"{emo:<10} ", style=EMOTION_COLORS[emo])
            out.append(meter_bar(v, width), style=EMOTION_COLORS[emo])
            out.append(f" {v * 100:3.0f}\n")
        return out
