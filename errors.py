"""The one base of every error ILS Coach explains to a person; each entry point maps it once, to one plain line."""

from __future__ import annotations


class CoachError(Exception):
    """Something a person can fix (a setting, a file, their input), with a message that says what and how.

    Each kind also derives from the built-in error it used to be (ValueError for bad data or input, RuntimeError
    for what could not be loaded), so callers that catch those still do."""


class UsageError(CoachError, ValueError):
    """The input given to a command or a page cannot be used as it is (exit code 2 at the command line)."""
