import pytest

from mixpath_bench.data.nasbench101 import NASBench101, crc32c, iter_rows, read_records
from mixpath_bench.errors import DatasetError
from mixpath_bench.spaces import Arch, s4_hash

from .nb101_fixture import write_tfrecord

H1 = s4_hash(Arch("S4", ((2, 0, 0, 0),)))
H2 = s4_hash(Arch("S4", ((1, 3, 0, 0),)))


def test_crc32c_known_value():
    assert crc32c(b"123456789") == 0xE3069283


def test_reads_rows_and_means_over_repeats(tmp_path):
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(H1, [(0.90, 0.89), (0.92, 0.91), (0.94, 0.90)]),
                                                      (H2, [(0.80, 0.81), (0.82, 0.83), (0.84, 0.85)])])
    rows = list(iter_rows(path, check_data_crc=True))
    assert len(rows) == 6 and rows[0][0] == H1 and rows[0][1] == 108
    assert rows[0][2].validation_accuracy == pytest.approx(0.90) and rows[0][2].trainable_parameters == 1000
    table = NASBench101.from_tfrecord(path, cache_dir=tmp_path / "cache", progress=False)
    q = table.query(H1)
    assert q["val_acc"] == pytest.approx(92.0) and q["test_acc"] == pytest.approx(90.0) and q["repeats"] == 3
    assert list((tmp_path / "cache").glob("*.npz"))
    # second construction reads the cache, even if the file's records would now fail
    again = NASBench101.from_tfrecord(path, cache_dir=tmp_path / "cache", progress=False)
    assert again.query(H2)["val_acc"] == pytest.approx(82.0)
    with pytest.raises(DatasetError, match="not in this NAS-Bench-101 file"):
        table.query("0" * 32)


def test_corrupted_records_are_reported(tmp_path):
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(H1, [(0.9, 0.9)] * 3), (H2, [(0.8, 0.8)] * 3)])
    data = bytearray(path.read_bytes())
    first_len = len(data) // 6
    data[first_len + 20] ^= 0xFF  # flip a payload byte of record 1
    bad = tmp_path / "bad.tfrecord"
    bad.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"record 1 at byte \d+ is corrupt \(data CRC mismatch\)"):
        list(read_records(bad, check_data_crc=True))
    data2 = bytearray(path.read_bytes())
    data2[first_len * 2 + 3] ^= 0x01  # corrupt the length field of record 2
    (tmp_path / "bad2.tfrecord").write_bytes(bytes(data2))
    with pytest.raises(DatasetError, match=r"record 2 at byte \d+ is corrupt \(length CRC mismatch\)"):
        NASBench101.from_tfrecord(tmp_path / "bad2.tfrecord", cache_dir=tmp_path / "c2", progress=False)
    (tmp_path / "short.tfrecord").write_bytes(path.read_bytes()[:-7])
    with pytest.raises(DatasetError, match="truncated"):
        list(read_records(tmp_path / "short.tfrecord"))
    with pytest.raises(DatasetError, match="does not exist"):
        NASBench101.from_tfrecord(tmp_path / "none.tfrecord")
