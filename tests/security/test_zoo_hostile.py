"""Hostile model-zoo manifests and servers: traversal, oversized downloads, concurrent downloads, file:// URLs."""
import json
import os
import threading

import pytest
import torch

from mixpath_bench.zoo import ZooError, fetch_weights, publish, sha256_of

from .helpers import assert_one_line_error, http_server, run_tool


@pytest.fixture()
def published(tmp_path):
    """A small published safetensors file and its manifest entry (url filled in by each test)."""
    entry = publish({"w": torch.arange(4096, dtype=torch.float32)}, "tiny", tmp_path / "pub")
    return entry, (tmp_path / "pub" / entry["file"]).read_bytes()


@pytest.fixture()
def zoo_env(tmp_path, monkeypatch):
    """Cache and manifest locations inside tmp_path; returns a writer for the manifest."""
    monkeypatch.setenv("MIXPATH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MIXPATH_ZOO_LOCAL", raising=False)
    manifest = tmp_path / "zoo.json"
    monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(manifest))

    def write(*entries):
        manifest.write_text(json.dumps({"models": list(entries)}))
        return manifest

    return write


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("bad,message", [
    ({"file": "../victim.safetensors"}, "must be a plain file name"),
    ({"file": "ABSOLUTE"}, "must be a plain file name"),
    ({"file": "sub/dir.safetensors"}, "must be a plain file name"),
    ({"name": "../x"}, "must be a plain name"),
    ({"name": None}, "has no name"),
    ({"file": None}, "has a url but no file"),
])
def test_traversal_and_incomplete_manifests_are_one_line_errors(tmp_path, zoo_env, published, bad, message):
    entry, good = published
    victim = tmp_path / "victim.safetensors"
    victim.write_bytes(b"not yours to delete")
    if bad.get("file") == "ABSOLUTE":
        bad = {"file": str(victim)}
    with http_server({entry["file"]: good}) as (url, requests):
        hostile = {k: v for k, v in dict(entry, url=f"{url}/{entry['file']}", **bad).items() if v is not None}
        manifest = zoo_env(hostile)
        before = files_under(tmp_path)
        with pytest.raises(ZooError, match=message):
            fetch_weights(hostile.get("name") or "tiny")
        assert_one_line_error(run_tool("download.py", "tiny"), message)
        assert requests == []
    assert victim.read_bytes() == b"not yours to delete"  # neither deleted nor overwritten
    assert files_under(tmp_path) == before and manifest.is_file()


@pytest.mark.parametrize("claimed", ["honest", "absent"])
def test_oversized_download_is_aborted(tmp_path, zoo_env, published, claimed):
    entry, good = published
    big = good + b"\0" * (4 << 20)  # 4 MB past the manifest's size_bytes
    with http_server({"w": (big, len(big) if claimed == "honest" else None, 0.0)}) as (url, _):
        zoo_env(dict(entry, url=f"{url}/w"))
        with pytest.raises(ZooError, match="more than|exceeded"):
            fetch_weights("tiny")
    cache = tmp_path / "cache"
    assert not cache.exists() or files_under(cache) == []  # nothing kept, no temporary file left


def test_two_concurrent_downloads_of_one_entry_both_succeed(tmp_path, zoo_env, published):
    entry, good = published
    with http_server({entry["file"]: (good, len(good), 1.0)}) as (url, requests):  # slow: the two overlap
        zoo_env(dict(entry, url=f"{url}/{entry['file']}"))
        results, errors = [], []

        def fetch():
            try:
                results.append(fetch_weights("tiny"))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=fetch) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors and len(results) == 2 and len(requests) == 2
    assert sha256_of(results[0]) == entry["sha256"] and results[0] == results[1]
    assert files_under(tmp_path / "cache") == [f"weights/{entry['file']}"]  # no temporary files left


def test_file_urls_need_the_local_mirror_mode(tmp_path, zoo_env, published, monkeypatch):
    entry, _ = published
    zoo_env(dict(entry, url=(tmp_path / "pub" / entry["file"]).as_uri()))
    with pytest.raises(ZooError, match="file:// URLs are used only for a local mirror"):
        fetch_weights("tiny")
    monkeypatch.setenv("MIXPATH_ZOO_LOCAL", "1")
    assert sha256_of(fetch_weights("tiny")) == entry["sha256"]
    assert os.stat(fetch_weights("tiny")).st_mode & 0o777 == 0o644
