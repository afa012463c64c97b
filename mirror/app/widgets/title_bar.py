"""A one-line title bar: the app's name and where you are.

(Textual's Header can fail when a screen is switched while it mounts, and its clock and icon
are not needed here.)"""

from __future__ import annotations

from textual.widgets import Static


class TitleBar(Static):
    def __init__(self, where: str) -> None:
        super().__init__(f"mirror · {where}", classes="title-bar", markup=False)
