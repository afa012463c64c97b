"""Errors the user can act on: each carries one line that says what went wrong and what to do."""


class MirrorError(Exception):
    """An error shown to the user as one line, without a traceback."""

    exit_code = 2


class InputError(MirrorError):
    """The input (a video, an audio file, a script, a profile) cannot be used."""


class SessionError(MirrorError):
    """A session folder is missing, incomplete, still recording, or not a session at all."""


class ModelMissingError(MirrorError):
    """The face model file is not available."""


def shown_path(path: object, keep: int = 300) -> str:
    """A path for a one-line message: bytes that are not UTF-8 as \\xNN, a very long path cut
    in the middle."""
    text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text if len(text) <= keep else f"{text[:40]}...{text[-(keep - 43):]}"


def require_utf8_name(path: object) -> None:
    """InputError unless `path` is valid UTF-8 (mirror records paths in its JSON files)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{shown_path(path)}: the name is not valid UTF-8 (mirror records it in "
                         "its JSON files); rename it and try again") from None
