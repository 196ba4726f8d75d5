"""Zoo download/verify against a local HTTP server on 127.0.0.1 (no outside network)."""
import http.server
import json
import threading

import pytest
import torch

from mixpath_bench.models.named import create_model
from mixpath_bench.zoo import ZooError, fetch_weights, load_pretrained, publish, sha256_of


class Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}

    def do_GET(self):  # noqa: N802 - http.server API
        name = self.path.lstrip("/")
        if name not in self.files:
            self.send_error(404)
            return
        body, claimed = self.files[name]
        self.send_response(200)
        self.send_header("Content-Length", str(claimed))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture()
def zoo(tmp_path, server, monkeypatch):
    """A published S4 model served three ways: intact, corrupted, truncated."""
    monkeypatch.setenv("MIXPATH_CACHE", str(tmp_path / "cache"))
    model = create_model("S4:2100")
    entry = publish({f"network.{k}": v for k, v in model.state_dict().items()}, "tiny", tmp_path / "pub", server)
    good = (tmp_path / "pub" / entry["file"]).read_bytes()
    bad = bytearray(good)
    bad[-10] ^= 0xFF
    Handler.files = {entry["file"]: (good, len(good)), "bad.safetensors": (bytes(bad), len(bad)),
                     "short.safetensors": (good[:-100], len(good))}
    models = [dict(entry, arch="S4:2100"),
              dict(entry, name="corrupt", file="bad.safetensors", url=f"{server}/bad.safetensors"),
              dict(entry, name="short", file="short.safetensors", url=f"{server}/short.safetensors"),
              dict(entry, name="missing", file="m.safetensors", url=f"{server}/m.safetensors"),
              dict(entry, name="dead", file="d.safetensors", url="http://127.0.0.1:9/d.safetensors"),
              {"name": "unpublished", "url": None, "sha256": None, "weights_note": "train it yourself"}]
    manifest = tmp_path / "zoo.json"
    manifest.write_text(json.dumps({"models": models}))
    monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(manifest))
    return model, entry, tmp_path


def test_download_verify_and_load(zoo):
    model, entry, tmp_path = zoo
    path = fetch_weights("tiny")
    assert sha256_of(path) == entry["sha256"] and path.name == entry["file"]
    state = load_pretrained("tiny")
    fresh = create_model("S4:2100")
    missing, unexpected = fresh.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing)
    x = torch.randn(2, 3, 16, 16)
    model.eval(), fresh.eval()
    torch.testing.assert_close(fresh(x), model(x))
    # cached: works offline afterwards
    assert load_pretrained("tiny", offline=True).keys() == state.keys()


@pytest.mark.parametrize("name,message", [
    ("corrupt", "checksum mismatch"), ("short", "truncated|broke off"), ("missing", "could not download"),
    ("dead", "could not download"), ("unpublished", "no weights are published for unpublished"),
    ("nope", "unknown model 'nope'")])
def test_failures_are_clear_and_leave_no_file(zoo, name, message):
    _, _, tmp_path = zoo
    with pytest.raises(ZooError, match=message):
        fetch_weights(name)
    cache = tmp_path / "cache" / "weights"
    leftovers = [p.name for p in cache.glob("*")] if cache.exists() else []
    assert not leftovers


def test_offline_without_cache_and_damaged_cache(zoo):
    _, entry, tmp_path = zoo
    with pytest.raises(ZooError, match="offline mode is on"):
        fetch_weights("tiny", offline=True)
    path = fetch_weights("tiny")
    path.write_bytes(b"tampered")
    assert sha256_of(fetch_weights("tiny")) == entry["sha256"]  # replaced, never used
