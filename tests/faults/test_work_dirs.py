"""Work dirs that were moved or copied resume from their own checkpoint; a file as work dir is one line."""
import pytest

from mixpath_bench.engine.lock import lock_work_dir
from mixpath_bench.engine.runner import latest_in_work_dir
from mixpath_bench.errors import CheckpointError, UserError

from .helpers import fingerprint, one_line_error


def test_a_copied_work_dir_resumes_from_its_own_checkpoint(tmp_path):
    original, copy = tmp_path / "orig", tmp_path / "copy"
    for folder in (original, copy):
        folder.mkdir()
        (folder / "epoch_1.pth").write_bytes(folder.name.encode())
        # MMEngine writes the absolute path of the run's own folder
        (folder / "last_checkpoint").write_text(str(original / "epoch_1.pth"))
    before = fingerprint(original)
    assert latest_in_work_dir(copy) == str(copy / "epoch_1.pth")  # never the original's file
    assert latest_in_work_dir(original) == str(original / "epoch_1.pth")
    assert fingerprint(original) == before


def test_a_moved_work_dir_without_its_checkpoint_is_one_line(tmp_path):
    assert latest_in_work_dir(tmp_path) is None  # nothing to resume: start afresh
    (tmp_path / "last_checkpoint").write_text("/gone/run/epoch_3.pth")
    with pytest.raises(CheckpointError) as exc:
        latest_in_work_dir(tmp_path)
    one_line_error(exc, CheckpointError, "names epoch_3.pth, which is not in", "delete last_checkpoint")


def test_a_file_given_as_work_dir_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError) as exc:
        lock_work_dir(tmp_path / "notes.txt", "train")
    one_line_error(exc, UserError, "is a file")
    assert (tmp_path / "notes.txt").read_text() == "mine"
