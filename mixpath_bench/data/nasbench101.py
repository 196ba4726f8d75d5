"""NAS-Bench-101 ground truth from `nasbench_only108.tfrecord`, in pure Python (no TensorFlow).

Record framing (TFRecord, little-endian): uint64 length, uint32 masked crc32c(length bytes),
data, uint32 masked crc32c(data).  Each record is a UTF-8 JSON list
``[module_hash, epochs, raw_adjacency, raw_operations, base64(ModelMetrics protobuf)]``.
There are 3 records (repeats) per (hash, epochs); ground truth is the mean over repeats of the
final (end-of-training) validation and test accuracy.  The file is scanned once; a compact
hash-indexed cache (``.npz``) makes later look-ups instant.  Both CRCs of every record are
checked by default (pure Python: ~1 minute for the 500 MB file, once; faster with the optional
`crc32c` package); a corrupt record stops the scan with its index and byte offset - it is never
silently skipped.  Every record is validated (three evaluations, the final one with train,
validation and test accuracy as fractions in [0, 1], a parameter count) and every hash must have
exactly `REPEATS` records; anything else stops with one line naming the record or hash.

The cache is keyed by the file's content (sha256, ~1-2 s for the 500 MB file on a busy CPU), not
by its path or modification time, so a rewritten file is never answered from a stale cache; a
cache that does not load (truncated, edited, another file's) is rebuilt with a warning.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import DatasetError

_MASK_DELTA = 0xA282EAD8
#: records per (hash, epochs) in nasbench_only108.tfrecord: three independent training runs
REPEATS = 3
#: bytes hashed per read when digesting the file
_CHUNK = 1 << 20


def _crc32c_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


try:  # optional C implementation, much faster on the 500 MB file
    from crc32c import crc32c as _fast_crc32c  # type: ignore[import-not-found]
except ImportError:
    _fast_crc32c = None


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli); the `crc32c` package is used when installed."""
    if _fast_crc32c is not None:
        return _fast_crc32c(data)
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    """TFRecord's masked CRC: rotate right by 15 bits, add a constant (mod 2^32)."""
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def read_records(path: str | Path, check_data_crc: bool = False) -> Iterator[bytes]:
    """Payloads of a TFRecord file; length CRCs are always checked, data CRCs on request."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"NAS-Bench-101 file {path} does not exist; pass the path of nasbench_only108.tfrecord")
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        index = 0
        while True:
            offset = fh.tell()
            header = fh.read(12)
            if not header:
                return
            if len(header) < 12:
                raise DatasetError(f"{path}: record {index} at byte {offset} is truncated (incomplete header)")
            length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
            if masked_crc(length_bytes) != length_crc:
                raise DatasetError(f"{path}: record {index} at byte {offset} is corrupt (length CRC mismatch)")
            (length,) = struct.unpack("<Q", length_bytes)
            if length > size - offset - 16:  # never allocate more than the file still holds
                raise DatasetError(f"{path}: record {index} at byte {offset} claims {length} bytes but only "
                                   f"{max(size - offset - 16, 0)} remain (truncated or corrupt file)")
            data = fh.read(length)
            footer = fh.read(4)
            if len(data) < length or len(footer) < 4:
                raise DatasetError(f"{path}: record {index} at byte {offset} is truncated")
            if check_data_crc and masked_crc(data) != struct.unpack("<I", footer)[0]:
                raise DatasetError(f"{path}: record {index} at byte {offset} is corrupt (data CRC mismatch)")
            yield data
            index += 1


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def parse_message(buf: bytes) -> dict[int, list]:
    """Decode a protobuf message into {field number: [values]} (varints, doubles, bytes, fixed32)."""
    fields: dict[int, list] = {}
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            (value,), pos = struct.unpack_from("<d", buf, pos), pos + 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == 5:
            (value,), pos = struct.unpack_from("<f", buf, pos), pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


@dataclass(frozen=True)
class FinalMetrics:
    """End-of-training metrics of one repeat (accuracies as fractions, as stored)."""

    validation_accuracy: float
    test_accuracy: float
    train_accuracy: float
    trainable_parameters: int


#: EvaluationData field numbers of the accuracies that must be present
_ACCURACY_FIELDS = {"train_accuracy": 3, "validation_accuracy": 4, "test_accuracy": 5}


def parse_model_metrics(raw: bytes) -> FinalMetrics:
    """ModelMetrics{repeated EvaluationData evaluation_data=1; int32 trainable_parameters=2; ...}.

    The NAS-Bench-101 API reads ``evaluation_data[2]`` (end of training; [0] is the start, [1]
    halfway); a record without exactly three, a missing field, or an accuracy outside [0, 1]
    raises ValueError (an earlier evaluation or a 0.0 would pass for a result).
    """
    msg = parse_message(raw)
    evals = [parse_message(e) for e in msg.get(1, [])]
    if len(evals) != 3:
        raise ValueError(f"{len(evals)} evaluations instead of 3 (start, halfway, end of training)")
    final = evals[2]
    values = {}
    for name, field in _ACCURACY_FIELDS.items():
        if field not in final:
            raise ValueError(f"the final evaluation has no {name}")
        value = final[field][-1]
        if not isinstance(value, float) or not 0.0 <= value <= 1.0:  # also refuses NaN
            raise ValueError(f"{name} {value!r} is not a fraction in [0, 1]")
        values[name] = value
    if 2 not in msg:
        raise ValueError("no trainable_parameters")
    return FinalMetrics(values["validation_accuracy"], values["test_accuracy"], values["train_accuracy"],
                        int(msg[2][-1]))


def iter_rows(path: str | Path, check_data_crc: bool = True) -> Iterator[tuple[str, int, FinalMetrics]]:
    """(module_hash, epochs, final metrics) per record."""
    for index, data in enumerate(read_records(path, check_data_crc)):
        module_hash = None
        try:
            module_hash, epochs, _adjacency, _ops, metrics = json.loads(data.decode("utf-8"))
            if not (isinstance(module_hash, str) and len(module_hash) == 32
                    and all(c in "0123456789abcdef" for c in module_hash)):
                raise ValueError(f"module hash {str(module_hash)[:40]!r} is not 32 hex digits")
            row = str(module_hash), int(epochs), parse_model_metrics(base64.b64decode(metrics))
        except (ValueError, TypeError, UnicodeDecodeError, IndexError, struct.error) as exc:
            which = f"record {index}" + (f" (hash {module_hash})" if isinstance(module_hash, str) else "")
            raise DatasetError(f"{path}: {which} is not a valid NAS-Bench-101 row: {exc}"[:400]) from None
        yield row


def file_digest(path: Path) -> str:
    """sha256 of a file's content (hex), read in 1 MiB pieces."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


