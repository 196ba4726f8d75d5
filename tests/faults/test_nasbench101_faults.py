"""Bad NAS-Bench-101 files and caches: one line naming the record, or a rebuilt cache; never a wrong truth."""
import base64
import json
import os
import struct

import numpy as np
import pytest

from mixpath_bench.data.nasbench101 import NASBench101, file_digest, read_records
from mixpath_bench.errors import DatasetError
from mixpath_bench.spaces import Arch, s4_hash

from ..bench.nb101_fixture import _bytes, _double, _varint, record, write_tfrecord
from .helpers import fingerprint, one_line_error

H1 = s4_hash(Arch("S4", ((2, 0, 0, 0),)))
H2 = s4_hash(Arch("S4", ((1, 3, 0, 0),)))


def evaluation(epoch, train=0.99, val=0.9, test=0.9, skip=()):
    fields = {1: epoch, 3: train, 4: val, 5: test}
    return _bytes(1, b"".join(_double(f, v) for f, v in fields.items() if f not in skip))


def metrics(evals, params=True):
    return b"".join(evals) + (_varint(2 << 3) + _varint(1000) if params else b"")


def row(module_hash, raw_metrics, epochs=108):
    return record(json.dumps([module_hash, epochs, "0110000", "input,output",
                              base64.b64encode(raw_metrics).decode()]).encode())


def write(path, *records):
    path.write_bytes(b"".join(records))
    return path


GOOD = [evaluation(0, 0.1, 0.1, 0.1), evaluation(54), evaluation(108)]


@pytest.mark.parametrize("raw,text", [
    (metrics([evaluation(108, val=0.082)]), "1 evaluations instead of 3"),
    (metrics(GOOD[:2] + [evaluation(108, skip=(4,))]), "no validation_accuracy"),
    (metrics(GOOD[:2] + [evaluation(108, skip=(5,))]), "no test_accuracy"),
    (metrics(GOOD[:2] + [evaluation(108, val=92.0)]), "validation_accuracy 92.0 is not a fraction"),
    (metrics(GOOD[:2] + [evaluation(108, test=-0.1)]), "test_accuracy -0.1 is not a fraction"),
    (metrics(GOOD[:2] + [evaluation(108, val=float("nan"))]), "validation_accuracy nan is not a fraction"),
    (metrics(GOOD, params=False), "no trainable_parameters"),
    (metrics(GOOD)[:-5], "not a valid NAS-Bench-101 row"),
])
def test_an_invalid_record_names_its_index_and_hash(tmp_path, raw, text):
    path = write(tmp_path / "nb.tfrecord", row(H1, metrics(GOOD)), row(H2, raw))
    with pytest.raises(DatasetError) as exc:
        NASBench101.from_tfrecord(path, cache_dir=tmp_path / "cache", progress=False, repeats=None)
    one_line_error(exc, DatasetError, "record 1", f"hash {H2}", text)
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("bad_hash", ["abc", "Z" * 32, H1 + "00", 12345])
def test_a_malformed_hash_is_refused(tmp_path, bad_hash):
    path = write(tmp_path / "nb.tfrecord", row(bad_hash, metrics(GOOD)))
    with pytest.raises(DatasetError) as exc:
        NASBench101.from_tfrecord(path, cache_dir=tmp_path / "cache", progress=False, repeats=None)
    one_line_error(exc, DatasetError, "record 0", "is not 32 hex digits")


@pytest.mark.parametrize("n", [1, 2, 4])
def test_a_hash_without_exactly_three_repeats_is_refused(tmp_path, n):
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(H1, [(0.9, 0.9)] * 3), (H2, [(0.8, 0.8)] * n)])
    with pytest.raises(DatasetError) as exc:
        NASBench101.from_tfrecord(path, cache_dir=tmp_path / "cache", progress=False)
    one_line_error(exc, DatasetError, f"hash {H2} has {n} record(s) for 108 epochs instead of 3")
    table = NASBench101.from_tfrecord(path, cache_dir=tmp_path / "cache", progress=False, repeats=None)
    assert table.query(H2)["repeats"] == n  # a hand-made subset can opt out, and sees the count


def test_a_huge_length_field_is_refused_without_allocating(tmp_path):
    length = struct.pack("<Q", 2**60)
    from mixpath_bench.data.nasbench101 import masked_crc

    path = write(tmp_path / "nb.tfrecord", row(H1, metrics(GOOD)),
                 length + struct.pack("<I", masked_crc(length)) + b"x" * 100)
    with pytest.raises(DatasetError) as exc:
        list(read_records(path))
    one_line_error(exc, DatasetError, "record 1", f"claims {2**60} bytes")


def test_the_cache_follows_the_content_not_the_path_size_or_mtime(tmp_path):
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(H1, [(0.90, 0.9)] * 3), (H2, [(0.80, 0.8)] * 3)])
    stat = path.stat()
    assert NASBench101.from_tfrecord(path, cache_dir=tmp_path / "c", progress=False).query(H1)["val_acc"] == \
        pytest.approx(90.0)
    write_tfrecord(path, [(H1, [(0.70, 0.9)] * 3), (H2, [(0.80, 0.8)] * 3)])  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    again = NASBench101.from_tfrecord(path, cache_dir=tmp_path / "c", progress=False)
    assert again.query(H1)["val_acc"] == pytest.approx(70.0)
    assert len(list((tmp_path / "c").glob("*.npz"))) == 2 and file_digest(path)[:12] in str(
        list((tmp_path / "c").glob("*.npz")))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other_file", "missing_array"])
def test_a_corrupt_cache_is_rebuilt(tmp_path, capsys, damage):
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(H1, [(0.90, 0.9)] * 3), (H2, [(0.80, 0.8)] * 3)])
    NASBench101.from_tfrecord(path, cache_dir=tmp_path / "c", progress=False)
    (cache,) = (tmp_path / "c").glob("*.npz")
    if damage == "garbage":
        cache.write_bytes(b"not a zip at all")
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:200])
    elif damage == "other_file":  # another file's (valid) cache copied under this name
        other = write_tfrecord(tmp_path / "other.tfrecord", [(H1, [(0.50, 0.5)] * 3)])
        NASBench101.from_tfrecord(other, cache_dir=tmp_path / "o", progress=False)
        cache.write_bytes(next((tmp_path / "o").glob("*.npz")).read_bytes())
    else:
        with np.load(cache) as z:
            arrays = {k: z[k] for k in z.files if k != "val"}
        np.savez(cache, **arrays)
    table = NASBench101.from_tfrecord(path, cache_dir=tmp_path / "c", progress=False)
    assert table.query(H1)["val_acc"] == pytest.approx(90.0) and len(table) == 2
    assert "rebuilding it" in capsys.readouterr().err
    before = fingerprint(tmp_path / "c")  # the rebuilt cache is served from now on, silently
    assert NASBench101.from_tfrecord(path, cache_dir=tmp_path / "c", progress=False).query(H2)["val_acc"] == \
        pytest.approx(80.0)
    assert fingerprint(tmp_path / "c") == before and "rebuilding" not in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "c").iterdir()] == [cache.name]  # no temporary files left


def test_valid_hand_written_rows_still_read(tmp_path):
    path = write(tmp_path / "nb.tfrecord", *[row(h, metrics(GOOD)) for h in (H1, H1, H1)])
    assert NASBench101.from_tfrecord(path, cache_dir=tmp_path / "c", progress=False).query(H1)["val_acc"] == \
        pytest.approx(90.0)
