"""The rehearsal report: HTML, Markdown and JSON from an analysis folder (`write_report`)."""

from mirror.report.write import FORMATS, write_report

__all__ = ["FORMATS", "write_report"]
