"""What `init`, `init --from` and `new` tell the author, as lines for the CLI to print."""

from __future__ import annotations

from .booktoml import comment_language
from .importer import Imported
from .init import Created
from .new import NewEntry

_TERM = {"de": "Neuer Begriff", "en": "New term"}


def created(result: Created) -> list[str]:
    lines = [f"created a glossary in {result.root} (language {result.language}):"]
    lines += [f"  {rel}" for rel in result.files]
    lines += ["next:",
              f"  glossary check {result.root}      # lint the entries",
              f"  glossary build {result.root}      # PDF, EPUB, DOCX and site into build/",
              f'  glossary new "{_TERM[comment_language(result.language)]}" {result.root}   # add an entry',
              "  edit book.toml: title, authors, licence"]
    return lines


def imported(result: Imported) -> list[str]:
    lines = [f"wrote {result.config_path} (no file was moved or changed)",
             f"  {result.entries} entry files with {result.terms} terms"]
    for key, origin in result.origins.items():
        lines.append(f"  {key} = {result.values[key]!r}  ← {origin}")
    for name, why in result.excluded:
        lines.append(f"  exclude {name}: {why}")
    for key in ("front", "back"):
        if key in result.values:
            lines.append(f"  {key} = {list(result.values[key])}")
    if result.options:
        lines.append(f"{result.makefile_name}: pandoc options")
        lines += [f"  mapped   {opt} → {what}" for opt, what in result.options.mapped]
        lines += [f"  covered  {opt}: {why}" for opt, why in result.options.covered]
        lines += [f"  ignored  {opt}: {why}" for opt, why in result.options.ignored]
    if result.checks:
        lines.append("check:")
        lines += [f"  - {c}" for c in result.checks]
    return lines


def new(result: NewEntry) -> list[str]:
    lines = [str(result.path)]
    if result.sections:
        lines.append(f"  sections: {', '.join(result.sections)}")
    if result.see_also:
        lines.append(f"  see also (they mention it): {', '.join(result.see_also)}")
    if result.waiting:
        lines.append(f"  {result.waiting} link(s) to #{result.id} in "
                     f"{', '.join(result.waiting_files)} were broken and now resolve")
    else:
        lines.append(f"  no entry links to #{result.id} yet")
    return lines
