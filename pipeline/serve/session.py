"""One `glossary serve` session: a temporary folder and the rebuild that fills it.

Every rebuild goes through `Session.rebuild(changed)`. Today it runs the ordinary build of the
`html` format (the same code path as `glossary build --format html`, with the same build cache
beside book.toml, so only what changed is computed again) into the session's own temporary
folder, never into the author's `build/`. The html format swaps the finished site into
`<tmp>/out/html` atomically, and the server pins that folder per request (`pin`), so a request
never sees half a site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import diagnostics as dg
from ..build import book_cache, build
from ..cache import Memory

SITE_FORMAT = "html"
_SWAP_WAIT = 1.0  # seconds a request waits for the folder the html format is swapping in


@dataclass(frozen=True)
class BuildResult:
    """What one rebuild produced: its diagnostics, outputs and time, or why it stopped."""

    diagnostics: tuple[dg.Diagnostic, ...]
    outputs: Mapping[str, Path]
    seconds: float
    changed: frozenset[Path] = frozenset()
    # The build ended early (invalid book.toml, a failing template, --strict): the site that was
    # served before stays in place.
    failure: dg.Diagnostic | None = None
    generation: int = 0  # how many sites this session has published, this one included

    @property
    def errors(self) -> list[dg.Diagnostic]:
        return [d for d in self.diagnostics if d.severity is dg.Severity.ERROR]

    @property
    def warnings(self) -> list[dg.Diagnostic]:
        return [d for d in self.diagnostics if d.severity is dg.Severity.WARNING]


@dataclass
class Session:
    """The source and styles being served, and the temporary folder the site is built into."""

    source: Path
    styles: Path
    strict: bool = False
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="glossary-serve-")))
    # Outputs of other formats kept up to date in the background (the PDF): linked as downloads.
    artifacts: dict[str, Path] = field(default_factory=dict)
    generation: int = 0
    # What the build cache held at the last rebuild, kept in memory for the next one.
    memory: Memory = field(default_factory=Memory, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def site(self) -> Path:
        return self.out / SITE_FORMAT

    def rebuild(self, changed: set[Path]) -> BuildResult:
        """Build the site again after `changed` files were saved (or at the start: empty).

        Only one rebuild runs at a time; callers coalesce what changes meanwhile.
        """
        with self._lock:
            report = dg.Report(strict=self.strict)
            started = time.perf_counter()
            failure: dg.Diagnostic | None = None
            outputs: dict[str, Path] = {}
            try:
                outputs = build(self.source, self.out, [SITE_FORMAT], report, styles_dir=self.styles,
                                cache=book_cache(self.source, memory=self.memory),
                                artifacts=dict(self.artifacts))
            except dg.GlossaryError as exc:
                failure = exc.diagnostic
            except Exception as exc:  # a bug must not end the session: shown, and the old site kept
                failure = dg.make(dg.TOOL_FAILED, "", 0, 0,
                                  f"internal error: {type(exc).__name__}: {exc}",
                                  "a bug in glossary: run `glossary build -v` on this source and report it")
            if SITE_FORMAT in outputs:
                self.generation += 1
            return BuildResult(tuple(report), outputs, time.perf_counter() - started,
                               frozenset(changed), failure, self.generation)

    def pin(self) -> int | None:
        """A descriptor of the site folder being served now; None before the first site.

        Between the two renames of the html format's swap the folder is briefly absent: wait.
        """
        if self.generation == 0:
            return None
        deadline = time.monotonic() + _SWAP_WAIT
        while True:
            try:
                return os.open(self.site, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                if time.monotonic() > deadline:
                    return None
                time.sleep(0.002)

    def is_current(self, pinned: int) -> bool:
        """Whether the pinned folder is still the one served (not the previous one, being removed)."""
        try:
            now, then = os.stat(self.site), os.fstat(pinned)
        except FileNotFoundError:
            return False
        return (now.st_dev, now.st_ino) == (then.st_dev, then.st_ino)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

