"""Writes NAS-Bench-101 tfrecord fixtures in the real format (framing, CRCs, JSON rows, protobuf)."""
import base64
import json
import struct

from mixpath_bench.data.nasbench101 import masked_crc


def _varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _double(field, value):
    return _varint(field << 3 | 1) + struct.pack("<d", value)


def _bytes(field, value):
    return _varint(field << 3 | 2) + _varint(len(value)) + value


def model_metrics(final_val, final_test, params=1000):
    evals = []
    for epoch, frac in ((0, 0.1), (54, 0.5), (108, 1.0)):
        e = (_double(1, epoch) + _double(2, 10.0 * epoch) + _double(3, 0.99 * frac)
             + _double(4, final_val * frac if frac < 1 else final_val)
             + _double(5, final_test * frac if frac < 1 else final_test) + _bytes(6, b"ckpt"))
        evals.append(_bytes(1, e))
    return b"".join(evals) + _varint(2 << 3 | 0) + _varint(params) + _double(3, 123.0)


def record(payload):
    length = struct.pack("<Q", len(payload))
    return length + struct.pack("<I", masked_crc(length)) + payload + struct.pack("<I", masked_crc(payload))


def write_tfrecord(path, rows, epochs=108):
    """rows: list of (hash, [(val, test), ...repeats]); accuracies as fractions."""
    with open(path, "wb") as fh:
        for module_hash, repeats in rows:
            for val, test in repeats:
                row = [module_hash, epochs, "0110000", "input,conv3x3-bn-relu,output",
                       base64.b64encode(model_metrics(val, test)).decode()]
                fh.write(record(json.dumps(row).encode()))
    return path
