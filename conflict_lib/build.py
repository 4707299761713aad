"""The build: reports in, tidy tables out.

Per-document work — read, clean, tag, extract — is :func:`process_report`, a pure function of
the file's bytes, the reference data and the code. It runs in-process, in local worker processes
(``jobs``) or on Dask (``engine="dask"``) and gives the same rows in all three. Its results are
cached by (file content, reference data version, code version), so a rebuild redoes only the
documents that changed. Rows are streamed to the tables in batches; the corpus-wide steps
(corrections, claim ledger, control timeline, sieges, displacement) run last, on the events.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .paths import PACKAGE_DATA, geo_dir as _default_geo_dir, processed_dir
from .schema import EVENT_COLUMNS, Document, Problem, TaggedDocument
from .tables import AtomicTableWriter

# --------------------------------------------------------------------------- table schemas

_S, _F, _I, _B = pa.string(), pa.float64(), pa.int64(), pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", _S), ("path", _S), ("format", _S), ("title", _S), ("publisher", _S),
        ("published", pa.date32()), ("period_start", pa.date32()), ("period_end", pa.date32()),
        ("reference_date", pa.date32()), ("source_url", _S), ("license", _S), ("content_hash", _S),
        ("n_chars", _I), ("n_warnings", _I), ("n_mentions", _I), ("n_events", _I),
        ("sections", _S), ("captions", _S), ("offset_runs", _S), ("meta", _S),
        ("raw_text", _S), ("text", _S),
    ]),
    "problems": pa.schema([
        ("path", _S), ("doc_id", _S), ("kind", _S), ("reason", _S), ("fatal", _B),
    ]),
    "warnings": pa.schema([
        ("doc_id", _S), ("code", _S), ("message", _S), ("raw_start", _I), ("raw_end", _I),
    ]),
    "mentions": pa.schema([
        ("doc_id", _S), ("mention_id", _S), ("kind", _S), ("text", _S), ("canonical", _S),
        ("start", _I), ("end", _I), ("raw_start", _I), ("raw_end", _I),
        ("sentence_start", _I), ("sentence_end", _I), ("section", _S), ("in_caption", _B),
        ("place_id", _S), ("lat", _F), ("lon", _F), ("feature", _S),
        ("adm1_pcode", _S), ("adm1_name", _S), ("adm2_pcode", _S), ("adm2_name", _S),
        ("adm3_pcode", _S), ("adm3_name", _S), ("match_method", _S), ("match_score", _F),
        ("actor_id", _S), ("alignment", _S), ("adjectival", _B),
        ("date_value", _S), ("date_start", _S), ("date_end", _S), ("precision", _S), ("relative", _B),
        ("figure_value", _F), ("figure_low", _F), ("figure_high", _F), ("qualifier", _S), ("unit", _S),
        ("source", _S), ("attrs", _S),
    ]),
    "places": pa.schema([
        ("doc_id", _S), ("place_id", _S), ("text", _S), ("canonical", _S), ("lat", _F), ("lon", _F),
        ("feature", _S), ("adm1_pcode", _S), ("adm1_name", _S), ("adm2_pcode", _S), ("adm2_name", _S),
        ("adm3_pcode", _S), ("adm3_name", _S), ("mentions", _I), ("match_method", _S), ("match_score", _F),
    ]),
    "actors": pa.schema([
        ("doc_id", _S), ("actor_id", _S), ("text", _S), ("canonical", _S), ("alignment", _S),
        ("mentions", _I),
    ]),
    "events": pa.schema([(c, _F if c in ("lat", "lon", "figure", "figure_low", "figure_high")
                          else _I if c in ("start", "end", "raw_start", "raw_end") else _S)
                         for c in EVENT_COLUMNS]),
}

_MENTION_ATTR_COLUMNS = {
    "place": {k: k for k in ("place_id", "lat", "lon", "feature", "adm1_pcode", "adm1_name", "adm2_pcode",
                             "adm2_name", "adm3_pcode", "adm3_name", "match_method", "match_score", "source")},
    "actor": {"actor_id": "actor_id", "alignment": "alignment", "adjectival": "adjectival", "source": "source"},
    "date": {"value": "date_value", "date_start": "date_start", "date_end": "date_end",
             "precision": "precision", "relative": "relative"},
    "figure": {"value": "figure_value", "low": "figure_low", "high": "figure_high",
               "qualifier": "qualifier", "unit": "unit"},
}


# --------------------------------------------------------------------------- versions


def _hash_files(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def reference_version(geo_dir: str | None = None) -> str:
    """Hash of the reference data: the geography files and the package's lexicons and patterns."""
    geo = Path(geo_dir) if geo_dir else _default_geo_dir()
    files = [p for p in geo.glob("*") if p.is_file() and p.suffix in (".csv", ".geojson")]
    files += [p for p in PACKAGE_DATA.rglob("*") if p.is_file()]
    return _hash_files(files)


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the library's source, so a code change invalidates cached documents."""
    pkg = Path(__file__).resolve().parent
    return f"{__version__}-{_hash_files(pkg.glob('*.py'))}"


