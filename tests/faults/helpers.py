"""Shared pieces of the bad-input tests: the one-line-error check and file fingerprints."""
import hashlib
from pathlib import Path

import pytest

from mixpath_bench.errors import UserError


def one_line_error(excinfo: pytest.ExceptionInfo, kind: type = UserError, *texts: str) -> str:
    """The error is a `kind` (a `UserError`, printed as one line by the tools) containing every text."""
    message = str(excinfo.value)
    assert isinstance(excinfo.value, kind) and isinstance(excinfo.value, UserError), repr(excinfo.value)
    assert "\n" not in message and "Traceback" not in message, message
    for text in texts:
        assert text in message, message
    return message


def fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`: compared before and after to show nothing was lost or added."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}
