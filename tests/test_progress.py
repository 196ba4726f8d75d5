from mixpath_bench.progress import Progress, tee_log


def test_progress_reports_eta_and_throttles():
    now = [0.0]
    lines = []
    p = Progress(10, "score", lines.append, every=5.0, clock=lambda: now[0])
    for _ in range(4):  # 2 s per step
        now[0] += 2.0
        p.step()
    assert lines == ["score: 1/10 (2 s, about 18 s left)", "score: 4/10 (8 s, about 12 s left)"]
    for _ in range(6):
        now[0] += 2.0
        p.step()
    assert lines[-1] == "score: 10/10 (20 s)"  # the last step is always reported, without an ETA


def test_tee_log_writes_every_line_to_the_job_log(tmp_path):
    shown = []
    log = tee_log(shown.append, tmp_path / "job" / "search.log")
    log("first")
    log("second")
    assert shown == ["first", "second"]
    written = (tmp_path / "job" / "search.log").read_text().splitlines()
    assert [line.split(" ", 2)[2] for line in written] == ["first", "second"]


def test_a_resumed_job_counts_from_where_it_stopped():
    now = [0.0]
    lines = []
    p = Progress(10, "gen", lines.append, every=0.0, clock=lambda: now[0], done=6)
    now[0] += 3.0
    p.step()
    assert lines == ["gen: 7/10 (3 s, about 9 s left)"]  # this run's pace: 3 s per step
