"""The HTTP side of `glossary serve`: the built site, the reload script and the event stream.

The standard library's `ThreadingHTTPServer` is enough for one author's browser on the loopback
interface, and Server-Sent Events (`EventSource`) need no protocol upgrade, no extra dependency
and reconnect by themselves after a restart. Pages are sent as the build wrote them, with two
tags added before `</head>` (a stylesheet and a script file under `/__glossary__/`): nothing is
injected into the site on disk, and no inline code is added, so a `script-src 'self'` policy
holds.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import logging
import os
import re
import shutil
import socket
import socketserver
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .files import Folder, Opened, content_type, open_at, url_names
from .session import Session
from .state import LiveState

PREFIX = "__glossary__"
ASSETS = Path(__file__).resolve().parent / "assets"
OWN_FILES = ("reload.js", "overlay.css")
KEEPALIVE = 15.0  # seconds between comments that keep an idle event stream open
PORT_TRIES = 10  # the default port and the next ones, when nobody asked for a port
CSP = "script-src 'self'; object-src 'none'; base-uri 'self'"
_log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ServeError(Exception):
    """The server cannot start (port taken, unknown host): a usage error, with what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


_PAGE_CSP = re.compile(rb'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.IGNORECASE)


def injected(page: bytes, generation: int) -> bytes:
    """The page with the overlay's stylesheet and the reload script, before `</head>`; its own
    Content-Security-Policy (the site allows no connections) also lets the reload script
    listen to this server's event stream (`connect-src 'self'`), while serving only."""
    tags = (f'<link rel="stylesheet" href="/{PREFIX}/overlay.css">'
            f'<script src="/{PREFIX}/reload.js" data-generation="{generation}" defer></script>').encode()
    page = _PAGE_CSP.sub(lambda m: m[1] + m[2] + (b"" if b"connect-src" in m[2] else b"; connect-src 'self'")
                         + m[3], page, count=1)
    at = page.lower().find(b"</head>")
    return page + tags if at < 0 else page[:at] + tags + page[at:]


class Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not hold up the end of the session

    def __init__(self, host: str, port: int, session: Session, state: LiveState) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.session, self.state, self.host = session, state, host
        super().__init__((host, port), Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (getfqdn): slow or hanging offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.host, int(self.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server_port}/"

    def host_allowed(self, header: str | None) -> bool:
        """DNS rebinding: a foreign page must not reach the loopback server under its own name."""
        if header is None or not is_loopback(self.host):
            return True
        host = f"[{self.host}]" if ":" in self.host else self.host
        allowed = {f"{h}:{self.server_port}" for h in (host, "127.0.0.1", "localhost", "[::1]")}
        return header.lower() in allowed

    def handle_error(self, request: Any, client_address: Any) -> None:
        _log.debug("request from %s failed", client_address, exc_info=True)


def make_server(host: str, port: int, port_given: bool, session: Session, state: LiveState) -> Server:
    """Listen on `host`; an explicit port must be free, the default one may move up a little."""
    ports = [port] if port_given or port == 0 else list(range(port, port + PORT_TRIES))
    for candidate in ports:
        try:
            return Server(host, candidate, session, state)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise ServeError(f"cannot listen on {host} port {candidate}: {exc.strerror or exc}",
                                 "check --host (an address of this machine, e.g. 127.0.0.1)") from exc
    tried = f"port {port}" if len(ports) == 1 else f"ports {ports[0]}–{ports[-1]}"
    raise ServeError(f"{tried} already in use", "choose another with --port N (or --port 0 for any free one)")


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "glossary-serve"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s " + format, self.address_string(), *args)

    def _respond(self, head: bool) -> None:
        if not self.server.host_allowed(self.headers.get("Host")):
            return self._page(HTTPStatus.FORBIDDEN, "Forbidden",
                              "This server answers on its own address only.")
        names = url_names(self.path)
        if names is None:
            return self._page(HTTPStatus.BAD_REQUEST, "Bad request", "This path is not served.")
        if names[:1] == [PREFIX]:
            return self._own(names[1:], head)
        return self._site(names, head)

    def _site(self, names: list[str], head: bool) -> None:
        # The generation is read before the folder: a page may be newer than its stamp (one
        # extra reload), never older (a missed reload).
        generation = self.server.state.generation
        found = self._find(names)
        if found == "waiting":
            return self._page(HTTPStatus.SERVICE_UNAVAILABLE, "Building the site",
                              "This page reloads when the first build is done.")
        if isinstance(found, Folder):
            if not self.path.split("?", 1)[0].endswith("/"):
                if found.index is not None:
                    os.close(found.index.fd)
                return self._redirect(self.path.split("?", 1)[0] + "/")
            found = found.index
        if not isinstance(found, Opened):
            return self._page(HTTPStatus.NOT_FOUND, "Not found", "No page of the glossary has this address.")
        self._file(found, generation, head)

    def _find(self, names: list[str]) -> Opened | Folder | str | None:
        session = self.server.session
        for _ in range(3):
            pinned = session.pin()
            if pinned is None:
                return "waiting"
            try:
                found = open_at(pinned, names)
                if found is not None or session.is_current(pinned):
                    return found
            finally:  # not found in a folder that was swapped out meanwhile: look again
                os.close(pinned)
        return None

    def _file(self, found: Opened, generation: int, head: bool) -> None:
        kind = content_type(found.name)
        with os.fdopen(found.fd, "rb") as f:
            if kind.startswith("text/html"):
                return self._send(HTTPStatus.OK, kind, injected(f.read(), generation), head)
            self._headers(HTTPStatus.OK, kind, found.size)
            if not head:
                shutil.copyfileobj(f, self.wfile)

    def _own(self, names: list[str], head: bool) -> None:
        if names == ["events"]:
            return self._events()
        if len(names) == 1 and names[0] in OWN_FILES:
            data = (ASSETS / names[0]).read_bytes()
            return self._send(HTTPStatus.OK, content_type(names[0]), data, head)
        self._page(HTTPStatus.NOT_FOUND, "Not found", "No such file of glossary serve.")

    def _events(self) -> None:
        """The state as a stream of `state` events, until the page or the server goes."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        version, data = state.snapshot()
        try:
            self._write(f"retry: 1000\nevent: state\ndata: {data}\n\n")
            while not state.closed:
                following = state.wait(version, KEEPALIVE)
                if following is None:
                    self._write(": keep-alive\n\n")
                    continue
                version, data = following
                self._write(f"event: state\ndata: {data}\n\n")
        except (BrokenPipeError, ConnectionResetError):  # the page was closed or reloaded
            return

    def _write(self, text: str) -> None:
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()

    def _page(self, status: HTTPStatus, title: str, text: str) -> None:
        """A small page of the server's own; it carries the overlay and reloads like the site."""
        body = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{html.escape(title)}</title>\n</head>\n<body class=\"glossary-serve-page\">\n"
                f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n"
                f'<p><a href="/">Start page</a></p>\n</body>\n</html>\n').encode()
        self._send(status, "text/html; charset=utf-8", injected(body, self.server.state.generation),
                   self.command == "HEAD")

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
        self._headers(status, kind, len(body))
        if not head:
            self.wfile.write(body)

    def _headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if kind.startswith("text/html"):
            self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
