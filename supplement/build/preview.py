"""Live preview: the HTML rendering served on 127.0.0.1, reloaded in the browser on save.

The server keeps the last good rendering in memory and a version number that goes up
with every rebuild, good or failed. It serves

    /          the rendering, with a short script added that asks /version every
               300 ms and reloads the page (keeping the scroll position) when it
               changed; after a failed rebuild, a panel at the top lists the errors
               as FILE:LINE:COL, over the last good rendering
    /version   the version number

The HTML writer's own output has no script; only the served page gets one. Nothing
is written to disk and no browser is opened. The watcher (supplement.build.watch)
decides when to rebuild.
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from supplement.diagnostics import Report
from supplement.pipeline import compile_document

POLL_MS = 300
_SCRIPT = """<script>
(function () {
  var key = "supplement-preview-scroll", seen = null;
  var y = sessionStorage.getItem(key);
  if (y !== null) { sessionStorage.removeItem(key); window.scrollTo(0, +y); }
  function poll() {
    fetch("/version", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen === null) seen = v;
      else if (v !== seen) { sessionStorage.setItem(key, String(window.scrollY)); location.reload(); return; }
      setTimeout(poll, %d);
    }, function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>
""" % POLL_MS
_PANEL_STYLE = ("position: sticky; top: 0; z-index: 10; margin: 0 0 1em; padding: .6em 1em; background: #fff0f0; "
                "border: 2px solid #b00000; color: #000; font: 10pt/1.4 monospace; white-space: pre-wrap;")
_EMPTY = ('<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>supplement preview</title></head>\n'
          "<body>\n<main><h1>supplement preview</h1><p>No rendering yet: the source has errors.</p></main>\n</body>\n</html>\n")


class Preview:
    """The page being served: last good HTML, current errors, version."""

    def __init__(self, source: Path, style: str | None = None):
        self.source, self.style = source, style
        self.lock = threading.Lock()
        self.good: bytes | None = None
        self.errors: list[str] = []
        self.version = 0

    def rebuild(self):
        """Compile and render the HTML; on errors keep the last good rendering. For the watcher."""
        from supplement.writers.html import render

        report = Report()
        try:
            doc, report = compile_document(self.source, self.style)
            page = render(doc) if doc is not None else None
        except OSError as e:  # the source vanished between the event and the read
            doc, page = None, None
            self.errors = [f"{self.source}: cannot read the source: {e.strerror}"]
        with self.lock:
            if page is not None:
                self.good, self.errors = page, []
            elif report.errors:
                self.errors = [d.text() for d in report.sorted() if d.severity == "error"]
            self.version += 1
        return doc, report

    def page(self) -> bytes:
        with self.lock:
            good, errors = self.good, list(self.errors)
        text = (good or _EMPTY.encode()).decode("utf-8")
        if errors:
            n = len(errors)
            panel = (f'<div role="alert" id="supplement-errors" style="{_PANEL_STYLE}">'
                     f"<strong>{n} error{'s' * (n != 1)}; showing the last good rendering below</strong>\n"
                     + "\n".join(html.escape(e) for e in errors) + "</div>\n")
            text = text.replace("<body>\n", "<body>\n" + panel, 1)
        i = text.rfind("</body>")
        return (text[:i] + _SCRIPT + text[i:]).encode("utf-8")


def serve(preview: Preview, port: int = 0) -> ThreadingHTTPServer:
    """Start serving on 127.0.0.1:``port`` (0: a free one) in a background thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/version":
                body, kind = str(preview.version).encode(), "text/plain; charset=utf-8"
            elif path in ("/", "/index.html"):
                body, kind = preview.page(), "text/html; charset=utf-8"
            else:
                self.send_error(404, "only / and /version are served")
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # quiet: the terminal shows builds, not requests
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server
