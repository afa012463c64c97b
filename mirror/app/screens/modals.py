"""Modal screens for typed answers: yes/no, a path, the recording sources, a file to analyse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static


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


@dataclass(frozen=True)
class AnalyseRequest:
    """What "Analyse a file" was asked to do."""

    video: Path
    profile: str
    script: Path | None = None
    audio: Path | None = None
    again: bool = False  # analyse again even if this file was analysed before


class AnalyseFileModal(ModalScreen[AnalyseRequest | None]):
    """A video file (or a session folder), with the script, a separate audio file and the
    profile to analyse it with."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel", id="modal.cancel")]

    def __init__(self, profile: str, script: str = "") -> None:
        super().__init__()
        self.profile, self.script = profile, script

    def compose(self) -> ComposeResult:
        from mirror.profiles import available_profiles

        names = available_profiles()
        with Vertical(classes="modal-body") as body:
            body.border_title = "Analyse a file"
            yield Input(placeholder="Path of a video file (or a session folder)", id="path-input")
            yield Label("Script you rehearsed (Markdown): aligns your words; without one "
                        "they are guessed")
            yield Input(self.script, placeholder="no script", id="an-script")
            yield Label("Audio file, when the sound was recorded separately")
            yield Input(placeholder="the video's own sound", id="an-audio")
            yield Label("Profile")
            yield Select([(n, n) for n in names], value=self.profile if self.profile in names
                         else Select.BLANK, allow_blank=not names, id="an-profile")
            yield Checkbox("Analyse again, even if this file was analysed before", id="an-again")
            yield Label("", id="path-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Analyse", id="path-ok", variant="primary")
                yield Button("Cancel", id="path-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#path-ok")
    def submitted(self) -> None:
        error = self.query_one("#path-error", Label)
        raw = {k: self.query_one(f"#{k}", Input).value.strip()
               for k in ("path-input", "an-script", "an-audio")}
        paths = {k: Path(v).expanduser() if v else None for k, v in raw.items()}
        video = paths["path-input"]
        if video is None:
            error.update("Type the path of a video file, or press Esc to cancel.")
            return
        for key, what in (("path-input", "file or folder"), ("an-script", "script file"),
                          ("an-audio", "audio file")):
            p = paths[key]
            if p is not None and not p.exists():
                error.update(f"No such {what}: {raw[key]}")
                return
        profile = self.query_one("#an-profile", Select).value
        self.dismiss(AnalyseRequest(
            video=video, profile=profile if isinstance(profile, str) else self.profile,
            script=paths["an-script"], audio=paths["an-audio"],
            again=self.query_one("#an-again", Checkbox).value))

    @on(Button.Pressed, "#path-cancel")
    def cancelled(self) -> None:
        self.dismiss(None)
