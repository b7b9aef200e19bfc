"""`--select` / `--ignore`: which codes a run reports, chosen like ruff chooses rules.

A selector is a code (`GL101`), a prefix of codes (`GL1`, `GL10`), a code's name
(`link-broken`) or `ALL`. For each code the most specific selector that matches it decides;
between a `--select` and an `--ignore` of the same specificity, the ignore wins. Without
`--select`, everything is selected.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import diagnostics as dg

ALL = "ALL"


class SelectorError(ValueError):
    """A selector that matches no code."""


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()  # resolved selectors: code prefixes, '' for ALL
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(cls, select: Sequence[str] | None, ignore: Sequence[str] | None) -> Selection:
        return cls(tuple(_resolve(_split(select or ()))), tuple(_resolve(_split(ignore or ()))))

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        chosen = _specificity(code, self.select) if self.select else 0
        ignored = _specificity(code, self.ignore)
        return chosen is not None and (ignored is None or chosen > ignored)

    def names_explicitly(self, code: str) -> bool:
        """Whether `--select` names this very code (or its name): an opt-in check runs then, not
        for a prefix (`--select GL1` means "the link checks that run anyway")."""
        return code in self and code in self.select

    def filter(self, items: Iterable[dg.Diagnostic]) -> list[dg.Diagnostic]:
        return [d for d in items if d.code in self]


def _split(values: Iterable[str]) -> list[str]:
    """`--select GL1,GL2 --select GL3` and `--select GL1 GL2` alike."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _resolve(selectors: list[str]) -> list[str]:
    by_name = {c.name: c.code for c in dg.CODES.values()}
    out = []
    for s in selectors:
        if s.upper() == ALL:
            out.append("")
        elif s in by_name:
            out.append(by_name[s])
        elif any(code.startswith(s.upper()) for code in dg.CODES) and s.upper().startswith("GL"):
            out.append(s.upper())
        else:
            raise SelectorError(f"unknown code or prefix „{s}“ (see `glossary codes`; e.g. GL101, "
                                "GL1, link-broken, ALL)")
    return out


def _specificity(code: str, selectors: tuple[str, ...]) -> int | None:
    """Length of the longest selector matching `code` ('' for ALL counts as 0), else None."""
    lengths = [len(s) for s in selectors if code.startswith(s)]
    return max(lengths) if lengths else None
