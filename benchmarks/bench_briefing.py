"""Build the HTML briefing from a tables folder; print its size (MB) and build time (s).

    python benchmarks/bench_briefing.py                     # data/processed
    python benchmarks/bench_briefing.py --tables DIR --out briefing.html --from 2017-09-01 --to 2017-12-31
    python benchmarks/bench_briefing.py --synthetic         # the tests' small synthetic tables
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", help="tables folder (default data/processed)")
    ap.add_argument("--out", help="where to write the HTML (default a temporary file)")
    ap.add_argument("--from", dest="start")
    ap.add_argument("--to", dest="end")
    ap.add_argument("--synthetic", action="store_true", help="use the tests' synthetic tables")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)

    from conflict_lib.briefing import write_briefing

    tmp = tempfile.TemporaryDirectory()
    tables = args.tables
    if args.synthetic:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from synthetic_tables import write_tables
        tables = write_tables(Path(tmp.name) / "tables")
    out = Path(args.out) if args.out else Path(tmp.name) / "briefing.html"
    times = []
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        path = write_briefing(out, tables_dir=tables, start=args.start, end=args.end)
        times.append(time.perf_counter() - t0)
    size = path.stat().st_size / 1e6
    print(f"briefing: {size:.2f} MB, built in {min(times):.2f} s (best of {len(times)})"
          f"{'' if args.out else ' [written to a temporary file]'}")
    ok = size <= 3.0 and min(times) <= 20
    if not ok:
        print("over budget: the briefing must stay <= 3 MB and <= 20 s", file=sys.stderr)
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
