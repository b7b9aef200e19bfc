"""The hostile corpus of issue 18, generated (10 MB of Markdown is not committed).

    python tests/hostile.py OUT            # write the corpus into OUT/
    python tests/hostile.py OUT --run      # ... then check and build every book, timed
    python tests/hostile.py OUT --run --no-cache   # ... every step cold

Each case is a tiny book beside one healthy entry (`Gesund.md`), so a test can see that the
hostile entry is reported and the rest still built. `write_corpus` merges every entry-level case
into one book (`entries/`, one diagnostic each, the others built) and writes each book-level
case (book.toml, the only file) as a book of its own. The runner is a measurement, not a test:
tests import `CASES`/`write_case` and assert on behaviour, never on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HEALTHY = ("Gesund.md", "## Gesund {#Gesund .term}\n\n***Ein gesunder Eintrag***\n\n"
           "Er verweist auf [Gesund-Zwei](#Gesund-Zwei).\n")
HEALTHY_TWO = ("Gesund-Zwei.md", "## Gesund Zwei {#Gesund-Zwei .term}\n\n***Noch einer***\n\n"
               "Zurück zu [Gesund](#Gesund).\n")


def entry(ident: str, body: str, title: str | None = None) -> str:
    return f"## {title or ident} {{#{ident} .term}}\n\n***Feindlich***\n\n{body}\n"


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, bytes | str]  # path relative to the book -> content
    links: dict[str, str] = field(default_factory=dict)  # path -> symlink target, as written
    outside: dict[str, str] = field(default_factory=dict)  # files beside the book (../name)
    book_level: bool = False  # needs a book of its own (book.toml, the only file)
    healthy: bool = True  # add the two healthy entries


def _paragraphs(count: int, size: int) -> str:
    words = "Kryptographie schützt Nachrichten vor neugierigen Blicken und "
    para = (words * (size // len(words) + 1))[:size]
    return "\n\n".join(para for _ in range(count))


def _nested_list(depth: int) -> str:
    return "\n".join("  " * i + f"- Ebene {i}" for i in range(depth))


def _nested_divs(depth: int) -> str:
    return "\n".join([*("::: {.d}" for _ in range(depth)), "innen", *(":::" for _ in range(depth))])


NFD_ID = unicodedata.normalize("NFD", "Übersicht")

CASES: dict[str, Case] = {c.name: c for c in (
    Case("big-entry", {"Gross.md": entry("Gross", _paragraphs(1000, 10_000), "Groß")}),
    Case("brackets", {"Klammern.md": entry("Klammern", "Text " + "[" * 26 + " und weiter")}),
    Case("guillemets", {"Winkel.md": entry("Winkel", "‹" * 8000)}),
    Case("entities", {"Entitaet.md": entry("Entitaet", "&#x" * 8000)}),
    Case("nested-lists", {"Liste.md": entry("Liste", _nested_list(400))}),
    Case("nested-divs", {"Divs.md": entry("Divs", _nested_divs(2000))}),
    Case("nested-html-divs", {"Html-Divs.md": entry("Html-Divs", "<div>" * 2000 + "x" + "</div>" * 2000)}),
    Case("nested-quotes", {"Zitat.md": entry("Zitat", "> " * 500 + "tief")}),
    Case("nul-byte", {"Null.md": entry("Null", "vor\x00nach")}),
    Case("xref-link", {"Xref.md": entry("Xref", '[a](xref:Nope#x) und [b](xref:Gesund) und '
                                                 '<a href="xref:Roh#y">roh</a> <a href="xref:Offen">')}),
    Case("broken-ooxml", {"Ooxml.md": entry("Ooxml", "`<w:r><w:t>kaputt`{=openxml}\n\n"
                                                      "```{=openxml}\n<w:p><w:r>\n```")}),
    Case("long-id", {"Lang.md": entry("Lang-" + "x" * 640, "Text.", "Langer Titel " * 49)}),
    Case("nested-spans", {"Spans.md": entry("Spans", "<span>" * 3000 + "x" + "</span>" * 3000)}),
    Case("nfd-id", {"Uebersicht.md": f"## {NFD_ID} {{#{NFD_ID} .term}}\n\n***Alles***\n\nText.\n",
                    "Verweis.md": entry("Verweis", "Siehe [Übersicht](#Übersicht).")}),
    Case("symlinks", {}, links={"Symlink-Raus.md": "../secret.txt", "Ordner-Raus": "../outside",
                                "Schleife": ".", "Kreis-A.md": "Kreis-B.md", "Kreis-B.md": "Kreis-A.md"},
         outside={"secret.txt": "## Geheim {#Geheim .term}\n\nGEHEIMNIS\n",
                  "outside/Draussen.md": "## Draußen {#Draussen .term}\n\nDRAUSSEN\n"}),
    Case("hidden-files", {
        "Versteckt.md": entry("Versteckt", '![Konfig](.git/config) ![Env](.env)\n\n'
                                           '<a rel="attachment" href=".git/config">Anhang</a> '
                                           '[Link](.env)'),
        ".git/config": "[core]\n\tsecret = 1\n", ".env": "TOKEN=geheim\n"}),
    Case("newline-name", {"Zeile\n::error file=x::forged.md": entry("Zeile", "[kaputt](#Nirgends)")}),
    Case("raw-script", {"Skript.md": entry("Skript", "<script>alert(1)</script>\n\n"
                                                     "[x](javascript:alert(2))")}),
    Case("nonentry-link", {"Handbuch.md": entry("Handbuch", "Das [Handbuch](docs/handbuch.pdf)."),
                           "docs/handbuch.pdf": b"%PDF-1.4\n%%EOF\n"}),
    Case("yaml-only", {"Kaputt.md": "---\ntitle: [unclosed\n---\n\n## Kaputt {#Kaputt .term}\n\nText.\n"},
         book_level=True, healthy=False),
    Case("book-title-640", {"book.toml": f'title = "{"Langer Titel " * 49}"\n'}, book_level=True),
    Case("book-title-200k", {"book.toml": f'title = "{"Riesentitel " * 16_667}"\n'}, book_level=True),
    Case("slug-dotdot", {"book.toml": 'slug = "../escaped"\n'}, book_level=True),
    Case("slug-absolute", {"book.toml": 'slug = "/tmp/glossary-escaped"\n'}, book_level=True),
    Case("slug-nul", {"book.toml": 'slug = "a\\u0000b"\n'}, book_level=True),
    Case("toml-deep", {"book.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n"}, book_level=True),
    Case("toml-bom", {"book.toml": "\ufefftitle = \"Mit BOM\"\n"}, book_level=True),
    Case("rtl", {"book.toml": 'title = "مسرد"\nlanguage = "ar"\n',
                 "Tashfir.md": "## تشفير {#Tashfir .term}\n\n***حماية الرسائل***\n\nنص.\n"},
         book_level=True),
)}


def write_case(case: Case, book: Path) -> Path:
    """Write one case as a book at `book` (its `outside` files go beside it)."""
    book.mkdir(parents=True, exist_ok=True)
    files = dict(case.files)
    if case.healthy:
        files.update(dict((HEALTHY, HEALTHY_TWO)))
    for rel, content in files.items():
        _write(book / rel, content)
    for rel, content in case.outside.items():
        _write(book.parent / rel, content)
    for rel, target in case.links.items():
        (book / rel).symlink_to(target)
    return book


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def write_corpus(root: Path) -> list[Path]:
    """Every entry-level case merged into `root/entries`, each book-level case a book of its own."""
    if root.exists():
        shutil.rmtree(root)
    books = [root / "entries"]
    for case in CASES.values():
        if case.book_level:
            books.append(write_case(case, root / case.name))
        else:
            write_case(case, root / "entries")
    return books


def run(books: list[Path], out: Path, cache: bool = True) -> int:
    """Check and build every book in all formats, timed; a traceback or exit 3 is a failure.
    `cache=False`: every step cold (`--no-cache`); else the build finds what check cached."""
    rows, bad, started = [], 0, time.perf_counter()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764374400"}
    for book in books:
        for step in ("check", "build"):
            args = [sys.executable, "-m", "pipeline", step, str(book), "-q",
                    *(() if cache else ("--no-cache",))]
            if step == "build":
                args += ["--out", str(out / book.name)]
            t0 = time.perf_counter()
            proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
            took = time.perf_counter() - t0
            crashed = proc.returncode == 3 or "Traceback" in proc.stderr + proc.stdout
            bad += crashed
            rows.append({"book": book.name, "step": step, "exit": proc.returncode,
                         "seconds": round(took, 1), "crashed": crashed})
            print(f"{book.name:<16} {step:<5} exit {proc.returncode}  {took:6.1f} s"
                  f"{'  CRASH: ' + proc.stderr.strip()[-300:] if crashed else ''}", flush=True)
    total = time.perf_counter() - started
    print(json.dumps({"total_seconds": round(total, 1), "crashes": bad}))
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("--run", action="store_true", help="check and build every book, timed")
    p.add_argument("--no-cache", action="store_true", help="run every step without the build cache")
    args = p.parse_args(argv)
    books = write_corpus(args.out / "corpus")
    return run(books, args.out / "built", cache=not args.no_cache) if args.run else 0


if __name__ == "__main__":
    sys.exit(main())
