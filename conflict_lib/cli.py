"""Command line: ``python -m conflict_lib {ingest,build,evaluate,briefing,all} ...``.

Exit status: 0 when every file was read, 3 when some file was skipped (its name and the reason
are printed and kept in the ``problems`` table), 2 for a usage error, 1 for any other failure.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .paths import processed_dir, reports_dir

EXIT_SKIPPED = 3


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{s!r} is not a date YYYY-MM-DD") from exc


def _cmd_ingest(args) -> int:
    import pyarrow as pa

    from .build import SCHEMAS, _document_row, _problem_row
    from .reports import read_reports
    from .tables import AtomicTableWriter

    docs, problems = read_reports(args.inputs)
    out = Path(args.out) if args.out else processed_dir()
    with AtomicTableWriter(out, csv=args.csv) as w:
        for name, rows in (
            ("documents", [_document_row(d, 0, 0) for d in docs]),
            ("problems", [_problem_row(p) for p in problems]),
            ("warnings", [{"doc_id": d.doc_id, "code": n.code, "message": n.message,
                           "raw_start": n.raw_start, "raw_end": n.raw_end} for d in docs for n in d.warnings]),
        ):
            pa.parquet.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[name]), w.path(name))
            w.add(name)
        w.commit()
    n_warn = sum(len(d.warnings) for d in docs)
    print(f"{len(docs)} documents, {n_warn} cleaning warnings, {len(problems)} problems -> {out}")
    for p in problems:
        print(f"  problem: {p.path}: [{p.kind}] {p.reason}", file=sys.stderr)
    return EXIT_SKIPPED if any(p.fatal for p in problems) else 0


def _cmd_build(args) -> int:
    from .build import build

    engine = args.engine or ("processes" if args.jobs > 1 else "inprocess")
    options = dict(csv=args.csv, engine=engine, jobs=args.jobs, scheduler=args.scheduler,
                   cache=not args.no_cache, corrections=args.corrections, progress=args.progress)
    if args.watch is None:
        report = build(args.inputs, args.out, **options)
        print(report.summary())
        return EXIT_SKIPPED if report.skipped else 0
    from .build import watch

    print(f"watching {', '.join(args.inputs)} every {args.watch:g} s; Ctrl-C to stop", flush=True)
    try:
        for report in watch(args.inputs, args.out, interval=args.watch, **options):
            print(f"[{dt.datetime.now():%Y-%m-%d %H:%M:%S}] " + report.summary(), flush=True)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def _cmd_evaluate(args) -> int:
    from .evaluate import evaluate

    result = evaluate(args.tables, args.gold)
    print(result)
    if args.errors:
        with_errors = result.errors
        print()
        print(with_errors.to_string(index=False) if len(with_errors) else "no errors")
    return 0


def _cmd_briefing(args) -> int:
    from .briefing import write_briefing

    path = write_briefing(args.out, tables_dir=args.tables, start=args.date_from, end=args.date_to,
                          title=args.title)
    size = Path(path).stat().st_size
    print(f"briefing written to {path} ({size / 1e6:.2f} MB)")
    return 0


def _cmd_all(args) -> int:
    """The README's main job: build the tables from data/raw/reports, then the briefing."""
    from .build import build

    out = processed_dir()
    report = build([reports_dir()], out, progress=False)
    print(report.summary())
    from .briefing import write_briefing

    path = write_briefing(out / "briefing.html", tables_dir=out)
    print(f"briefing written to {path} ({Path(path).stat().st_size / 1e6:.2f} MB)")
    return EXIT_SKIPPED if report.skipped else 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the commands)."""
    p = argparse.ArgumentParser(prog="python -m conflict_lib", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="read and clean reports; write documents, problems and warnings tables")
    s.add_argument("inputs", nargs="+", help="report files or folders")
    s.add_argument("--out", help="output folder (default data/processed)")
    s.add_argument("--csv", action="store_true", help="also write CSV twins")
    s.set_defaults(func=_cmd_ingest)

    s = sub.add_parser("build", help="ingest, tag and extract events; write every table")
    s.add_argument("inputs", nargs="+", help="report files or folders")
    s.add_argument("--out", help="output folder (default data/processed)")
    s.add_argument("--csv", action="store_true", help="also write CSV twins")
    s.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1)")
    s.add_argument("--engine", choices=["inprocess", "processes", "dask"],
                   help="where per-document work runs (default: inprocess, or processes with --jobs > 1)")
    s.add_argument("--scheduler", help="address of an existing Dask scheduler (with --engine dask)")
    s.add_argument("--no-cache", action="store_true", help="recompute every document")
    s.add_argument("--corrections", help="analyst corrections CSV (default data/corrections.csv if present)")
    s.add_argument("--progress", action=argparse.BooleanOptionalAction, default=sys.stderr.isatty(),
                   help="show a progress bar (default: when the terminal is interactive)")
    s.add_argument("--watch", type=float, nargs="?", const=10.0, metavar="SECONDS",
                   help="keep running: rebuild whenever a report or the corrections file is added, changed "
                        "or removed (looks every SECONDS, default 10); the pipeline stays loaded, so a "
                        "rebuild costs only what changed")
    s.set_defaults(func=_cmd_build)

    s = sub.add_parser("evaluate", help="score the tables against gold annotations")
    s.add_argument("--tables", help="folder written by build (default data/processed)")
    s.add_argument("--gold", help="folder of <doc_id>.gold.jsonl files (default data/raw/gold)")
    s.add_argument("--errors", action="store_true", help="list every miss and spurious item")
    s.set_defaults(func=_cmd_evaluate)

    s = sub.add_parser("briefing", help="write the offline HTML briefing")
    s.add_argument("--out", required=True, help="the .html file to write")
    s.add_argument("--tables", help="folder written by build (default data/processed)")
    s.add_argument("--from", dest="date_from", type=_date, help="first day of the period (YYYY-MM-DD)")
    s.add_argument("--to", dest="date_to", type=_date, help="last day of the period (YYYY-MM-DD)")
    s.add_argument("--title", help="the briefing's title")
    s.set_defaults(func=_cmd_briefing)

    s = sub.add_parser("all", help="the main job: build data/raw/reports into data/processed, then the briefing")
    s.set_defaults(func=_cmd_all)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
