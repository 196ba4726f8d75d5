"""Writes that fail half-way leave the old file whole and no temporary file behind."""
import matplotlib.figure
import pytest

from mixpath_bench.jsonio import write_text_atomic
from mixpath_bench.pipeline.plots import plot_ranking

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_write_text_atomic_replaces_and_leaves_nothing_else(tmp_path):
    out = tmp_path / "sub" / "table2.md"
    write_text_atomic(out, "| a |\n")
    write_text_atomic(out, "| b |\n")
    assert out.read_text() == "| b |\n" and [p.name for p in out.parent.iterdir()] == ["table2.md"]


def test_a_failed_text_write_keeps_the_old_file(tmp_path):
    out = tmp_path / "report.md"
    out.write_text("old report\n")
    with pytest.raises(TypeError):
        write_text_atomic(out, 12345)  # the write fails after the temporary file was opened
    assert out.read_text() == "old report\n" and [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_figure_is_written_whole(tmp_path):
    out = plot_ranking({"SBN": ([1.0, 2.0, 3.0], [1.0, 3.0, 2.0], 0.33)}, tmp_path / "ranking.png")
    assert out.read_bytes().startswith(PNG_MAGIC) and [p.name for p in tmp_path.iterdir()] == ["ranking.png"]


def test_a_failed_figure_save_keeps_the_old_png(tmp_path, monkeypatch):
    out = tmp_path / "ranking.png"
    plot_ranking({"SBN": ([1.0, 2.0], [1.0, 2.0], 1.0)}, out)
    old = out.read_bytes()

    def half_written(self, fname, **kwargs):  # writes part of the file, then dies
        with open(fname, "wb") as fh:
            fh.write(PNG_MAGIC[:4])
        raise KeyboardInterrupt

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_written)
    with pytest.raises(KeyboardInterrupt):
        plot_ranking({"SBN": ([1.0, 2.0], [2.0, 1.0], -1.0)}, out)
    assert out.read_bytes() == old and [p.name for p in tmp_path.iterdir()] == ["ranking.png"]
