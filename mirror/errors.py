"""Errors the user can act on: each carries one line that says what went wrong and what to do."""


class MirrorError(Exception):
    """An error shown to the user as one line, without a traceback."""

    exit_code = 2


class InputError(MirrorError):
    """The input (a video, an audio file, a script, a profile) cannot be used."""


class ModelMissingError(MirrorError):
    """The face model file is not available."""
