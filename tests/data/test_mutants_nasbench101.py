"""NAS-Bench-101 reader details pinned exactly: the CRC-32C table, protobuf fixed32 fields, the
range checks on accuracies, error messages, the epoch filter, the cache location and its warnings
(written against mutants that survived the rest of the suite, docs/mutation.md)."""
import base64
import json
import struct

import numpy as np
import pytest

from mixpath_bench.data import nasbench101 as nb
from mixpath_bench.errors import DatasetError

from ..bench.nb101_fixture import _bytes, _double, _varint, model_metrics, record

HASH = "0123456789abcdef" * 2


def test_crc32c_table_known_entries():
    """The reflected Castagnoli table (polynomial 0x82F63B78), as in RFC 3720 and every CRC-32C
    implementation; computed when the module is imported, so checked here directly."""
    table = nb._crc32c_table()
    assert len(table) == 256 and table == nb._TABLE
    assert table[0] == 0 and table[1] == 0xF26B8303 and table[2] == 0xE13B70F7
    assert table[128] == 0x82F63B78 and table[255] == 0xAD7D5351


def test_parse_message_fixed32_and_unknown_wire_types():
    buf = _varint(1 << 3 | 5) + struct.pack("<f", 0.5) + _varint(2 << 3 | 0) + _varint(300)
    assert nb.parse_message(buf) == {1: [0.5], 2: [300]}
    with pytest.raises(ValueError, match=r"^unsupported protobuf wire type 3$"):
        nb.parse_message(_varint(1 << 3 | 3))


def _metrics(train=0.9, val=0.8, test=0.7, params=True):
    evals = b"".join(_bytes(1, _double(3, train) + _double(4, val) + _double(5, test)) for _ in range(3))
    return evals + (_varint(2 << 3 | 0) + _varint(1234) if params else b"")


def test_model_metrics_accept_the_closed_unit_interval_and_keep_train_accuracy():
    m = nb.parse_model_metrics(_metrics(train=0.25, val=0.0, test=1.0))
    assert m == nb.FinalMetrics(validation_accuracy=0.0, test_accuracy=1.0, train_accuracy=0.25,
                                trainable_parameters=1234)
    with pytest.raises(ValueError, match=r"^validation_accuracy 1\.5 is not a fraction in \[0, 1\]$"):
        nb.parse_model_metrics(_metrics(val=1.5))
    with pytest.raises(ValueError, match=r"^no trainable_parameters$"):
        nb.parse_model_metrics(_metrics(params=False))
    with pytest.raises(ValueError, match=r"^0 evaluations instead of 3 \(start, halfway, end of training\)$"):
        nb.parse_model_metrics(_varint(2 << 3 | 0) + _varint(5))


def _row(module_hash, epochs=108, val=0.9):
    return record(json.dumps([module_hash, epochs, "0110000", "input,output",
                              base64.b64encode(model_metrics(val, 0.8)).decode()]).encode())


def test_row_errors_name_the_record_and_the_hash(tmp_path):
    path = tmp_path / "f.tfrecord"
    path.write_bytes(_row("X" * 32))
    with pytest.raises(DatasetError, match=r": record 0 \(hash X{32}\) is not a valid NAS-Bench-101 row: module "
                                           r"hash 'X{32}' is not 32 hex digits$"):
        list(nb.iter_rows(path))
    path.write_bytes(_row("a" * 50))
    with pytest.raises(DatasetError, match=r"module hash 'a{40}' is not 32 hex digits$"):
        list(nb.iter_rows(path))
    path.write_bytes(record(b"not json"))
    with pytest.raises(DatasetError, match=r": record 0 is not a valid NAS-Bench-101 row: "):
        list(nb.iter_rows(path))
    path.write_bytes(_row("b" * 5000))
    with pytest.raises(DatasetError) as info:
        list(nb.iter_rows(path))
    assert len(str(info.value)) == 400  # long messages are cut


