"""Help (`?` or F1 on every screen): every key of the screen it was opened from, and what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

# Keys that widgets handle themselves (tables, inputs, tabs): said once, in words.
MOVING = [("↑ ↓ PgUp PgDn", "move in a table or list"), ("Enter", "open / choose"),
          ("Tab, shift+Tab", "next / previous part of the screen"),
          ("ctrl+p", "all commands, searchable")]


def _key(shown: str) -> str:
    return shown.upper() if shown[1:].isdigit() and shown[:1] in "fF" else shown


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for the bindings of `screen` and of the app, in their order; one row
    per action (a binding on several keys shows them together)."""
    rows: dict[tuple[str, str], list[str]] = {}
    nodes: list[Widget | object] = [screen, screen.app]
    for node in nodes:
        for item in getattr(type(node), "BINDINGS", []):
            binding = item if isinstance(item, Binding) else Binding(*item)
            if not binding.description or binding.system:
                continue
            keys = [_key(screen.app.get_key_display(Binding(k.strip(), binding.action)))
                    for k in binding.key.split(",")]
            rows.setdefault((binding.action.removeprefix("app."),
                             binding.tooltip or binding.description), []).extend(keys)
    return [(" ".join(dict.fromkeys(keys)), desc) for (_, desc), keys in rows.items()]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss(None)", "Close help", id="help.close"),
    ]

    def __init__(self, screen: Screen, title: str) -> None:
        super().__init__()
        self.keys, self.title_text = screen_keys(screen), title

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in [*self.keys, *MOVING]) + 2
        table = Text()
        for key, what in self.keys:
            table.append(f"{key:<{width}}", style="bold")
            table.append(f"{what}\n")
        table.append("\n")
        for key, what in MOVING:
            table.append(f"{key:<{width}}{what}\n", style="dim")
        with VerticalScroll(classes="modal-body", id="help") as body:
            body.border_title = f"Keys · {self.title_text}"
            body.border_subtitle = "Esc, ? or F1: close"
            yield Static(table, id="help-keys")
