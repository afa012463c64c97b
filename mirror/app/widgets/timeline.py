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
        return timeline_text(self.review, width=self.size.width or 80)
