"""The allowlist (`pipeline.sanitise`) on its own: what it keeps, what it removes, what it reports.

The payloads are the ones issue 18 found running in the built site and EPUB; each must lose
exactly its dangerous part, and ordinary markup (pandoc's own HTML, MathML, tables, images,
details) must come through unchanged.
"""

from __future__ import annotations

import re

import pytest
from conftest import DEMO

from pipeline import diagnostics as dg
from pipeline import read_book, sanitise
from pipeline.formats.common.fragments import render

_ACTIVE = re.compile(r"<script|<iframe|<object|<embed|<base|<meta|<form|<link|<style|<svg|"
                     r"\son[a-z]+=|javascript:|vbscript:|data:text|srcset|poster|background=|"
                     r"url\(|@import|formaction", re.IGNORECASE)

PAYLOADS = [
    '<script>window.__pwned=1</script>', '<SCRIPT SRC="http://127.0.0.1:9/x.js"></SCRIPT>',
    '<img src="a.png" onerror="x()">', '<input autofocus onfocus="x()">',
    '<details open ontoggle="x()"><summary>s</summary>t</details>',
    '<div style="animation:k 1s" onanimationstart="x()">a</div>', '<svg onload="x()"><circle/></svg>',
    '<a href="javascript:x()">a</a>', '<a href="&#x6A;avascript:x()">a</a>',
    '<a href=" JaVaScRiPt:x()">a</a>', '<a href="java&#9;script:x()">a</a>',
    '<a href="vbscript:msgbox">a</a>', '<a href="data:text/html,&lt;script&gt;x()&lt;/script&gt;">a</a>',
    '<iframe src="http://127.0.0.1:9/"></iframe>', '<iframe srcdoc="&lt;script&gt;x()&lt;/script&gt;">',
    '<object data="http://127.0.0.1:9/o"></object>', '<embed src="http://127.0.0.1:9/e">',
    '<base href="http://127.0.0.1:9/">', '<meta http-equiv="refresh" content="0;url=http://x/">',
    '<form action="http://x/"><button formaction="javascript:x()">b</button></form>',
    '<link rel="stylesheet" href="http://127.0.0.1:9/s.css">',
    '<style>@import url(http://127.0.0.1:9/i.css)</style>',
    '<span style="background:url(http://127.0.0.1:9/b.png)">s</span>',
    '<span style="background:u&#114;l(http://127.0.0.1:9/b.png)">s</span>',
    '<span style="background:\\75 rl(http://127.0.0.1:9/b.png)">s</span>',
    '<img src="a.png" srcset="http://127.0.0.1:9/s.png 2x">',
    '<picture><source srcset="http://127.0.0.1:9/p.png"><img src="a.png"></picture>',
    '<video poster="http://127.0.0.1:9/v.png"></video>', '<table background="http://x/t.png"><tr><td>c</td></tr></table>',
    '<svg><image href="http://x/i.png"/><use href="http://x/u.svg#a"/><foreignObject><p>f</p></foreignObject></svg>',
    '<img src="//127.0.0.1:9/p.png">', '<img src="http://127.0.0.1:9/r.png">',
    '<noscript><p title="</noscript><img src=x onerror=x()>"></p></noscript>',
    '<math><maction actiontype="statusline" href="javascript:x()"><mi>x</mi></maction></math>',
    '<math><annotation-xml encoding="text/html"><img src=x onerror=x()></annotation-xml></math>',
    '<a href="#x" ping="http://127.0.0.1:9/ping">p</a>', '<template><script>x()</script></template>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_loses_its_active_part_and_says_so(payload: str) -> None:
    cleaned = sanitise.clean(payload)
    assert not _ACTIVE.search(cleaned), cleaned
    assert not re.search(r'src="(https?:)?//', cleaned), cleaned
    assert any(sanitise.removed([payload], cleaned)), f"nothing reported for {payload}"


@pytest.mark.parametrize("markup", [
    '<p>Text <b>fett</b>, <i>kursiv</i>, <code>x &lt; y</code>, H<sub>2</sub>O, x<sup>2</sup></p>',
    '<details open=""><summary>Mehr</summary><p>Inhalt</p></details>',
    '<table><thead><tr><th style="text-align: left;">A</th></tr></thead>'
    '<tbody><tr><td colspan="2" style="text-align: right;">1</td></tr></tbody></table>',
    '<p><img src="images/punkt.png" alt="Punkt" width="20" /></p>',
    '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="eingebettet" /></p>',
    '<p><a href="https://example.org/?a=1&amp;b=2">Web</a> <a href="mailto:a@example.org">Post</a> '
    '<a href="#Anker">hier</a> <a name="anker">Anker</a></p>',
    '<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><msup><mi>a</mi>'
    '<mn>2</mn></msup></mrow><annotation encoding="application/x-tex">a^2</annotation></semantics></math>',
    '<p><span lang="en" dir="ltr" title="t" class="c" id="i" data-x="1" aria-label="l">s</span></p>',
    '<p><span style="color: #a00; font-weight: bold">farbig</span></p>',
])
def test_ordinary_markup_passes_unchanged(markup: str) -> None:
    assert sanitise.clean(markup) == markup
    assert sanitise.removed([markup], sanitise.clean(markup)) == [[]]


@pytest.mark.parametrize("url, tag, attribute, ok", [
    ("https://example.org/", "a", "href", True), ("mailto:a@b.c", "a", "href", True),
    ("#Id", "a", "href", True), ("docs/handbuch.pdf", "a", "href", True),
    ("javascript:x", "a", "href", False), ("  JAVASCRIPT:x", "a", "href", False),
    ("java\tscript:x", "a", "href", False), ("java\nscript:x", "a", "href", False),
    ("\x01javascript:x", "a", "href", False), ("vbscript:x", "a", "href", False),
    ("data:text/html,x", "a", "href", False), ("data:image/png;base64,AA", "a", "href", False),
    ("file:///etc/passwd", "a", "href", False), ("//evil.example/x", "a", "href", False),
    ("/\\evil.example/x", "a", "href", False), ("java%09script:x", "a", "href", False),
    ("images/a.png", "img", "src", True), ("data:image/png;base64,AA", "img", "src", True),
    ("data:image/svg+xml,<svg/>", "img", "src", False), ("https://example.org/a.png", "img", "src", False),
])
def test_urls_are_read_the_way_a_browser_reads_them(url: str, tag: str, attribute: str, ok: bool) -> None:
    assert sanitise.url_ok(url, tag, attribute) is ok
    assert sanitise.attribute_ok(tag, attribute, url) is ok


def test_pandoc_attributes_keep_only_harmless_keys() -> None:
    assert sanitise.attribute_ok("span", "lang", "en") and sanitise.attribute_ok("img", "width", "50%")
    assert sanitise.attribute_ok("span", "style", "color: red")
    for key, value in [("onclick", "x()"), ("onmouseover", "x()"), ("style", "background: url(x)"),
                       ("srcset", "x 2x"), ("style", "position: fixed"), ("formaction", "x"),
                       ("on click", "x"), ("tabindex", "5")]:
        assert not sanitise.attribute_ok("span", key, value), key


def test_the_demo_renders_without_anything_to_remove() -> None:
    """The writer layer's second pass must find nothing in an ordinary book: pandoc's HTML of
    the cleaned entries (MathML, highlighted code, tables, figures, footnotes) is on the list."""
    report = dg.Report()
    book = read_book(DEMO, report)
    fragments = render(book, report)
    assert [d for d in report if d.code == dg.UNSAFE_REMOVED] == []
    assert any("<math" in f.definition + "".join(s.body for s in f.sections)
               for f in fragments.terms.values())


def test_pandoc_html_of_everyday_markdown_passes_the_second_pass_untouched() -> None:
    """Task lists, aligned tables, sized images, sub/strike/small caps, autolinks, footnotes,
    highlighted code, definition lists, line blocks and MathML: what pandoc writes is listed."""
    import pypandoc

    markdown = ("- [ ] offen\n- [x] fertig\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
                "![Bild](a.png){width=50%}\n\nH~2~O, ~~weg~~, [klein]{.smallcaps}, "
                "<https://example.org>, $\\sqrt{x^2}$, Fußnote[^1]\n\n[^1]: Note.\n\n"
                "```python\nprint(1)\n```\n\nTerm\n: Def\n\n| Zeile\n| zwei\n")
    rendered = pypandoc.convert_text(markdown, "html5", format="markdown", extra_args=["--mathml"])
    cleaned = sanitise.clean(rendered, placeholders=True)
    assert sanitise.removed([rendered], cleaned) == [[]]
    assert cleaned.count("<input") == 2 and 'style="width:50' in cleaned and "<math" in cleaned