# --------------------------------------------------------------------------- per document


@dataclass
class DocResult:
    """Everything one report contributes to the tables (plain rows, picklable)."""

    path: str
    content_hash: str
    rows: dict[str, list[dict]] = field(default_factory=dict)


def _iso(d) -> str | None:
    return d.isoformat() if d is not None else None


def _offset_runs(offsets: list[int]) -> list[list[int]]:
    """Compress the cleaned->raw map into runs ``[clean_start, raw_start, length]``."""
    runs: list[list[int]] = []
    for i, r in enumerate(offsets):
        if runs and r == runs[-1][1] + runs[-1][2] and i == runs[-1][0] + runs[-1][2]:
            runs[-1][2] += 1
        else:
            runs.append([i, r, 1])
    return runs


def _mention_rows(tagged: TaggedDocument) -> list[dict]:
    doc = tagged.document
    rows = []
    for i, m in enumerate(tagged.mentions):
        raw_start, raw_end = doc.raw_span(m.start, m.end)
        s_start, s_end = tagged.sentence_of(m.start)
        row: dict[str, Any] = {
            "doc_id": doc.doc_id, "mention_id": f"{doc.doc_id}:{m.kind[0]}{i}", "kind": m.kind,
            "text": m.text, "canonical": m.canonical, "start": m.start, "end": m.end,
            "raw_start": raw_start, "raw_end": raw_end, "sentence_start": s_start, "sentence_end": s_end,
            "section": doc.section_at(m.start), "in_caption": doc.caption_at(m.start) is not None,
        }
        for key, col in _MENTION_ATTR_COLUMNS.get(m.kind, {}).items():
            if key in m.attrs:
                row[col] = m.attrs[key]
        row["attrs"] = json.dumps(m.attrs, default=str, sort_keys=True)
        rows.append(row)
    return rows


