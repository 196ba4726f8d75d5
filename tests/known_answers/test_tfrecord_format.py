"""A NAS-Bench-101 tfrecord written byte by byte from the format description, read by our reader.

Framing (TFRecord, little-endian): uint64 length, uint32 masked crc32c(length bytes), data,
uint32 masked crc32c(data), mask(c) = ((c >> 15 | c << 17) + 0xA282EAD8) mod 2^32.  The CRC here
is an independent bitwise CRC-32C (reflected polynomial 0x82F63B78), not the reader's table.
Payload: JSON [module_hash, epochs, adjacency '0'/'1' string, ops comma-joined, base64(ModelMetrics)],
ModelMetrics / EvaluationData encoded by hand from nasbench/lib/model_metrics.proto.

The rows are the NAS-Bench-101 README's Inception-like cell with its three published 108-epoch
repeats (google-research/unified_functional_hashing, nasbench/python/testdata/computed_stats.py,
hash 28cfc7874f6d200472e1a9dcd8650aa0; repeat 0 is the README's printed query), so the expected
ground truth is the mean of published numbers.
"""
import base64
import json
import struct

import pytest

import mixpath_bench.data.nasbench101 as nb
from mixpath_bench.data.nasbench101 import NASBench101
from mixpath_bench.errors import DatasetError

README_HASH = "28cfc7874f6d200472e1a9dcd8650aa0"
# (final validation, final test, final training time) of the three repeats at 108 epochs
REPEATS = [(0.9376001358032227, 0.9311898946762085, 1155.85302734375),
           (0.9378004670143127, 0.932692289352417, 1157.675048828125),
           (0.9336938858032227, 0.9286859035491943, 1154.361083984375)]
PARAMS = 2694282  # trainable_parameters printed by the README query


def bitwise_crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def mask(c: int) -> int:
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", mask(bitwise_crc32c(length)))
            + data + struct.pack("<I", mask(bitwise_crc32c(data))))


def varint(v: int) -> bytes:
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    return bytes(out + bytearray([v]))


def evaluation_data(epoch, time, train, val, test) -> bytes:
    # EvaluationData: fields 1..5 are doubles (wire type 1: tags 0x09 0x11 0x19 0x21 0x29),
    # 6 checkpoint_path a string (wire type 2: tag 0x32)
    doubles = b"".join(bytes([tag]) + struct.pack("<d", v)
                       for tag, v in zip((0x09, 0x11, 0x19, 0x21, 0x29), (epoch, time, train, val, test)))
    path = b"gs://x/model.ckpt"
    return doubles + b"\x32" + varint(len(path)) + path


def model_metrics(val, test, time) -> bytes:
    # ModelMetrics: evaluation_data = 1 (message, tag 0x0A), trainable_parameters = 2 (varint, tag 0x10),
    # total_time = 3 (double, tag 0x19); [0] start, [1] halfway, [2] end of training
    evals = [evaluation_data(0.0, 0.0, 0.1, 0.1, 0.1), evaluation_data(54.0, time / 2, 0.8, 0.8, 0.8),
             evaluation_data(108.0, time, 1.0, val, test)]
    body = b"".join(b"\x0a" + varint(len(e)) + e for e in evals)
    return body + b"\x10" + varint(PARAMS) + b"\x19" + struct.pack("<d", time + 10)


def payload(val, test, time) -> bytes:
    row = [README_HASH, 108, "0111010" "0000001" "0000001" "0000100" "0000001" "0000001" "0000000",
           "input,conv1x1-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,maxpool3x3,output",
           base64.b64encode(model_metrics(val, test, time)).decode("ascii")]
    return json.dumps(row).encode("utf-8")


@pytest.fixture
def tfrecord(tmp_path):
    path = tmp_path / "nb101_by_hand.tfrecord"
    path.write_bytes(b"".join(frame(payload(*r)) for r in REPEATS))
    return path


def test_hand_framed_records_read_back(tfrecord):
    assert list(nb.read_records(tfrecord, check_data_crc=True)) == [payload(*r) for r in REPEATS]
    table = NASBench101.from_tfrecord(tfrecord, cache_dir=tfrecord.parent / "cache", progress=False)
    got = table.query(README_HASH)
    assert got["repeats"] == 3 and got["params"] == PARAMS
    assert got["val_acc"] == pytest.approx(100 * sum(r[0] for r in REPEATS) / 3, rel=1e-12)
    assert got["test_acc"] == pytest.approx(100 * sum(r[1] for r in REPEATS) / 3, rel=1e-12)
    assert got["test_acc"] == pytest.approx(93.08560292, abs=1e-8)  # (0.93119 + 0.93269 + 0.92869) / 3


def test_data_crc_is_checked_by_default(tfrecord, tmp_path):
    raw = bytearray(tfrecord.read_bytes())
    first = raw.index(README_HASH.encode())
    raw[first] = ord("3")  # '2' -> '3': still valid JSON and a valid hash, caught only by the data CRC
    bad = tmp_path / "flipped.tfrecord"
    bad.write_bytes(bytes(raw))
    with pytest.raises(DatasetError, match="record 0 at byte 0 is corrupt \\(data CRC mismatch\\)"):
        NASBench101.from_tfrecord(bad, cache_dir=tmp_path / "c", progress=False)
    with pytest.raises(DatasetError, match="data CRC mismatch"):
        list(nb.iter_rows(bad))
    assert not (tmp_path / "c").exists()


def test_second_read_comes_from_the_cache_without_parsing(tfrecord, tmp_path, monkeypatch):
    first = NASBench101.from_tfrecord(tfrecord, cache_dir=tmp_path / "c", progress=False).query(README_HASH)
    (cache,) = (tmp_path / "c").glob("*.npz")
    assert cache.name == f"nb101-{nb.file_digest(tfrecord)}-e108.npz"

    def no_parsing(*args, **kwargs):
        raise AssertionError("the tfrecord was parsed again")

    monkeypatch.setattr(nb, "read_records", no_parsing)
    monkeypatch.setattr(nb, "iter_rows", no_parsing)
    monkeypatch.setattr(NASBench101, "scan", classmethod(no_parsing))
    assert NASBench101.from_tfrecord(tfrecord, cache_dir=tmp_path / "c", progress=False).query(README_HASH) == first
    moved = tmp_path / "elsewhere" / "renamed.tfrecord"  # keyed by content: a moved copy hits the cache too
    moved.parent.mkdir()
    tfrecord.rename(moved)
    assert NASBench101.from_tfrecord(moved, cache_dir=tmp_path / "c", progress=False).query(README_HASH) == first
