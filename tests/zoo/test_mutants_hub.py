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
