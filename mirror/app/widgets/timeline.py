"""The timeline drawn in the terminal: level blocks per emotion, episode marks, a time axis."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from mirror.app.review_data import Review, timeline_text


class Timeline(Widget):
    def __init__(self, review: Review, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.review = review

    def render(self) -> Text:
        # In a short terminal, what fits the visible lines (always the episodes and the axis).
        short = self.screen.has_class("short")
        parent = self.parent
        height = parent.size.height if short and isinstance(parent, Widget) else None
        return timeline_text(self.review, width=self.size.width or 80, height=height or None)
