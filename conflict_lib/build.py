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
import shutil
import sys
import time
import traceback
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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


def _hash_files(root: Path, paths: Iterable[Path]) -> str:
    """Hash of files' names (relative to ``root``) and bytes: their content, not where they are."""
    h = hashlib.sha256()
    for rel, p in sorted((p.relative_to(root).as_posix(), p) for p in paths):
        h.update(rel.encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def reference_version(geo_dir: str | None = None) -> str:
    """Hash of the reference data: the geography files and the package's lexicons and patterns.

    Depends on the files' names and contents only, so a copy of the geography folder elsewhere
    (on a Dask worker, say) has the same version.
    """
    geo = Path(geo_dir) if geo_dir else _default_geo_dir()
    geo_files = [p for p in geo.glob("*") if p.is_file() and p.suffix in (".csv", ".geojson")]
    pkg_files = [p for p in PACKAGE_DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    both = _hash_files(geo, geo_files) + _hash_files(PACKAGE_DATA, pkg_files)
    return hashlib.sha256(both.encode()).hexdigest()[:16]


#: The modules whose code decides a document's rows (``process_report`` and what it imports).
#: Editing one of them invalidates the per-document cache; editing a figure, the ledger or the
#: briefing does not (``tests/test_build.py`` checks this list against what process_report loads).
PER_DOCUMENT_MODULES = ("__init__", "schema", "paths", "reports", "cleaning", "pipeline", "tagging",
                        "gazetteer", "translit", "actors", "dates", "figures", "events", "build")


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the per-document code (:data:`PER_DOCUMENT_MODULES`): the per-document cache's key."""
    pkg = Path(__file__).resolve().parent
    return f"{__version__}-{_hash_files(pkg, (pkg / f'{m}.py' for m in PER_DOCUMENT_MODULES))}"


@lru_cache(maxsize=1)
def library_version() -> str:
    """Hash of every module of the library: tables made by other code are stale (``ensure_tables``)."""
    pkg = Path(__file__).resolve().parent
    return f"{__version__}-{_hash_files(pkg, pkg.glob('*.py'))}"


# --------------------------------------------------------------------------- per document


@dataclass
class DocResult:
    """Everything one report contributes to the tables (plain rows, picklable).

    ``tables`` optionally holds the same rows already as Arrow tables (a worker builds them for a whole
    batch, see :func:`_process_batch`); it is never cached, the rows are.
    """

    path: str
    content_hash: str
    rows: dict[str, list[dict]] = field(default_factory=dict)
    tables: dict[str, pa.Table] | None = None
    #: the worker wrote the cache entry already (local worker processes share the build's disk)
    stored: bool = False


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


def _file_hash(path: str | Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


# --------------------------------------------------------------------------- cache


class ResultCache:
    """Per-document results on disk, keyed by (path, content) under a folder per (reference, code) version.

    Layout: ``<out>/.cache/<version>/<key>.pkl`` where ``<version>`` is a hash of the reference data
    version and the code version, and ``<key>`` a hash of the file's path and content (the path is in
    the key because ``doc_id`` and the ``path`` column come from it). A change to the reference data
    or the code therefore misses every entry; :meth:`prune` drops the folders of other versions
    after a successful build so the cache does not grow with every code change.

    Next to the entries, ``<version>/segments/<id>.seg`` holds the finished Arrow tables of each
    segment of documents (:func:`segment_plan`), keyed by its documents' keys: a rebuild after adding
    one report reads the unchanged segments whole instead of thousands of entries, and makes again
    only the segment the new report falls in (from its entries, computing the new report alone).
    """

    def __init__(self, folder: Path, ref_version: str, code_ver: str):
        self.root = Path(folder)
        self.salt = f"{ref_version}:{code_ver}"
        self.folder = self.root / hashlib.sha256(self.salt.encode()).hexdigest()[:16]
        self.folder.mkdir(parents=True, exist_ok=True)

    def key(self, path: str, content_hash: str) -> str:
        return hashlib.sha256(f"{path}\0{content_hash}".encode()).hexdigest()[:32]

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def has(self, key: str) -> bool:
        return self._file(key).exists()

    def get(self, key: str) -> DocResult | None:
        try:
            with open(self._file(key), "rb") as fh:
                res = pickle.load(fh)
        except Exception:
            return None  # missing or damaged: recomputed
        return res if isinstance(res, DocResult) else None

    def put(self, result: DocResult) -> None:
        if not result.content_hash or result.stored:
            return  # unreadable file: nothing stable to key on, always retried; or already written
        p = self._file(self.key(result.path, result.content_hash))
        tmp = p.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(DocResult(result.path, result.content_hash, result.rows), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, p)

    # -- segments: the consolidated tables of runs of documents (see :func:`segment_plan`)
    def segment_id(self, keys: list[str]) -> str:
        return hashlib.sha256("\0".join(keys).encode()).hexdigest()[:32]

    def _segment_file(self, sid: str) -> Path:
        return self.folder / "segments" / f"{sid}.seg"

    def get_segment(self, sid: str) -> Segment | None:
        try:
            return Segment.from_bytes(self._segment_file(sid).read_bytes())
        except Exception:
            return None  # missing or damaged: made again from the documents' entries

    def put_segment(self, sid: str, segment: Segment) -> None:
        p = self._segment_file(sid)
        p.parent.mkdir(exist_ok=True)
        tmp = p.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(segment.to_bytes())
        os.replace(tmp, p)

    def prune_segments(self, keep: set[str]) -> int:
        """Remove the segments this build did not use (a changed document leaves its old segment behind)."""
        folder = self.folder / "segments"
        n = 0
        for p in folder.glob("*.seg") if folder.exists() else ():
            if p.stem not in keep:
                p.unlink(missing_ok=True)
                n += 1
        return n

    def prune(self) -> int:
        """Remove entries of other reference/code versions; returns how many folders/files went."""
        n = 0
        for child in self.root.iterdir():
            if child == self.folder:
                continue
            if child.is_dir() and len(child.name) == 16:
                shutil.rmtree(child, ignore_errors=True)
                n += 1
            elif child.is_file() and child.suffix == ".pkl":  # the flat layout of earlier versions
                child.unlink(missing_ok=True)
                n += 1
        return n


# --------------------------------------------------------------------------- file index


class FileIndex:
    """Content hashes of report files, remembered by size, modification time and inode (as git's index does).

    A rebuild must know which files changed; hashing every file each time costs more than anything
    else a no-change rebuild does once the corpus has thousands of files. A file whose
    ``(size, mtime_ns, inode)`` equal the recorded ones is taken to hold the recorded content. An entry
    whose modification time is within :attr:`RACY_SECONDS` of when the index was written is not trusted
    ("racily clean", in git's words: the file could have changed again within the same clock tick)
    and the file is hashed again. Only files seen by the current build are kept when it is saved.
    """

    RACY_SECONDS = 2.0

    def __init__(self, path: Path):
        self.path = Path(path)
        self.entries: dict[str, tuple[int, int, int, str]] = {}
        self.written_ns = 0
        try:
            with open(self.path, "rb") as fh:
                data = pickle.load(fh)
            self.entries, self.written_ns = dict(data["entries"]), int(data["written_ns"])
        except Exception:
            pass  # no index yet, or a damaged one: every file is hashed
        self.seen: dict[str, tuple[int, int, int, str]] = {}
        self.hashed = 0

    def content_hash(self, path: str) -> str:
        """The file's sha256 (``""`` when it cannot be read), from the index when the file is unchanged."""
        try:
            st = os.stat(path)
        except OSError:
            return ""
        sig = (st.st_size, st.st_mtime_ns, st.st_ino)
        old = self.entries.get(path)
        if old is not None and old[:3] == sig and st.st_mtime_ns < self.written_ns - self.RACY_SECONDS * 1e9:
            self.seen[path] = old
            return old[3]
        h = _file_hash(path)
        self.hashed += 1
        if h:
            self.seen[path] = (*sig, h)
        return h

    def save(self) -> None:
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump({"entries": self.seen, "written_ns": time.time_ns()}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)


# --------------------------------------------------------------------------- segments

#: Documents per segment on average, and at most (see :func:`segment_plan`).
SEGMENT_MEAN, SEGMENT_MAX = 64, 256


def segment_plan(keys: list[str | None], mean: int = SEGMENT_MEAN, most: int = SEGMENT_MAX) -> list[tuple[int, int]]:
    """Cut the documents (in file order) into segments, ``[(start, stop), ...]``, by their cache keys.

    A segment ends after a document whose key, read as a number, is a multiple of ``mean``, or when
    it reaches ``most`` documents. The cut points depend on the documents' own keys, not on their
    positions (content-defined chunking, as in rsync or restic), so adding, removing or changing one
    report changes one segment and leaves the others, and their cached tables, as they were.
    Documents without a key (no cache, unreadable file) cut at fixed intervals of ``mean``.

    Examples
    --------
    >>> segment_plan(["00", "01", "02", "03", "04"], mean=2)
    [(0, 1), (1, 3), (3, 5)]
    >>> segment_plan([None] * 5, mean=2)
    [(0, 2), (2, 4), (4, 5)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    for i, key in enumerate(keys):
        size = i + 1 - start
        cut = (int(key[:8], 16) % mean == 0) if key else size % mean == 0
        if cut or size >= most:
            out.append((start, i + 1))
            start = i + 1
    if start < len(keys):
        out.append((start, len(keys)))
    return out


@dataclass
class Segment:
    """The rows of consecutive documents as Arrow tables, cached as one file (see :class:`ResultCache`)."""

    paths: list[str]
    tables: dict[str, pa.Table]
    documents: int = 0
    warnings: int = 0
    problems: list[dict] = field(default_factory=list)

    @classmethod
    def from_results(cls, results: list[DocResult]) -> "Segment":
        """The documents' rows as one table each, in order.

        Rows that came as Arrow tables (built by a worker) are taken as they are; the others are
        converted with one ``Table.from_pylist`` per run of documents: far cheaper than one per document.
        """
        pieces: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}
        run: dict[str, list[dict]] = {name: [] for name in SCHEMAS}

        def flush_run() -> None:
            for name, r in run.items():
                if r:
                    pieces[name].append(pa.Table.from_pylist(r, schema=SCHEMAS[name]))
                    run[name] = []

        n = {"documents": 0, "warnings": 0}
        problems: list[dict] = []
        for res in results:
            tables = getattr(res, "tables", None)
            if tables is None:
                for name, r in res.rows.items():
                    run[name].extend(r)
            else:
                flush_run()
                for name, t in tables.items():
                    pieces[name].append(t)
            for k in n:
                n[k] += len(res.rows.get(k, ()))
            problems += res.rows.get("problems", [])
        flush_run()
        return cls(paths=[r.path for r in results],
                   tables={name: pa.concat_tables(p) for name, p in pieces.items() if p},
                   documents=n["documents"], warnings=n["warnings"], problems=problems)

    def to_bytes(self) -> bytes:
        streams = {}
        for name, table in self.tables.items():
            table = table.combine_chunks()  # one record batch, not one per document
            sink = pa.BufferOutputStream()
            # zstd: a tenth of the size (the texts compress well) for ~3 ms more per segment each way
            with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as w:
                w.write_table(table)
            streams[name] = sink.getvalue()
        meta = {"paths": self.paths, "documents": self.documents, "warnings": self.warnings,
                "problems": self.problems}
        return pickle.dumps({"meta": meta, "tables": streams}, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Segment":
        d = pickle.loads(data)
        tables = {name: pa.ipc.open_stream(buf).read_all() for name, buf in d["tables"].items()}
        for name, table in tables.items():
            if not table.schema.equals(SCHEMAS[name]):
                raise ValueError(f"segment table {name} has another schema")
        return cls(tables=tables, **d["meta"])


# --------------------------------------------------------------------------- engines
#
# An engine takes the paths to compute and yields one DocResult per path, *in the order given*,
# keeping a bounded number of batches in flight so memory does not grow with the corpus.


def _process_batch(paths: list[str], geo_dir: str | None, cache: ResultCache | None = None
                   ) -> tuple[list[DocResult], dict[str, bytes], list[dict]]:
    """Process a batch in a worker: the results, their rows as one Arrow IPC stream per table, and
    how many rows of each table each document has (:func:`_unpack_batch` cuts the tables back).

    Turning rows into Arrow tables is the costliest step left after the per-document work; done here
    it runs in parallel instead of in the build's own process, which would otherwise limit the
    speed-up of more workers. With ``cache`` (local worker processes, which share the build's disk)
    the worker also writes each document's cache entry, for the same reason.
    """
    results = [process_report(p, geo_dir) for p in paths]
    if cache is not None:
        for res in results:
            cache.put(res)
            res.stored = bool(res.content_hash)
    streams: dict[str, bytes] = {}
    for name, schema in SCHEMAS.items():
        rows = [row for res in results for row in res.rows.get(name, ())]
        if rows:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, schema) as w:
                w.write_table(pa.Table.from_pylist(rows, schema=schema))
            streams[name] = sink.getvalue().to_pybytes()
    counts = [{name: len(r) for name, r in res.rows.items() if r} for res in results]
    return results, streams, counts


def _unpack_batch(out: tuple[list[DocResult], dict[str, bytes], list[dict]]) -> list[DocResult]:
    """The results of :func:`_process_batch`, each with its slice of the batch's tables (no copy)."""
    results, streams, counts = out
    tables = {name: pa.ipc.open_stream(data).read_all() for name, data in streams.items()}
    offsets = dict.fromkeys(tables, 0)
    for res, count in zip(results, counts):
        res.tables = {}
        for name, k in count.items():
            res.tables[name] = tables[name].slice(offsets[name], k)
            offsets[name] += k
    return results


def _windows(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _in_order(submit: Callable[[Any], Any], result: Callable[[Any], list[DocResult]], items: Iterable[Any],
              in_flight: int) -> Iterator[DocResult]:
    """Submit ``items`` keeping ``in_flight`` pending; yield their results in submission order."""
    pending: deque = deque()
    it = iter(items)

    def fill() -> None:
        while len(pending) < in_flight:
            item = next(it, None)
            if item is None:
                return
            pending.append(submit(item))

    fill()
    while pending:
        head = pending.popleft()
        out = result(head)
        fill()
        yield from out


def _run_inprocess(paths: list[str], geo_dir: str | None, **_: Any) -> Iterator[DocResult]:
    for p in paths:
        yield process_report(p, geo_dir)


def _warm(geo_dir: str | None) -> float:
    """Load the reference data and the pipeline in this process (once); returns the seconds it took."""
    from .pipeline import load_pipeline

    t = time.perf_counter()
    load_pipeline(geo_dir)
    return time.perf_counter() - t


def _run_processes(paths: list[str], geo_dir: str | None, jobs: int = 2, batch: int = 8,
                   cache: ResultCache | None = None, **_: Any) -> Iterator[DocResult]:
    if not paths:
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=(geo_dir,))
    try:
        yield from _in_order(lambda b: pool.submit(_process_batch, b, geo_dir, cache),
                             lambda f: _unpack_batch(f.result()),
                             _windows(paths, batch), in_flight=jobs * 3)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_info(geo_dir: str | None, probe: str | None) -> dict:
    """Run on each Dask worker: its versions, whether it sees the report files, pipeline load time."""
    info: dict[str, Any] = {"code_version": code_version(), "pid": os.getpid()}
    try:
        info["reference_version"] = reference_version(geo_dir)
        info["load_seconds"] = round(_warm(geo_dir), 2)
    except Exception as exc:  # e.g. the geo folder is not there on this machine
        info["reference_version"] = None
        info["error"] = f"{type(exc).__name__}: {exc}"
    info["sees_files"] = probe is None or os.path.exists(probe)
    return info


def _check_workers(infos: dict[str, dict], geo_dir: str | None, probe: str | None) -> None:
    """Refuse to run on workers whose code or reference data differ, or that cannot read the files."""
    want_code, want_ref = code_version(), reference_version(geo_dir)
    bad = []
    for addr, info in infos.items():
        if info.get("error"):
            bad.append(f"{addr}: cannot load the reference data ({info['error']})")
        elif info["code_version"] != want_code:
            bad.append(f"{addr}: code version {info['code_version']} (this client: {want_code})")
        elif info["reference_version"] != want_ref:
            bad.append(f"{addr}: reference data version {info['reference_version']} (this client: {want_ref})")
        elif not info["sees_files"]:
            bad.append(f"{addr}: cannot see {probe} (workers read the reports by path)")
    if bad:
        raise RuntimeError("Dask workers do not match this build; install the same conflict_lib and "
                           "reference data on every worker, with the reports at the same paths "
                           "(see docs/SCALING.md):\n  " + "\n  ".join(bad))


def _run_dask(paths: list[str], geo_dir: str | None, jobs: int = 2, batch: int = 8,
              scheduler: Any = None, **_: Any) -> Iterator[DocResult]:
    if not paths:
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError("the dask engine needs the optional extra: pip install 'conflict_lib[dask]'") from exc
    cluster = client = None
    own_client = True
    if scheduler is None:
        import dask

        # Dask's statistical profiler samples every worker thread's stack every 10 ms; the work here
        # is pure Python holding the GIL, which the sampling thread must take each time. The
        # build's own cluster runs without it (workers inherit the config through their nanny).
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    elif isinstance(scheduler, str):
        client = Client(scheduler)
    else:  # an existing distributed.Client (notebooks)
        client, own_client = scheduler, False
    try:
        # Reference data once per worker (and a check that the worker can do this build).
        infos = client.run(_worker_info, geo_dir, paths[0])
        _check_workers(infos, geo_dir, paths[0])
        _LAST_RUN["workers"] = infos
        n_threads = sum(client.nthreads().values()) or jobs

        def submit(batch_paths: list[str]):
            # one task per batch of documents; a bag's per-partition delayed objects each carry the whole
            # bag's graph, which made every submission cost O(corpus) (measured: no speed-up at 10,000)
            return client.submit(_process_batch, batch_paths, geo_dir, pure=False)

        def result(future) -> list[DocResult]:
            out = future.result()
            future.release()
            return _unpack_batch(out)

        yield from _in_order(submit, result, _windows(paths, batch), in_flight=n_threads * 3)
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()


ENGINES: dict[str, Callable[..., Iterator[DocResult]]] = {
    "inprocess": _run_inprocess, "processes": _run_processes, "dask": _run_dask,
}

#: Details of the last engine run in this process (Dask worker info), for benchmarks and debugging.
_LAST_RUN: dict[str, Any] = {}


# --------------------------------------------------------------------------- the build


@dataclass
class BuildReport:
    """What a build did: counts for the terminal and the closing line.

    ``computed`` documents were processed in this build, ``cached`` came from the cache;
    ``timings`` splits ``seconds`` into ``scan`` (listing and hashing files, cache lookups),
    ``documents`` (per-document work and streaming rows to the tables), ``corpus`` (corrections,
    ledger and derived tables) and ``commit`` (moving the tables into place).
    """

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
    engine: str = "inprocess"
    timings: dict = field(default_factory=dict)

    @property
    def skipped(self) -> list[dict]:
        """Files that could not be read at all."""
        return [p for p in self.problems if p.get("fatal")]

    def summary(self) -> str:
        kinds = Counter(p["kind"] for p in self.problems)
        lines = [
            f"{self.documents} documents from {self.files} files "
            f"({self.computed} processed, {self.cached} from cache; engine {self.engine}) in {self.seconds:.1f} s",
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
    """Collects Arrow tables of one table's rows and streams them to a Parquet (or Arrow) file in batches."""

    def __init__(self, path: Path, schema: pa.Schema, batch_rows: int = 4000, batch_bytes: int = 4 << 20,
                 arrow_file: bool = False):
        self.path, self.schema, self.arrow_file = path, schema, arrow_file
        # a batch ends at so many rows or so many bytes, whichever comes first: 4,000 rows of the
        # ``documents`` table (two full texts each) would hold ~35 MB
        self.batch_rows, self.batch_bytes = batch_rows, batch_bytes
        self.tables: list[pa.Table] = []
        self.buffered = 0
        self.buffered_bytes = 0
        self.writer: pq.ParquetWriter | pa.ipc.RecordBatchFileWriter | None = None
        self.count = 0

    def append(self, table: pa.Table) -> None:
        self.tables.append(table)
        self.buffered += table.num_rows
        self.buffered_bytes += table.nbytes
        if self.buffered >= self.batch_rows or self.buffered_bytes >= self.batch_bytes:
            self.flush()

    def flush(self) -> None:
        if self.writer is None:
            self.writer = pa.ipc.new_file(str(self.path), self.schema) if self.arrow_file \
                else pq.ParquetWriter(self.path, self.schema)
        if self.tables:
            self.writer.write_table(pa.concat_tables(self.tables).combine_chunks())
            self.count += self.buffered
            self.tables, self.buffered, self.buffered_bytes = [], 0, 0
            # hand the freed buffers back to the system: the allocator would keep them for reuse, and
            # over a long build its cache grows with the largest batches seen
            pa.default_memory_pool().release_unused()

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _progress(total: int, show: bool):
    if not show:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return None
    return tqdm(total=total, unit="doc", desc="build", file=sys.stderr, mininterval=0.5, smoothing=0.05)


def _missing_inputs(inputs: list[Path]) -> list[dict]:
    return [{"path": str(p), "doc_id": Path(p).name.split(".")[0], "kind": "unreadable",
             "reason": "no such file or folder", "fatal": True} for p in inputs if not Path(p).exists()]


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
        All three give the same tables, rows in the same order.
    jobs : int
        Worker processes (``processes``) or Dask workers of a local cluster.
    scheduler : str or distributed.Client, optional
        Address of an existing Dask scheduler (``engine="dask"``), e.g. ``"tcp://10.0.0.5:8786"``,
        or a connected ``distributed.Client``. Without it a local cluster of ``jobs`` workers is
        started for the build.
    cache : bool
        Reuse per-document results whose file, reference data and code are unchanged.
    corrections : path, optional
        Analyst corrections (default ``data/corrections.csv`` when it exists); applied last.
    geo_dir : path, optional
        Reference geography folder (default ``data/raw/geo``).
    progress : bool
        Show a progress bar (terminal or notebook, through ``tqdm.auto``).
    batch : int
        Documents per task sent to a worker (``processes`` and ``dask``).

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
    inputs = [Path(inputs)] if isinstance(inputs, (str, Path)) else [Path(p) for p in inputs]
    files = [str(p) for p in list_report_files(inputs)]
    report = BuildReport(out_dir=out, files=len(files), engine=engine)
    report.problems.extend(_missing_inputs(inputs))
    ref_ver, code_ver = reference_version(geo), code_version()
    store = ResultCache(out / ".cache", ref_ver, code_ver) if cache else None

    # The cache key of every file (hashes come from the file index when the file did not change),
    # the segments they fall in, and which documents must be computed: those of segments not cached
    # whose own entry is not cached either.
    index = FileIndex(store.root / "files.idx") if store else None
    keys: list[str | None] = []
    for f in files:
        h = index.content_hash(f) if index else ""
        keys.append(store.key(f, h) if store and h else None)
    segments = []  # (start, stop, segment id or None)
    todo: list[str] = []
    for a, z in segment_plan(keys):
        seg_keys = keys[a:z]
        sid = store.segment_id(seg_keys) if store and all(seg_keys) else None
        if sid is None or not store._segment_file(sid).exists():
            todo += [f for f, k in zip(files[a:z], seg_keys) if not (k and store.has(k))]
        segments.append((a, z, sid))
    t_scan = time.perf_counter()
    # Local worker processes each load the pipeline and the reference data (about two seconds) before
    # their first document: for no more than one batch of documents (the usual incremental build)
    # that costs more than the batch itself, so the documents are processed here instead. The
    # tables do not depend on the engine. (A Dask cluster's workers are already running: no shortcut.)
    if engine == "processes" and len(todo) <= max(1, batch):
        engine = report.engine = "inprocess"

    writer = AtomicTableWriter(out, csv=csv)
    bar = None
    try:
        # every table, the extracted events too, is streamed to disk a segment at a time; the events are
        # read back (compact, column-wise) for the corpus-wide steps
        # (the extracted events go to an uncompressed Arrow file, memory-mapped when read back: decoding
        # Parquet held ~3x the table's size in allocator buffers, at the build's peak of memory)
        sinks = {name: _Sink(writer.path(name), schema) if name != "events" else
                 _Sink(writer.path("_extracted_events", ".arrow"), schema, arrow_file=True)
                 for name, schema in SCHEMAS.items()}
        bar = _progress(len(files), progress)
        used: set[str] = set()

        def consume(segment: Segment) -> None:
            for name, table in segment.tables.items():
                sinks[name].append(table)
            report.documents += segment.documents
            report.warnings += segment.warnings
            report.problems.extend(segment.problems)
            if bar is not None:
                bar.update(len(segment.paths))
                bar.set_postfix(computed=report.computed, cached=report.cached, refresh=False)

        # Results are consumed in file order whatever the engine, so the tables are identical.
        computed = ENGINES[engine](todo, geo, jobs=max(1, jobs), batch=max(1, batch), scheduler=scheduler,
                                   cache=store)
        pending = set(todo)
        try:
            for a, z, sid in segments:
                segment = store.get_segment(sid) if sid else None
                if segment is not None and segment.paths == files[a:z]:
                    report.cached += z - a
                    used.add(sid)
                    consume(segment)
                    continue
                results = []
                for f, key in zip(files[a:z], keys[a:z]):
                    res = None if f in pending else store.get(key) if key else None
                    if res is not None:
                        report.cached += 1
                    else:
                        # next in the engine's order; a damaged entry (or segment) is redone here
                        res = next(computed) if f in pending else process_report(f, geo)
                        if res.path != f:  # pragma: no cover - an engine broke its ordering contract
                            raise RuntimeError(f"engine {engine} returned {res.path} for {f}")
                        pending.discard(f)
                        report.computed += 1
                        if store:
                            store.put(res)
                    results.append(res)
                segment = Segment.from_results(results)
                if sid:
                    store.put_segment(sid, segment)
                    used.add(sid)
                consume(segment)
        finally:
            computed.close()  # stops the engine (pool, cluster) also when the build is interrupted
        if bar is not None:
            bar.set_postfix(computed=report.computed, cached=report.cached)
            bar.close()
            bar = None
        for name, sink in sinks.items():
            sink.close()
            if name != "events":
                writer.add(name)
        with pa.memory_map(str(writer.path("_extracted_events", ".arrow"))) as source:
            table = pa.ipc.open_file(source).read_all()
            # sorted here, in Arrow, into the events table's order (iter_derived_tables then finds them
            # sorted and makes no second copy); the mapped file is let go once the sorted copy exists
            table = table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in EVENT_ORDER]))
        events = table.to_pandas()
        del table
        t_docs = time.perf_counter()

        # each derived table is written as soon as it is made and then let go: at most the events and
        # the table being made are in memory at once (this is the build's peak of memory)
        derived = iter_derived_tables(events, corrections=corrections or default_corrections_path())
        del events
        for name, frame in derived:
            if name == "_corrections_report":
                report.corrections = frame
                for p in report.corrections.get("problems", []):
                    report.problems.append(p)
                extra = list(_missing_inputs(inputs)) + list(report.corrections.get("problems", []))
                if extra:
                    extra_t = pa.Table.from_pylist(extra, schema=SCHEMAS["problems"])
                    old = pq.read_table(writer.path("problems"))
                    pq.write_table(pa.concat_tables([old, extra_t]), writer.path("problems"))
                continue
            writer.write(name, frame)
            if name == "events":
                report.events = len(frame)
            del frame
        t_corpus = time.perf_counter()
        report.seconds = t_corpus - t0
        writer.commit(manifest={
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "code_version": code_ver,
            "library_version": library_version(),
            "reference_version": ref_ver, "files": len(files), "documents": report.documents,
            "computed": report.computed, "cached": report.cached, "engine": engine, "jobs": jobs,
            "problems": len(report.problems), "events": report.events, "seconds": round(report.seconds, 2),
        })
        t_end = time.perf_counter()
    except BaseException:
        if bar is not None:
            bar.close()
        writer.abort()
        raise
    if store:
        store.prune()
        store.prune_segments(used)
        index.save()
    report.seconds = t_end - t0
    report.timings = {"scan": round(t_scan - t0, 3), "documents": round(t_docs - t_scan, 3),
                      "corpus": round(t_corpus - t_docs, 3), "commit": round(t_end - t_corpus, 3)}
    return report


def _watch_signature(inputs: list[Path], corrections: Path | None) -> tuple:
    """What a rebuild depends on that can change while watching: every report file's path, size and
    modification time, and the corrections file's (the reference data and code cannot change under a
    running process)."""
    from .reports import list_report_files

    sig = []
    for f in [*list_report_files(inputs), *([corrections] if corrections else [])]:
        try:
            st = os.stat(f)
            sig.append((str(f), st.st_size, st.st_mtime_ns))
        except OSError:  # removed between listing and stat: the next poll sees it gone
            sig.append((str(f), None, None))
    return tuple(sig)


def watch(inputs: Iterable[str | Path], out_dir: str | Path | None = None, *, interval: float = 10.0,
          settle: float = 1.0, max_builds: int | None = None, sleep: Callable[[float], None] = time.sleep,
          **options: Any) -> Iterator[BuildReport]:
    """Build, then build again whenever a report or the corrections file is added, changed or removed.

    For a team that drops new reports into a folder every day: the tables stay current without
    anyone running the build. Each build is an ordinary incremental :func:`build`; because this
    process keeps the pipeline and the reference data loaded between builds, a rebuild after one new
    report costs that report and the corpus-wide steps only — no start-up (see ``docs/SCALING.md``
    for measured times).

    Parameters
    ----------
    inputs, out_dir, **options
        As for :func:`build` (``corrections``, ``engine``, ``jobs``, ``csv``...).
    interval : float
        Seconds between two looks at the files (a look lists the folders and reads file sizes and
        times: no file is read or hashed unless it changed).
    settle : float
        After a change is seen, wait this long and look again; build only once nothing changed in
        between, so a report still being copied in is not read half-written.
    max_builds : int, optional
        Stop after so many builds (default: never; stop with Ctrl-C or by closing the generator).
    sleep : callable
        How to wait (tests pass a fake clock).

    Yields
    ------
    BuildReport
        The report of each build, the first one included.

    Examples
    --------
    >>> for report in watch(["data/raw/reports"], "data/processed", interval=60):  # doctest: +SKIP
    ...     print(report.summary().splitlines()[0])
    """
    from .corrections import default_corrections_path

    inputs = [Path(inputs)] if isinstance(inputs, (str, Path)) else [Path(p) for p in inputs]
    corr = options.get("corrections") or default_corrections_path()
    corr = Path(corr) if corr else None
    done = 0
    last = None
    while max_builds is None or done < max_builds:
        sig = _watch_signature(inputs, corr)
        if last is not None:
            if sig == last:
                sleep(interval)
                continue
            while True:  # a change: wait until the files stop changing
                sleep(settle)
                again = _watch_signature(inputs, corr)
                if again == sig:
                    break
                sig = again
        # the signature is taken before the build: a file that changes during it is seen next time
        report = build(inputs, out_dir, **options)
        last = sig
        done += 1
        yield report


#: The order of the ``events`` table's rows.
EVENT_ORDER = ("doc_id", "start", "event_id")


def _is_sorted(frame: pd.DataFrame, keys: Iterable[str]) -> bool:
    """Whether ``frame``'s rows are already in order by ``keys`` (no missing key): sorting again would
    copy every column for nothing.

    Examples
    --------
    >>> _is_sorted(pd.DataFrame({"a": ["x", "x", "y"], "b": [2, 3, 1]}), ["a", "b"])
    True
    >>> _is_sorted(pd.DataFrame({"a": ["x", "y", "x"], "b": [1, 1, 1]}), ["a", "b"])
    False
    """
    cols = list(keys)
    if len(frame) < 2:
        return True
    if frame[cols].isna().any().any():
        return False
    # each row against the next, key by key (a MultiIndex would build every key's levels: ~12 MB at
    # 30,000 events, at the build's peak of memory)
    less = np.zeros(len(frame) - 1, dtype=bool)  # already smaller on an earlier key
    same = np.ones(len(frame) - 1, dtype=bool)  # equal on every key so far
    for c in cols:
        v = frame[c].to_numpy()
        a, b = v[:-1], v[1:]
        less |= same & (a < b)
        same &= a == b
    return bool((less | same).all())


def derive_tables(events: list[dict] | pd.DataFrame, corrections: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Corpus-wide steps on the events of every document: corrections, ledger, derived tables.

    ``events`` is a list of event records or a DataFrame of them (not modified). Returns every
    table of :func:`iter_derived_tables` (and ``"_corrections_report"``) in one dict.
    """
    return dict(iter_derived_tables(events, corrections))


def iter_derived_tables(events: list[dict] | pd.DataFrame, corrections: str | Path | None = None
                        ) -> Iterator[tuple[str, Any]]:
    """:func:`derive_tables` one table at a time, so a caller can write each and let it go.

    Yields ``("_corrections_report", dict)`` first, then ``events``, ``claims``, ``claim_groups``,
    ``control_timeline``, ``sieges`` and ``displacement``; the generator keeps only the (corrected,
    sorted) events between tables.
    """
    from .control import control_timeline
    from .corrections import apply_corrections
    from .displacement import displacement_table
    from .ledger import build_ledger, split_ledger
    from .sieges import siege_table

    frame = events.reindex(columns=list(EVENT_COLUMNS)) if isinstance(events, pd.DataFrame) \
        else pd.DataFrame(events, columns=list(EVENT_COLUMNS))
    del events
    frame = frame.astype({c: "float64" for c in ("lat", "lon", "figure", "figure_low", "figure_high")})
    frame, corr_report = apply_corrections(frame, corrections)
    if not _is_sorted(frame, EVENT_ORDER):
        frame = frame.sort_values(list(EVENT_ORDER), kind="stable")
    frame = frame.reset_index(drop=True)
    yield "_corrections_report", corr_report
    yield "events", frame
    claims, groups = split_ledger(build_ledger(frame))
    yield "claims", claims
    del claims
    yield "claim_groups", groups
    del groups
    yield "control_timeline", control_timeline(frame)
    yield "sieges", siege_table(frame)
    yield "displacement", displacement_table(frame)
