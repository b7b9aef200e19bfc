"""Every XML and HTML parser the writers use, built here with one set of settings.

Safe (no entity expansion, no DTD loading, no network: XXE and billion-laughs inputs stay inert)
and deep (`huge_tree`: nested lists and divs go past libxml2's default depth of 256, which
crashed the EPUB once and had to be fixed in several parsers separately).
"""

from __future__ import annotations

import lxml.html
from lxml import etree


def xml_parser() -> etree.XMLParser:
    """The XML parser for XHTML, SVG, OPF, NCX and WordprocessingML."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def html_parser() -> lxml.html.HTMLParser:
    """The HTML parser for the site's pages."""
    return lxml.html.HTMLParser(huge_tree=True, no_network=True)


def parse_xml(data: bytes) -> etree._Element:
    """The root element of an XML document (raises etree.XMLSyntaxError)."""
    return etree.fromstring(data, xml_parser())


def parse_html(data: bytes) -> lxml.html.HtmlElement:
    """The root element of an HTML page."""
    return lxml.html.fromstring(data, parser=html_parser())
