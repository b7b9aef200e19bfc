"""What in a finished page could run script or fetch something: one check for site and EPUB.

Entries are cleaned when the book is read and their HTML again after pandoc (GL609); this looks
at the written pages themselves, so a template or a regression that lets something through is
GL605 at build time. The templates' own files are allowed: style sheets, icon and prev/next
links and the Content-Security-Policy in `<head>`, and (on the site) scripts loaded from files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from .linkcheck import is_external

# Elements a self-contained page of the book never needs.
FOREIGN = frozenset({"script", "iframe", "embed", "object", "applet", "frame", "frameset", "form",
                     "base", "link", "style", "video", "audio", "source", "picture", "track",
                     "button", "textarea", "select", "canvas", "template", "noscript", "meta",
                     "portal", "marquee"})
OWN_LINKS = frozenset({"stylesheet", "icon", "prev", "next"})
_FETCHING = frozenset({"src", "srcset", "poster", "data", "background", "href", "xlink:href",
                       "action", "formaction", "ping"})
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")


def active_content(root: etree._Element, own_scripts: bool) -> Iterator[tuple[etree._Element, str]]:
    """(element, what is wrong) for everything in the page that could run or fetch."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name in FOREIGN and not _template_own(el, name, own_scripts):
            yield el, f"has a <{name}> element"
        if name == "a" and any(etree.QName(a).localname == "a" for a in el.iterancestors()):
            yield el, "has a link inside a link"
        for key, raw in el.attrib.items():
            attribute = str(key).rsplit("}", 1)[-1]
            value = str(raw)
            if attribute.lower().startswith("on"):
                yield el, f"has an event handler ({attribute} on <{name}>)"
            elif attribute in _FETCHING and refused_url(name, attribute, value):
                yield el, f"refers to {value[:60]} ({attribute} on <{name}>)"
            elif attribute == "style" and re.search(r"url\(|@import|\\", value, re.IGNORECASE):
                yield el, f"has a style that loads something (on <{name}>)"


def refused_url(tag: str, attribute: str, value: str) -> bool:
    """Whether this address in this place would run script or make the reader fetch."""
    lowered = _IGNORED_IN_URL.sub("", value).strip().lower()
    if lowered.startswith(("javascript:", "vbscript:", "data:text", "file:")):
        return True
    if tag == "a" and attribute == "href":
        return False  # a link the reader may follow (remote links are allowed)
    if attribute in ("srcset", "poster", "background", "ping", "action", "formaction"):
        return True
    return lowered.startswith(("http:", "https:", "ftp:")) or bool(re.match(r"^[/\\]{2}", lowered))


def _template_own(el: etree._Element, name: str, own_scripts: bool) -> bool:
    parent = el.getparent()
    in_head = parent is not None and etree.QName(parent).localname == "head"
    if not in_head:
        return False
    if name == "link":
        return el.get("rel") in OWN_LINKS and not is_external(el.get("href", ""))
    if name == "meta":
        return (el.get("http-equiv") or "content-security-policy").lower() == "content-security-policy"
    if name == "script":
        src = el.get("src", "")
        return own_scripts and bool(src) and not is_external(src) and not (el.text or "").strip()
    return False
