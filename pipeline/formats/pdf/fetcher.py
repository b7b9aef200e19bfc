"""The PDF's resource fetcher: files inside the allowed folders and small `data:` URLs, nothing else.

WeasyPrint asks its `url_fetcher` for every image, stylesheet, font file and SVG-internal
reference. Anything else — the network, `file:` outside the source and styles folders, a
`data:` URL large enough to be a bomb — is refused and recorded as a GL601 diagnostic located
at the entry whose HTML asked for it (`origins` maps URLs to entries), never silently blank.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ... import diagnostics as dg
from ..common import fonts
from .compose import Origin

MAX_DATA_URL = 2 * 1024 * 1024  # characters; formulas and icons are far smaller
MAX_FILE = 50 * 1024 * 1024  # bytes; larger images are refused rather than decoded


class ResourceRefused(ValueError):
    """A URL the policy does not allow; WeasyPrint catches it and skips the resource."""


class GlossaryFetcher(URLFetcher):  # type: ignore[misc]
    """Serve `file:` URLs under `roots` and small `data:` URLs; refuse and record the rest."""

    def __init__(self, roots: Sequence[Path], origins: Mapping[str, Origin] | None = None,
                 files: Sequence[Path] = ()) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in (*roots, *fonts.folders()))  # + the packaged fonts
        self.files = frozenset(f.resolve() for f in files)  # the book's images, resolved already
        self.origins = dict(origins or {})
        self.refused: list[dg.Diagnostic] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve an allowed URL, or raise ResourceRefused after recording a diagnostic."""
        try:
            return self._serve(url)
        except ResourceRefused as exc:
            self.refused.append(self._diagnostic(url, str(exc)))
            raise

    def _serve(self, url: str) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                raise ResourceRefused(f"data: URL of {len(url):,} characters exceeds {MAX_DATA_URL:,}")
            response: URLFetcherResponse = super().fetch(url)
            return response
        if scheme != "file":
            raise ResourceRefused(f"{scheme or 'relative'} URLs are not fetched (no network at build time)")
        path = self._allowed_path(url)
        data = path.read_bytes()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})

    def _allowed_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"file URL on host {parts.netloc!r}")
        path = Path(url2pathname(unquote(parts.path)))
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise ResourceRefused(f"no such file {path}") from None
        if resolved not in self.files and not any(resolved.is_relative_to(r) for r in self.roots):
            raise ResourceRefused(f"{resolved} is outside the source and styles folders")
        if not resolved.is_file():
            raise ResourceRefused(f"{resolved} is not a file")
        if resolved.stat().st_size > MAX_FILE:
            raise ResourceRefused(f"{resolved} is larger than {MAX_FILE:,} bytes")
        return resolved

    def _diagnostic(self, url: str, reason: str) -> dg.Diagnostic:
        origin = self.origins.get(url)
        shown = url if len(url) <= 80 else url[:60] + "…"
        # A URL no entry wrote (e.g. inside an SVG or a stylesheet) has no entry to name.
        file, line = (origin.file, origin.line) if origin else ("", 0)
        return dg.make(dg.RESOURCE_REFUSED, file, line, 0, f"resource refused: {shown}: {reason}",
                       "use images from the source folder, referenced by a relative path")
