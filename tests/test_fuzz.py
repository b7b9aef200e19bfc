"""Generated entries (hypothesis): headings with attribute blocks, links of every kind, tables,
raw HTML, Unicode (decomposed, right-to-left, invisible, control characters) and deep nesting,
through `check` and every format. No traceback; every failure a diagnostic; every output valid
(epubcheck, the site's link crawl, the DOCX's XML, the PDF opened).

The budget is fixed so the suite's time stays put: derandomized (the same examples on every
run and machine), a few examples, no per-example deadline.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline import build, read_book
from pipeline import diagnostics as dg
from pipeline.cli import main

FIXED = settings(derandomize=True, deadline=None, database=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_LETTERS = "abcdefghijklmnopqrstuvwxyzÄÖÜäöüßéАаБбЖжضشمעבר日本"
_ODD = ["\u0308", "\u200b", "\u00a0", "\u202e", "\x00", "\x07", "\t", "😀", "ﬁ", "&", "<", ">", '"']
_MARKUP = ["*", "**", "_", "`", "[", "]", "(", ")", "{", "}", "#", "|", "\\", "$", "^", "~", ":", "-"]

ident = st.text(st.sampled_from([*_LETTERS, "-", "_", ".", "1", "2", "\u0308"]), min_size=1, max_size=10)
words = st.lists(st.sampled_from([*_LETTERS, " ", " ", "Wort", *_ODD, *_MARKUP]), max_size=30).map("".join)


@st.composite
def link(draw: st.DrawFn, ids: list[str]) -> str:
    label = draw(words).replace("]", "").replace("[", "") or "x"
    known = draw(st.sampled_from(ids))
    target = draw(st.sampled_from([
        f"#{known}", f"#{draw(ident)}", "#", "#Index", f"{known}.md", "docs/a.pdf", ".env", "/etc/passwd",
        "file:///etc/passwd", f"xref:{draw(ident)}", "https://example.com/", "mailto:a@b.c",
        "javascript:alert(1)", "", "data:text/plain,x"]))
    if draw(st.booleans()):
        return f"[{label}]({target})"
    return f'<a href="{target}">{label}</a>'


def _nested(kind: str, depth: int, text: str) -> str:
    if kind == "list":
        return "\n".join("  " * i + f"- {text} {i}" for i in range(depth))
    if kind == "quote":
        return "> " * depth + text
    if kind == "div":
        return "\n".join([*("::: {.d}" for _ in range(depth)), text, *(":::" for _ in range(depth))])
    return "<span>" * depth + text + "</span>" * depth


@st.composite
def block(draw: st.DrawFn, ids: list[str]) -> str:
    kind = draw(st.sampled_from(["para", "links", "table", "raw", "nested", "heading", "math", "code"]))
    text = draw(words)
    if kind == "links":
        return " ".join(draw(st.lists(link(ids), min_size=1, max_size=4)))
    if kind == "table":
        cols = draw(st.integers(1, 4))
        rows = draw(st.lists(st.lists(words.map(lambda w: w.replace("|", "").replace("\n", " ")),
                                      min_size=cols, max_size=cols), min_size=1, max_size=3))
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join([lines[0], "|" + "---|" * cols, *lines[1:]])
    if kind == "raw":
        return draw(st.sampled_from([
            f"<div class=\"x\">{text}</div>", f"<span style=\"color:red\">{text}</span>",
            f"<details><summary>{text}</summary>x</details>", "<img src=\"nope.png\" alt=\"a\">",
            "<p>unclosed", "</div>", "<br>", f"`<w:r><w:t>{text}`{{=openxml}}", "<!-- comment -->",
            "<table><tr><td>x</td></tr></table>", "<sup>1</sup>"]))
    if kind == "nested":
        return _nested(draw(st.sampled_from(["list", "quote", "div", "span"])), draw(st.integers(1, 60)),
                       text or "x")
    if kind == "heading":
        cls = draw(st.sampled_from(["", " .explanation", " .seealso", " .unknown", " .term"]))
        return f"### {text or 'Abschnitt'} {{#{draw(ident)}{cls}}}"
    if kind == "math":
        return draw(st.sampled_from(["$x^2$", "$$\\frac{a}{b}$$", "$\\nope{$", f"${text}$"]))
    if kind == "code":
        return f"```python\n{text}\n```"
    return text


@st.composite
def entry(draw: st.DrawFn, ident_: str, ids: list[str]) -> str:
    title = draw(words).replace("{", "").replace("}", "").replace("\n", " ")
    alias = draw(words).replace('"', "")
    attrs = draw(st.sampled_from(["", ' aliases="A;B"', " .small", f' aliases="{alias}"']))
    heading = draw(st.sampled_from([f"## {title} {{#{ident_} .term{attrs}}}", f"## {title} {{.term}}",
                                    f"### {title} {{#{ident_} .term}}", f"## {title} {{#{ident_} .term"]))
    tagline = draw(st.sampled_from(["", f"***{draw(words)}***\n\n"]))
    body = "\n\n".join(draw(st.lists(block(ids), min_size=0, max_size=5)))
    return f"{heading}\n\n{tagline}{body}\n"


@st.composite
def book(draw: st.DrawFn) -> dict[str, str]:
    ids = draw(st.lists(ident, min_size=1, max_size=4, unique=True))
    files = {f"e{i}-{draw(st.sampled_from(['a', 'Ü', 'x y', 'ж']))}.md": draw(entry(i_, ids))
             for i, i_ in enumerate(ids)}
    files["Gesund.md"] = "## Gesund {#Gesund .term}\n\n***Gesund***\n\nText.\n"
    return files


def _write(files: dict[str, str], folder: Path) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@settings(FIXED, max_examples=40)
@given(book())
def test_check_reports_every_generated_book_as_diagnostics(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        report = dg.Report()
        read = read_book(_write(files, Path(tmp)), report)
        assert "Gesund" in {t.id for t in read.terms}
        for d in report:
            assert d.code in dg.CODES and d.message


@settings(FIXED, max_examples=8, suppress_health_check=[*FIXED.suppress_health_check,
                                                        HealthCheck.function_scoped_fixture])
@given(files=book())
def test_check_command_prints_json_for_every_generated_book(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        code = main(["check", str(_write(files, Path(tmp))), "--format", "json"])
        captured = capsys.readouterr()
        assert code in (0, 1), captured.err
        assert all(d["code"] in dg.CODES for d in json.loads(captured.out))


@pytest.mark.slow
@settings(FIXED, max_examples=3)
@given(book())
def test_every_format_of_a_generated_book_is_valid(files: dict[str, str]) -> None:
    from test_epub import epubcheck

    from pipeline.formats.html.check import check_site

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        _write(files, src)
        report = dg.Report()
        try:
            outputs = build(src, out, ["md", "docx", "pdf", "epub", "html"], report)
        except dg.GlossaryError as exc:  # a format refused: a diagnostic, never a traceback
            assert exc.exit_code == 1 and exc.diagnostic.code in dg.CODES
            outputs = {}
        found = {p.suffix or p.name: p for p in out.iterdir() if not p.name.startswith(".")}
        assert set(outputs.values()) <= set(found.values()) and ".md" in found
        if ".epub" in found:
            checked = epubcheck(found[".epub"])
            counts = checked["checker"]
            assert isinstance(counts, dict) and counts["nError"] == counts["nFatal"] == 0, checked["messages"]
        if "html" in found:
            assert check_site(found["html"]) == []
        if ".docx" in found:
            with zipfile.ZipFile(found[".docx"]) as z:
                etree.fromstring(z.read("word/document.xml"))
        if ".pdf" in found:
            from pypdf import PdfReader

            assert len(PdfReader(found[".pdf"]).pages) > 0
