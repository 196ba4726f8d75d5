"""Model-zoo manifest checks, URL policy, cache and download limits in-process, through a file://
mirror (no network, no model), with every message pinned (written against mutants that survived
the rest of the suite, docs/mutation.md)."""
import hashlib
import json

import pytest

from mixpath_bench.zoo import hub
from mixpath_bench.zoo.hub import ZooError

PAYLOAD = b"weights" * 1000
SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture()
def mirror(tmp_path, monkeypatch):
    """A manifest whose entry 'tiny' is served from a local file:// mirror; an empty cache."""
    monkeypatch.setenv("MIXPATH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MIXPATH_OFFLINE", raising=False)
    monkeypatch.delenv("MIXPATH_ZOO_LOCAL", raising=False)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "tiny.safetensors").write_bytes(PAYLOAD)

    def write(**changes):
        entry = {"name": "tiny", "file": "tiny.safetensors", "sha256": SHA,
                 "url": (tmp_path / "mirror" / "tiny.safetensors").as_uri(), **changes}
        manifest = tmp_path / "zoo.json"
        manifest.write_text(json.dumps({"models": [{k: v for k, v in entry.items() if v is not None}]}))
        monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(manifest))
        return manifest

    write()
    return write


def test_locations_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(tmp_path / "m.json"))
    monkeypatch.setenv("MIXPATH_CACHE", str(tmp_path / "c"))
    assert hub.manifest_path() == tmp_path / "m.json" and hub.cache_dir() == tmp_path / "c" / "weights"
    monkeypatch.delenv("MIXPATH_ZOO_MANIFEST")
    monkeypatch.delenv("MIXPATH_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert hub.manifest_path().parts[-2:] == ("model_zoo", "zoo.json") and hub.manifest_path().is_file()
    assert hub.cache_dir() == tmp_path / "home" / ".cache" / "mixpath_bench" / "weights"


def test_manifest_errors(tmp_path):
    path = tmp_path / "zoo.json"
    with pytest.raises(ZooError, match=rf"^model zoo manifest {path} does not exist$"):
        hub.load_manifest(path)
    path.write_text("{")
    with pytest.raises(ZooError, match=rf"^model zoo manifest {path} is malformed \("):
        hub.load_manifest(path)
    path.write_text(json.dumps({"models": {"a": 1}}))
    with pytest.raises(ZooError, match=rf"^model zoo manifest {path} is malformed \('models' is not a list\)$"):
        hub.load_manifest(path)
    path.write_text(json.dumps({"models": [{"name": "a"}, {"name": "b"}, {"name": "a"}]}))
    with pytest.raises(ZooError, match=rf"^model zoo manifest {path} names 'a' twice$"):
        hub.load_manifest(path)
    path.write_text(json.dumps({"models": [{"name": "b"}, {"name": "a", "file": "a.st"}]}))
    assert hub.load_manifest(path) == {"b": {"name": "b"}, "a": {"name": "a", "file": "a.st"}}
    with pytest.raises(ZooError, match=r"^unknown model 'c'; the zoo has: a, b$"):
        hub.get_entry("c", path)


@pytest.mark.parametrize("entry,message", [
    ([], r"^E has no name$"),
    ({"name": 3}, r"^E has no name$"),
    ({"name": "a/b"}, r"^E: name 'a/b' must be a plain name \(letters, digits, \. _ \+ -; no folders\)$"),
    ({"name": "a..b"}, r"^E: name 'a\.\.b' must be a plain name"),
    ({"name": ".hidden"}, r"^E: name '\.hidden' must be a plain name"),
    ({"name": "a", "file": "x/y.st"}, r"^E \(a\): file 'x/y\.st' must be a plain file name inside the cache "
                                      r"\(no folders, no absolute path, no '\.\.'\)$"),
    ({"name": "a", "file": "x..st"}, r"^E \(a\): file 'x\.\.st' must be a plain file name"),
    ({"name": "a", "file": 7}, r"^E \(a\): file 7 must be a plain file name"),
    ({"name": "a", "url": "http://h/a.st"}, r"^E \(a\) has a url but no file$"),
    ({"name": "a", "size_bytes": 0}, r"^E \(a\): size_bytes must be a positive integer, got 0$"),
    ({"name": "a", "size_bytes": True}, r"^E \(a\): size_bytes must be a positive integer, got True$"),
    ({"name": "a", "size_bytes": "5"}, r"^E \(a\): size_bytes must be a positive integer, got '5'$"),
])
def test_check_entry_messages(entry, message):
    with pytest.raises(ZooError, match=message):
        hub.check_entry(entry, "E")


def test_check_entry_accepts_plain_entries():
    hub.check_entry({"name": "a" * 200, "file": "A-1_b+c.safetensors", "url": "http://h/x", "size_bytes": 1}, "E")
    hub.check_entry({"name": "a"}, "E")
    with pytest.raises(ZooError, match="must be a plain name"):
        hub.check_entry({"name": "a" * 201}, "E")


def test_url_policy():
    hub.check_url("http://h/x", "n", False)
    hub.check_url("HTTPS://h/x", "n", False)
    hub.check_url("file:///tmp/x", "n", True)
    with pytest.raises(ZooError, match=r"^n: file:// URLs are used only for a local mirror; set MIXPATH_ZOO_LOCAL=1 "
                                       r"\(or pass local_urls=True\) if that is meant$"):
        hub.check_url("file:///tmp/x", "n", False)
    for url in ("ftp://h/x", "h/x"):
        with pytest.raises(ZooError, match=rf"^n: url '{url}' is not an http\(s\) URL$"):
            hub.check_url(url, "n", True)


def test_fetch_from_a_local_mirror_then_from_the_cache(mirror, tmp_path, monkeypatch):
    with pytest.raises(ZooError, match="file:// URLs are used only for a local mirror"):
        hub.fetch_weights("tiny")
    monkeypatch.setenv("MIXPATH_ZOO_LOCAL", "1")
    lines = []
    path = hub.fetch_weights("tiny", progress=lines.append)
    assert path == tmp_path / "cache" / "weights" / "tiny.safetensors" and path.read_bytes() == PAYLOAD
    assert lines == ["tiny.safetensors: 0.0 / 0.0 MB"]  # 7000 bytes in one piece
    assert oct(path.stat().st_mode & 0o777) == "0o644" and sorted(p.name for p in path.parent.iterdir()) == [
        "tiny.safetensors"]
    (tmp_path / "mirror" / "tiny.safetensors").unlink()  # the cached copy is used from now on
    assert hub.fetch_weights("tiny", offline=True) == path and hub.sha256_of(path) == SHA
    path.write_bytes(b"damaged")
    with pytest.raises(ZooError, match=rf"^tiny is not in the cache \({path}\) and offline mode is on$"):
        hub.fetch_weights("tiny", offline=True)
    assert not path.exists()  # a damaged copy is removed, never used


def test_download_limits_and_checksums(mirror, tmp_path):
    dest = tmp_path / "cache" / "weights" / "tiny.safetensors"
    url = (tmp_path / "mirror" / "tiny.safetensors").as_uri()
    mirror(size_bytes=len(PAYLOAD) - 1)
    with pytest.raises(ZooError, match=rf"^download of {url} is {len(PAYLOAD)} bytes, more than the "
                                       rf"{len(PAYLOAD) - 1} the manifest allows; not fetched$"):
        hub.fetch_weights("tiny", local_urls=True)
    mirror(size_bytes=len(PAYLOAD))
    assert hub.fetch_weights("tiny", local_urls=True) == dest  # exactly the limit is fine
    dest.unlink()
    mirror(sha256="0" * 64)
    with pytest.raises(ZooError, match=rf"^checksum mismatch for {url}: expected sha256 000000000000\.\.\., got "
                                       rf"{SHA[:12]}\.\.\.; the file was not kept$"):
        hub.fetch_weights("tiny", local_urls=True)
    assert list(dest.parent.iterdir()) == []  # no partial or unverified file left
    mirror(url=(tmp_path / "mirror" / "gone.safetensors").as_uri())
    with pytest.raises(ZooError, match=r"^could not download file://.*gone\.safetensors \(.*\); check the network "
                                       r"or use a cached copy$"):
        hub.fetch_weights("tiny", local_urls=True)
    assert list(dest.parent.iterdir()) == []


def test_entries_without_downloadable_weights(mirror):
    mirror(url=None, sha256=None, weights_note="train it yourself")
    with pytest.raises(ZooError, match=r"^no weights are published for tiny \(train it yourself\)$"):
        hub.fetch_weights("tiny")
    mirror(url=None)
    with pytest.raises(ZooError, match=r"^no weights are published for tiny \(none yet\)$"):
        hub.fetch_weights("tiny")
    mirror(timm="mixnet_s")
    with pytest.raises(ZooError, match=r"^tiny uses timm's own weights: timm\.create_model\('mixnet_s', "
                                       r"pretrained=True\)$"):
        hub.fetch_weights("tiny")


class FakeResponse:
    """What urlopen returns: `chunks` read in turn (an exception in the list is raised there)."""

    def __init__(self, chunks, length=None, on_read=None):
        self.chunks, self.on_read = list(chunks), on_read
        self.headers = {} if length is None else {"Content-Length": str(length)}

    def read(self, n):
        if self.on_read:
            self.on_read()
        item = self.chunks.pop(0) if self.chunks else b""
        if isinstance(item, Exception):
            raise item
        return item

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _serve(monkeypatch, response):
    def urlopen(url, timeout=None):
        if isinstance(response, Exception):
            raise response
        return response

    monkeypatch.setattr(hub.urllib.request, "urlopen", urlopen)


def test_download_reads_in_pieces_through_a_private_part_file(tmp_path, monkeypatch):
    dest = tmp_path / "cache" / "w.st"
    data = b"x" * 1_050_000
    seen = []
    parts = [data[:600_000], data[600_000:]]
    _serve(monkeypatch, FakeResponse(parts, length=len(data),
                                     on_read=lambda: seen.append(sorted(p.name for p in dest.parent.iterdir()))))
    lines = []
    hub._download("http://h/w.st", dest, hashlib.sha256(data).hexdigest(), len(data), lines.append)
    assert dest.read_bytes() == data and sorted(p.name for p in dest.parent.iterdir()) == ["w.st"]
    assert len(seen[0]) == 1 and seen[0][0].startswith(".w.st.") and seen[0][0].endswith(".part")
    assert lines == ["w.st: 0.6 / 1.1 MB", "w.st: 1.1 / 1.1 MB"]


@pytest.mark.parametrize("response,message", [
    (lambda: FakeResponse([b"abc"], length=5),
     r"^download of http://h/w\.st was truncated \(3 of 5 bytes\); try again$"),
    (lambda: FakeResponse([b"abcd", b"efgh"]),
     r"^download of http://h/w\.st exceeded the 6 bytes the manifest allows; stopped and not kept$"),
    (lambda: FakeResponse([b"ab", ValueError("boom")], length=4),
     r"^download of http://h/w\.st broke off \(ValueError\); try again$"),
    (lambda: hub.urllib.error.URLError("refused"),
     r"^could not download http://h/w\.st \(refused\); check the network or use a cached copy$"),
    (lambda: OSError("disk"),
     r"^could not download http://h/w\.st \(disk\); check the network or use a cached copy$"),
])
def test_broken_downloads_leave_nothing(tmp_path, monkeypatch, response, message):
    dest = tmp_path / "cache" / "w.st"
    _serve(monkeypatch, response())  # a fresh response per run
    with pytest.raises(ZooError, match=message):
        hub._download("http://h/w.st", dest, "0" * 64, 6, None)
    assert list(dest.parent.iterdir()) == []


def test_download_without_a_length_header(tmp_path, monkeypatch):
    dest = tmp_path / "cache" / "w.st"
    _serve(monkeypatch, FakeResponse([b"abc", b"def"]))
    hub._download("http://h/w.st", dest, hashlib.sha256(b"abcdef").hexdigest(), 6, None)
    assert dest.read_bytes() == b"abcdef"


def test_manifest_argument_entry_errors_and_loading(mirror, tmp_path, monkeypatch):
    import torch
    from safetensors.torch import save_file

    save_file({"w": torch.ones(2)}, tmp_path / "mirror" / "real.safetensors")
    sha = hub.sha256_of(tmp_path / "mirror" / "real.safetensors")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"models": [{"name": "real", "file": "real.safetensors", "sha256": sha,
                                             "url": (tmp_path / "mirror" / "real.safetensors").as_uri()}]}))
    assert hub.fetch_weights("real", manifest=other, local_urls=True).name == "real.safetensors"
    with pytest.raises(ZooError, match=r"^tiny: file:// URLs are used only for a local mirror"):
        hub.fetch_weights("tiny")
    monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(other))
    monkeypatch.setenv("MIXPATH_ZOO_LOCAL", "1")
    assert hub.load_pretrained("real")["w"].tolist() == [1.0, 1.0]
    from mmengine.runner.checkpoint import CheckpointLoader

    hub.register_zoo_scheme()
    assert CheckpointLoader.load_checkpoint("zoo://real")["w"].tolist() == [1.0, 1.0]
    other.write_text(json.dumps({"models": [{"name": "a"}, {"file": "x"}]}))
    with pytest.raises(ZooError, match=rf"^model zoo manifest {other}, entry 1 has no name$"):
        hub.load_manifest(other)
