"""The site's page names, kept where every other module looked for them: the scheme itself lives
in `formats.common.pagenames`, because the data formats (json, skos) publish each term's site
address too and formats never import each other."""

from __future__ import annotations

from ...names import HASH_LEN, short_hash
from ..common.pagenames import MAX_STEM, fragment, page_names, relative, transliterate

__all__ = ["HASH_LEN", "MAX_STEM", "fragment", "page_names", "relative", "short_hash", "transliterate"]