def test_scan_skips_other_epochs_checks_crcs_as_asked_and_prints_nothing_for_small_files(tmp_path, capsys):
    path = tmp_path / "f.tfrecord"
    path.write_bytes(_row(HASH, epochs=36, val=0.1) + _row(HASH, val=0.9) + _row(HASH, val=0.7))
    table = nb.NASBench101.scan(path, 108, repeats=2)
    assert table.query(HASH)["val_acc"] == pytest.approx(80.0) and table.query(HASH)["repeats"] == 2
    assert table.counts.dtype == np.int64 and table.params.dtype == np.int64
    assert capsys.readouterr().out == ""
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # the last record's data CRC no longer matches its (intact) payload
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="data CRC mismatch"):
        nb.NASBench101.scan(path, 108, repeats=None)
    assert len(nb.NASBench101.scan(path, 108, check_data_crc=False, repeats=None)) == 1


def test_cache_location_creation_and_warnings(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert nb.NASBench101.cache_path("d" * 8, 108, None) == \
        tmp_path / "home" / ".cache" / "mixpath_bench" / f"nb101-{'d' * 8}-e108.npz"
    path = tmp_path / "f.tfrecord"
    path.write_bytes(_row(HASH) * 3)
    cache_dir = tmp_path / "deep" / "er"
    first = nb.NASBench101.from_tfrecord(path, cache_dir=cache_dir)  # creates the missing folders
    assert capsys.readouterr().err == ""  # no cache yet is not a warning
    cache = next(cache_dir.glob("*.npz"))
    assert nb.NASBench101.load_cache(cache, "another digest") is None
    assert f"warning: NAS-Bench-101 cache {cache} is unreadable (it belongs to another file or its arrays differ " \
           "in length); rebuilding it" in capsys.readouterr().err
    assert nb.NASBench101.from_tfrecord(path, cache_dir=cache_dir).query(HASH) == first.query(HASH)


def _header(length):
    raw = struct.pack("<Q", length)
    return raw + struct.pack("<I", nb.masked_crc(raw))


def test_record_framing_errors(tmp_path):
    path = tmp_path / "f.tfrecord"
    with pytest.raises(DatasetError, match=rf"^NAS-Bench-101 file {path} does not exist; pass the path of "
                                           r"nasbench_only108\.tfrecord$"):
        list(nb.read_records(path))
    path.write_bytes(record(b"abc") + _header(3)[:7])
    with pytest.raises(DatasetError, match=rf"^{path}: record 1 at byte 19 is truncated \(incomplete header\)$"):
        list(nb.read_records(path))
    path.write_bytes(_header(1000) + b"0123456789")
    with pytest.raises(DatasetError, match=rf"^{path}: record 0 at byte 0 claims 1000 bytes but only 6 remain "
                                           r"\(truncated or corrupt file\)$"):
        list(nb.read_records(path))
    path.write_bytes(_header(2**63 + 5) + b"x" * 20)  # a length no signed reading may turn negative
    with pytest.raises(DatasetError, match=rf"claims {2**63 + 5} bytes but only 16 remain"):
        list(nb.read_records(path))
    data = bytearray(record(b"abc"))
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))  # a wrong data CRC: read as is unless asked to check
    assert list(nb.read_records(path)) == [b"abc"]


def test_scan_messages(tmp_path):
    path = tmp_path / "f.tfrecord"
    path.write_bytes(_row(HASH, epochs=36))
    with pytest.raises(DatasetError, match=rf"^{path} holds no records for 108 epochs$"):
        nb.NASBench101.scan(path, 108)
    path.write_bytes(_row(HASH) * 2)
    with pytest.raises(DatasetError, match=rf"^{path}: hash {HASH} has 2 record\(s\) for 108 epochs instead of 3 "
                                           r"\(1 hash\(es\) like this\); NAS-Bench-101 has 3 repeats per "
                                           r"architecture, so the file is incomplete or not "
                                           r"nasbench_only108\.tfrecord$"):
        nb.NASBench101.scan(path, 108)
