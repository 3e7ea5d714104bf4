"""User-facing errors. Each carries one plain sentence: what is wrong and what to do."""

from __future__ import annotations


class AnkleScreenError(Exception):
    """Base class of errors shown to the user as a single line (CLI exit code 2, app error box)."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableInputError(AnkleScreenError):
    """The file is not a readable video or image."""


class NoPersonError(AnkleScreenError):
    """No person was found in the clip."""


class ViewCheckError(AnkleScreenError):
    """The clip was filmed in a way the screen cannot be measured from (view, framing, light)."""


class InvalidSettingError(AnkleScreenError):
    """A user setting is out of range or contradictory."""


class HistoryError(AnkleScreenError):
    """The history database cannot be opened or written safely."""
