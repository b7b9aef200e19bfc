"""`glossary init DIR`: a new glossary that builds at once.

DIR becomes the source folder and the repository root alike: `book.toml` (every key, explained
in the book's language), two or three example entries, a `.gitignore` and a CI workflow. Nothing
that exists is overwritten, and a folder that already holds Markdown is sent to `--from`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..config import CONFIG_NAME, _language
from ..version import __version__
from . import AuthoringError
from .booktoml import TEMPLATES, comment_language, render

WORKFLOW = Path(".github") / "workflows" / "glossary.yml"
_TITLES = {"de": "Mein Glossar", "en": "My Glossary"}
# Build output inside the source folder would be read back as entries on the next build.
DEFAULT_EXCLUDE = ("build/*",)


@dataclass(frozen=True)
class Created:
    root: Path
    files: tuple[Path, ...]  # relative to root, in the order written
    language: str


def checked_language(language: str) -> str:
    try:
        return str(_language(language))
    except ValueError as exc:
        raise AuthoringError(f"--language {language}: {exc}", "e.g. --language de or --language en-GB") \
            from None


def create(root: Path, language: str = "de") -> Created:
    """Write a new glossary into `root` (created if missing); refuses to overwrite anything."""
    language = checked_language(language)
    files = _files(root, language)
    _refuse_existing(root, list(files))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Created(root, tuple(files), language)


def _files(root: Path, language: str) -> dict[Path, str]:
    lang = comment_language(language)
    values = {"title": _TITLES[lang], "language": language, "exclude": list(DEFAULT_EXCLUDE)}
    files = {Path(CONFIG_NAME): render(values, language)}
    for entry in sorted((TEMPLATES / "entries" / lang).glob("*.md")):
        files[Path(entry.name)] = entry.read_text(encoding="utf-8")
    files[Path(".gitignore")] = (TEMPLATES / "gitignore").read_text(encoding="utf-8")
    files[WORKFLOW] = workflow(".")
    return files


def workflow(source: str) -> str:
    """The example GitHub Actions workflow, for a source folder relative to the repository."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.get_template("glossary.yml.j2").render(version=__version__, source=source)


def _refuse_existing(root: Path, wanted: list[Path]) -> None:
    if root.exists() and not root.is_dir():
        raise AuthoringError(f"{root} exists and is not a folder", "choose another path")
    taken = [str(rel) for rel in wanted if (root / rel).exists()]
    if taken:
        raise AuthoringError(f"{root} already has {', '.join(taken)}; nothing was written",
                             "init never overwrites: choose an empty folder, or move those files")
    markdown = sorted(p.name for p in root.glob("*.md")) if root.is_dir() else []
    if markdown:
        raise AuthoringError(
            f"{root} already holds Markdown files ({', '.join(markdown[:3])}"
            f"{', …' if len(markdown) > 3 else ''}); nothing was written",
            f"to publish them, import the folder in place: glossary init --from {root}")
