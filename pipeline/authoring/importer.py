"""`glossary init --from DIR`: import a pandoc/Makefile glossary in place.

Writes `book.toml` into DIR and moves no file. What such a project keeps is read the way pandoc
read it: the title block or YAML metadata (title, authors, date, …), the Makefile's pandoc
options (language, page size, output name). Which files are entries is decided by the loader
itself, so the import and every later build agree: entries whose heading lacks `.term`
(GL209) and a hand-kept index page (GL310) are recognised there; the remaining Markdown pages
(licence, preface) become front or back matter; READMEs and metadata files are excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import diagnostics as dg
from ..config import CONFIG_NAME, BookConfig
from ..normalise import read_book
from ..normalise.load import load
from ..normalise.positions import term_heading_lines
from . import AuthoringError, makefile
from .booktoml import Value, render
from .init import DEFAULT_EXCLUDE, checked_language
from .metadata import YAML_SUFFIXES, book_values, has_title_block, read_meta

# Pages by name (file stem, lower case): where a book puts them, and files that are no page.
FRONT_NAMES = frozenset({"vorwort", "preface", "einleitung", "introduction", "foreword", "geleitwort",
                         "widmung", "dedication", "about", "ueber", "über", "benutzung", "hinweise"})
BACK_NAMES = frozenset({"lizenz", "license", "licence", "copying", "impressum", "imprint",
                        "nachwort", "afterword", "danksagung", "acknowledgements", "quellen",
                        "literatur", "bibliography", "anhang", "appendix", "kontakt", "contact"})
NOT_PAGES = frozenset({"readme", "changelog", "contributing", "code_of_conduct", "todo", "notes",
                       "authors", "history", "security"})
_META_NAMES = frozenset({"title", "titel", "metadata", "meta", "titleblock", "title-block"})
_TEXT_SUFFIXES = ("", ".txt", ".text")


@dataclass
class Imported:
    """What the import found and wrote; `checks` is what the author should look at."""

    root: Path
    values: dict[str, Value]
    origins: dict[str, str]  # book.toml key -> where its value came from
    entries: int  # files with terms
    terms: int
    promoted: list[str] = field(default_factory=list)  # read as terms without .term (GL209)
    index_pages: list[str] = field(default_factory=list)  # hand-kept index (GL310)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (pattern, why)
    text_pages: list[str] = field(default_factory=list)  # non-Markdown pages (rename to use)
    options: makefile.PandocOptions | None = None
    makefile_name: str = ""
    checks: list[str] = field(default_factory=list)
    errors: int = 0  # `glossary check` afterwards
    warnings: int = 0

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME


def import_folder(root: Path, language: str | None = None) -> Imported:
    """Write `root/book.toml` for the glossary in `root`; refuses when one exists."""
    if not root.is_dir():
        raise AuthoringError(f"{root} is not a folder", "name the folder that holds the entries")
    if (root / CONFIG_NAME).exists():
        raise AuthoringError(f"{root / CONFIG_NAME} exists; nothing was written",
                             "the folder is set up already: run `glossary check` on it")
    mk = makefile.find(root)
    options = makefile.read(mk) if mk else None
    values, origins, notes, meta_files = _metadata(root, options)
    result = _classified(root, values, origins, meta_files, options)
    result.makefile_name = mk.name if mk else ""
    result.checks.extend(notes)
    _language(result, language)
    text = render(result.values, str(result.values["language"]), result.origins)
    result.config_path.write_text(text, encoding="utf-8")
    after = dg.Report()
    read_book(root, after)
    result.errors, result.warnings = len(after.errors), len(after.warnings)
    _checks(result)
    return result


def _metadata(root: Path, options: makefile.PandocOptions | None
              ) -> tuple[dict[str, Value], dict[str, str], list[str], set[str]]:
    """Values in precedence order: the Makefile's own `-M`/`-V`, then metadata files, then
    title blocks — the later pandoc argument wins in pandoc too, and -M beats both."""
    values: dict[str, Value] = {}
    origins: dict[str, str] = {}
    notes: list[str] = []
    if options:
        for key, value in options.values.items():
            values[key] = value
            origins[key] = f"Makefile: {next(o for o, m in options.mapped if m.startswith(key))}"
    used: set[str] = set()
    for name, kind in _meta_candidates(root, options):
        found, problems = book_values(read_meta(root / name))
        if not found and not problems:
            continue
        used.add(name)
        notes.extend(f"{name}: {p}" for p in problems)
        for key, value in found.items():
            if key not in values:
                values[key], origins[key] = value, f"{name} ({kind})"
    return values, origins, notes, used


def _meta_candidates(root: Path, options: makefile.PandocOptions | None) -> list[tuple[str, str]]:
    named = [*(options.metadata_files if options else []), *(options.inputs if options else [])]
    top = sorted(p.name for p in root.iterdir() if p.is_file())
    out: list[tuple[str, str]] = []
    for name in dict.fromkeys([*named, *top]):
        path = root / name
        if not path.is_file() or name in makefile.NAMES:
            continue
        suffix = path.suffix.lower()
        if suffix in YAML_SUFFIXES:
            out.append((name, "YAML metadata file"))
            continue
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
        if has_title_block(head) and suffix in (*_TEXT_SUFFIXES, ".md", ".markdown"):
            out.append((name, "pandoc title block"))
        elif head.startswith("---") and _metadata_only(path):
            out.append((name, "YAML metadata block"))
    # Title blocks last: a YAML file or block overrides them, as on pandoc's command line.
    return sorted(out, key=lambda c: c[1] == "pandoc title block")


def _metadata_only(path: Path) -> bool:
    """A YAML block in a Markdown file without terms: an entry's own front matter (or a
    generated merge) is not the book's metadata."""
    if path.suffix.lower() not in (".md", ".markdown") and path.stem.lower() not in _META_NAMES:
        return False
    return not term_heading_lines(path.read_text(encoding="utf-8", errors="replace"))


