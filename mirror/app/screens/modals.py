"""Modal screens for typed answers: yes/no, a path, the recording sources."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmModal(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(False)", "Cancel", id="modal.cancel")]

    def __init__(self, message: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.message, self.yes, self.no = message, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-body"):
            yield Static(self.message, id="confirm-message")
            with Horizontal(classes="modal-buttons"):
                yield Button(self.yes, id="confirm-yes", variant="primary")
                yield Button(self.no, id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes").focus()

    @on(Button.Pressed, "#confirm-yes")
    def confirmed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def declined(self) -> None:
        self.dismiss(False)


class PathPrompt(ModalScreen[Path | None]):
    """Asks for a path; with `must_exist`, refuses one that is not there."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, placeholder: str, *, must_exist: bool = True,
                 value: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder, self.must_exist, self.value = (
            title, placeholder, must_exist, value)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-body") as body:
            body.border_title = self.title_text
            yield Input(self.value, placeholder=self.placeholder, id="path-input")
            yield Label("", id="path-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("OK", id="path-ok", variant="primary")
                yield Button("Cancel", id="path-cancel")

    @on(Input.Submitted, "#path-input")
    @on(Button.Pressed, "#path-ok")
    def submitted(self) -> None:
        raw = self.query_one("#path-input", Input).value.strip()
        path = Path(raw).expanduser()
        if not raw:
            self.query_one("#path-error", Label).update("Type a path, or press Esc to cancel.")
        elif self.must_exist and not path.exists():
            self.query_one("#path-error", Label).update(f"No such file or folder: {raw}")
        else:
            self.dismiss(path)

    @on(Button.Pressed, "#path-cancel")
    def cancelled(self) -> None:
        self.dismiss(None)


class SourcesModal(ModalScreen[tuple[str, str, str] | None]):
    """Camera, microphone and script: devices, or files that stand in for them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel", id="modal.cancel")]

    def __init__(self, camera: str, microphone: str, script: str) -> None:
        super().__init__()
        self.values = (camera, microphone, script)

    def compose(self) -> ComposeResult:
        camera, microphone, script = self.values
        with Vertical(classes="modal-body") as body:
            body.border_title = "Camera, microphone and script"
            yield Label("Camera: empty for the first camera, an index, /dev/videoN, or a video "
                        "file played as the camera")
            yield Input(camera, placeholder="first camera found", id="src-camera")
            yield Label("Microphone: empty for the default input, a device name, an audio "
                        "file, or `none`")
            yield Input(microphone, placeholder="default input", id="src-microphone")
            yield Label("Script for the teleprompter (Markdown, headings are sections)")
            yield Input(script, placeholder="the sample pitch", id="src-script")
            yield Label("", id="src-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Use these", id="src-ok", variant="primary")
                yield Button("Cancel", id="src-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#src-ok")
    def submitted(self) -> None:
        values = tuple(self.query_one(f"#src-{k}", Input).value.strip()
                       for k in ("camera", "microphone", "script"))
        script = values[2]
        if script and not Path(script).expanduser().is_file():
            self.query_one("#src-error", Label).update(f"No such script file: {script}")
            return
        self.dismiss((values[0], values[1], values[2]))

    @on(Button.Pressed, "#src-cancel")
    def cancelled(self) -> None:
        self.dismiss(None)