def _place_rows(mention_rows: list[dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for r in mention_rows:
        if r["kind"] != "place":
            continue
        key = r.get("place_id") or r["canonical"]
        if key in out:
            out[key]["mentions"] += 1
            continue
        out[key] = {c: r.get(c) for c in SCHEMAS["places"].names if c in r}
        out[key]["place_id"] = key
        out[key]["mentions"] = 1
    return list(out.values())


def _actor_rows(mention_rows: list[dict]) -> list[dict]:
    out: dict[str, dict] = {}
    for r in mention_rows:
        if r["kind"] != "actor":
            continue
        key = r.get("actor_id") or r["canonical"]
        if key in out:
            out[key]["mentions"] += 1
            continue
        out[key] = {"doc_id": r["doc_id"], "actor_id": key, "text": r["text"], "canonical": r["canonical"],
                    "alignment": r.get("alignment"), "mentions": 1}
    return list(out.values())


def _document_row(doc: Document, n_mentions: int, n_events: int) -> dict:
    return {
        "doc_id": doc.doc_id, "path": doc.path, "format": doc.format, "title": doc.title,
        "publisher": doc.publisher, "published": doc.published, "period_start": doc.period_start,
        "period_end": doc.period_end, "reference_date": doc.reference_date, "source_url": doc.source_url,
        "license": doc.license, "content_hash": doc.content_hash, "n_chars": len(doc.text),
        "n_warnings": len(doc.warnings), "n_mentions": n_mentions, "n_events": n_events,
        "sections": json.dumps([s.__dict__ for s in doc.sections]),
        "captions": json.dumps([c.__dict__ for c in doc.captions]),
        "offset_runs": json.dumps(_offset_runs(doc.offsets)),
        "meta": json.dumps(doc.meta, default=str), "raw_text": doc.raw_text, "text": doc.text,
    }


def _problem_row(p: Problem) -> dict:
    return {"path": p.path, "doc_id": Path(p.path).name.split(".")[0], "kind": p.kind,
            "reason": p.reason, "fatal": p.fatal}


def process_report(path: str | Path, geo_dir: str | None = None) -> DocResult:
    """Read, clean, tag and extract one report: a pure function of the file and the reference data.

    Never raises for a bad report: what went wrong is a row in ``problems``.

    Parameters
    ----------
    path : path
        A report file (.txt, .md, .html, .pdf).
    geo_dir : str, optional
        Reference geography folder; default ``data/raw/geo``.

    Returns
    -------
    DocResult
        Rows for ``documents``, ``problems``, ``warnings``, ``mentions``, ``places``, ``actors``, ``events``.
    """
    from .events import extract_events
    from .pipeline import load_pipeline
    from .reports import iter_reports
    from .tagging import tag_document

    path = Path(path)
    rows: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
    result = DocResult(path=str(path), content_hash=_file_hash(path), rows=rows)
    docs: list[Document] = []
    for item in iter_reports([path]):
        if isinstance(item, Problem):
            rows["problems"].append(_problem_row(item))
        else:
            docs.append(item)
    for doc in docs:
        rows["warnings"] += [{"doc_id": doc.doc_id, "code": w.code, "message": w.message,
                              "raw_start": w.raw_start, "raw_end": w.raw_end} for w in doc.warnings]
        mention_rows: list[dict] = []
        events: list[dict] = []
        try:
            tagged = tag_document(doc, load_pipeline(geo_dir))
            mention_rows = _mention_rows(tagged)
            events = extract_events(tagged)
        except Exception as exc:  # one document's failure must not stop the corpus
            rows["problems"].append({
                "path": str(path), "doc_id": doc.doc_id, "kind": "extraction_error", "fatal": False,
                "reason": f"tagging/extraction failed ({type(exc).__name__}: {exc}); the document is kept "
                          f"without mentions or events. {traceback.format_exc(limit=2).splitlines()[-1]}"})
        rows["mentions"] += mention_rows
        rows["places"] += _place_rows(mention_rows)
        rows["actors"] += _actor_rows(mention_rows)
        rows["events"] += events
        rows["documents"].append(_document_row(doc, len(mention_rows), len(events)))
    return result


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


# --------------------------------------------------------------------------- cache


class ResultCache:
    """Per-document results on disk, keyed by content + reference version + code version."""

    def __init__(self, folder: Path, ref_version: str, code_ver: str):
        self.folder = folder
        self.salt = f"{ref_version}:{code_ver}"
        folder.mkdir(parents=True, exist_ok=True)

    def key(self, content_hash: str) -> str:
        return hashlib.sha256(f"{content_hash}:{self.salt}".encode()).hexdigest()[:32]

    def get(self, content_hash: str) -> DocResult | None:
        p = self.folder / f"{self.key(content_hash)}.pkl"
        if not p.exists():
            return None
        try:
            with open(p, "rb") as fh:
                return pickle.load(fh)
        except Exception:
            return None  # a damaged cache entry is recomputed

    def put(self, result: DocResult) -> None:
        if not result.content_hash:
            return
        p = self.folder / f"{self.key(result.content_hash)}.pkl"
        tmp = p.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, p)


# --------------------------------------------------------------------------- engines


def _process_batch(paths: list[str], geo_dir: str | None) -> list[DocResult]:
    return [process_report(p, geo_dir) for p in paths]


def _windows(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _run_inprocess(paths: list[str], geo_dir: str | None, **_: Any) -> Iterator[DocResult]:
    for p in paths:
        yield process_report(p, geo_dir)


def _warm(geo_dir: str | None) -> None:
    from .pipeline import load_pipeline
    load_pipeline(geo_dir)


def _run_processes(paths: list[str], geo_dir: str | None, jobs: int = 2, batch: int = 8, **_: Any) -> Iterator[DocResult]:
    batches = list(_windows(paths, batch))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=(geo_dir,)) as pool:
        for window in _windows(batches, jobs * 4):  # bounded in flight: memory stays flat
            futures = [pool.submit(_process_batch, b, geo_dir) for b in window]
            for f in futures:
                yield from f.result()


def _run_dask(paths: list[str], geo_dir: str | None, jobs: int = 2, batch: int = 8,
              scheduler: str | None = None, **_: Any) -> Iterator[DocResult]:
    try:
        import dask
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("the dask engine needs the optional extra: pip install 'conflict_lib[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        client.run(_warm, geo_dir)  # reference data once per worker, not once per document
        bag = db.from_sequence(paths, partition_size=batch)
        parts = bag.map_partitions(_process_batch, geo_dir).to_delayed()
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        for window in _windows(parts, n_workers * 4):
            for part in dask.compute(*window, scheduler=client):
                yield from part
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


ENGINES: dict[str, Callable[..., Iterator[DocResult]]] = {
    "inprocess": _run_inprocess, "processes": _run_processes, "dask": _run_dask,
}


# --------------------------------------------------------------------------- the build


@dataclass
class BuildReport:
    """What a build did: counts for the terminal and the closing line."""

    out_dir: Path
    files: int = 0
    documents: int = 0
    computed: int = 0
    cached: int = 0
    problems: list[dict] = field(default_factory=list)
    warnings: int = 0
    events: int = 0
    seconds: float = 0.0
    corrections: dict = field(default_factory=dict)

    @property
    def skipped(self) -> list[dict]:
        """Files that could not be read at all."""
        return [p for p in self.problems if p.get("fatal")]

    def summary(self) -> str:
        kinds = Counter(p["kind"] for p in self.problems)
        lines = [
            f"{self.documents} documents from {self.files} files "
            f"({self.computed} processed, {self.cached} from cache) in {self.seconds:.1f} s",
            f"{self.warnings} cleaning warnings, {self.events} events, "
            f"{len(self.problems)} problems ({len(self.skipped)} files skipped)"
            + (f": {dict(kinds)}" if kinds else ""),
        ]
        for p in self.problems:
            lines.append(f"  problem: {p['path']}: [{p['kind']}] {p['reason']}")
        if self.corrections:
            lines.append(f"corrections: {self.corrections}")
        lines.append(f"tables written to {self.out_dir}")
        return "\n".join(lines)


class _Sink:
    """Buffers rows of one table and streams them to a Parquet file in batches."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int = 2000):
        self.path, self.schema, self.batch_rows = path, schema, batch_rows
        self.rows: list[dict] = []
        self.writer: pq.ParquetWriter | None = None
        self.count = 0

    def extend(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema)
        if self.rows:
            cols = {name: [r.get(name) for r in self.rows] for name in self.schema.names}
            self.writer.write_table(pa.table(cols, schema=self.schema))
            self.count += len(self.rows)
            self.rows = []

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


def _progress(total: int, show: bool):
    if not show:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, unit="doc", desc="build", file=sys.stderr)


def build(inputs: Iterable[str | Path], out_dir: str | Path | None = None, *, csv: bool = False,
          engine: str = "inprocess", jobs: int = 1, scheduler: str | None = None,
          cache: bool = True, corrections: str | Path | None = None, geo_dir: str | Path | None = None,
          progress: bool = False, batch: int = 8) -> BuildReport:
    """Build every table from report files or folders.

    Parameters
    ----------
    inputs : iterable of path
        Report files and/or folders (read recursively).
    out_dir : path, optional
        Where the tables go; default ``data/processed``.
    csv : bool
        Also write a CSV twin of every table.
    engine : {"inprocess", "processes", "dask"}
        Where per-document work runs; ``jobs > 1`` with ``"inprocess"`` means ``"processes"``.
    jobs : int
        Worker processes (``processes``) or Dask workers of a local cluster.
    scheduler : str, optional
        Address of an existing Dask scheduler (``engine="dask"``).
    cache : bool
        Reuse per-document results whose file, reference data and code are unchanged.
    corrections : path, optional
        Analyst corrections (default ``data/corrections.csv`` when it exists); applied last.
    progress : bool
        Show a progress bar (terminal or notebook).

    Returns
    -------
    BuildReport
    """
    from .corrections import default_corrections_path
    from .reports import list_report_files

    t0 = time.perf_counter()
    out = Path(out_dir) if out_dir else processed_dir()
    geo = str(Path(geo_dir).resolve()) if geo_dir else None
    if engine == "inprocess" and jobs > 1:
        engine = "processes"
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    files = [str(p) for p in list_report_files(inputs)]
    report = BuildReport(out_dir=out, files=len(files))
    store = ResultCache(out / ".cache", reference_version(geo), code_version()) if cache else None

    writer = AtomicTableWriter(out, csv=csv)
    try:
        sinks = {name: _Sink(writer.path(name), schema) for name, schema in SCHEMAS.items() if name != "events"}
        events: list[dict] = []
        bar = _progress(len(files), progress)

        def consume(res: DocResult) -> None:
            for name, rows in res.rows.items():
                if name == "events":
                    events.extend(rows)
                elif rows:
                    sinks[name].extend(rows)
            report.documents += len(res.rows.get("documents", []))
            report.warnings += len(res.rows.get("warnings", []))
            report.problems.extend(res.rows.get("problems", []))
            if bar is not None:
                bar.update(1)

        todo: list[str] = []
        for f in files:
            hit = store.get(_file_hash(Path(f))) if store else None
            if hit is not None:
                report.cached += 1
                consume(hit)
            else:
                todo.append(f)
        for res in ENGINES[engine](todo, geo, jobs=max(1, jobs), batch=batch, scheduler=scheduler):
            report.computed += 1
            if store:
                store.put(res)
            consume(res)
        if bar is not None:
            bar.close()
        for name, sink in sinks.items():
            sink.close()
            writer.add(name)

        frames = derive_tables(events, corrections=corrections or default_corrections_path())
        report.corrections = frames.pop("_corrections_report")
        for p in report.corrections.get("problems", []):
            report.problems.append(p)
        if report.corrections.get("problems"):
            extra = pa.Table.from_pylist(report.corrections["problems"], schema=SCHEMAS["problems"])
            old = pq.read_table(writer.path("problems"))
            pq.write_table(pa.concat_tables([old, extra]), writer.path("problems"))
        for name, frame in frames.items():
            writer.write(name, frame)
        report.events = len(frames["events"])
        report.seconds = time.perf_counter() - t0
        writer.commit(manifest={
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "code_version": code_version(),
            "reference_version": reference_version(geo), "files": len(files), "documents": report.documents,
            "computed": report.computed, "cached": report.cached, "engine": engine, "jobs": jobs,
            "problems": len(report.problems), "events": report.events, "seconds": round(report.seconds, 2),
        })
    except BaseException:
        writer.abort()
        raise
    return report


def derive_tables(events: list[dict], corrections: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Corpus-wide steps on the events of every document: corrections, ledger, derived tables."""
    from .control import control_timeline
    from .corrections import apply_corrections
    from .displacement import displacement_table
    from .ledger import build_ledger
    from .sieges import siege_table

    frame = pd.DataFrame(events, columns=list(EVENT_COLUMNS))
    frame = frame.astype({c: "float64" for c in ("lat", "lon", "figure", "figure_low", "figure_high")})
    frame, corr_report = apply_corrections(frame, corrections)
    frame = frame.sort_values(["doc_id", "start", "event_id"], kind="stable").reset_index(drop=True)
    return {
        "events": frame,
        "claims": build_ledger(frame),
        "control_timeline": control_timeline(frame),
        "sieges": siege_table(frame),
        "displacement": displacement_table(frame),
        "_corrections_report": corr_report,
    }