def _classified(root: Path, values: dict[str, Value], origins: dict[str, str],
                meta_files: set[str], options: makefile.PandocOptions | None) -> Imported:
    """Let the loader say which files are entries; sort the rest into pages and exclusions."""
    probe = dg.Report()
    try:
        loaded = load(root, BookConfig(exclude=DEFAULT_EXCLUDE), probe)
    except dg.GlossaryError as exc:
        raise AuthoringError(f"{root}: {exc.diagnostic.message}", exc.diagnostic.hint) from None
    by_code: dict[str, list[str]] = {}
    for d in probe:
        by_code.setdefault(d.code, []).append(d.file)
    files_with_terms = {f.name: len(f.terms) for f in loaded.files if f.terms}
    result = Imported(root, dict(values), dict(origins), 0, 0, options=options)
    result.index_pages = sorted(set(by_code.get(dg.FILE_INDEX_PAGE, [])))
    promoted = sorted(set(by_code.get(dg.TERM_NO_CLASS, [])))
    pages = [f for f in sorted(set(by_code.get(dg.FILE_NO_TERM, [])))]
    # A promoted file named like a page (lizenz.md with `## Lizenz {#Lizenz}`) is the page.
    pages += [f for f in promoted if _stem(f) in FRONT_NAMES | BACK_NAMES]
    result.promoted = [f for f in promoted if f not in pages]
    for name in pages:
        files_with_terms.pop(name, None)
    result.entries, result.terms = len(files_with_terms), sum(files_with_terms.values())
    exclude = list(DEFAULT_EXCLUDE)
    for name in sorted(set(by_code.get(dg.FILE_MERGED, []))):
        exclude.append(name)
        result.excluded.append((name, "a generated merge of the glossary"))
    front, back = _pages(pages, meta_files, options, files_with_terms, result, exclude)
    result.values.update({"exclude": exclude, **({"front": front} if front else {}),
                          **({"back": back} if back else {})})
    result.text_pages = _text_pages(root, meta_files, options)
    return result


def _pages(pages: list[str], meta_files: set[str], options: makefile.PandocOptions | None,
           entries: dict[str, int], result: Imported, exclude: list[str]) -> tuple[list[str], list[str]]:
    front: list[str] = []
    back: list[str] = []
    order = options.inputs if options else []
    first_entry = min((order.index(e) for e in entries if e in order), default=len(order))
    for name in pages:
        if name in meta_files:
            exclude.append(name)
            result.excluded.append((name, "holds only the book's metadata"))
        elif _stem(name) in NOT_PAGES:
            exclude.append(name)
            result.excluded.append((name, "no page of the book"))
        elif _stem(name) in FRONT_NAMES or (name in order and order.index(name) < first_entry):
            front.append(name)
        else:
            back.append(name)
    for name in back:
        if _stem(name) not in BACK_NAMES and name not in order:
            result.checks.append(f"{name} was put into the back matter: move it to `front` if it "
                                 "opens the book, or to `exclude` if it is no page of the book")
    return front, back


def _text_pages(root: Path, meta_files: set[str], options: makefile.PandocOptions | None) -> list[str]:
    """Top-level text files that are pages, not metadata (LIZENZ.txt, COPYING)."""
    inputs = set(options.inputs if options else [])
    out = []
    for path in sorted(root.iterdir()):
        name = path.name
        if not path.is_file() or name in meta_files or name in makefile.NAMES:
            continue
        if path.suffix.lower() in _TEXT_SUFFIXES and (
                _stem(name) in FRONT_NAMES | BACK_NAMES or name in inputs):
            out.append(name)
    return out


def _stem(name: str) -> str:
    return PurePosixPath(name).stem.lower()


def _language(result: Imported, language: str | None) -> None:
    found = result.values.get("language")
    if language:
        result.values["language"] = checked_language(language)
        result.origins["language"] = "--language"
        if found and found != result.values["language"]:
            result.checks.append(f"the project says language {found}; --language {language} was used")
    elif found:
        result.values["language"] = checked_language(str(found))
    else:
        result.values["language"] = "de"
        result.checks.append("no language found: `language = \"de\"` was set; change it if the "
                             "book is not German")


def _checks(result: Imported) -> None:
    checks = result.checks
    for key in ("title", "authors"):
        if key not in result.values:
            checks.append(f"no {key} found: set `{key}` in book.toml")
    if result.promoted:
        checks.append(f"{len(result.promoted)} entries have no .term class and are read as terms "
                      f"(GL209): add .term to the headings in {', '.join(result.promoted)}")
    for name in result.index_pages:
        checks.append(f"{name} is a hand-kept index: the generated index replaces it (not published, "
                      "its links are checked, GL310); delete it once `glossary check` is clean")
    pages = [*result.values.get("front", ()), *result.values.get("back", ())]
    if pages:
        checks.append(f"front/back matter: {', '.join(pages)} — check the order in book.toml; "
                      "the pages are checked now, printing them follows in a later version")
    licence = [p for p in pages if _stem(p) in ("lizenz", "license", "licence", "copying")]
    if licence and "license" not in result.values:
        checks.append(f"set `license` (imprint, EPUB rights) to the licence {licence[0]} states")
    for name in result.text_pages:
        checks.append(f"{name} is a text page: rename it to .md and list it in `front` or `back` "
                      "to make it part of the book")
    if result.errors or result.warnings:
        checks.append(f"glossary check reports {result.errors} error(s) and {result.warnings} "
                      f"warning(s): run `glossary check {result.root}`")
