"""The teleprompter: the current section of the script, large, and what comes next."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from mirror.app.script_text import PromptSection


class Teleprompter(Widget):
    index: reactive[int] = reactive(0)

    def __init__(self, sections: tuple[PromptSection, ...], *, source: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.sections = sections
        self.source = source

    @property
    def current(self) -> PromptSection | None:
        return self.sections[self.index] if self.sections else None

    def advance(self, step: int = 1) -> None:
        if self.sections:
            self.index = max(0, min(len(self.sections) - 1, self.index + step))

    def render(self) -> Text:
        out = Text()
        if not self.sections:
            out.append("No script: talk freely.", style="dim")
            return out
        sec = self.sections[self.index]
        out.append(f"{self.index + 1}/{len(self.sections)}  {sec.title or 'Untitled'}\n\n",
                   style="bold reverse")
        out.append(sec.text + "\n", style="bold")
        if self.index + 1 < len(self.sections):
            nxt = self.sections[self.index + 1]
            out.append(f"\nnext: {nxt.title or 'untitled'}\n", style="dim")
            out.append(nxt.text[:160] + ("…" if len(nxt.text) > 160 else ""), style="dim")
        else:
            out.append("\nlast section: press s to stop when you are done", style="dim")
        return out