class NASBench101:
    """Hash-indexed ground truth: mean final validation/test accuracy (%) over the repeats."""

    def __init__(self, hashes: np.ndarray, val: np.ndarray, test: np.ndarray, counts: np.ndarray,
                 params: np.ndarray) -> None:
        self.index = {h: i for i, h in enumerate(hashes.tolist())}
        self.hashes, self.val, self.test, self.counts, self.params = hashes, val, test, counts, params

    @classmethod
    def from_tfrecord(cls, path: str | Path, epochs: int = 108, cache_dir: str | Path | None = None,
                      check_data_crc: bool = True, progress: bool = True,
                      repeats: int | None = REPEATS) -> "NASBench101":
        """Scan the file once (or load the cache written by an earlier scan of the same content).

        `repeats`: records every hash must have (None: any number, for hand-made subsets).
        """
        path = Path(path)
        if not path.is_file():
            raise DatasetError(f"NAS-Bench-101 file {path} does not exist; pass the path of nasbench_only108.tfrecord")
        digest = file_digest(path)
        cache = cls.cache_path(digest, epochs, cache_dir)
        table = cls.load_cache(cache, digest) if cache.is_file() else None
        if table is None:
            table = cls.scan(path, epochs, check_data_crc, progress, repeats)
            table.save_cache(cache, digest)
        return table

    @classmethod
    def load_cache(cls, cache: Path, digest: str) -> "NASBench101 | None":
        """The table in `cache`, or None (with a warning) when it does not load or is not this file's."""
        try:
            with np.load(cache, allow_pickle=False) as z:
                arrays = {k: z[k] for k in ("hashes", "val", "test", "counts", "params", "digest")}
            if str(arrays["digest"]) != digest or len({len(arrays[k]) for k in arrays if k != "digest"}) != 1:
                raise ValueError("it belongs to another file or its arrays differ in length")
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            print(f"warning: NAS-Bench-101 cache {cache} is unreadable ({str(exc)[:120]}); rebuilding it",
                  file=sys.stderr)
            return None
        return cls(arrays["hashes"], arrays["val"], arrays["test"], arrays["counts"], arrays["params"])

    def save_cache(self, cache: Path, digest: str) -> None:
        """Write the table to `cache` atomically (a unique temporary file, then a rename)."""
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp.npz")
        try:
            np.savez(tmp, hashes=self.hashes, val=self.val, test=self.test, counts=self.counts,
                     params=self.params, digest=np.array(digest))
            tmp.replace(cache)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def scan(cls, path: Path, epochs: int, check_data_crc: bool = True, progress: bool = True,
             repeats: int | None = REPEATS) -> "NASBench101":
        """Read every record of `path`: mean accuracy (%) per hash over its repeats."""
        sums: dict[str, list] = {}
        for n, (h, ep, m) in enumerate(iter_rows(path, check_data_crc), start=1):
            if ep != epochs:
                continue
            acc = sums.setdefault(h, [0.0, 0.0, 0, m.trainable_parameters])
            acc[0] += m.validation_accuracy
            acc[1] += m.test_accuracy
            acc[2] += 1
            if progress and n % 50000 == 0:
                print(f"nasbench101: {n} records read", flush=True)
        if not sums:
            raise DatasetError(f"{path} holds no records for {epochs} epochs")
        if repeats is not None:
            wrong = [(h, acc[2]) for h, acc in sums.items() if acc[2] != repeats]
            if wrong:
                h, n = wrong[0]
                raise DatasetError(f"{path}: hash {h} has {n} record(s) for {epochs} epochs instead of {repeats}"
                                   f" ({len(wrong)} hash(es) like this); NAS-Bench-101 has {repeats} repeats per "
                                   "architecture, so the file is incomplete or not nasbench_only108.tfrecord")
        hashes = np.array(sorted(sums), dtype="U32")
        rows = np.array([sums[h] for h in hashes.tolist()], dtype=float)
        counts = rows[:, 2].astype(np.int64)
        return cls(hashes, 100 * rows[:, 0] / counts, 100 * rows[:, 1] / counts, counts, rows[:, 3].astype(np.int64))

    @staticmethod
    def cache_path(digest: str, epochs: int, cache_dir: str | Path | None) -> Path:
        """``<cache dir>/nb101-<sha256 of the file's content>-e<epochs>.npz``."""
        folder = Path(cache_dir) if cache_dir else Path.home() / ".cache" / "mixpath_bench"
        return folder / f"nb101-{digest}-e{epochs}.npz"

    def __len__(self) -> int:
        return len(self.hashes)

    def query(self, module_hash: str) -> dict:
        """Mean validation/test accuracy (%) and repeat count of one architecture hash."""
        if module_hash not in self.index:
            raise DatasetError(f"hash {module_hash} is not in this NAS-Bench-101 file")
        i = self.index[module_hash]
        return {"val_acc": float(self.val[i]), "test_acc": float(self.test[i]), "repeats": int(self.counts[i]),
                "params": int(self.params[i])}
