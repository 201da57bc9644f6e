"""Shared command-line plumbing: an argument parser whose mistakes are one line, like every other error."""

from __future__ import annotations

import argparse


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake in the arguments is one line on stderr (exit 2), like every other error here."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")
