"""`glossary serve`: the site built into a temporary folder, served, rebuilt on every save.

    session.py   the temporary folder and `Session.rebuild(changed) -> BuildResult`, the one
                 entry of every rebuild (the build cache makes it incremental behind it)
    watch.py     watchfiles over the source and styles folders; one rebuild at a time
    server.py    the HTTP server: the site, `/__glossary__/reload.js`, the event stream
    state.py     what the open pages are told (generation, findings, PDF)
    pdfjob.py    `--pdf`: the PDF kept current by a process of its own

Nothing here prints: the caller passes a `Listener` (the CLI prints what it is told).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Protocol

from .. import diagnostics as dg
from .files import SUPPORTED
from .pdfjob import BackgroundPdf
from .server import ServeError, Server, is_loopback, make_server
from .session import BuildResult, Session
from .state import LiveState, pdf_state, site_state
from .watch import Rebuilder, Watcher

__all__ = ["BuildResult", "Listener", "Options", "ServeError", "Session", "serve"]
_STOP_WAIT = 30.0  # seconds a rebuild that is running gets to finish when the session ends


@dataclass(frozen=True)
class Options:
    source: Path
    styles: Path
    host: str = "127.0.0.1"
    port: int = 8000
    port_given: bool = False  # an explicit port must be free; the default may move up
    open_browser: bool = False
    pdf: bool = False
    strict: bool = False


class Listener(Protocol):
    """What the caller is told; `cli.py` prints it."""

    def serving(self, url: str, exposed: bool) -> None: ...
    def built(self, result: BuildResult) -> None: ...
    def pdf_built(self, result: BuildResult) -> None: ...


def serve(options: Options, listener: Listener, stop: threading.Event | None = None) -> None:
    """Serve until `stop` is set, Ctrl-C or SIGTERM; the temporary folder is removed after."""
    if not SUPPORTED:  # pragma: no cover - Windows
        raise ServeError("glossary serve needs Linux, macOS or a BSD",
                         "build with `glossary build --format html` and open build/html/index.html")
    if not options.source.is_dir():
        raise dg.GlossaryError(dg.make(
            dg.SOURCE_MISSING, str(options.source), 0, 0, "source folder does not exist",
            "pass the folder that holds your entries, e.g. `glossary serve source/`"), exit_code=2)
    stop = stop or threading.Event()
    session, state = Session(options.source, options.styles, options.strict), LiveState()
    try:
        server = make_server(options.host, options.port, options.port_given, session, state)
    except BaseException:
        session.close()
        raise
    with _sigterm_stops(), contextlib.suppress(KeyboardInterrupt):
        try:
            _run(options, listener, session, state, server, stop)
        finally:
            state.close()


def _run(options: Options, listener: Listener, session: Session, state: LiveState, server: Server,
         stop: threading.Event) -> None:
    def rebuild(changed: set[Path]) -> BuildResult:
        state.update(building=True)
        return session.rebuild(changed)

    def site_done(result: BuildResult) -> None:
        if state.closed:  # stopping: Ctrl-C also ended the build's pandoc processes
            return
        state.update(**site_state(result, options.source))
        listener.built(result)

    def pdf_done(result: BuildResult) -> None:
        if state.closed:
            return
        state.update(**pdf_state(result))
        listener.pdf_built(result)
        if "pdf" in result.outputs:
            session.artifacts["pdf"] = result.outputs["pdf"]
            rebuilder.request(set())  # the site's download button links the new PDF

    rebuilder = Rebuilder(rebuild, site_done)
    pdf = BackgroundPdf(options.source, options.styles, session.root / "pdf",
                        pdf_done) if options.pdf else None

    def changed(paths: set[Path]) -> None:
        rebuilder.request(paths)
        if pdf is not None:
            state.update(**pdf_state(None))
            pdf.request()

    watcher = Watcher([options.source, options.styles], changed)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                               name="glossary-http", daemon=True)
    try:
        serving.start()
        listener.serving(server.url, not is_loopback(options.host))
        rebuilder.start()
        watcher.start()
        changed(set())
        if options.open_browser:  # some browser commands return only when the browser is closed
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
    finally:
        state.close()
        server.shutdown()
        server.server_close()
        watcher.stop()
        if pdf is not None:
            pdf.stop()
        rebuilder.stop(_STOP_WAIT)
        session.close()


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM (a service manager, `kill`) ends the session as Ctrl-C does: cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield None
    finally:
        signal.signal(signal.SIGTERM, previous)
