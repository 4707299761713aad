"""The tidy tables: their names, reading them, and writing them atomically.

Notebooks and the briefing read tables only through :func:`load_table`.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

import pandas as pd

from .paths import processed_dir

#: Tables written by ``build``, in the order they are produced.
TABLE_NAMES = (
    "documents", "problems", "warnings", "mentions", "places", "actors", "events",
    "claims", "claim_groups", "control_timeline", "sieges", "displacement",
)


def load_table(name: str, tables_dir: str | Path | None = None) -> pd.DataFrame:
    """Read one table written by ``build``.

    Parameters
    ----------
    name : str
        One of :data:`TABLE_NAMES`.
    tables_dir : path, optional
        Folder written by ``build``; default ``data/processed``.

    Raises
    ------
    ValueError
        If ``name`` is not a table the build writes.
    FileNotFoundError
        If the table has not been built yet (the message says how to build it).
    """
    if name not in TABLE_NAMES:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLE_NAMES)}")
    folder = Path(tables_dir) if tables_dir else processed_dir()
    path = folder / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(
            f"table {name!r} not found in {folder}: run `python -m conflict_lib build data/raw/reports --out {folder}` first")
    return pd.read_parquet(path)


def load_tables(names: Iterable[str] = TABLE_NAMES, tables_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Read several tables into a dict keyed by name."""
    return {n: load_table(n, tables_dir) for n in names}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_staging(folder: Path) -> None:
    """Delete staging folders left by a build that was killed (its process no longer exists)."""
    for p in folder.glob(".staging-*"):
        parts = p.name.split("-")
        pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
        if pid is None or (pid != os.getpid() and not _pid_alive(pid)):
            shutil.rmtree(p, ignore_errors=True)


class AtomicTableWriter:
    """Stage tables in a temporary folder, then move them into place together.

    Every table is first written in full beside the destination; only when all are written
    are they renamed over the old ones (``os.replace``, atomic per file on POSIX). A build
    killed before :meth:`commit` leaves the previous tables untouched and readable.
    """

    def __init__(self, out_dir: str | Path, csv: bool = False):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.csv = csv
        _remove_abandoned_staging(self.out_dir)
        self.staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=self.out_dir))
        self.names: list[str] = []

    def path(self, name: str, suffix: str = ".parquet") -> Path:
        """Where to stage table ``name`` (for writers that stream into a file)."""
        return self.staging / f"{name}{suffix}"

    def write(self, name: str, frame: pd.DataFrame, chunk_rows: int = 8192) -> None:
        """Stage a whole table.

        A large table is converted to Arrow and written ``chunk_rows`` rows at a time (one row group
        each), under one schema taken from the whole frame: converting it whole would hold a second
        copy of the table at once (at 10,000 reports, the claims table's 32,000 rows were the build's
        peak of memory). The file reads back as the same frame.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.path(name)
        if len(frame) <= chunk_rows:
            frame.to_parquet(path, index=False)
        else:
            schema = pa.Schema.from_pandas(frame, preserve_index=False)  # (one column converted at a time)
            with pq.ParquetWriter(path, schema) as writer:
                for start in range(0, len(frame), chunk_rows):
                    part = frame.iloc[start:start + chunk_rows]
                    writer.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False))
                    del part
            pa.default_memory_pool().release_unused()
        self.add(name)

    def add(self, name: str) -> None:
        """Record that ``name`` was staged (by :meth:`write` or a streaming writer)."""
        if name not in self.names:
            self.names.append(name)

    def commit(self, manifest: dict | None = None) -> None:
        """Move every staged table into place, then write ``manifest.json``."""
        if self.csv:
            for name in self.names:
                pd.read_parquet(self.path(name)).to_csv(self.path(name, ".csv"), index=False)
        for name in self.names:
            for suffix in (".parquet", ".csv"):
                src = self.path(name, suffix)
                if src.exists():
                    os.replace(src, self.out_dir / f"{name}{suffix}")
        if manifest is not None:
            tmp = self.staging / "manifest.json"
            tmp.write_text(json.dumps(manifest, indent=2, default=str))
            os.replace(tmp, self.out_dir / "manifest.json")
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        """Drop the staged tables; the previous ones stay."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> "AtomicTableWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()


def ensure_tables(tables_dir: str | Path | None = None, reports: str | Path | None = None) -> Path:
    """Build the tables from ``data/raw/reports`` unless they are present and current; return their folder.

    Notebooks call this first so that they run from a fresh clone. The tables are rebuilt when
    one is missing or when the manifest says they were made by other code or reference data;
    unchanged reports then come from the build cache, so a refresh takes seconds.
    """
    from .build import build, library_version, reference_version
    from .paths import reports_dir

    folder = Path(tables_dir) if tables_dir else processed_dir()
    manifest = folder / "manifest.json"
    if all((folder / f"{n}.parquet").exists() for n in TABLE_NAMES) and manifest.exists():
        try:
            m = json.loads(manifest.read_text())
        except ValueError:
            m = {}
        if m.get("library_version") == library_version() and m.get("reference_version") == reference_version():
            return folder
    build([Path(reports) if reports else reports_dir()], folder)
    return folder
