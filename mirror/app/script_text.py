"""The teleprompter's text: a Markdown pitch script split at its headings into sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mirror.errors import InputError

SAMPLE_SCRIPT = """\
# Opening
Good morning, and thank you for your time. I am here to show you how we cut onboarding from
three weeks to three days.

# The problem
Every new customer waits for setup, training and data migration. Most of them stall in the
first month, and some never come back.

# Our offer
We do the migration for you, train your team on site, and stay with you for the first ninety
days.

# The price
The package costs twelve thousand dollars a year. For a contract signed this quarter we give a
discount of ten percent.

# Close
If that sounds right, I would like to agree on a start date today. What questions can I answer?
"""


@dataclass(frozen=True)
class PromptSection:
    title: str
    text: str


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def split_sections(markdown: str) -> tuple[PromptSection, ...]:
    """Sections at the Markdown headings; text before the first heading is an untitled one.
    Paragraphs are joined into flowing text; HTML comments are dropped."""
    markdown = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    sections: list[PromptSection] = []
    title = ""
    lines: list[str] = []

    def close() -> None:
        paras = re.split(r"\n\s*\n", "\n".join(lines).strip())
        text = "\n\n".join(" ".join(p.split()) for p in paras if p.strip())
        if text or title:
            sections.append(PromptSection(title, text))

    for line in markdown.splitlines():
        m = _HEADING.match(line)
        if m:
            close()
            title, lines = m.group(1).strip(), []
        else:
            lines.append(line)
    close()
    return tuple(s for s in sections if s.text)


def load_prompt(path: Path | None) -> tuple[tuple[PromptSection, ...], str]:
    """(sections, where they came from); the sample pitch when no script is given."""
    if path is None:
        return split_sections(SAMPLE_SCRIPT), "sample pitch"
    try:
        sections = split_sections(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the script ({type(exc).__name__})") from None
    if not sections:
        raise InputError(f"{path}: the script has no text")
    return sections, Path(path).name
