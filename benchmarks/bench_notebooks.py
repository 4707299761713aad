"""Execute every workshop notebook and print its wall time, and the total.

    python benchmarks/bench_notebooks.py            # all notebooks/NN_*.ipynb
    python benchmarks/bench_notebooks.py --check    # exit 1 if a budget is exceeded
    python benchmarks/bench_notebooks.py notebooks/03_siege_timelines.ipynb

Budgets (on a 2-core machine): each notebook <= 20 s, the suite <= 60 s. The tables are built
first (``ensure_tables``; reused when present) and that time is printed apart, so the notebook
times measure the notebooks, as a learner meets them after the first one. Each notebook runs in a
fresh kernel (nbclient), from its own folder, as Jupyter and nbval run it; nothing is written back.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PER_NOTEBOOK_S = 20.0
TOTAL_S = 60.0


def run_notebook(path: Path, timeout: int = 300) -> float:
    """Execute one notebook in a fresh kernel; return its wall time in seconds.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell fails (the message names the cell and the error).
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a time budget is exceeded")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

    from conflict_lib.tables import TABLE_NAMES, ensure_tables
    from conflict_lib.paths import processed_dir

    had_tables = all((processed_dir() / f"{n}.parquet").exists() for n in TABLE_NAMES)
    t0 = time.perf_counter()
    ensure_tables()
    print(f"{'tables (ensure_tables)':<40} {time.perf_counter() - t0:6.1f} s"
          f"  {'reused' if had_tables else 'built'}", flush=True)

    total, over, failed = 0.0, [], []
    for path in paths:
        try:
            seconds = run_notebook(path.resolve())
        except Exception as exc:  # report and go on: one broken notebook must not hide the others' times
            last = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()[-1]
            print(f"{path.name:<40}  FAILED: {type(exc).__name__}: {last[:200]}", flush=True)
            failed.append(path.name)
            continue
        total += seconds
        flag = "" if seconds <= PER_NOTEBOOK_S else f"  over the {PER_NOTEBOOK_S:.0f} s budget"
        if flag:
            over.append(path.name)
        print(f"{path.name:<40} {seconds:6.1f} s{flag}", flush=True)
    flag = "" if total <= TOTAL_S else f"  over the {TOTAL_S:.0f} s budget"
    print(f"{'total':<40} {total:6.1f} s{flag}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    if args.check and (over or failed or total > TOTAL_S):
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
