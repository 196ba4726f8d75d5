"""Shared pieces of the hostile-input tests: tool runs, one-line errors, payloads, a local HTTP server."""
import http.server
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

from ..conftest import ROOT

SUPERNET_CONFIG = str(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
TINY = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
        "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8", "model.network.stem_channels=8"]


def run_tool(tool, *args, timeout=600):
    return subprocess.run([sys.executable, str(ROOT / "tools" / tool), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def assert_one_line_error(proc, text):
    """Exit status 2, exactly one ``error:`` line containing `text`, no traceback."""
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and text in lines[0], proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr


def cfg_payload(marker):
    """MMEngine config text (Python) that writes `marker` when executed."""
    return f"_ran = open({str(marker)!r}, 'w').write('ran')\nmodel = dict(type='MixPathClassifier')\n"


class Payload:
    """Unpickling this object writes a marker file (what a hostile pickle would do instead)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('ran')",)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``files[name]``: bytes, or (bytes, claimed Content-Length or None, seconds spread over the body)."""

    def do_GET(self):  # noqa: N802 - http.server API
        self.server.requests.append(self.path)
        item = self.server.files.get(self.path.lstrip("/"))
        if item is None:
            self.send_error(404)
            return
        body, length, seconds = item if isinstance(item, tuple) else (item, len(item), 0.0)
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        pieces = 4 if seconds else 1
        step = -(-len(body) // pieces)
        for i in range(pieces):
            self.wfile.write(body[i * step:(i + 1) * step])
            self.wfile.flush()
            time.sleep(seconds / pieces)

    def log_message(self, *args):
        pass


@contextmanager
def http_server(files):
    """Serve {name: bytes} on 127.0.0.1; yields (base url, list of requested paths)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.requests = files, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
