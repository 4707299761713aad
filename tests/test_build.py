"""The build: the same tables in-process, in worker processes and on Dask; the cache; failures.

The engine comparison runs on all shipped reports; everything else on a few copied into tmp_path.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from conflict_lib import build as b
from conflict_lib.paths import reports_dir as shipped_reports_dir
from conflict_lib.tables import TABLE_NAMES, load_table

ROOT = Path(__file__).resolve().parent.parent

#: Four small reports with places, actors, figures and events between them.
SUBSET = [
    "2017-04-27_usaid_syria-fact-sheet-4-fy17.txt",
    "2017-09-06_eaworldview_deir-ez-zor-siege-broken.txt",
    "2017-11-02_dod_coalition-support-continues-after-raqqa-liberation.txt",
    "2018-02-08_state_escalation-violence-eastern-ghouta-idlib.txt",
]
EXTRA = "2018-11-01_centcom_statement-delay-humanitarian-aid-rukban.txt"

#: Columns that may differ between two builds of the same input (none today; kept for safety).
TIMING_COLUMNS = {"seconds", "built_at"}


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: load_table(name, folder) for name in TABLE_NAMES}


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted on every column (through their text form), timing columns dropped."""
    frame = frame.drop(columns=[c for c in frame.columns if c in TIMING_COLUMNS])
    order = frame.astype(str).sort_values(list(frame.columns), kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def assert_same_tables(a: Path, b_: Path, *, same_order: bool = True) -> None:
    ta, tb = _tables(a), _tables(b_)
    for name in TABLE_NAMES:
        assert list(ta[name].columns) == list(tb[name].columns), name
        pd.testing.assert_frame_equal(_canonical(ta[name]), _canonical(tb[name]), obj=f"table {name}")
        if same_order:  # the build consumes results in file order whatever the engine
            pd.testing.assert_frame_equal(ta[name].reset_index(drop=True), tb[name].reset_index(drop=True),
                                          obj=f"table {name} (row order)")


@pytest.fixture()
def corpus(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in SUBSET:
        shutil.copy(shipped_reports_dir() / name, folder / name)
    for p in folder.iterdir():
        p.chmod(0o644)
    return folder


@pytest.fixture(scope="module")
def inprocess_full(tmp_path_factory) -> Path:
    """All shipped reports built in-process, without cache (shared by the engine comparisons)."""
    out = tmp_path_factory.mktemp("inprocess")
    report = b.build([shipped_reports_dir()], out, engine="inprocess", cache=False)
    assert report.documents >= 29 and report.computed == report.files
    return out


# --------------------------------------------------------------------------- engines


def test_inprocess_build_is_not_empty(inprocess_full):
    t = _tables(inprocess_full)
    assert len(t["documents"]) >= 29
    assert len(t["mentions"]) > 100
    assert set(t["mentions"]["kind"]) >= {"place", "actor", "date", "figure"}
    assert len(t["events"]) > 0


@pytest.mark.slow
def test_processes_give_identical_tables(inprocess_full, tmp_path):
    report = b.build([shipped_reports_dir()], tmp_path / "out", engine="processes", jobs=2, batch=3, cache=False)
    assert report.engine == "processes" and report.computed == report.files
    assert_same_tables(inprocess_full, tmp_path / "out")


@pytest.mark.slow
def test_dask_on_a_local_cluster_gives_identical_tables(inprocess_full, tmp_path):
    distributed = pytest.importorskip("distributed")
    t0 = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        # An existing cluster, reached by its address as with --scheduler.
        report = b.build([shipped_reports_dir()], tmp_path / "out", engine="dask",
                         scheduler=cluster.scheduler_address, batch=3, cache=False)
    assert report.engine == "dask" and report.computed == report.files
    workers = b._LAST_RUN["workers"]
    assert len(workers) == 2 and all(w["load_seconds"] is not None for w in workers.values())
    assert_same_tables(inprocess_full, tmp_path / "out")
    assert time.perf_counter() - t0 < 90


def test_jobs_above_one_means_processes(corpus, tmp_path):
    report = b.build([corpus], tmp_path / "out", jobs=2, batch=1, cache=False)
    assert report.engine == "processes" and report.documents == len(SUBSET)


def test_a_batch_of_documents_or_fewer_is_processed_without_starting_workers(corpus, tmp_path):
    # starting two workers (each loading the pipeline) costs more than one batch of documents
    report = b.build([corpus], tmp_path / "out", jobs=2, batch=len(SUBSET), cache=False)
    assert report.engine == "inprocess" and report.computed == len(SUBSET)
    b.build([corpus], tmp_path / "workers", jobs=2, batch=1, cache=False)
    assert_same_tables(tmp_path / "workers", tmp_path / "out")


def test_unknown_engine_is_refused(corpus, tmp_path):
    with pytest.raises(ValueError, match="unknown engine"):
        b.build([corpus], tmp_path / "out", engine="spark")


def test_engines_keep_the_order_of_their_input_when_tasks_finish_out_of_order():
    def work(batch):
        time.sleep(0.05 * (5 - batch[0]))  # later batches finish first
        return [b.DocResult(path=str(x), content_hash="") for x in batch]

    with ThreadPoolExecutor(4) as pool:
        out = list(b._in_order(lambda x: pool.submit(work, x), lambda f: f.result(),
                               b._windows(list(range(6)), 1), in_flight=4))
    assert [r.path for r in out] == [str(i) for i in range(6)]


def test_dask_refuses_workers_with_other_code_or_reference_data_or_no_files():
    good = {"code_version": b.code_version(), "reference_version": b.reference_version(None), "sees_files": True}
    b._check_workers({"w1": dict(good)}, None, "x.txt")  # no error
    for change, message in (({"code_version": "0.0-other"}, "code version"),
                            ({"reference_version": "other"}, "reference data version"),
                            ({"sees_files": False}, "cannot see x.txt"),
                            ({"error": "FileNotFoundError: geo"}, "cannot load the reference data")):
        with pytest.raises(RuntimeError, match=message):
            b._check_workers({"w1": dict(good), "w2": {**good, **change}}, None, "x.txt")


# --------------------------------------------------------------------------- cache


def test_rebuild_uses_the_cache_and_gives_the_same_tables(corpus, tmp_path):
    first = b.build([corpus], tmp_path / "out")
    assert (first.computed, first.cached) == (len(SUBSET), 0)
    before = _tables(tmp_path / "out")
    again = b.build([corpus], tmp_path / "out")
    assert (again.computed, again.cached) == (0, len(SUBSET))
    after = _tables(tmp_path / "out")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def test_adding_one_report_recomputes_only_that_report(corpus, tmp_path):
    b.build([corpus], tmp_path / "out")
    shutil.copy(shipped_reports_dir() / EXTRA, corpus / EXTRA)
    report = b.build([corpus], tmp_path / "out")
    assert report.computed == 1
    assert report.cached == len(SUBSET)
    # ... and the tables are those of a build from scratch
    b.build([corpus], tmp_path / "scratch", cache=False)
    assert_same_tables(tmp_path / "scratch", tmp_path / "out")


class _Clock:
    """A fake ``sleep`` for :func:`conflict_lib.build.watch`: records each wait and runs the action
    planned for it (``plan[k]`` runs at the k-th wait)."""

    def __init__(self, plan):
        self.plan, self.waits = plan, []

    def __call__(self, seconds):
        self.waits.append(seconds)
        action = self.plan.get(len(self.waits))
        if action:
            action()


def test_watch_rebuilds_when_a_report_arrives(corpus, tmp_path):
    clock = _Clock({2: lambda: shutil.copy(shipped_reports_dir() / EXTRA, corpus / EXTRA)})
    builds = b.watch([corpus], tmp_path / "out", interval=30, settle=2, sleep=clock, max_builds=2)
    first = next(builds)
    assert (first.computed, first.cached) == (len(SUBSET), 0)
    second = next(builds)  # nothing changed at the first look, the report arrived before the second
    assert clock.waits == [30, 30, 2]
    assert (second.computed, second.cached) == (1, len(SUBSET))
    assert EXTRA.split(".")[0] in set(load_table("documents", tmp_path / "out")["doc_id"])
    with pytest.raises(StopIteration):
        next(builds)


def test_watch_waits_until_a_report_stops_changing(corpus, tmp_path):
    target = corpus / EXTRA
    text = (shipped_reports_dir() / EXTRA).read_text(encoding="utf-8")
    half = len(text) // 2
    clock = _Clock({1: lambda: target.write_text(text[:half], encoding="utf-8"),  # a copy under way
                    2: lambda: target.write_text(text, encoding="utf-8")})
    builds = b.watch([corpus], tmp_path / "out", interval=30, settle=2, sleep=clock, max_builds=2)
    next(builds)
    second = next(builds)
    assert clock.waits == [30, 2, 2]  # the first settle saw the file grow: wait once more
    assert second.computed == 1
    docs = load_table("documents", tmp_path / "out").set_index("doc_id")
    assert text.rstrip()[-40:] in docs.loc[EXTRA.split(".")[0], "raw_text"]  # read whole


def test_watch_rebuilds_when_the_corrections_change(corpus, tmp_path):
    corrections = tmp_path / "corrections.csv"
    header = "event_id,action,field,value,note\n"
    corrections.write_text(header, encoding="utf-8")
    clock = _Clock({1: lambda: corrections.write_text(header + "\n", encoding="utf-8")})  # saved again
    builds = b.watch([corpus], tmp_path / "out", interval=30, settle=2, sleep=clock, max_builds=2,
                     corrections=corrections)
    next(builds)
    second = next(builds)
    assert clock.waits == [30, 2] and (second.computed, second.cached) == (0, len(SUBSET))


def test_cli_build_watch_takes_an_interval():
    from conflict_lib.cli import make_parser

    parse = make_parser().parse_args
    assert parse(["build", "reports"]).watch is None
    assert parse(["build", "reports", "--watch"]).watch == 10.0
    assert parse(["build", "reports", "--watch", "60"]).watch == 60.0


def test_a_changed_document_is_recomputed(corpus, tmp_path):
    b.build([corpus], tmp_path / "out")
    target = corpus / SUBSET[1]
    target.write_text(target.read_text(encoding="utf-8").replace("100,000", "120,000"), encoding="utf-8")
    report = b.build([corpus], tmp_path / "out")
    assert (report.computed, report.cached) == (1, len(SUBSET) - 1)
    docs = load_table("documents", tmp_path / "out").set_index("doc_id")
    assert "120,000" in docs.loc[target.stem, "text"]


def test_a_renamed_document_is_recomputed_under_its_new_id(corpus, tmp_path):
    b.build([corpus], tmp_path / "out")
    old = corpus / SUBSET[0]
    old.rename(corpus / ("renamed-" + SUBSET[0]))
    report = b.build([corpus], tmp_path / "out")
    assert (report.computed, report.cached) == (1, len(SUBSET) - 1)
    ids = set(load_table("documents", tmp_path / "out")["doc_id"])
    assert "renamed-" + old.stem in ids and old.stem not in ids


def test_a_code_version_change_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    b.build([corpus], tmp_path / "out")
    monkeypatch.setattr(b, "code_version", lambda: "9.9.9-changed")
    report = b.build([corpus], tmp_path / "out")
    assert (report.computed, report.cached) == (len(SUBSET), 0)
    # the entries of the old version are pruned after the successful build
    assert len([p for p in (tmp_path / "out" / ".cache").iterdir() if p.is_dir()]) == 1
    again = b.build([corpus], tmp_path / "out")
    assert (again.computed, again.cached) == (0, len(SUBSET))


def test_a_reference_data_change_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    b.build([corpus], tmp_path / "out")
    real = b.reference_version
    monkeypatch.setattr(b, "reference_version", lambda geo=None: real(geo) + "-changed")
    report = b.build([corpus], tmp_path / "out")
    assert (report.computed, report.cached) == (len(SUBSET), 0)


def test_reference_version_follows_the_geography_files(tmp_path):
    from conflict_lib.paths import geo_dir

    geo = tmp_path / "geo"
    shutil.copytree(geo_dir(), geo)
    for p in geo.iterdir():
        p.chmod(0o644)
    v1 = b.reference_version(str(geo))
    assert v1 == b.reference_version(str(geo_dir()))  # content, not location
    gaz = geo / "syr_places_gazetteer.csv"
    gaz.write_bytes(gaz.read_bytes() + b"\n")
    b.reference_version.cache_clear()
    try:
        assert b.reference_version(str(geo)) != v1
    finally:
        b.reference_version.cache_clear()


def test_code_version_follows_the_source():
    v = b.code_version()
    assert v.startswith("0.") and len(v.split("-")[-1]) == 16


def test_a_damaged_cache_entry_is_recomputed(corpus, tmp_path):
    b.build([corpus], tmp_path / "out")
    cache = tmp_path / "out" / ".cache"
    entries = sorted(cache.rglob("*.pkl"))
    assert len(entries) == len(SUBSET)
    assert list(cache.rglob("*.seg"))
    # a damaged segment is made again from its documents' entries: nothing is recomputed
    for seg in cache.rglob("*.seg"):
        seg.write_bytes(b"not a segment")
    report = b.build([corpus], tmp_path / "out")
    assert (report.computed, report.cached) == (0, len(SUBSET))
    # a damaged entry under a damaged segment: that document alone is recomputed
    entries[0].write_bytes(b"not a pickle")
    for seg in cache.rglob("*.seg"):
        seg.write_bytes(b"not a segment")
    report = b.build([corpus], tmp_path / "out")
    assert (report.computed, report.cached) == (1, len(SUBSET) - 1)
    assert report.documents == len(SUBSET)
    b.build([corpus], tmp_path / "scratch", cache=False)
    assert_same_tables(tmp_path / "scratch", tmp_path / "out")


def test_segments_are_cut_by_content_so_one_new_report_changes_one_segment():
    import random
    rnd = random.Random(3)
    keys = [f"{rnd.getrandbits(128):032x}" for _ in range(2000)]
    before = b.segment_plan(keys)
    assert sum(z - a for a, z in before) == len(keys) and all(z - a <= b.SEGMENT_MAX for a, z in before)
    assert 2000 / len(before) > b.SEGMENT_MEAN / 2  # segments are not tiny
    for where in (0, 777, 2000):
        new = keys[:where] + [f"{rnd.getrandbits(128):032x}"] + keys[where:]
        old_segments = {tuple(keys[a:z]) for a, z in before}
        after = {tuple(new[a:z]) for a, z in b.segment_plan(new)}
        # the segment the report falls in changes (the report may cut it in two); a second one only when
        # the first had been cut for its length (SEGMENT_MAX) rather than by a key
        assert len(old_segments - after) <= 2 and len(after - old_segments) <= 3
        assert sum(map(len, after - old_segments)) <= 2 * b.SEGMENT_MAX + 1


def test_the_file_index_hashes_only_files_that_changed(tmp_path, monkeypatch):
    f = tmp_path / "a.txt"
    f.write_text("one")
    index = b.FileIndex(tmp_path / "files.idx")
    first = index.content_hash(str(f))
    assert first == b._file_hash(f) and index.hashed == 1
    index.save()
    monkeypatch.setattr(b.FileIndex, "RACY_SECONDS", 0.0)  # (the file was written just now)
    index = b.FileIndex(tmp_path / "files.idx")
    assert index.content_hash(str(f)) == first and index.hashed == 0  # unchanged: taken from the index
    f.write_text("two")  # same size, a new modification time
    assert index.content_hash(str(f)) == b._file_hash(f) != first and index.hashed == 1
    # a file changed in the same clock tick the index was written is hashed again
    monkeypatch.setattr(b.FileIndex, "RACY_SECONDS", 3600.0)
    index = b.FileIndex(tmp_path / "files.idx")
    index.content_hash(str(f))
    assert index.hashed == 1
    (tmp_path / "files.idx").write_bytes(b"damaged")
    assert b.FileIndex(tmp_path / "files.idx").content_hash(str(f)) == b._file_hash(f)


def test_no_cache_recomputes_everything(corpus, tmp_path):
    b.build([corpus], tmp_path / "out")
    report = b.build([corpus], tmp_path / "out", cache=False)
    assert (report.computed, report.cached) == (len(SUBSET), 0)


# --------------------------------------------------------------------------- failures


def test_an_interrupted_build_leaves_the_previous_tables_whole(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    b.build([corpus], out)
    before = _tables(out)
    shutil.copy(shipped_reports_dir() / EXTRA, corpus / EXTRA)
    real = b.process_report
    calls = []

    def dies_on_the_third(path, geo_dir=None):
        calls.append(path)
        if Path(path).name == SUBSET[2]:
            raise KeyboardInterrupt("interrupted")
        return real(path, geo_dir)

    monkeypatch.setattr(b, "process_report", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        b.build([corpus], out, cache=False)
    after = _tables(out)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    assert not list(out.glob(".staging-*"))
    assert len(calls) == 3


def test_an_interrupted_build_keeps_what_it_computed(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(b, "iter_derived_tables", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"):
        b.build([corpus], out)
    assert not (out / "documents.parquet").exists()  # nothing half-written in place
    monkeypatch.undo()
    report = b.build([corpus], out)  # resumes: every document came from the cache
    assert (report.computed, report.cached) == (0, len(SUBSET))
    assert len(load_table("documents", out)) == len(SUBSET)


def test_a_broken_file_is_a_problem_and_the_others_are_built(corpus, tmp_path):
    (corpus / "2017-01-01_empty.txt").write_text("")
    (corpus / "2017-01-02_garbage.pdf").write_bytes(b"\x00\x01 not a pdf \xff" * 50)
    report = b.build([corpus], tmp_path / "out")
    assert report.documents == len(SUBSET)
    skipped = {Path(p["path"]).name for p in report.skipped}
    assert skipped == {"2017-01-01_empty.txt", "2017-01-02_garbage.pdf"}
    problems = load_table("problems", tmp_path / "out")
    assert set(problems.loc[problems["fatal"], "doc_id"]) >= {"2017-01-01_empty", "2017-01-02_garbage"}
    assert len(load_table("documents", tmp_path / "out")) == len(SUBSET)
    assert len(load_table("mentions", tmp_path / "out")) > 0


def test_a_document_whose_tagging_fails_is_kept_with_a_problem(corpus, tmp_path, monkeypatch):
    import conflict_lib.tagging as tagging

    real = tagging.tag_document
    victim = Path(SUBSET[1]).stem

    def fails_for_one(document, nlp=None):
        if document.doc_id == victim:
            raise ValueError("tagger exploded")
        return real(document, nlp)

    monkeypatch.setattr(tagging, "tag_document", fails_for_one)
    report = b.build([corpus], tmp_path / "out", cache=False)
    assert report.documents == len(SUBSET) and not report.skipped
    problems = load_table("problems", tmp_path / "out")
    row = problems[problems["kind"] == "extraction_error"]
    assert list(row["doc_id"]) == [victim] and "tagger exploded" in row["reason"].iloc[0]
    mentions = load_table("mentions", tmp_path / "out")
    assert victim not in set(mentions["doc_id"]) and len(mentions) > 0


def test_a_missing_input_is_a_problem(corpus, tmp_path):
    report = b.build([corpus, tmp_path / "nowhere"], tmp_path / "out")
    assert [Path(p["path"]).name for p in report.skipped] == ["nowhere"]
    problems = load_table("problems", tmp_path / "out")
    assert "nowhere" in set(problems["doc_id"])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conflict_lib", "build", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_cli_exit_status_is_3_when_a_file_was_skipped(corpus, tmp_path):
    for name in SUBSET[1:]:
        (corpus / name).unlink()
    ok = _cli(str(corpus), "--out", str(tmp_path / "out"), "--no-progress")
    assert ok.returncode == 0, ok.stderr
    (corpus / "2017-01-01_empty.txt").write_text("   \n")
    bad = _cli(str(corpus), "--out", str(tmp_path / "out"), "--no-progress")
    assert bad.returncode == 3, bad.stderr
    assert "2017-01-01_empty.txt" in bad.stdout + bad.stderr
    assert "1 processed, 1 from cache" in bad.stdout  # the good report came from the cache
    assert len(load_table("documents", tmp_path / "out")) == 1


def test_progress_bar_is_shown_when_asked(corpus, tmp_path, capsys):
    b.build([corpus], tmp_path / "out", progress=True)
    err = capsys.readouterr().err
    assert "build" in err and f"{len(SUBSET)}/{len(SUBSET)}" in err
    b.build([corpus], tmp_path / "out2", progress=False)
    assert "build" not in capsys.readouterr().err


def test_summary_says_what_came_from_the_cache(corpus, tmp_path):
    b.build([corpus], tmp_path / "out")
    report = b.build([corpus], tmp_path / "out")
    text = report.summary()
    assert f"0 processed, {len(SUBSET)} from cache" in text
    assert set(report.timings) == {"scan", "documents", "corpus", "commit"}


def test_staging_left_by_a_killed_build_is_removed(tmp_path):
    """A build killed with SIGKILL leaves its staging folder; the next writer removes it."""
    import subprocess
    import sys

    from conflict_lib.tables import AtomicTableWriter

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    left = tmp_path / f".staging-{pid}-abc123"
    left.mkdir()
    (left / "events.parquet").write_bytes(b"partial")
    live = tmp_path / f".staging-{os.getpid()}-mine"
    live.mkdir()
    w = AtomicTableWriter(tmp_path)
    assert not left.exists(), "a dead build's staging folder should be removed"
    assert live.exists(), "a live process's staging folder must be left alone"
    w.abort()


def test_per_document_modules_are_what_process_report_loads():
    """The cache key hashes PER_DOCUMENT_MODULES: every module process_report uses must be listed."""
    script = (
        "import sys\n"
        "from conflict_lib.build import process_report\n"
        "from conflict_lib.paths import reports_dir\n"
        "process_report(sorted(reports_dir().glob('*.txt'))[0])\n"
        "print(' '.join(sorted(m.split('.', 1)[1] for m in sys.modules if m.startswith('conflict_lib.'))))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    loaded = set(out) - {"tables"}  # imported by build for writing; it does not shape a document's rows
    missing = loaded - set(b.PER_DOCUMENT_MODULES)
    assert not missing, f"process_report uses {sorted(missing)}: add them to build.PER_DOCUMENT_MODULES"


def test_editing_a_figure_module_keeps_the_cache_but_marks_tables_stale(monkeypatch):
    """code_version ignores plotting/briefing; library_version (ensure_tables) does not."""
    import hashlib

    b.code_version.cache_clear()
    b.library_version.cache_clear()
    before = (b.code_version(), b.library_version())
    real = b._hash_files

    def fake(root, paths):
        paths = list(paths)
        h = real(root, paths)
        if any(p.name == "plotting.py" for p in paths):  # as if plotting.py had been edited
            h = hashlib.sha256((h + "edited").encode()).hexdigest()[:16]
        return h

    monkeypatch.setattr(b, "_hash_files", fake)
    b.code_version.cache_clear()
    b.library_version.cache_clear()
    try:
        after = (b.code_version(), b.library_version())
    finally:
        b.code_version.cache_clear()
        b.library_version.cache_clear()
    assert after[0] == before[0], "editing plotting.py must not invalidate the per-document cache"
    assert after[1] != before[1], "tables made before the edit must count as stale"


def test_is_sorted_agrees_with_sorting():
    import random
    rnd = random.Random(5)
    for _ in range(300):
        n = rnd.randint(0, 6)
        f = pd.DataFrame({"doc_id": [rnd.choice("ab") for _ in range(n)], "start": [rnd.randint(0, 2) for _ in range(n)],
                          "event_id": [rnd.choice(["e1", "e2", "e10"]) for _ in range(n)]})
        f = f.astype({"doc_id": "str", "event_id": "str"})
        by_sorting = f.sort_values(list(b.EVENT_ORDER), kind="stable").index.tolist() == f.index.tolist()
        assert b._is_sorted(f, b.EVENT_ORDER) == by_sorting, f
