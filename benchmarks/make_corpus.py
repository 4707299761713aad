#!/usr/bin/env python
"""Make a synthetic corpus of N distinct reports from the shipped ones (for benchmarks only).

Copy ``i`` of the corpus is shipped report ``i % 29`` with small, realistic changes so that every
file has its own content hash (and so its own cache entry) and its own ``doc_id``:

- the file name gets a ``-cNNNNN`` suffix (the date prefix follows the ``published`` date below);
- ``published:`` in the front matter moves by 0-6 days (the same shift for every copy of a report
  family), so relative dates resolve a little differently;
- one figure in the body (the last number of three or more digits) is nudged by a few units;
- a reference line ``Bulletin reference: SYN-NNNNN`` is appended, as agencies number their bulletins.

The text stays a report a reader would recognise; only the numbers move.

    python benchmarks/make_corpus.py --n 3000 --out build/corpus-3000
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent / "data" / "raw" / "reports"
REPORT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")

_PUBLISHED = re.compile(r"^(published:\s*)'?(\d{4}-\d{2}-\d{2})'?\s*$", re.M)
_FIGURE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d{3,})(?![\w,]*\d)")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


def source_reports(source: Path = DEFAULT_SOURCE) -> list[Path]:
    """The shipped text reports the copies are made from (sorted)."""
    files = sorted(p for p in source.iterdir() if p.suffix in (".txt", ".md") and p.name != "SOURCES.md")
    if not files:
        raise SystemExit(f"no reports in {source}")
    return files


def _split_front_matter(text: str) -> tuple[str, str]:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[: end + 5], text[end + 5:]
    return "", text


def _nudge_last_figure(body: str, delta: int) -> str:
    matches = list(_FIGURE.finditer(body))
    if not matches or delta == 0:
        return body
    m = matches[-1]
    raw = m.group(1)
    value = int(raw.replace(",", "")) + delta
    new = f"{value:,}" if "," in raw else str(value)
    return body[: m.start(1)] + new + body[m.end(1):]


def variant(text: str, name: str, i: int, family_size: int) -> tuple[str, str]:
    """Copy number ``i`` of a report: (new file name, new text)."""
    round_ = i // family_size
    shift = dt.timedelta(days=round_ % 7)
    front, body = _split_front_matter(text)
    new_date = None

    def move(m: re.Match) -> str:
        nonlocal new_date
        d = dt.date.fromisoformat(m.group(2)) + shift
        new_date = d.isoformat()
        return f"{m.group(1)}{new_date}"

    front = _PUBLISHED.sub(move, front, count=1)
    body = _nudge_last_figure(body, (round_ % 9) + 1 if round_ else 0)
    body = body.rstrip("\n") + f"\n\nBulletin reference: SYN-{i:05d}\n"
    stem, suffix = Path(name).stem, Path(name).suffix
    if new_date and _DATE_PREFIX.match(stem):
        stem = new_date + stem[10:]
    return f"{stem}-c{i:05d}{suffix}", front + body


def make_corpus(n: int, out: Path, source: Path = DEFAULT_SOURCE, clear: bool = True) -> list[Path]:
    """Write ``n`` distinct reports into ``out``; returns their paths."""
    files = source_reports(source)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in files]
    if clear and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        name, text = texts[i % len(texts)]
        new_name, new_text = variant(text, name, i, len(texts))
        path = out / new_name
        path.write_text(new_text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, required=True, help="number of reports")
    ap.add_argument("--out", required=True, help="folder to write (emptied first)")
    ap.add_argument("--source", default=str(DEFAULT_SOURCE), help="folder of reports to copy from")
    args = ap.parse_args(argv)
    paths = make_corpus(args.n, Path(args.out), Path(args.source))
    print(f"{len(paths)} reports written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
