#!/usr/bin/env python
"""Scaling benchmark of the build: wall time and peak memory by corpus size and engine.

Not a test: it prints a table. For each size it makes a synthetic corpus from the shipped
reports (``make_corpus.py``: every copy distinct, so every copy is really processed) and runs a
full build (fresh output folder, cache on as in normal use) in a fresh Python process per mode:

- ``inprocess``  per-document work in the build's own process
- ``jobs2``      two local worker processes (``--jobs 2``)
- ``dask``       a Dask ``LocalCluster`` with two single-threaded worker processes

``cpu s`` is the CPU time (user + system) of the whole tree, ``load`` the machine's 1-minute load
average just before the run: on a shared machine a high load means the times are not the build's
alone. Memory is the peak of the whole process tree (the build and all its workers, sampled every
0.1 s with psutil): the sum of resident set sizes (shared pages are counted once per process,
so this overstates a forked pool a little) and the largest single process.

Incremental: full build of ``--incremental`` reports, then one report is added and the build
run again (cache on); the rebuild time is compared with the full build — once with a fresh process
per build (the command line), once with both builds in one process (a notebook, ``build --watch``).

With a two-worker mode, the machine's own ceiling for two workers is measured first
(:func:`parallel_ceiling`): the speed-up of two warm processes doing the per-document work.

    python benchmarks/bench_scale.py                                   # 1000,3000,10000 x all modes
    python benchmarks/bench_scale.py --sizes 200 --modes inprocess,jobs2 --incremental 200   # quick
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import make_corpus, source_reports, variant  # noqa: E402

MODES = {
    "inprocess": {"engine": "inprocess", "jobs": 1},
    "jobs2": {"engine": "processes", "jobs": 2},
    "dask": {"engine": "dask", "jobs": 2},
}


# --------------------------------------------------------------------------- child side


def _child(args: argparse.Namespace) -> int:
    """Run one build in this (fresh) process and print its report as JSON on the last line."""
    from conflict_lib import build as b

    mode = MODES[args.mode]
    t = time.perf_counter()
    report = b.build([args.corpus], args.out, engine=mode["engine"], jobs=mode["jobs"], cache=True,
                     batch=args.batch, progress=False)
    wall = time.perf_counter() - t
    cache_dir = Path(args.out) / ".cache"
    cache_bytes = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file()) if cache_dir.exists() else 0
    workers = b._LAST_RUN.get("workers", {}) if mode["engine"] == "dask" else {}
    print(json.dumps({
        "seconds": report.seconds, "wall_in_build": wall, "timings": report.timings,
        "documents": report.documents, "computed": report.computed, "cached": report.cached,
        "events": report.events, "problems": len(report.problems),
        "cache_bytes_per_doc": cache_bytes / max(1, report.files),
        "worker_load_seconds": [w.get("load_seconds") for w in workers.values()],
    }))
    return 0


def _warm_child(args: argparse.Namespace) -> int:
    """A full build, then one report added and a rebuild, in this one process (as a notebook session,
    or ``build --watch``, does: the pipeline stays loaded between the two builds)."""
    from conflict_lib import build as b

    mode = MODES[args.mode]
    options = dict(engine=mode["engine"], jobs=mode["jobs"], cache=True, batch=args.batch, progress=False)
    t = time.perf_counter()
    full = b.build([args.corpus], args.out, **options)
    full_s = time.perf_counter() - t
    add_one_report(Path(args.corpus), args.add)
    t = time.perf_counter()
    again = b.build([args.corpus], args.out, **options)
    again_s = time.perf_counter() - t
    print(json.dumps({"full_s": full_s, "again_s": again_s, "computed": again.computed, "cached": again.cached,
                      "engine": again.engine, "timings": again.timings, "full_computed": full.computed}))
    return 0


def _load_child(_args: argparse.Namespace) -> int:
    """Time loading the pipeline (reference data) once, and one document after it."""
    t = time.perf_counter()
    from conflict_lib.build import _warm, process_report
    imports = time.perf_counter() - t
    load = _warm(None)
    first = source_reports()
    t = time.perf_counter()
    for p in first:
        process_report(p)
    per_doc = (time.perf_counter() - t) / len(first)
    print(json.dumps({"imports": imports, "load": load, "per_doc": per_doc}))
    return 0


def _ceiling_init() -> None:
    from conflict_lib.build import _warm, process_report

    _warm(None)
    for path in source_reports():  # warm every per-process cache once
        process_report(path)


def _ceiling_work(rounds: int) -> float:
    """Process the shipped reports ``rounds`` times (nothing written); returns the seconds it took."""
    from conflict_lib.build import process_report

    t = time.perf_counter()
    for _ in range(rounds):
        for path in source_reports():
            process_report(path)
    return time.perf_counter() - t


def parallel_ceiling(rounds: int = 3, repeat: int = 5) -> dict:
    """How much faster two processes do the per-document work than one, on this machine.

    Two warm worker processes (pipeline loaded, no start-up, no results sent back, nothing written)
    process the shipped reports: one of them alone, then both at once, alternately ``repeat`` times.
    The ratio is the best any two-worker build can do here: two cores that share caches, memory
    bandwidth and, on a virtual machine, a host, do not make two independent computers.
    """
    import multiprocessing as mp

    ratios = []
    with mp.get_context("fork").Pool(2, initializer=_ceiling_init) as pool:
        for _ in range(repeat):
            one = pool.apply(_ceiling_work, (rounds,))
            t = time.perf_counter()
            pool.map(_ceiling_work, [rounds, rounds], chunksize=1)
            two = time.perf_counter() - t
            ratios.append(2 * one / two)
    ratios.sort()
    return {"median": ratios[len(ratios) // 2], "best": ratios[-1], "all": ratios}


# --------------------------------------------------------------------------- parent side


def _tree_rss(proc, cpu: dict[int, float]) -> tuple[int, int]:
    """(sum, max) resident set size over a process and all its descendants, in bytes.

    Also records each process's CPU seconds (user + system) in ``cpu`` (last value seen).
    """
    import psutil

    total = biggest = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            with p.oneshot():
                rss = p.memory_info().rss
                t = p.cpu_times()
        except psutil.Error:
            continue
        cpu[p.pid] = t.user + t.system
        total += rss
        biggest = max(biggest, rss)
    return total, biggest


def run_measured(cmd: list[str], interval: float = 0.1) -> dict:
    """Run ``cmd``; return its wall time, peak tree memory and the JSON it printed last."""
    import psutil

    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak_sum = peak_max = 0
    cpu: dict[int, float] = {}
    while proc.poll() is None:
        s, m = _tree_rss(ps, cpu)
        peak_sum, peak_max = max(peak_sum, s), max(peak_max, m)
        time.sleep(interval)
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    info = json.loads(lines[-1]) if lines else {}
    info.update(wall=wall, peak_tree_mb=peak_sum / 2**20, peak_proc_mb=peak_max / 2**20,
                cpu_seconds=sum(cpu.values()), load_before=load_before)
    return info


def _cmd(*extra: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *extra]


def add_one_report(corpus: Path, n: int) -> Path:
    """Add a new distinct report (copy number ``n``) to ``corpus``."""
    files = source_reports()
    src = files[n % len(files)]
    name, text = variant(src.read_text(encoding="utf-8"), src.name, n, len(files))
    path = corpus / name
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,3000,10000", help="corpus sizes, comma-separated")
    ap.add_argument("--modes", default="inprocess,jobs2,dask", help=f"among {','.join(MODES)}")
    ap.add_argument("--incremental", type=int, default=3000,
                    help="corpus size for the add-one-report rebuild (0: skip)")
    ap.add_argument("--incremental-modes", default="inprocess", help="modes for the incremental test")
    ap.add_argument("--batch", type=int, default=8, help="documents per worker task")
    ap.add_argument("--workdir", help="where corpora and outputs go (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--_child", choices=["build", "load", "warm"], help=argparse.SUPPRESS)
    ap.add_argument("--add", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child == "build":
        return _child(args)
    if args._child == "load":
        return _load_child(args)
    if args._child == "warm":
        return _warm_child(args)

    try:
        import psutil  # noqa: F401
    except ImportError:
        sys.exit("bench_scale.py needs psutil to sample the memory of the build's process tree")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = [m for m in args.modes.split(",") if m]
    inc_modes = [m for m in args.incremental_modes.split(",") if m]
    for m in modes + inc_modes:
        if m not in MODES:
            sys.exit(f"unknown mode {m!r}; expected one of {', '.join(MODES)}")
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="conflict-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# {os.cpu_count()} CPUs; work folder {work}", flush=True)

    load = run_measured(_cmd("--_child", "load"))
    print(f"# one process: imports {load['imports']:.2f} s, pipeline/reference data load {load['load']:.2f} s, "
          f"{load['per_doc'] * 1000:.1f} ms per document (shipped reports, warm); "
          f"peak {load['peak_proc_mb']:.0f} MB", flush=True)

    if any(m != "inprocess" for m in modes):
        ceiling = parallel_ceiling()
        print(f"# this machine's ceiling for two workers: two warm processes do the per-document work "
              f"{ceiling['median']:.2f}x as fast as one (median of {len(ceiling['all'])}; best "
              f"{ceiling['best']:.2f}x; {', '.join(f'{r:.2f}' for r in ceiling['all'])})", flush=True)

    rows = []
    header = (f"{'size':>6} {'mode':<10} {'wall s':>7} {'build s':>7} {'docs/s':>7} {'speedup':>7} "
              f"{'ms/doc':>6} {'cpu s':>6} {'load':>5} {'tree MB':>7} {'proc MB':>7} {'events':>7}"
              f"  timings (scan/documents/corpus/commit s)")
    print(header, flush=True)
    for size in sizes:
        corpus = work / f"corpus-{size}"
        if not corpus.exists() or len(list(corpus.iterdir())) != size:
            make_corpus(size, corpus)
        base = None
        for mode in modes:
            out = work / f"out-{size}-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            try:
                r = run_measured(_cmd("--_child", "build", "--corpus", str(corpus), "--out", str(out),
                                      "--mode", mode, "--batch", str(args.batch)))
            except RuntimeError as exc:
                print(f"{size:>6} {mode:<10} FAILED: {str(exc)[-600:]}", flush=True)
                continue
            finally:
                shutil.rmtree(out, ignore_errors=True)
            base = r["wall"] if mode == "inprocess" else base
            r.update(size=size, mode=mode, speedup=(base / r["wall"]) if base else float("nan"))
            rows.append(r)
            t = r["timings"]
            load_s = r.get("worker_load_seconds") or []
            print(f"{size:>6} {mode:<10} {r['wall']:>7.1f} {r['seconds']:>7.1f} {size / r['wall']:>7.1f} "
                  f"{r['speedup']:>7.2f} {1000 * r['wall'] / size:>6.1f} {r['cpu_seconds']:>6.0f} "
                  f"{r['load_before']:>5.1f} {r['peak_tree_mb']:>7.0f} "
                  f"{r['peak_proc_mb']:>7.0f} {r['events']:>7}  "
                  f"{t['scan']:.1f}/{t['documents']:.1f}/{t['corpus']:.1f}/{t['commit']:.1f}"
                  + (f"  worker load {load_s}" if load_s else "")
                  + f"  cache {r['cache_bytes_per_doc'] / 1024:.1f} KB/doc", flush=True)

    inc = []
    if args.incremental:
        n = args.incremental
        for mode in inc_modes:
            corpus = work / f"corpus-inc-{n}"
            make_corpus(n, corpus)
            out = work / f"out-inc-{n}-{mode}"
            shutil.rmtree(out, ignore_errors=True)
            full = run_measured(_cmd("--_child", "build", "--corpus", str(corpus), "--out", str(out),
                                     "--mode", mode, "--batch", str(args.batch)))
            add_one_report(corpus, n)
            again = run_measured(_cmd("--_child", "build", "--corpus", str(corpus), "--out", str(out),
                                      "--mode", mode, "--batch", str(args.batch)))
            shutil.rmtree(out, ignore_errors=True)
            print(f"# incremental {mode}, a new process for each build (the command line): full build of {n}: "
                  f"{full['wall']:.1f} s wall ({full['seconds']:.1f} s in build); "
                  f"after adding 1 report: {again['wall']:.1f} s wall ({again['seconds']:.1f} s in build; "
                  f"computed {again['computed']}, cached {again['cached']}; timings {again['timings']}) "
                  f"= {100 * again['wall'] / full['wall']:.1f}% of the full build "
                  f"({100 * again['seconds'] / full['seconds']:.1f}% in-build)", flush=True)
            # the same in one process that stays up (a notebook session, ``build --watch``)
            make_corpus(n, corpus)  # back to n reports
            warm = run_measured(_cmd("--_child", "warm", "--corpus", str(corpus), "--out", str(out),
                                     "--mode", mode, "--batch", str(args.batch), "--add", str(n + 1)))
            shutil.rmtree(out, ignore_errors=True)
            inc.append((mode, full, again, warm))
            print(f"# incremental {mode}, one process for both builds (notebook, build --watch): full build "
                  f"{warm['full_s']:.1f} s, after adding 1 report {warm['again_s']:.2f} s (computed "
                  f"{warm['computed']} with engine {warm['engine']}; timings {warm['timings']}) = "
                  f"{100 * warm['again_s'] / warm['full_s']:.1f}% of the full build", flush=True)

    # ---- goals
    print("\n# goals (2-core machine)")
    by = {(r["size"], r["mode"]): r for r in rows}
    for size in sizes:
        for mode in ("jobs2", "dask"):
            if (size, mode) in by and (size, "inprocess") in by:
                s = by[(size, "inprocess")]["wall"] / by[(size, mode)]["wall"]
                print(f"speedup {mode:<6} at {size:>6}: {s:.2f}x (goal >= 1.7x) {'ok' if s >= 1.7 else 'MISSED'}")
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        for mode in modes:
            if (lo, mode) in by and (hi, mode) in by:
                a, b = by[(lo, mode)], by[(hi, mode)]
                grow = b["peak_tree_mb"] / a["peak_tree_mb"] - 1
                lin = (b["wall"] / hi) / (a["wall"] / lo)
                print(f"{mode:<9} memory {lo}->{hi}: {a['peak_tree_mb']:.0f} -> {b['peak_tree_mb']:.0f} MB "
                      f"({100 * grow:+.0f}%, goal within 20%) {'ok' if grow <= 0.2 else 'MISSED'}; "
                      f"time per doc {1000 * a['wall'] / lo:.1f} -> {1000 * b['wall'] / hi:.1f} ms "
                      f"(x{lin:.2f}, 1.00 = linear)")
    for mode, full, again, warm in inc:
        pct = 100 * again["wall"] / full["wall"]
        print(f"incremental {mode}, new process per build: {pct:.1f}% of a full build (goal < 5%) "
              f"{'ok' if pct < 5 else 'MISSED'}")
        pct = 100 * warm["again_s"] / warm["full_s"]
        print(f"incremental {mode}, one process (notebook, --watch): {pct:.1f}% of a full build (goal < 5%) "
              f"{'ok' if pct < 5 else 'MISSED'}")
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
