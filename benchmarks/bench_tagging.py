"""Tagging speed and memory, printed (not a timed test).

1. Words per second of the full pipeline (sentencizer + places + actors + dates + figures) next to
   ``spacy.blank("en")``'s bare tokenizer, on the same cleaned text of every shipped report, in one run
   (best of ``--repeat`` passes; each pipeline pass with the documents' dates moved by one more day).
2. Peak memory of tagging 300 and 3,000 reports, each in a fresh process: documents are streamed
   one at a time and the reference data is loaded once, so the peak should not grow with the corpus.

    python benchmarks/bench_tagging.py [--repeat 5] [--sizes 300,3000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _documents():
    from conflict_lib.paths import reports_dir
    from conflict_lib.reports import read_reports

    docs, problems = read_reports([reports_dir()])
    if problems:
        print(f"note: {len(problems)} problems reading the corpus", file=sys.stderr)
    return docs


def _shifted(doc, days: int):
    """The document with its published date and reporting period moved by ``days``."""
    import dataclasses
    import datetime as dt

    def move(d):
        return d + dt.timedelta(days=days) if d is not None else None

    return dataclasses.replace(doc, published=move(doc.published), period_start=move(doc.period_start),
                               period_end=move(doc.period_end))


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def speed(repeat: int) -> dict:
    import spacy

    from conflict_lib.pipeline import load_pipeline
    from conflict_lib.tagging import tag_document

    docs = _documents()
    t0 = time.perf_counter()
    nlp = load_pipeline()
    load_s = time.perf_counter() - t0
    blank = spacy.blank("en")
    words = sum(len(blank.make_doc(d.match_text)) for d in docs)
    for d in docs[:3]:  # warm up caches on both sides
        blank.make_doc(d.match_text)
        tag_document(d, nlp)

    # Each pass of the pipeline sees every document with its dates moved by a day more than the pass
    # before: a memo keyed by the reference date (which a real corpus, every report with its own date,
    # would rarely hit) gains nothing from the repetition. Per-word caches warm up, as they do on any
    # long run — and as the tokenizer's own cache does.
    # Tokenizer and pipeline passes alternate, so both are sampled under the same conditions.
    passes = [[_shifted(d, k) for d in docs] for k in range(1, repeat + 1)]
    t_tok = t_full = float("inf")
    for batch in passes:
        t_tok = min(t_tok, _timed(lambda: [blank.make_doc(d.match_text) for d in docs]))
        t_full = min(t_full, _timed(lambda: [tag_document(d, nlp) for d in batch]))
    return {"documents": len(docs), "words": words, "pipeline_load_s": round(load_s, 2),
            "tokenizer_wps": round(words / t_tok), "pipeline_wps": round(words / t_full),
            "ratio": round(t_tok / t_full, 3)}


def _memory_child(n: int) -> None:
    """Tag n reports (the shipped ones, cycled, each made distinct), streaming; print peak RSS."""
    import dataclasses

    from conflict_lib.pipeline import load_pipeline
    from conflict_lib.tagging import tag_document

    docs = _documents()
    nlp = load_pipeline()
    after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mentions = 0
    for i in range(n):
        base = docs[i % len(docs)]
        suffix = f"\n\nCopy {i} of the report."
        d = dataclasses.replace(base, doc_id=f"{base.doc_id}-{i}", text=base.text + suffix,
                                match_text=base.match_text + suffix,
                                offsets=base.offsets + list(range(base.offsets[-1] + 1,
                                                                  base.offsets[-1] + 1 + len(suffix))))
        mentions += len(tag_document(d, nlp).mentions)  # the result is dropped: streamed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"reports": n, "mentions": mentions, "rss_after_load_mb": round(after_load / 1024, 1),
                      "peak_rss_mb": round(peak / 1024, 1)}))


def memory(sizes: list[int]) -> list[dict]:
    out = []
    for n in sizes:
        t = time.perf_counter()
        res = subprocess.run([sys.executable, __file__, "--memory-child", str(n)], capture_output=True, text=True,
                             check=True)
        row = json.loads(res.stdout.strip().splitlines()[-1])
        row["seconds"] = round(time.perf_counter() - t, 1)
        out.append(row)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="300,3000")
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_child:
        _memory_child(args.memory_child)
        return 0
    s = speed(args.repeat)
    print(f"corpus: {s['documents']} reports, {s['words']} words; pipeline loaded in {s['pipeline_load_s']} s")
    print(f"bare tokenizer : {s['tokenizer_wps']:>10,} words/s")
    print(f"full pipeline  : {s['pipeline_wps']:>10,} words/s  ({s['ratio']:.2f} of the tokenizer; goal >= 0.33)")
    rows = memory([int(x) for x in args.sizes.split(",") if x])
    for r in rows:
        print(f"tagging {r['reports']:>6,} reports: peak RSS {r['peak_rss_mb']:>7.1f} MB "
              f"(after loading the pipeline {r['rss_after_load_mb']:.1f} MB), {r['seconds']} s, {r['mentions']:,} mentions")
    if len(rows) >= 2:
        growth = rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"] - 1
        print(f"peak memory growth {rows[0]['reports']} -> {rows[-1]['reports']} reports: {growth:+.1%} "
              f"(goal within 10% and under 1 GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
