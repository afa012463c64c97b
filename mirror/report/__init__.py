"""The rehearsal report: HTML, Markdown and JSON from an analysis folder (`write_report`).

`write_report` and `FORMATS` are loaded on first use, so that the report plotter's process
(`mirror.report.plots`: matplotlib) does not load the whole pipeline with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mirror.report.write import FORMATS, write_report

__all__ = ["FORMATS", "write_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mirror.report import write

        return getattr(write, name)
    raise AttributeError(f"module 'mirror.report' has no attribute {name!r}")
