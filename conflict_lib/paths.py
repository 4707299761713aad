"""Where the project's data lives: one small registry, so nothing hard-codes a path.

The repository root is found from this file (an editable install) or from the
``CONFLICT_LIB_ROOT`` environment variable.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def repo_root() -> Path:
    """The project root (the folder holding ``data/``)."""
    env = os.environ.get("CONFLICT_LIB_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parent.parent


def raw_dir() -> Path:
    """``data/raw``: reports, gold files and reference geography, never edited by code."""
    return repo_root() / "data" / "raw"


def reports_dir() -> Path:
    """``data/raw/reports``: the shipped reports."""
    return raw_dir() / "reports"


def gold_dir() -> Path:
    """``data/raw/gold``: gold annotations (``<doc_id>.gold.jsonl``)."""
    return raw_dir() / "gold"


def geo_dir() -> Path:
    """``data/raw/geo``: OCHA boundaries and the gazetteer."""
    env = os.environ.get("CONFLICT_LIB_GEO")
    return Path(env).resolve() if env else raw_dir() / "geo"


def processed_dir() -> Path:
    """``data/processed``: tables written by ``build``, never by hand."""
    return repo_root() / "data" / "processed"


def corrections_path() -> Path:
    """``data/corrections.csv``: the analyst's corrections, never written by code."""
    return repo_root() / "data" / "corrections.csv"
