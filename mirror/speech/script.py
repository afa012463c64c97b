"""The pitch script: Markdown whose headings are sections, parsed into normalised words.

Normalisation makes the script comparable with what a recogniser hears: lower case, punctuation
dropped, numbers, money and percentages spelled out ("$10,000" -> "ten thousand dollars"), "&" ->
"and", hyphenated words split. Markdown markup (emphasis, links, lists, quotes, code, HTML comments)
is removed; bracketed stage directions such as "[pause]" or "[show slide 3]" are not spoken and are
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mirror.errors import InputError, shown_path


@dataclass(frozen=True)
class Section:
    title: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Script:
    """sections in order; words: all words flattened; word_sections[i]: index into sections."""

    sections: tuple[Section, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for s in self.sections for w in s.words)

    @property
    def word_sections(self) -> tuple[int, ...]:
        return tuple(i for i, s in enumerate(self.sections) for _ in s.words)

    def section_of(self, word_index: int) -> str:
        return self.sections[self.word_sections[word_index]].title


_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred"))


def number_words(n: int) -> list[str]:
    """Spell a non-negative integer in English words: 2025 -> two thousand twenty five."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for size, name in _SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return number_words(head) + [name] + (number_words(rest) if rest else [])
    return [str(n)]


_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}


def _number_token(tok: str) -> list[str]:
    m = re.fullmatch(r"(\$|€|£)?(\d[\d,]*)(?:\.(\d+))?(%|k|m|st|nd|rd|th)?", tok)
    if not m:
        return []
    cur, whole, frac, suffix = m.groups()
    words = number_words(int(whole.replace(",", "")))
    if frac:
        words += ["point"] + [_ONES[int(d)] for d in frac]
    if suffix == "k":
        words.append("thousand")
    elif suffix == "m":
        words.append("million")
    elif suffix in ("st", "nd", "rd", "th"):
        last = words[-1]
        words[-1] = _ORDINAL.get(last, last[:-1] + "ieth" if last.endswith("y") else last + "th")
    if suffix == "%":
        words.append("percent")
    if cur:
        words.append({"$": "dollars", "€": "euros", "£": "pounds"}[cur])
    return words


def normalize_words(text: str) -> list[str]:
    """Spoken-form words of a line of plain text."""
    text = text.replace("&", " and ").replace("’", "'").replace("‘", "'")
    text = re.sub(r"(?<=\w)[-–—/](?=\w)", " ", text)
    out: list[str] = []
    for raw in text.split():
        tok = raw.strip(".,;:!?\"()[]{}*_~`'«»…").lower()
        if not tok:
            continue
        num = _number_token(tok)
        if num:
            out.extend(num)
            continue
        tok = re.sub(r"[^a-z0-9']", "", tok).strip("'")
        if tok.isdigit():
            out.extend(number_words(int(tok)))
        elif tok:
            out.append(tok)
    return out


def _plain(line: str) -> str:
    """One Markdown line without its markup."""
    line = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", line)  # images
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # links -> their text
    line = re.sub(r"\[[^\]]*\]", " ", line)  # [stage directions]
    line = re.sub(r"<[^>]+>", " ", line)  # inline html
    line = re.sub(r"^\s*(>\s*)+", "", line)  # quotes
    line = re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", line)  # list markers
    return line


def parse_script(text: str) -> Script:
    """Markdown text -> Script. Text before the first heading is a section with an empty title."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    sections: list[Section] = []
    title = ""
    words: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            if words or title:
                sections.append(Section(title=title, words=tuple(words)))
            title, words = m.group(2).strip(), []
            continue
        if re.fullmatch(r"\s*([-=*_]\s*){3,}", line):  # rules and setext underlines
            continue
        words.extend(normalize_words(_plain(line)))
    if words or title:
        sections.append(Section(title=title, words=tuple(words)))
    return Script(sections=tuple(s for s in sections if s.words))


MAX_SCRIPT_BYTES = 1_000_000  # a pitch script is a few pages; 1 MB is hundreds of them


def load_script(path: str | Path) -> Script:
    """Read and parse a Markdown pitch script; InputError when it is missing, larger than
    MAX_SCRIPT_BYTES, not UTF-8 text, or has no words."""
    p = Path(path)
    not_text = InputError(f"{shown_path(p)}: not a text file; give the pitch as Markdown or "
                          "plain text (UTF-8)")
    try:
        size = p.stat().st_size
        if size > MAX_SCRIPT_BYTES:
            raise InputError(f"{shown_path(p)}: the script is {size / 1e6:.1f} MB; a pitch "
                             f"script is Markdown text under {MAX_SCRIPT_BYTES // 1_000_000} MB")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise not_text from None
    except FileNotFoundError:
        raise InputError(f"{shown_path(p)}: no such file") from None
    except OSError as e:
        raise InputError(f"{shown_path(p)}: cannot read the script "
                         f"({e.strerror or type(e).__name__})") from None
    if "\0" in text:
        raise not_text
    script = parse_script(text)
    if not script.words:
        raise InputError(f"{shown_path(p)}: the script has no words to align")
    return script
