"""CRC-32C (Castagnoli) and TFRecord's masked CRC against published test vectors.

Sources (values outside this code):
* RFC 3720 (iSCSI), appendix B.4 "CRC Examples": 32 bytes of zeros, of 0xFF, incrementing
  0x00..0x1F, decrementing 0x1F..0x00, and a 48-byte iSCSI SCSI Read (10) command PDU.
* The CRC RevEng catalogue, "CRC-32/ISCSI" (alias CRC-32C, CRC-32/CASTAGNOLI):
  check value (CRC of the ASCII string "123456789") = 0xE3069283.
Both paths are checked: the optional `crc32c` package (when installed) and the pure-Python table.
"""
import pytest

import mixpath_bench.data.nasbench101 as nb

# the RFC prints each CRC as its four transmitted bytes, least significant first
# ("aa 36 91 8a" for 32 zero bytes); the values below are those bytes read as little-endian integers
RFC3720_B4 = [
    ("32 bytes of zeros", bytes(32), 0x8A9136AA),
    ("32 bytes of 0xFF", b"\xff" * 32, 0x62A8AB43),
    ("32 incrementing bytes", bytes(range(32)), 0x46DD794E),
    ("32 decrementing bytes", bytes(range(31, -1, -1)), 0x113FDB5C),
    ("iSCSI read command PDU", bytes.fromhex(
        "01c00000" "00000000" "00000000" "00000000"
        "14000000" "00000400" "00000014" "00000018"
        "28000000" "00000000" "02000000" "00000000"), 0xD9963A56),
]
VECTORS = RFC3720_B4 + [("CRC RevEng check value", b"123456789", 0xE3069283)]


@pytest.fixture(params=["installed", "pure-python"])
def crc32c(request, monkeypatch):
    """Our crc32c, once as shipped and once forced onto the pure-Python table."""
    if request.param == "pure-python":
        monkeypatch.setattr(nb, "_fast_crc32c", None)
    elif nb._fast_crc32c is None:
        pytest.skip("the optional crc32c package is not installed; the pure-Python case covers it")
    return nb.crc32c


@pytest.mark.parametrize("name,data,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_crc32c_published_vectors(crc32c, name, data, expected):
    assert crc32c(data) == expected, f"{name}: {crc32c(data):#010x} != {expected:#010x}"


def test_masked_crc_worked_by_hand(crc32c):
    """mask(c) = ((c >> 15 | c << 17) + 0xA282EAD8) mod 2^32, worked out digit by digit here.

    "123456789": c = 0xE3069283 = 1110 0011 0000 0110 1|001 0010 1000 0011
      c >> 15             = 0x0001C60D   (the high 17 bits)
      (c << 17) mod 2^32  = 0x25060000   (the low 15 bits, 0x1283, moved to the top)
      rotated             = 0x2507C60D
      + 0xA282EAD8        = 0xC78AB0E5   (no carry out of 32 bits)
    32 zero bytes: c = 0x8A9136AA (RFC 3720 B.4)
      c >> 15 = 0x00011522, (c << 17) mod 2^32 = 0x6D540000, rotated = 0x6D551522
      + 0xA282EAD8 = 0x1_0FD7FFFA -> mod 2^32 = 0x0FD7FFFA (the carry is dropped)
    """
    assert nb.masked_crc(b"123456789") == 0xC78AB0E5
    assert nb.masked_crc(bytes(32)) == 0x0FD7FFFA
