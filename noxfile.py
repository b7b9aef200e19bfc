"""nox sessions: tests, lint (ruff + mypy), bench, release."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True
PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The full test suite (needs chromium, poppler-utils, LibreOffice and Java: see .ci/run)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict."""
    session.install("-e", ".[test]")
    session.run("ruff", "check", "pipeline", "tests", "benchmarks", "noxfile.py")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmark table (not timed tests) for 100, 350, 1000 and 3000 realistic entries, with baselines.

    `nox -s bench -- --sizes 350` for one size, `-- --pdf-max 350` to skip the big PDFs.
    """
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=PYTHON)
def release(session: nox.Session) -> None:
    """Build the wheel/sdist and every format of the demo book reproducibly into dist/."""
    session.install("-e", ".[test]", "build")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.env["SOURCE_DATE_EPOCH"] = session.env.get("SOURCE_DATE_EPOCH", "1764374400")
    session.run("glossary", "build", "source", "--out", "dist/book", "--strict")
