"""Authoring: start a glossary (`init`), import a pandoc/Makefile one (`init --from`), add an
entry (`new`). The functions return what they did as data; only `pipeline.cli` prints."""

from __future__ import annotations


class AuthoringError(Exception):
    """A refusal (a file exists, a bad option): `message` says what, `hint` what to do. Exit 2."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
