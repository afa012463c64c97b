"""Messages the app's workers post to its screens (past tense: what happened)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from mirror.app.sessions import SessionRow
from mirror.app.sources import SourceStatus


@dataclass
class SourcesProbed(Message):
    status: SourceStatus


@dataclass
class SessionsLoaded(Message):
    rows: list[SessionRow]


@dataclass
class LevelsUpdated(Message):
    """Live expression levels of the newest analysed frame: {emotion: 0..1, "face": 0/1}."""

    t: float
    levels: dict[str, float] = field(default_factory=dict)

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LevelsUpdated)


@dataclass
class RecordingStarted(Message):
    session_dir: Path


@dataclass
class RecordingFinished(Message):
    session_dir: Path
    summary: str


@dataclass
class RecordingFailed(Message):
    error: str


@dataclass
class AnalysisProgressed(Message):
    stage: str
    fraction: float  # of the whole analysis, 0..1

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgressed)


@dataclass
class AnalysisFinished(Message):
    analysis_dir: Path
    summary: str


@dataclass
class AnalysisFailed(Message):
    error: str


@dataclass
class ReportWritten(Message):
    path: Path


@dataclass
class ReportFailed(Message):
    error: str
