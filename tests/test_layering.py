"""The tree's layers, enforced on the code's own imports (read with `ast`, nothing is run).

    cli → build → normalise (load, resolve, …)  → model and the floor (diagnostics, config, …)
               ↘ formats (registry) → each format → formats.common, formats.context → model …

Formats never import each other, the normaliser never imports a format, writers import only
the model and the floor, the shared layer and their own package, and only the command faces
(`cli.py`, `release/__main__.py`) print or exit (a PDF worker process ends itself: that is the
worker's exit, not the command's). A failure names the module and the import
that breaks the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
FLOOR = {"pipeline.version", "pipeline.cache", "pipeline.cache_writer", "pipeline.model",
         "pipeline.diagnostics", "pipeline.config", "pipeline.i18n", "pipeline.names", "pipeline.atomic",
         "pipeline.pandoc",
         "pipeline.pandoc_ast", "pipeline.sanitise", "pipeline.limits", "pipeline.pandoc_batch",
         "pipeline.pandoc_trace", "pipeline.runtime", "pipeline.jsonbytes"}
SHARED = ("pipeline.formats.common", "pipeline.formats.context")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of a pipeline module, the package's own included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from .. import diagnostics` imports the module `diagnostics`; a name that is no
            # module (`from .model import Book`) is taken from the module `base` itself.
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            found += [(node.lineno, m) for m in subs]
            if len(subs) < len(node.names):
                found.append((node.lineno, base))
    return [(line, mod) for line, mod in found if mod == "pipeline" or mod.startswith("pipeline.")]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _format_of(module: str) -> str | None:
    """`pdf` for pipeline.formats.pdf.chunks; None outside the format packages and modules."""
    parts = module.split(".")
    if len(parts) < 3 or parts[1] != "formats" or parts[2] in ("common", "context"):
        return None
    return parts[2]


def _violations(rule: str) -> list[str]:
    out = []
    for name, path in MODULES.items():
        for line, imported in _imports(name, path):
            problem = RULES[rule](name, imported)
            if problem:
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {imported} ({problem})")
    return out


def _formats_apart(name: str, imported: str) -> str:
    mine, theirs = _format_of(name), _format_of(imported)
    if mine and theirs and mine != theirs:
        return "formats never import each other"
    if mine and imported == "pipeline.formats":
        return "a format does not import the registry"
    return ""


def _normaliser_blind(name: str, imported: str) -> str:
    if _within(name, "pipeline.normalise") and (
            _within(imported, "pipeline.formats") or imported in ("pipeline.build", "pipeline.cli")):
        return "the normaliser knows no format"
    return ""


def _writers_narrow(name: str, imported: str) -> str:
    writer = _format_of(name) or (name if _within(name, "pipeline.formats.common") else None)
    if writer is None:
        return ""
    own = f"pipeline.formats.{_format_of(name)}" if _format_of(name) else "pipeline.formats.common"
    allowed = imported in FLOOR or any(_within(imported, p) for p in (*SHARED, own))
    return "" if allowed else "writers import the model, the floor, formats.common and their own package"


def _floor_below(name: str, imported: str) -> str:
    if name in FLOOR and imported not in FLOOR:
        return "the model and the floor import nothing above them"
    return ""


def _serve_through_build(name: str, imported: str) -> str:
    """`glossary serve` rebuilds through `build()` only (one narrow API the cache can speed up),
    and only the CLI starts it."""
    if _within(name, "pipeline.serve") and (
            _within(imported, "pipeline.formats") or _within(imported, "pipeline.normalise")):
        return "serve rebuilds through pipeline.build, not the formats or the normaliser"
    if _within(imported, "pipeline.serve") and not _within(name, "pipeline.serve") and name != "pipeline.cli":
        return "only the CLI uses pipeline.serve"
    return ""


RULES = {"formats-apart": _formats_apart, "normaliser-blind": _normaliser_blind,
         "writers-narrow": _writers_narrow, "floor-below": _floor_below,
         "serve-through-build": _serve_through_build}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_layer_rule(rule: str) -> None:
    assert _violations(rule) == []


def test_the_rules_see_a_forbidden_import() -> None:
    """The checks are not vacuous: each rule rejects an import that breaks it."""
    assert _formats_apart("pipeline.formats.html.pages", "pipeline.formats.pdf.compose")
    assert _normaliser_blind("pipeline.normalise.resolve", "pipeline.formats.common.fragments")
    assert _writers_narrow("pipeline.formats.epub.images", "pipeline.normalise.resources")
    assert _floor_below("pipeline.model", "pipeline.normalise.structure")
    assert not _writers_narrow("pipeline.formats.epub.images", "pipeline.formats.common.media")
    assert _serve_through_build("pipeline.serve.session", "pipeline.formats.html")
    assert _serve_through_build("pipeline.build", "pipeline.serve.session")
    assert not _serve_through_build("pipeline.serve.session", "pipeline.build")


def test_imports_are_read_relative_to_their_package() -> None:
    found = dict((m, line) for line, m in _imports("pipeline.formats.pdf.chunks",
                                                  MODULES["pipeline.formats.pdf.chunks"]))
    assert "pipeline.diagnostics" in found and "pipeline.formats.pdf.compose" in found


# A PDF worker process leaves without the interpreter's clean-up (`pool._end_now`).
WORKER_EXITS = {("pipeline.formats.pdf.pool", "os._exit")}


def test_only_the_cli_prints_or_exits() -> None:
    offenders = []
    for name, path in MODULES.items():
        if name == "pipeline.cli" or name.endswith(".__main__"):
            continue  # the command faces: `glossary`, `python -m pipeline.release`
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else (
                    f"{getattr(func.value, 'id', '')}.{func.attr}" if isinstance(func, ast.Attribute) else "")
                if called in ("print", "exit", "sys.exit", "os._exit", "SystemExit") and \
                        (name, called) not in WORKER_EXITS:
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {called}()")
            elif isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr") and \
                    getattr(node.value, "id", "") == "sys":
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: sys.{node.attr}")
    assert offenders == []


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(PACKAGE.parent)): n for p in MODULES.values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_formats_do_not_look_into_the_source_folder() -> None:
    """Resources are resolved by the normaliser; a writer never reads `book.source_dir`."""
    readers = [str(p.relative_to(PACKAGE.parent)) for name, p in MODULES.items()
               if _within(name, "pipeline.formats") and "source_dir" in p.read_text(encoding="utf-8")]
    assert readers == []
