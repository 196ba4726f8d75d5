"""The zoo's environment switches, pinned: MIXPATH_OFFLINE=1 never touches the network, and only
the exact value "1" turns it (or MIXPATH_ZOO_LOCAL) on; an explicit argument wins over the variable."""
import json

import pytest

from mixpath_bench.zoo import ZooError, fetch_weights
from mixpath_bench.zoo import hub


class Attempted(Exception):
    pass


@pytest.fixture()
def downloads(tmp_path, monkeypatch):
    """A manifest with one remote and one file:// entry; downloads are recorded, never made."""
    monkeypatch.setenv("MIXPATH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MIXPATH_OFFLINE", raising=False)
    monkeypatch.delenv("MIXPATH_ZOO_LOCAL", raising=False)
    entry = {"name": "remote", "file": "remote.safetensors", "url": "https://example.invalid/remote.safetensors",
             "sha256": "0" * 64}
    local = dict(entry, name="mirror", file="mirror.safetensors", url=f"file://{tmp_path}/mirror.safetensors")
    (tmp_path / "zoo.json").write_text(json.dumps({"models": [entry, local]}))
    monkeypatch.setenv("MIXPATH_ZOO_MANIFEST", str(tmp_path / "zoo.json"))
    calls = []

    def fake_download(url, *args, **kwargs):
        calls.append(url)
        raise Attempted(url)

    monkeypatch.setattr(hub, "_download", fake_download)
    return calls


def test_offline_variable_one_never_downloads(downloads, monkeypatch):
    monkeypatch.setenv("MIXPATH_OFFLINE", "1")
    with pytest.raises(ZooError, match="not in the cache .* and offline mode is on"):
        fetch_weights("remote")
    assert downloads == []
    with pytest.raises(Attempted):  # an explicit offline=False overrides the variable
        fetch_weights("remote", offline=False)
    assert downloads == ["https://example.invalid/remote.safetensors"]


@pytest.mark.parametrize("value", [None, "", "0", "true", "yes", " 1"])
def test_only_the_value_one_means_offline(downloads, monkeypatch, value):
    if value is not None:
        monkeypatch.setenv("MIXPATH_OFFLINE", value)
    with pytest.raises(Attempted):
        fetch_weights("remote")
    assert len(downloads) == 1
    with pytest.raises(ZooError, match="offline mode is on"):  # an explicit offline=True wins
        fetch_weights("remote", offline=True)
    assert len(downloads) == 1


@pytest.mark.parametrize("value,allowed", [(None, False), ("0", False), ("true", False), ("1", True)])
def test_local_mirror_variable(downloads, monkeypatch, value, allowed):
    if value is not None:
        monkeypatch.setenv("MIXPATH_ZOO_LOCAL", value)
    if allowed:
        with pytest.raises(Attempted):
            fetch_weights("mirror")
    else:
        with pytest.raises(ZooError, match="set MIXPATH_ZOO_LOCAL=1"):
            fetch_weights("mirror")
        assert downloads == []
