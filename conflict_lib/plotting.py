"""Figure functions: ``(data, options..., ax=None) -> matplotlib Axes``.

Every function here is pure: it reads the tables it is given (DataFrames written by
``build``: ``events``, ``control_timeline``, ``sieges``, ``displacement``), never mutates them,
draws on ``ax`` (a new figure when ``ax`` is None) and returns the Axes. The notebooks, the
widgets (:mod:`conflict_lib.widgets`) and the HTML briefing (:mod:`conflict_lib.briefing`) all
draw through these functions, so a figure looks the same everywhere.

Conventions
-----------
- Dates in the tables are ISO strings: ``"YYYY-MM-DD"``, ``"YYYY-MM"`` (month known only) or
  None. A month-only date is placed on the first of its month and labelled "Sep 2017".
- Alignments (``schema.ALIGNMENTS``) get one fixed colour and marker each
  (:data:`ALIGNMENT_COLOURS`, :data:`ALIGNMENT_MARKERS`): colour-blind-friendly (Paul Tol's
  palettes) and doubly coded by marker shape.
- Figures with a qualifier carry its sign (:data:`QUALIFIER_SIGNS`): ``≥`` at least / more than,
  ``~`` about, ``<`` nearly / almost, ``≤`` up to.
- Figures reported by different sources are never added up: reports overlap.
"""
from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import matplotlib

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path as MplPath

from .schema import ALIGNMENTS

__all__ = [
    "ALIGNMENT_COLOURS", "ALIGNMENT_LABELS", "ALIGNMENT_MARKERS", "QUALIFIER_SIGNS", "SYRIA_BBOX",
    "BOUNDARY_CREDIT", "plot_control_map", "plot_siege_timeline", "plot_displacement",
    "plot_displacement_flows", "control_snapshot", "control_dates", "format_figure", "format_date",
    "parse_date", "load_boundaries", "publisher_short_name", "source_label", "is_area_level",
    "area_label_points",
]

#: One fixed colour per alignment (Paul Tol's colour-blind-safe palettes).
ALIGNMENT_COLOURS: dict[str, str] = {
    "government": "#CC3311",  # red
    "opposition": "#009988",  # teal
    "jihadist": "#EE3377",    # magenta
    "isis": "#222222",        # near-black
    "sdf": "#DDAA33",         # yellow
    "turkey": "#0077BB",      # blue
    "coalition": "#33BBEE",   # cyan
    "russia": "#882255",      # wine
    "iran": "#117733",        # green
    "un": "#88CCEE",          # light blue
    "other": "#999933",       # olive
    "unknown": "#BBBBBB",     # grey
}

#: A marker shape per alignment, so colour is never the only cue.
ALIGNMENT_MARKERS: dict[str, str] = {
    "government": "s", "opposition": "o", "jihadist": "P", "isis": "X", "sdf": "D",
    "turkey": "^", "coalition": "v", "russia": "p", "iran": "h", "un": "*", "other": "<",
    "unknown": ".",
}

#: Legend labels.
ALIGNMENT_LABELS: dict[str, str] = {
    "government": "Government", "opposition": "Opposition", "jihadist": "Jihadist (HTS, Nusra...)",
    "isis": "ISIS", "sdf": "SDF", "turkey": "Turkey", "coalition": "US-led coalition",
    "russia": "Russia", "iran": "Iran & allied militias", "un": "UN", "other": "Other",
    "unknown": "Unknown",
}

assert set(ALIGNMENT_COLOURS) == set(ALIGNMENTS)

#: Sign shown before a figure, by qualifier.
QUALIFIER_SIGNS: dict[str, str] = {"at_least": "≥", "about": "~", "nearly": "<", "up_to": "≤", "exact": ""}
QUALIFIER_WORDS: dict[str, str] = {
    "at_least": "at least / more than", "about": "about", "nearly": "nearly / almost", "up_to": "up to",
    "exact": "exact",
}

#: (lon_min, lon_max, lat_min, lat_max) of Syria, padded a little.
SYRIA_BBOX = (35.45, 42.55, 32.15, 37.45)

BOUNDARY_CREDIT = "boundaries OCHA/UNCS via HDX (CC BY-IGO)"

#: Certainties that put a place on the map as held (denied never does).
_HOLDING_CERTAINTIES = ("confirmed", "reported", "claimed", "rumored", None)
_WEAK_CERTAINTIES = ("claimed", "rumored")

_PEOPLE_UNITS = {None, "", "people", "civilians", "idps", "refugees", "fighters", "persons", "individuals"}
_FAMILY_UNITS = {"families", "households", "family", "household"}

_TEXT_HALO = None  # set lazily (patheffects import)


# --------------------------------------------------------------------------- helpers
def parse_date(value: Any) -> pd.Timestamp:
    """An ISO date string (``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY``), date or Timestamp -> Timestamp (NaT if none)."""
    if value is None:
        return pd.NaT
    if isinstance(value, float) and math.isnan(value):
        return pd.NaT
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None) if value.tzinfo else value
    if hasattr(value, "year") and hasattr(value, "month"):
        try:
            return pd.Timestamp(value)
        except (TypeError, ValueError):
            return pd.NaT
    s = str(value).strip()
    if not s or s.lower() in ("none", "nan", "nat", "null"):
        return pd.NaT
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", s)
    try:
        if m:
            return pd.Timestamp(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        return pd.Timestamp(s[:10])
    except (TypeError, ValueError):
        return pd.NaT


def _precision(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{1,2}", s):
        return "month"
    if re.fullmatch(r"\d{4}", s):
        return "year"
    return "day"


def format_date(value: Any, precision: str | None = None) -> str:
    """``"2017-09-05"`` -> ``"5 Sep 2017"``; ``"2017-09"`` -> ``"Sep 2017"``; None -> ``"undated"``."""
    ts = parse_date(value)
    if pd.isna(ts):
        return "undated"
    precision = precision or _precision(value)
    if precision == "month":
        return ts.strftime("%b %Y")
    if precision == "year":
        return ts.strftime("%Y")
    return f"{ts.day} {ts.strftime('%b %Y')}"


def format_figure(value: Any, qualifier: str | None = None, unit: str | None = None,
                  low: Any = None, high: Any = None) -> str:
    """A figure as a reader should read it: ``format_figure(100000, "nearly")`` -> ``"<100,000"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no figure"
    sign = QUALIFIER_SIGNS.get(qualifier or "exact", "")
    out = f"{sign}{value:,.0f}"
    if _num(low) is not None and _num(high) is not None and _num(low) != _num(high):
        out = f"{_num(low):,.0f}–{_num(high):,.0f}"
    if unit:
        out += f" {unit}"
    return out


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _str(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    s = str(v).strip()
    return s or None


def _alignment(v: Any) -> str:
    s = (_str(v) or "unknown").lower()
    return s if s in ALIGNMENT_COLOURS else "other"


def _json_list(v: Any) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    s = _str(v)
    if not s:
        return []
    try:
        out = json.loads(s)
    except (TypeError, ValueError):
        return [s]
    return out if isinstance(out, list) else [out]


def _new_ax(ax, size=(8, 6.4)):
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _halo():
    from matplotlib import patheffects
    return [patheffects.withStroke(linewidth=2.6, foreground="white")]


def _wrap(ax, text: str, fontsize: float) -> str:
    import textwrap
    width_pt = ax.figure.get_figwidth() * 72 * 0.74
    return "\n".join(textwrap.wrap(text, max(30, int(width_pt / (fontsize * 0.56))))) or text


def _source_line(ax, text: str, below_points: float = 6) -> None:
    """The source line, ``below_points`` under the axes' bottom edge (below tick labels and xlabel)."""
    ax.annotate(_wrap(ax, text, 7.5), xy=(0, 0), xycoords="axes fraction", xytext=(0, -below_points),
                textcoords="offset points", ha="left", va="top", fontsize=7.5, color="#555555",
                annotation_clip=False)


def _title(ax, title: str, subtitle: str | None = None) -> None:
    sub = _wrap(ax, subtitle, 8.5) if subtitle else ""
    lines = sub.count("\n") + 1 if sub else 0
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold", pad=6 + 12 * lines)
    if sub:
        t = ax.annotate(sub, xy=(0, 1), xycoords="axes fraction", xytext=(0, 4), textcoords="offset points",
                        ha="left", va="bottom", fontsize=8.5, color="#333333", annotation_clip=False)
        t.set_in_layout(False)


# --------------------------------------------------------------------------- sources and place levels
#: A document id as ``build`` names reports: ``YYYY-MM-DD_<publisher>_<slug>``.
_DOC_ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_([a-z0-9]+)_[\w.-]+$")

#: Short names of long official publisher names (matched on the text before " (" or " /").
_PUBLISHER_SHORT = {
    "u.s. agency for international development": "USAID",
    "u.s. department of defense": "DoD",
    "u.s. department of state": "State",
    "u.s. central command": "CENTCOM",
    "the carter center": "Carter Center",
    "wikipedia contributors": "Wikipedia",
}
#: When no ``documents`` table is given: the publisher part of a doc id -> a short name.
_SLUG_SHORT = {"usaid": "USAID", "dod": "DoD", "state": "State", "centcom": "CENTCOM",
               "cartercenter": "Carter Center", "eaworldview": "EA WorldView", "wikipedia": "Wikipedia"}


def publisher_short_name(publisher: Any) -> str | None:
    """A publisher as a reader names it: ``"U.S. Agency for International Development (USAID), via ReliefWeb"``
    -> ``"USAID"``; ``"EA WorldView (Syria Daily)"`` -> ``"EA WorldView"``; ``"U.S. Department of Defense (DoD
    News ...)"`` -> ``"DoD"``."""
    s = _str(publisher)
    if not s:
        return None
    head = re.split(r"\s+\(|\s+/\s+|,\s+via\s+", s, maxsplit=1)[0].strip()
    if head.lower() in _PUBLISHER_SHORT:
        return _PUBLISHER_SHORT[head.lower()]
    m = re.search(r"\(([A-Z][A-Za-z]*[A-Z])(?:[\s),;]|$)", s)  # a parenthesised acronym: (USAID), (DoD News...)
    if m and len(m.group(1)) <= 8:
        return m.group(1)
    head = re.sub(r"^the\s+", "", head, flags=re.I)
    return head or s


def _doc_publishers(documents: pd.DataFrame | Mapping | None) -> dict[str, str]:
    if documents is None:
        return {}
    if isinstance(documents, Mapping):
        return {str(k): (publisher_short_name(v.get("publisher") if isinstance(v, Mapping) else v) or str(k))
                for k, v in documents.items()}
    if len(documents) == 0 or "doc_id" not in documents:
        return {}
    pubs = documents["publisher"] if "publisher" in documents else [None] * len(documents)
    return {str(d): (publisher_short_name(p) or str(d)) for d, p in zip(documents["doc_id"], pubs)}


def source_label(source: Any, documents: pd.DataFrame | Mapping | None = None) -> str | None:
    """Who says it, for a reader: a named source as given; a document id (the publisher in its own
    voice) -> the publisher's short name (from ``documents``, else from the id's publisher part)."""
    s = _str(source)
    if not s:
        return None
    pubs = documents if isinstance(documents, dict) and all(isinstance(v, str) for v in documents.values()) \
        else _doc_publishers(documents)
    if s in pubs:
        return pubs[s]
    m = _DOC_ID_RE.match(s)
    if m:
        slug = m.group(1)
        return _SLUG_SHORT.get(slug, slug.upper() if len(slug) <= 5 else slug.title())
    return s


def _source_labels(sources: Iterable[Any], documents=None) -> list[str]:
    """Distinct reader-facing source names, in first-seen order."""
    pubs = _doc_publishers(documents)
    out: list[str] = []
    for s in sources:
        lab = source_label(s, pubs)
        if lab and lab not in out:
            out.append(lab)
    return out


_DIRECTIONAL = re.compile(r"^(north|south|east|west|central|northern|southern|eastern|western|"
                          r"north-?eastern|north-?western|south-?eastern|south-?western|northeast|northwest|"
                          r"southeast|southwest)\s+syria$", re.I)


def is_area_level(place_id: Any = None, place: Any = None, feature: Any = None) -> bool:
    """True for a place that is the whole country or a loose region of it ("Syria", "southwestern
    Syria"): not a point on a map, not a besieged or held place."""
    f = (_str(feature) or "").lower()
    if f == "country":
        return True
    pid = (_str(place_id) or "").lower()
    if pid in ("cur:syria",) or re.fullmatch(r"cur:(north|south|east|west|central|northern|southern|eastern|"
                                               r"western)[a-z-]*-syria", pid):
        return True
    name = (_str(place) or "").strip()
    if name.lower() in ("syria", "syrian arab republic"):
        return True
    return bool(_DIRECTIONAL.match(name))


def _governorate_level(place_id: Any, place: Any = None) -> bool:
    pid = _str(place_id) or ""
    return bool(re.fullmatch(r"(?:ocha:)?SY\d{2}", pid)) or (_str(place) or "").endswith(" Governorate")


@lru_cache(maxsize=4)
def _admin_points(geo_dir: str) -> dict[str, tuple[float, float]]:
    path = Path(geo_dir) / "syr_admin_names_ocha.csv"
    if not path.exists():
        return {}
    df = pd.read_csv(path, usecols=lambda c: c in ("pcode", "lat", "lon"))
    return {str(p): (float(a), float(o)) for p, a, o in zip(df["pcode"], df["lat"], df["lon"])
            if pd.notna(a) and pd.notna(o)}


def area_label_points(geo_dir: str | Path | None = None) -> dict[str, tuple[float, float]]:
    """(lat, lon) of each OCHA P-code's label point (``syr_admin_names_ocha.csv``), keyed by P-code."""
    if geo_dir is None:
        from .paths import geo_dir as _geo_dir
        geo_dir = _geo_dir()
    return _admin_points(str(geo_dir))


# --------------------------------------------------------------------------- boundaries
@lru_cache(maxsize=8)
def _boundary_paths(geo_dir: str, level: str, tolerance: float = 0.004) -> tuple:
    """Cached matplotlib Paths (and label points) of one OCHA admin level (``adm0``/``adm1``/``adm2``)."""
    import geopandas as gpd

    names = {"adm0": "syr_adm0_country.geojson", "adm1": "syr_adm1_governorates.geojson",
             "adm2": "syr_adm2_districts.geojson"}
    path = Path(geo_dir) / names[level]
    if not path.exists():
        return (), ()
    gdf = gpd.read_file(path)
    name_col = {"adm0": "ADM0_EN", "adm1": "ADM1_EN", "adm2": "ADM2_EN"}[level]
    paths, labels = [], []
    for name, geom in zip(gdf[name_col], gdf.geometry):
        if geom is None or geom.is_empty:
            continue
        simple = geom.simplify(tolerance, preserve_topology=True)
        polys = getattr(simple, "geoms", [simple])
        for poly in polys:
            rings = [poly.exterior] + list(poly.interiors)
            verts, codes = [], []
            for ring in rings:
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 3:
                    continue
                verts.append(xy)
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0] = MplPath.MOVETO
                c[-1] = MplPath.CLOSEPOLY
                codes.append(c)
            if verts:
                paths.append(MplPath(np.concatenate(verts), np.concatenate(codes)))
        rp = geom.representative_point()
        labels.append((str(name), rp.x, rp.y))
    return tuple(paths), tuple(labels)


def load_boundaries(geo_dir: str | Path | None = None) -> dict[str, tuple]:
    """The reference boundaries (cached): ``{"adm0"|"adm1"|"adm2": (paths, label_points)}``."""
    if geo_dir is None:
        from .paths import geo_dir as _geo_dir
        geo_dir = _geo_dir()
    return {lvl: _boundary_paths(str(geo_dir), lvl) for lvl in ("adm0", "adm1", "adm2")}


def _draw_boundaries(ax, boundaries, governorate_labels: bool = True) -> list:
    """Draw boundaries; return governorate label specs (name, x, y) for later placement."""
    if boundaries is False:
        return []
    if boundaries is None or isinstance(boundaries, (str, Path)):
        boundaries = load_boundaries(boundaries)
    if not isinstance(boundaries, Mapping):  # a GeoDataFrame or GeoSeries: draw it as given
        try:
            boundaries.plot(ax=ax, facecolor="none", edgecolor="#999999", linewidth=0.6, zorder=1)
        except AttributeError:
            pass
        return []
    adm0 = boundaries.get("adm0", ((), ()))[0]
    adm1, adm1_labels = boundaries.get("adm1", ((), ()))
    adm2 = boundaries.get("adm2", ((), ()))[0]
    if adm0:
        ax.add_collection(PathCollection(list(adm0), facecolor="#F4F2EC", edgecolor="none", zorder=0))
    if adm2:
        ax.add_collection(PathCollection(list(adm2), facecolor="none", edgecolor="#D9D6CE", linewidth=0.35, zorder=1))
    if adm1:
        ax.add_collection(PathCollection(list(adm1), facecolor="none", edgecolor="#A8A49A", linewidth=0.7, zorder=1))
    if adm0:
        ax.add_collection(PathCollection(list(adm0), facecolor="none", edgecolor="#6E6A62", linewidth=1.0, zorder=1))
    return list(adm1_labels) if governorate_labels else []


def _set_geo_extent(ax, lons, lats, extent, min_span: float = 1.6) -> None:
    if isinstance(extent, (tuple, list)) and len(extent) == 4:
        x0, x1, y0, y1 = extent
    else:
        lons = [x for x in lons if x is not None and not math.isnan(x)]
        lats = [y for y in lats if y is not None and not math.isnan(y)]
        if extent == "syria" or not lons:
            x0, x1, y0, y1 = SYRIA_BBOX
        else:
            x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            w = max(x1 - x0, min_span) * 1.25
            h = max(y1 - y0, min_span * 0.8) * 1.25
            x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
            # keep a landscape frame (in display units): widen a tall one, heighten a flat one
            k = math.cos(math.radians(cy))
            ratio = (x1 - x0) * k / (y1 - y0)
            if ratio < 1.25:
                w = 1.25 * (y1 - y0) / k
                x0, x1 = cx - w / 2, cx + w / 2
            elif ratio > 1.8:
                h = (x1 - x0) * k / 1.8
                y0, y1 = cy - h / 2, cy + h / 2
            # a data frame nearly as big as Syria: show all of Syria
            if (x1 - x0) > 0.6 * (SYRIA_BBOX[1] - SYRIA_BBOX[0]):
                x0, x1, y0, y1 = SYRIA_BBOX
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    # lon/lat with a local scale: 1 degree of longitude is cos(lat) of a degree of latitude
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_edgecolor("#BBBBBB")
    ax.set_facecolor("#FFFFFF")


def _place_labels(ax, items: Iterable[tuple], fontsize=8.5, avoid_points=(), max_labels=None,
                  style: Mapping | None = None, force: bool = False) -> list:
    """Place text labels next to points without overlapping (greedy, four candidate offsets).

    ``items``: (text, x, y) in data coordinates, in priority order. Returns the Text artists placed.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    placed_boxes = list(getattr(ax, "_conflict_label_boxes", []))
    pts = [ax.transData.transform((x, y)) for x, y in avoid_points]
    r = 5 * fig.dpi / 72
    point_boxes = [(px - r, py - r, px + r, py + r) for px, py in pts]
    axbox = ax.get_window_extent(renderer)
    out = []
    style = dict(style or {})
    offsets = [((7, 3), "left", "bottom"), ((7, -3), "left", "top"), ((-7, 3), "right", "bottom"),
               ((-7, -3), "right", "top"), ((0, 8), "center", "bottom"), ((0, -9), "center", "top")]
    for text, x, y in items:
        if max_labels is not None and len(out) >= max_labels:
            break
        for (dx, dy), ha, va in offsets:
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=fontsize, zorder=6, path_effects=_halo(), **style)
            bb = t.get_window_extent(renderer)
            box = (bb.x0 - 1, bb.y0 - 1, bb.x1 + 1, bb.y1 + 1)
            inside = (box[0] >= axbox.x0 and box[2] <= axbox.x1 and box[1] >= axbox.y0 and box[3] <= axbox.y1)
            clash = any(_overlap(box, b) for b in placed_boxes) or any(_overlap(box, b) for b in point_boxes)
            if inside and not clash:
                placed_boxes.append(box)
                out.append(t)
                break
            t.remove()
        else:
            if force:  # must be shown (e.g. a figure): first position, even if crowded
                (dx, dy), ha, va = offsets[0]
                out.append(ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                       fontsize=fontsize, zorder=6, path_effects=_halo(), **style))
    ax._conflict_label_boxes = placed_boxes
    return out


def _overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


# --------------------------------------------------------------------------- control map
_CONTROL_COLS = ["place", "place_id", "lat", "lon", "date", "date_raw", "alignment", "counterpart",
                 "certainty", "kind", "doc_id", "event_id", "sentence"]


def _control_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Normalise an ``events`` or ``control_timeline`` table to one row per control report."""
    if data is None or len(data) == 0:
        return pd.DataFrame(columns=_CONTROL_COLS)
    df = data
    if "type" in df.columns:  # events
        df = df[df["type"].isin(["control_change", "control_state"])]
        out = pd.DataFrame({
            "place": df["place"], "place_id": df.get("place_id"), "lat": df["lat"], "lon": df["lon"],
            "date_raw": df["date"], "alignment": df["actor"],
            "counterpart": df.get("counterpart"), "certainty": df.get("certainty"),
            "kind": np.where(df["type"] == "control_change", "change", "state"),
            "doc_id": df.get("doc_id"), "event_id": df.get("event_id"), "sentence": df.get("sentence"),
        })
    else:  # control_timeline: one row per (place, date, holder); "alignment" in older builds
        holder = df["holder"] if "holder" in df else df["alignment"]
        docs = df.get("doc_id")
        if docs is None and "doc_ids" in df:
            docs = [(_json_list(v) or [None])[0] for v in df["doc_ids"]]
        out = pd.DataFrame({
            "place": df["place"], "place_id": df.get("place_id"), "lat": df["lat"], "lon": df["lon"],
            "date_raw": df["date"], "alignment": holder, "counterpart": df.get("previous_holder"),
            "certainty": df.get("certainty"), "kind": "state", "doc_id": docs,
            "event_id": df.get("event_ids"), "sentence": None,
        })
    out = out.reset_index(drop=True).copy()
    out["alignment"] = [_alignment(a) for a in out["alignment"]]
    out["date"] = [parse_date(d) for d in out["date_raw"]]
    out["lat"] = pd.to_numeric(out["lat"], errors="coerce")
    out["lon"] = pd.to_numeric(out["lon"], errors="coerce")
    out["certainty"] = [_str(c) for c in out["certainty"]]
    out["key"] = [(_str(pid) or _str(p) or "?") for pid, p in zip(out["place_id"], out["place"])]
    if "type" not in data.columns:
        # in a timeline, a row whose alignment differs from the place's previous row is a change
        out = out.sort_values(["key", "date"], kind="stable")
        prev = out.groupby("key")["alignment"].shift()
        given = [(_alignment(c) if _str(c) else None) for c in out["counterpart"]]
        prev = pd.Series([g if g else p for g, p in zip(given, prev)], index=out.index, dtype=object)
        out["counterpart"] = prev
        changed = [bool(_str(p)) and p != a for p, a in zip(prev, out["alignment"])]
        if "kind" in data.columns:
            kinds = data["kind"].reset_index(drop=True).reindex(out.index).astype("string").str.lower().fillna("")
            changed = [c or ("change" in k) for c, k in zip(changed, kinds)]
        out["kind"] = np.where(changed, "change", "state")
    return out


def _mappable(rows: pd.DataFrame) -> pd.DataFrame:
    """Control reports about a place (not the whole country, a loose region or a governorate)."""
    if rows.empty:
        return rows
    keep = [not (is_area_level(pid, p) or _governorate_level(pid, p)) for pid, p in zip(rows["place_id"], rows["place"])]
    return rows[keep]


def control_dates(events_or_timeline: pd.DataFrame) -> list[str]:
    """The distinct (ISO) dates of the control reports, oldest first: the steps of a date selector."""
    rows = _mappable(_control_rows(events_or_timeline))
    rows = rows[rows["date"].notna()]
    return sorted({d.strftime("%Y-%m-%d") for d in rows["date"]})


def control_snapshot(events_or_timeline: pd.DataFrame, as_of: Any = None, since: Any = None,
                     alignments: Iterable[str] | None = None) -> pd.DataFrame:
    """Who holds each place as of ``as_of``: the latest non-denied report on or before it.

    Returns one row per place: place, place_id, lat, lon, alignment, date, certainty, weak (only
    claimed/rumoured), changed (a control change between ``since`` and ``as_of``), previous,
    n_reports, doc_ids. Undated reports are left out (they cannot be placed in time).
    """
    rows = _mappable(_control_rows(events_or_timeline))
    rows = rows[rows["date"].notna() & rows["lat"].notna() & rows["lon"].notna()]
    rows = rows[rows["certainty"].map(lambda c: c != "denied")]
    as_of_ts = parse_date(as_of) if as_of is not None else (rows["date"].max() if len(rows) else pd.NaT)
    since_ts = parse_date(since) if since is not None else pd.NaT
    if not pd.isna(as_of_ts):
        rows = rows[rows["date"] <= as_of_ts]
    cols = ["place", "place_id", "lat", "lon", "alignment", "date", "certainty", "weak", "changed",
            "previous", "n_reports", "doc_ids", "event_ids"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    recs = []
    for key, g in rows.sort_values("date", kind="stable").groupby("key", sort=False):
        last_date = g["date"].max()
        latest = g[g["date"] == last_date]
        # several reports on the latest date: confirmed/reported beat claimed/rumoured
        strong = latest[~latest["certainty"].isin(_WEAK_CERTAINTIES)]
        pick = (strong if len(strong) else latest).iloc[-1]
        window = g if pd.isna(since_ts) else g[g["date"] > since_ts]
        changed = bool(((window["kind"] == "change") & (window["alignment"] == pick["alignment"])).any())
        before = g[(g["date"] < last_date) & (g["alignment"] != pick["alignment"])]
        prev = before.iloc[-1]["alignment"] if len(before) else (
            _str(pick["counterpart"]) if pick["kind"] == "change" else None)
        recs.append({
            "place": pick["place"], "place_id": pick["place_id"], "lat": pick["lat"], "lon": pick["lon"],
            "alignment": pick["alignment"], "date": last_date, "certainty": pick["certainty"],
            "weak": not len(strong), "changed": changed, "previous": prev, "n_reports": len(g),
            "doc_ids": sorted({str(d) for d in g["doc_id"] if _str(d)}),
            "event_ids": [e for e in g["event_id"] if _str(e)] if "event_id" in g else [],
        })
    snap = pd.DataFrame(recs, columns=cols)
    if alignments is not None:
        keep = {_alignment(a) for a in alignments}
        snap = snap[snap["alignment"].isin(keep)]
    return snap.sort_values(["changed", "n_reports", "place"], ascending=[False, False, True]).reset_index(drop=True)


def plot_control_map(events_or_timeline: pd.DataFrame, as_of: Any = None, since: Any = None,
                     alignments: Iterable[str] | None = None, ax=None, boundaries=None, *,
                     extent: str | tuple = "auto", label_top: int = 12, title: str | None = None,
                     n_sources: int | None = None):
    """Map of who holds each reported place as of ``as_of``.

    Parameters
    ----------
    events_or_timeline : DataFrame
        The ``events`` table (rows of type control_change / control_state are used) or the
        ``control_timeline`` table.
    as_of : date or ISO string, optional
        Show the latest report on or before this date for each place (default: the last date).
    since : date or ISO string, optional
        Places that changed hands after ``since`` (and up to ``as_of``) get a ring. Default: every
        reported change up to ``as_of``.
    alignments : iterable of str, optional
        Show only places held by these alignments.
    boundaries : None | False | path | mapping | GeoDataFrame
        None: the OCHA boundaries from ``paths.geo_dir()``; False: none.
    extent : "auto" | "syria" | (lon0, lon1, lat0, lat1)
        "auto": the data's bbox padded (all of Syria when the data spread wide).
    label_top : int
        Label at most this many places (changes and most-reported first), without overlaps.
    n_sources : int, optional
        Number of reports for the source line (default: distinct doc_id of the reports used).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_ax(ax)
    snap = control_snapshot(events_or_timeline, as_of=as_of, since=since, alignments=alignments)
    rows = _control_rows(events_or_timeline)
    dated = rows[rows["date"].notna()]
    as_of_ts = parse_date(as_of) if as_of is not None else (dated["date"].max() if len(dated) else pd.NaT)
    gov_labels = _draw_boundaries(ax, boundaries)
    _set_geo_extent(ax, list(snap["lon"]), list(snap["lat"]),
                    extent if len(snap) or extent != "auto" else "syria")

    present = []
    for al in ALIGNMENTS:
        sub = snap[snap["alignment"] == al]
        if sub.empty:
            continue
        present.append(al)
        colour, marker = ALIGNMENT_COLOURS[al], ALIGNMENT_MARKERS[al]
        strong, weak = sub[~sub["weak"]], sub[sub["weak"]]
        if len(strong):
            ax.scatter(strong["lon"], strong["lat"], s=70, c=colour, marker=marker, edgecolors="white",
                       linewidths=0.9, zorder=4, label=ALIGNMENT_LABELS[al])
        if len(weak):
            ax.scatter(weak["lon"], weak["lat"], s=70, facecolors="white", marker=marker, edgecolors=colour,
                       linewidths=1.6, zorder=4)
    changed = snap[snap["changed"]]
    if len(changed):
        ax.scatter(changed["lon"], changed["lat"], s=330, facecolors="none",
                   edgecolors=[ALIGNMENT_COLOURS[a] for a in changed["alignment"]], linewidths=1.8,
                   zorder=3)

    # labels: changed places and the most reported first
    items = []
    for _, r in snap.iterrows():
        name = str(r["place"])
        claimed = "claimed: " if r["weak"] else ""
        if r["changed"] and _str(r["previous"]) and r["previous"] != r["alignment"]:
            before = "" if r["previous"] == "unknown" else ALIGNMENT_LABELS.get(r["previous"], r["previous"]) + " "
            name += f"\n({claimed}{before}→ {ALIGNMENT_LABELS[r['alignment']]})"
        elif claimed:
            name += f"\n(claimed: {ALIGNMENT_LABELS[r['alignment']]})"
        items.append((name, r["lon"], r["lat"]))
    pts = list(zip(snap["lon"], snap["lat"]))
    _place_labels(ax, items, fontsize=8.5, avoid_points=pts, max_labels=label_top,
                  style={"color": "#111111"})
    if gov_labels:
        _place_labels(ax, [(n, x, y) for n, x, y in gov_labels], fontsize=7, avoid_points=pts,
                      style={"color": "#8A857A", "fontstyle": "italic"})

    # legend: alignments, then what the marks mean
    handles = [Line2D([], [], linestyle="none", marker=ALIGNMENT_MARKERS[a], markersize=8,
                      markerfacecolor=ALIGNMENT_COLOURS[a], markeredgecolor="white",
                      label=ALIGNMENT_LABELS[a]) for a in present]
    if len(changed):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=14, markerfacecolor="none",
                              markeredgecolor="#444444", markeredgewidth=1.6, label="changed hands"))
    if snap["weak"].any() if len(snap) else False:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="white",
                              markeredgecolor="#444444", markeredgewidth=1.5, label="claimed/rumoured only"))
    if handles:
        leg = ax.legend(handles=handles, loc="lower right", fontsize=8, title="Held by", title_fontsize=8.5,
                        frameon=True, framealpha=0.92, borderpad=0.6)
        leg.set_zorder(10)
    else:
        ax.text(0.5, 0.5, "No dated control reports on or before this date", transform=ax.transAxes,
                ha="center", va="center", fontsize=10, color="#555555")

    when = format_date(as_of_ts) if not pd.isna(as_of_ts) else "latest report"
    sub = "Each place as last reported on or before this date"
    if since is not None and not pd.isna(parse_date(since)):
        sub += f"; rings: changed hands after {format_date(since)}"
    elif len(changed):
        sub += "; rings: reported change of hands"
    if alignments is not None:
        sub += "; showing " + ", ".join(ALIGNMENT_LABELS.get(_alignment(a), a) for a in alignments) or "nothing"
    _title(ax, title or f"Who holds what, as of {when}", sub)
    used = dated if pd.isna(as_of_ts) else dated[dated["date"] <= as_of_ts]
    n_docs = n_sources if n_sources is not None else used["doc_id"].map(_str).dropna().nunique()
    local = _mappable(rows)
    n_area = len(rows) - len(local)
    undated = int(local["date"].isna().sum())
    unlocated = int((local["date"].notna() & (local["lat"].isna() | local["lon"].isna())).sum())
    src = f"Sources: {n_docs} report{'s' if n_docs != 1 else ''}; {BOUNDARY_CREDIT}."
    skipped = []
    if undated:
        skipped.append(f"{undated} undated")
    if unlocated:
        skipped.append(f"{unlocated} without a location")
    if n_area:
        skipped.append(f"{n_area} about a whole governorate, region or the country")
    if skipped:
        src += f" Control reports not mapped: {'; '.join(skipped)}."
    _source_line(ax, src)
    return ax


# --------------------------------------------------------------------------- siege timeline
def _siege_rows(sieges: pd.DataFrame, events: pd.DataFrame | None, places, start, end,
                documents=None, national: bool = False) -> list[dict]:
    """One record per siege. ``national=False``: places only; ``True``: only the country-wide rows
    (national counts of people in besieged areas), which are not places and never get a bar."""
    recs = []
    if sieges is None or len(sieges) == 0:
        return recs
    pubs = _doc_publishers(documents)
    lifted_by_place: dict[str, list[tuple[pd.Timestamp, str]]] = {}
    if events is not None and len(events) and "type" in events.columns:
        ev = events[events["type"] == "siege_lifted"]
        for _, e in ev.iterrows():
            d = parse_date(e.get("date"))
            if pd.isna(d):
                continue
            who = source_label(e.get("source"), pubs) or source_label(e.get("doc_id"), pubs) or ""
            for k in {_str(e.get("place_id")), _str(e.get("place"))} - {None}:
                lifted_by_place.setdefault(k, []).append((d, who))
    for _, s in sieges.iterrows():
        place = _str(s.get("place")) or "?"
        if is_area_level(s.get("place_id"), place, s.get("feature")) != national:
            continue
        if places is not None and place not in set(places) and _str(s.get("place_id")) not in set(places):
            continue
        first, last = parse_date(s.get("first_report")), parse_date(s.get("last_report"))
        lifted_raw = s.get("lifted")
        lift_src: dict[pd.Timestamp, list[str]] = {}
        lifted_dates = []
        for x in _json_list(s.get("lifted_dates")):
            if isinstance(x, dict) and not pd.isna(parse_date(x.get("date"))):
                d = parse_date(x.get("date"))
                lifted_dates.append(d)
                lab = source_label(x.get("source"), pubs)
                if lab and lab not in lift_src.setdefault(d, []):
                    lift_src[d].append(lab)
        if isinstance(lifted_raw, (bool, np.bool_)):
            is_lifted = bool(lifted_raw)
        else:
            vals = [parse_date(v.get("date") if isinstance(v, dict) else v) for v in _json_list(lifted_raw)] if (
                _str(lifted_raw) or isinstance(lifted_raw, (list, tuple, np.ndarray))) else []
            lifted_dates = sorted(set(lifted_dates) | {v for v in vals if not pd.isna(v)})
            is_lifted = bool(lifted_dates) or (_str(lifted_raw) or "").lower() in ("true", "yes", "1")
        other = lifted_by_place.get(_str(s.get("place_id")) or "", []) + lifted_by_place.get(place, [])
        for d, who in other:
            if who and who not in lift_src.setdefault(d, []):
                lift_src[d].append(who)
        ev_lift = sorted({d for d, _ in other})
        all_lift = sorted(set(lifted_dates) | set(ev_lift))
        if all_lift:
            is_lifted = True
        dd = s.get("dates_disagree")
        disagree = (str(dd).lower() in ("true", "1", "yes")) if _str(dd) else False
        disagree = disagree or len(all_lift) > 1
        figs, undated_figs = [], []
        for f in _json_list(s.get("figures")) + _json_list(s.get("population")):
            if isinstance(f, dict) and _num(f.get("figure")) is not None:
                d = parse_date(f.get("date"))
                rec = {"date": d, "figure": _num(f["figure"]), "qualifier": f.get("qualifier"),
                       "source": source_label(f.get("source"), pubs), "unit": f.get("unit")}
                (undated_figs if pd.isna(d) else figs).append(rec)
        starts = [d for d in [first] + [f["date"] for f in figs] if not pd.isna(d)]
        if not starts and not all_lift:
            continue
        bar_start = min(starts) if starts else min(all_lift)
        bar_end = (min(all_lift) if all_lift else None)
        last_seen = max([d for d in [last] + [f["date"] for f in figs] if not pd.isna(d)] or [bar_start])
        recs.append({
            "place": place, "place_id": _str(s.get("place_id")),
            "level": "governorate" if _governorate_level(s.get("place_id"), place) else "place",
            "besieger": _alignment(s.get("besieger")), "besieged": _alignment(s.get("besieged")),
            "start": bar_start, "last": last_seen if not pd.isna(last_seen) else max(starts + all_lift),
            "lifted": is_lifted, "lift_dates": all_lift, "lift_sources": lift_src, "bar_end": bar_end,
            "disagree": disagree, "figures": sorted(figs, key=lambda f: f["date"]), "undated_figures": undated_figs,
            "sources": _source_labels(_json_list(s.get("sources")), pubs),
            "n_events": len(_json_list(s.get("event_ids"))),
        })
    if start is not None or end is not None:
        s0 = parse_date(start) if start is not None else pd.Timestamp.min
        e0 = parse_date(end) if end is not None else pd.Timestamp.max
        recs = [r for r in recs if r["start"] <= e0 and (r["bar_end"] or r["last"]) >= s0]
    recs.sort(key=lambda r: (r["level"] == "governorate", r["start"], r["place"]))
    return recs


def _fig_text(f: Mapping, unit_default: str = "") -> str:
    unit = _str(f.get("unit")) or unit_default
    return format_figure(f["figure"], f.get("qualifier")) + (f" {unit}" if unit else "")


def _siege_notes(recs: list[dict], national: list[dict]) -> list[str]:
    """The lines under the siege chart: undated figures and the national counts (not places)."""
    lines = []
    und = [f"{r['place']}: " + ", ".join(_fig_text(f) for f in r["undated_figures"]) + " inside"
           + (f" ({', '.join(dict.fromkeys(f['source'] for f in r['undated_figures'] if f['source']))})"
              if any(f["source"] for f in r["undated_figures"]) else "")
           for r in recs if r["undated_figures"]]
    if und:
        lines.append("Undated figures (not on the time axis): " + "; ".join(und) + ".")
    nat = []
    for r in national:
        for f in r["figures"]:
            nat.append(f"{_fig_text(f, 'people')} ({format_date(f['date'])}"
                       + (f", {f['source']}" if f["source"] else "") + ")")
    if nat:
        lines.append("Country-wide counts of people in besieged areas (all of Syria, not a besieged place, so no bar): "
                     + "; ".join(nat) + ".")
    return lines


def _free_corner(ax, occupied: list[tuple[float, float, float, float]], w: float, h: float):
    """An empty box (x0, y0, w, h) in axes fraction among a few candidates, or None."""
    for x0, y0 in ((0.02, 0.04), (0.02, 1 - h - 0.04), (0.98 - w, 0.04), (0.98 - w, 1 - h - 0.04)):
        box = (x0, y0, x0 + w, y0 + h)
        if not any(_overlap(box, o) for o in occupied):
            return (x0, y0, w, h)
    return None


def plot_siege_timeline(sieges: pd.DataFrame, events: pd.DataFrame | None = None, places=None,
                        start: Any = None, end: Any = None, ax=None, *, title: str | None = None,
                        documents: pd.DataFrame | None = None):
    """One bar per besieged place, from its first report to its lifting.

    A bar still open at its last report ends in an arrow marked "ongoing as of <date>"; figures
    of people inside are annotated points on the bar (with their qualifier sign); when sources
    give different lifting dates the span between them is hatched, noted and, when it is too
    short to see at the chart's scale, shown in a zoomed inset. Country-wide counts ("people in
    besieged areas" of all Syria) are not a place: they are listed under the chart, never a bar.
    Governorate-wide rows (a governorate listed as having besieged areas) are labelled as such.

    Parameters
    ----------
    sieges : DataFrame
        The ``sieges`` table (place, place_id, besieger, besieged, first_report, last_report,
        lifted, lifted_dates, population / figures (JSON list of {date, figure, qualifier,
        source}), event_ids, sources, dates_disagree).
    events : DataFrame, optional
        The ``events`` table: ``siege_lifted`` rows add the lifting dates each source gives.
    places : iterable of str, optional
        Only these places (names or place_ids).
    start, end : date or ISO string, optional
        The window shown (sieges overlapping it are kept).
    documents : DataFrame, optional
        The ``documents`` table: sources that are report ids are named by their publisher.
    """
    recs = _siege_rows(sieges, events, places, start, end, documents)
    national = _siege_rows(sieges, events, places, start, end, documents, national=True)
    notes = _siege_notes(recs, national)
    if ax is None:
        n_note_lines = sum(1 + len(n) // 110 for n in notes)
        _, ax = plt.subplots(figsize=(9, max(2.6, 1.5 + 0.55 * len(recs) + 0.16 * n_note_lines)),
                             layout="constrained")
    if not recs:
        ax.text(0.5, 0.5, "No siege of a place reported in this window", transform=ax.transAxes, ha="center",
                va="center", fontsize=10, color="#555555")
        ax.set_yticks([])
        ax.set_xticks([])
        _title(ax, title or "Sieges")
        if notes:
            _source_line(ax, " ".join(notes), 8)
        return ax
    lo = min(r["start"] for r in recs)
    hi = max(max([r["last"]] + r["lift_dates"]) for r in recs)
    if start is not None:
        lo = parse_date(start)
    if end is not None:
        hi = parse_date(end)
    span_days = max((hi - lo).days, 30)
    pad = pd.Timedelta(days=max(6, span_days * 0.06))
    min_w = pd.Timedelta(days=max(2, span_days * 0.012))
    x_lo, x_hi = lo - pad, hi + pad * 4 + pd.Timedelta(days=span_days * 0.45)
    total = (x_hi - x_lo).days
    ylabels, fig_labels, occupied, zoom = [], [], [], None
    n = len(recs)
    for i, r in enumerate(recs):
        y = n - 1 - i
        colour = ALIGNMENT_COLOURS[r["besieger"]]
        end_ = r["bar_end"] if r["bar_end"] is not None else r["last"]
        single = (not r["lift_dates"]) and end_ <= r["start"]
        if single:  # one report: a dot, not a bar that pretends to a duration
            ax.plot([r["start"]], [y], marker="o", ms=8, color=colour, alpha=0.8, zorder=3)
        else:
            width = max(end_ - r["start"], min_w)
            ax.barh(y, width, left=r["start"], height=0.42, color=colour,
                    alpha=0.85 if r["besieger"] != "unknown" else 0.6, edgecolor="none", zorder=2)
        if r["lift_dates"]:
            l0, l1 = r["lift_dates"][0], r["lift_dates"][-1]
            ax.plot([l0, l0], [y - 0.3, y + 0.3], color="#111111", lw=2, zorder=4)
            if r["disagree"] and l1 > l0:
                ax.barh(y, l1 - l0, left=l0, height=0.42, facecolor="white", edgecolor="#111111",
                        hatch="////", linewidth=0.8, zorder=3)
                ax.plot([l1, l1], [y - 0.3, y + 0.3], color="#111111", lw=2, zorder=4)
                same_month = (l0.year, l0.month) == (l1.year, l1.month)
                note = (f"sources disagree: lifted {l0.day} or {format_date(l1)}" if same_month
                        else f"sources disagree: lifted {format_date(l0)} or {format_date(l1)}")
                if zoom is None and (l1 - l0).days < 0.03 * total:
                    zoom = (r, y, l0, l1)
            else:
                note = f"lifted {format_date(l0)}"
            if r["last"] > l1:
                # still reported after lifting (e.g. part of the place still cut off)
                ax.plot([l1, r["last"]], [y, y], color=colour, lw=1.2, ls=(0, (2, 2)), zorder=2)
                ax.plot([r["last"]], [y], marker="|", color=colour, ms=9, zorder=3)
                note += f"; still reported {format_date(r['last'])}"
            x_note = max(l1, r["last"])
        elif r["lifted"]:
            note = f"reported lifted (no date); last report {format_date(r['last'])}"
            x_note = end_
        elif single:
            note = f"one report, {format_date(r['start'])}"
            x_note = r["start"]
        else:
            ax.annotate("", xy=(end_ + pad * 0.8, y), xytext=(end_, y),
                        arrowprops=dict(arrowstyle="-|>", color=colour, lw=2), zorder=3)
            note = f"ongoing as of {format_date(r['last'])}"
            x_note = end_ + pad * 0.8
        ax.text(x_note + pd.Timedelta(days=max(1, span_days * 0.008)), y, "  " + note, va="center", ha="left",
                fontsize=8, color="#333333", zorder=5, path_effects=_halo())
        # what this row occupies, in axes fraction (bar + note, estimated), for the inset search
        fx0 = (r["start"] - x_lo).days / total
        fx1 = min(1.0, (x_note - x_lo).days / total + (len(note) * 8 * 0.55 / 72) / 7.2)
        yf0, yf1 = (y - 0.5 + 0.7) / (n + 0.4 - 0.3), (y + 0.5 + 0.7) / (n + 0.4 - 0.3)
        occupied.append((fx0 - 0.02, yf0, fx1, yf1))
        for k, f in enumerate(r["figures"]):
            fx = f["date"]
            ax.plot([fx], [y], marker="o", ms=7, mfc="white", mec="#111111", mew=1.5, zorder=6)
            unit = f.get("unit") or "inside"
            up = k % 2 == 0  # alternate above / below the bar: neighbours never overlap
            ax.annotate(f"{format_figure(f['figure'], f['qualifier'])} {unit}", (fx, y),
                        xytext=(0, 7 if up else -7), textcoords="offset points", ha="center",
                        va="bottom" if up else "top", fontsize=7.5, zorder=6, path_effects=_halo())
        if r["level"] == "governorate":
            who = ("besieger not stated" if r["besieger"] == "unknown"
                   else f"by {ALIGNMENT_LABELS.get(r['besieger'], r['besieger'])}")
            ylabels.append(f"{r['place']}\n(areas in it; {who})")
        else:
            who = ALIGNMENT_LABELS.get(r["besieger"], r["besieger"]) if r["besieger"] != "unknown" else "besieger not stated"
            ylabels.append(f"{r['place']}\n(by {who})")
    ax.set_yticks(range(n - 1, -1, -1))
    ax.set_yticklabels(ylabels, fontsize=8.5)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(x_lo, x_hi)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#E5E5E5", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    ax.set_xlabel("Date of report", fontsize=8.5)
    if zoom is not None:
        _siege_zoom(ax, zoom, occupied)
    _title(ax, title or "Sieges: first report to lifting",
           "Bar colour: besieging side · ○ people inside (≥ at least, ~ about, < nearly, ≤ up to) · "
           "hatched: sources give different lifting dates · ● one report only")
    srcs = sorted({s for r in recs for s in r["sources"]} | {s for r in national for s in r["sources"]})
    text = " ".join(notes + [f"Sources: {', '.join(srcs) if srcs else 'not named'}."])
    _source_line(ax, text, 30)
    return ax


def _siege_zoom(ax, zoom, occupied) -> None:
    """A small inset that magnifies a disagreement on the lifting date too short to see."""
    r, y, l0, l1 = zoom
    box = _free_corner(ax, occupied, 0.34, 0.30)
    if box is None:  # no room: point at it instead
        ax.annotate("sources disagree\n(see note)", xy=(l0, y), xytext=(0, -26), textcoords="offset points",
                    ha="center", va="top", fontsize=7, arrowprops=dict(arrowstyle="-", color="#555555", lw=0.8))
        return
    days = max((l1 - l0).days, 1)
    a, b = l0 - pd.Timedelta(days=days * 2.4 + 3), l1 + pd.Timedelta(days=days * 2.4 + 3)
    ins = ax.inset_axes(list(box))
    colour = ALIGNMENT_COLOURS[r["besieger"]]
    ins.barh(0, l0 - a, left=a, height=0.5, color=colour, alpha=0.85, edgecolor="none")
    ins.barh(0, l1 - l0, left=l0, height=0.5, facecolor="white", edgecolor="#111111", hatch="////", linewidth=0.8)
    for d, ha, dx in ((l0, "right", 3), (l1, "left", -3)):
        ins.plot([d, d], [-0.4, 0.4], color="#111111", lw=2)
        who = ", ".join(r["lift_sources"].get(d, [])) or "a source"
        ins.annotate(f"{d.day} {d.strftime('%b %Y')}\n{who}", (d, 0.42), xytext=(dx, 2), textcoords="offset points",
                     ha=ha, va="bottom", fontsize=7, color="#111111")
    ins.set_xlim(a, b)
    ins.set_ylim(-0.8, 2.2)
    ins.set_yticks([])
    ins.xaxis.set_major_locator(mdates.DayLocator(interval=max(2, (b - a).days // 5)))
    ins.xaxis.set_major_formatter(mdates.DateFormatter("%-d"))
    ins.tick_params(labelsize=6.5, length=2)
    ins.set_title(f"Zoom: {r['place']}, lifted {l0.strftime('%b %Y')}", fontsize=7.5, loc="left", pad=2)
    for sp in ins.spines.values():
        sp.set_edgecolor("#888888")
    ins.set_facecolor("#FBFAF7")
    try:
        x0n, x1n = mdates.date2num(a), mdates.date2num(b)
        ax.indicate_inset((x0n, y - 0.32, x1n - x0n, 0.64), inset_ax=ins, edgecolor="#666666", alpha=0.8)
    except Exception:  # older matplotlib: the inset title says what it is
        pass


# --------------------------------------------------------------------------- displacement
#: Displacement units that are counted alike (never mixed in one bar or block), in display order.
UNIT_GROUPS: dict[str, str] = {
    "people": "People displaced (people, IDPs, civilians)",
    "refugees": "Refugees",
    "displacements": "Displacements (movements: one person may be counted more than once)",
    "families": "Families / households",
}
_UNIT_COLOURS = {"people": "#4477AA", "refugees": "#228833", "displacements": "#CCBB44", "families": "#AA3377"}
_UNIT_TEXT = {"people": "#335D8C", "refugees": "#1B6B28", "displacements": "#7A6A00", "families": "#882A5F"}
_UNIT_HATCH = {"people": None, "refugees": "..", "displacements": "\\\\\\\\", "families": "///"}


def _unit_group(unit: Any) -> str:
    u = (_str(unit) or "").lower()
    if u in _FAMILY_UNITS:
        return "families"
    if u in ("refugees", "refugee"):
        return "refugees"
    if u in ("displacements", "displacement", "movements", "idp movements"):
        return "displacements"
    return "people"


def _compact(v: float, _pos=None) -> str:
    """Axis numbers that never run into each other: 1k, 10k, 1M."""
    v = float(v)
    for div, suf in ((1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            x = v / div
            return f"{x:,.0f}{suf}" if x == int(x) else f"{x:,.1f}{suf}"
    return f"{v:,.0f}"


def _fit_bar_labels(ax, bar_labels) -> None:
    """A bar label that would run off the chart goes inside its bar if it fits there, else keeps
    only the figure (the note is the first thing to go, never the number or its unit)."""
    fig = ax.figure
    try:
        fig.canvas.draw()
    except Exception:
        return
    renderer = fig.canvas.get_renderer()
    right = ax.get_window_extent(renderer).x1
    for t, label, fig_v, y in bar_labels:
        bb = t.get_window_extent(renderer)
        if bb.x1 <= right:
            continue
        x0_pix = ax.transData.transform((ax.get_xlim()[0], y))[0]
        bar_pix = ax.transData.transform((fig_v, y))[0] - x0_pix
        if bb.width + 10 < bar_pix:
            t.xy = (fig_v, y)
            t.set_position((-5, 0))
            t.set_ha("right")
        else:
            t.set_text(label)  # the short form: figure, unit (and the place, by month)
            if t.get_window_extent(renderer).x1 > right and t.get_window_extent(renderer).width + 10 < bar_pix:
                t.xy = (fig_v, y)
                t.set_position((-5, 0))
                t.set_ha("right")


def _displacement_rows(displacement: pd.DataFrame) -> pd.DataFrame:
    if displacement is None or len(displacement) == 0:
        return pd.DataFrame(columns=["place", "figure", "figure_low", "figure_high", "figure_qualifier",
                                     "figure_unit", "date", "ts", "month", "unit_group", "source", "doc_id"])
    df = displacement.copy()
    for c in ("figure", "figure_low", "figure_high"):
        df[c] = pd.to_numeric(df[c], errors="coerce") if c in df else np.nan
    df = df[df["figure"].notna()]
    df["ts"] = [parse_date(d) for d in df.get("date", pd.Series([None] * len(df), index=df.index))]
    df["month"] = [d.strftime("%Y-%m") if not pd.isna(d) else "undated" for d in df["ts"]]
    df["unit_group"] = [_unit_group(u) for u in df.get("figure_unit", pd.Series([None] * len(df), index=df.index))]
    pids = df["place_id"] if "place_id" in df else pd.Series([None] * len(df), index=df.index)
    df["place"] = [((_str(p) or "place not stated") + (" (country-wide)" if is_area_level(pid, p) and
                    (_str(p) or "").lower() in ("syria", "syrian arab republic") else ""))
                   for p, pid in zip(df["place"], pids)]
    return df


def plot_displacement(displacement: pd.DataFrame, by: str = "place", ax=None, *, top: int = 15,
                      title: str | None = None, documents: pd.DataFrame | None = None):
    """Displacement figures, one bar per place (or month) and unit: the largest figure reported.

    Figures from different reports are not added up (they overlap); every other figure for
    the same row is shown as a small tick. Bars carry the qualifier sign (≥ ~ < ≤), a reported
    range is an error bar. Units are never mixed: people (and IDPs), refugees, displacements
    (movements) and families are separate blocks, each with its own colour.

    Parameters
    ----------
    displacement : DataFrame
        The ``displacement`` table (place, figure, figure_low, figure_high, figure_qualifier,
        figure_unit, origin, destination, date, source, certainty, doc_id).
    by : "place" | "month"
        "month": per month and unit, the largest single figure reported that month (its place
        named on the bar) — not a monthly total.
    top : int
        At most this many rows per unit block (largest first for ``by="place"``).
    documents : DataFrame, optional
        The ``documents`` table: a source that is a report id is named by its publisher.
    """
    if by not in ("place", "month"):
        raise ValueError(f"by must be 'place' or 'month', not {by!r}")
    pubs = _doc_publishers(documents)
    df = _displacement_rows(displacement)
    blocks = []
    for unit in UNIT_GROUPS:
        sub = df[df["unit_group"] == unit]
        if sub.empty:
            continue
        rows = []
        for key, g in sub.groupby(by, sort=False):
            best = g.sort_values(["figure", "ts"], ascending=[False, False], na_position="last").iloc[0]
            rows.append((key, best, g))
        if by == "place":
            rows.sort(key=lambda t: -t[1]["figure"])
            rows = rows[:top]
        else:
            rows.sort(key=lambda t: (t[0] == "undated", t[0]))
            rows = rows[-top:]
        blocks.append((unit, rows))
    n = sum(len(r) for _, r in blocks) + (len(blocks) if len(blocks) > 1 else 0)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, max(2.8, 1.6 + 0.34 * n)), layout="constrained")
    if not blocks:
        ax.text(0.5, 0.5, "No displacement figure reported", transform=ax.transAxes, ha="center",
                va="center", fontsize=10, color="#555555")
        ax.set_xticks([])
        ax.set_yticks([])
        _title(ax, title or "Displacement")
        return ax
    vals = df["figure"].to_numpy(dtype=float)
    highs = df["figure_high"].dropna().to_numpy(dtype=float)
    vmax = float(np.nanmax(np.concatenate([vals, highs]))) if len(highs) else float(np.nanmax(vals))
    vmin = float(np.nanmin(vals[vals > 0])) if (vals > 0).any() else 1.0
    log = vmax / max(vmin, 1.0) > 60
    y = 0
    yticks, ylabels, bar_labels = [], [], []
    for unit, rows in blocks:
        colour = _UNIT_COLOURS[unit]
        if len(blocks) > 1:
            ax.text(0, y, UNIT_GROUPS[unit], transform=ax.get_yaxis_transform(), ha="left", va="center",
                    fontsize=9, fontweight="bold", color=_UNIT_TEXT[unit])
            y -= 1
        for key, best, g in rows:
            fig_v = float(best["figure"])
            ax.barh(y, fig_v, height=0.62, color=colour, alpha=0.85, hatch=_UNIT_HATCH[unit],
                    edgecolor="white", zorder=2)
            lo, hi = _num(best.get("figure_low")), _num(best.get("figure_high"))
            if lo is not None and hi is not None and hi > lo:
                ax.errorbar(fig_v, y, xerr=[[max(fig_v - lo, 0)], [max(hi - fig_v, 0)]], fmt="none",
                            ecolor="#222222", capsize=3, lw=1, zorder=3)
            others = g.drop(index=best.name)
            if len(others):
                ax.scatter(others["figure"], [y] * len(others), s=14, c="#222222", zorder=4, marker="|")
            q = _str(best.get("figure_qualifier"))
            unit_word = _str(best.get("figure_unit")) or ("people" if unit == "people" else unit)
            label = format_figure(fig_v, q, unit_word, lo, hi)
            extra = []
            if by == "place" and not pd.isna(best["ts"]):
                extra.append(format_date(best.get("date")))
            if by == "month":
                extra.append(str(best["place"]))
            src = source_label(best.get("source"), pubs) or source_label(best.get("doc_id"), pubs)
            if src:
                extra.append(src if len(src) <= 20 else src[:19] + "…")
            if len(g) > 1:
                extra.append(f"largest of {len(g)}")
            note = "; ".join(extra)
            note = note if len(note) <= 50 else note[:49] + "…"
            text = label + (f"  ({note})" if note else "")
            x_end = hi if hi and hi > fig_v else fig_v
            bar_labels.append((ax.annotate(text, (x_end, y), xytext=(5, 0), textcoords="offset points",
                                           va="center", ha="left", fontsize=8, zorder=5, path_effects=_halo()),
                               label + (f"  ({best['place']})" if by == "month" else ""), fig_v, y))
            yticks.append(y)
            ylabels.append(format_date(key) if by == "month" and key != "undated" else str(key))
            y -= 1
    ax.set_yticks(yticks)
    ax.set_yticklabels(ylabels, fontsize=8.5)
    ax.set_ylim(y + 0.4, 0.6 if len(blocks) > 1 else 0.5)
    if log:
        ax.set_xscale("log")
        ax.set_xlim(max(vmin / 2.5, 1), vmax * 150)
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, numticks=12))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    else:
        ax.set_xlim(0, vmax * 2.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
    ax.tick_params(axis="x", labelsize=8)
    # the bars' labels run past the data: no ticks where only labels are
    if log:
        ax.set_xticks([t for t in ax.get_xticks() if max(vmin / 2.5, 1) <= t <= vmax * 1.01])
    ax.grid(axis="x", color="#E5E5E5", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    _fit_bar_labels(ax, bar_labels)
    only = blocks[0][0] if len(blocks) == 1 else None
    ax.set_xlabel("Number reported" + (" (log scale)" if log else "") +
                  ("; each block is its own unit, never added together" if only is None else f" ({only})"),
                  fontsize=8.5)
    if by == "place":
        sub = ("Each bar: the largest single figure reported for the place; figures are not added up "
               "(reports overlap) · | other reports · ≥ at least, ~ about, < nearly, ≤ up to")
    else:
        sub = ("Each bar: the largest single figure reported that month, for the place named — not a monthly "
               "total · | other figures that month · ≥ at least, ~ about, < nearly, ≤ up to")
    _title(ax, title or ("Displacement reported, by place" if by == "place" else "Displacement reported, by month"), sub)
    n_docs = df["doc_id"].map(_str).dropna().nunique() if "doc_id" in df else 0
    names = _source_labels(list(df.get("source", [])) + list(df.get("doc_id", [])), pubs)
    _source_line(ax, f"Sources: {len(df)} figure{'s' if len(df) != 1 else ''} from {n_docs} report"
                     f"{'s' if n_docs != 1 else ''}" + (f" ({', '.join(sorted(names))})" if names else "") + ".", 30)
    return ax


def _coords_lookup(displacement: pd.DataFrame, coords) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}

    def add(name, lat, lon):
        name, lat, lon = _str(name), _num(lat), _num(lon)
        if name and lat is not None and lon is not None:
            out.setdefault(name, (lat, lon))
            out.setdefault(name.lower(), (lat, lon))

    if isinstance(coords, pd.DataFrame):
        name_col = "place" if "place" in coords else ("name" if "name" in coords else "canonical")
        for _, r in coords.iterrows():
            add(r.get(name_col), r.get("lat"), r.get("lon"))
            add(r.get("place_id"), r.get("lat"), r.get("lon"))
    elif isinstance(coords, Mapping):
        for k, v in coords.items():
            add(k, v[0], v[1])
    for col in ("origin", "destination"):
        if f"{col}_lat" in displacement and f"{col}_lon" in displacement:
            for _, r in displacement.iterrows():
                add(r.get(col), r.get(f"{col}_lat"), r.get(f"{col}_lon"))
    if "lat" in displacement and "lon" in displacement:
        for _, r in displacement.iterrows():
            add(r.get("place"), r.get("lat"), r.get("lon"))
    return out


def _pcode(place_id: Any) -> str | None:
    m = re.fullmatch(r"(?:ocha:)?(SY\d{2}(?:\d{2}(?:\d{2})?)?)", _str(place_id) or "")
    return m.group(1) if m else None


def _is_area_end(name: Any, place_id: Any) -> bool:
    n = _str(name) or ""
    return bool(_pcode(place_id)) or n.endswith((" Governorate", " District", " Subdistrict", " Sub-district"))


def plot_displacement_flows(displacement: pd.DataFrame, ax=None, boundaries=None, *, coords=None,
                            title: str | None = None, extent: str | tuple = "auto", geo_dir=None):
    """Origin -> destination arrows on the map (e.g. Hadalat camp -> Rukban camp).

    A governorate or district (``ocha:SY02``, ``ocha:SY0203`` ...) with no point of its own is
    placed at its OCHA label point (``syr_admin_names_ocha.csv``) and drawn as a hollow square, so
    a reader sees the arrow ends in an area, not a town. A move from a place to the governorate
    that contains it is labelled "elsewhere in ...". The whole country or a loose region
    ("Syria", "southern Syria") is never an arrow end. Movements that cannot be placed are
    counted in the source line.

    Parameters
    ----------
    displacement : DataFrame
        The ``displacement`` table; rows with both ``origin`` and ``destination`` are drawn.
    coords : DataFrame | mapping, optional
        Where places are: the ``places`` table (place/place_id, lat, lon) or ``{name: (lat, lon)}``.
        Also read from ``origin_lat``/``origin_lon``/... columns when the table has them.
    geo_dir : path, optional
        Reference geography (default ``paths.geo_dir()``) for the areas' label points.
    """
    ax = _new_ax(ax)
    lookup = _coords_lookup(displacement if displacement is not None else pd.DataFrame(), coords)
    try:
        label_pts = area_label_points(geo_dir)
    except Exception:  # no reference geography: areas stay unplaced
        label_pts = {}
    adm1_of: dict[str, str] = {}
    pid_of: dict[str, str] = {}
    if isinstance(coords, pd.DataFrame) and "place_id" in coords:
        for _, c in coords.iterrows():
            for k in (c.get("place"), c.get("canonical"), c.get("name")):
                if _str(k) and _str(c.get("place_id")):
                    pid_of.setdefault(str(k), str(c.get("place_id")))
    if isinstance(coords, pd.DataFrame) and "adm1_pcode" in coords:
        for _, c in coords.iterrows():
            a1 = _str(c.get("adm1_pcode"))
            for k in (c.get("place_id"), c.get("place"), c.get("canonical"), c.get("name")):
                if _str(k) and a1:
                    adm1_of.setdefault(str(k), a1)

    def locate(name, pid):
        if is_area_level(pid, name):
            return None, False
        p = lookup.get(name) or lookup.get(name.lower()) or lookup.get(_str(pid) or "")
        area = _is_area_end(name, pid)
        if p is None and _pcode(pid) in label_pts:
            p = label_pts[_pcode(pid)]
        return p, area

    flows, unplaced = [], []
    if displacement is not None and len(displacement):
        for _, r in displacement.iterrows():
            o, d = _str(r.get("origin")), _str(r.get("destination"))
            if not o or not d or o == d:
                continue
            opid = _str(r.get("origin_place_id")) or pid_of.get(o)
            dpid = _str(r.get("destination_place_id")) or pid_of.get(d)
            po, o_area = locate(o, opid)
            pd_, d_area = locate(d, dpid)
            if po and pd_ and po != pd_:
                dcode = _pcode(dpid)
                within = bool(dcode) and ((_pcode(opid) or "").startswith(dcode) and _pcode(opid) != dcode
                                          or adm1_of.get(opid or "", adm1_of.get(o, "")) == dcode)
                flows.append((o, d, po, pd_, r, o_area, d_area, within))
            else:
                unplaced.append(o if not po else d)
    gov_labels = _draw_boundaries(ax, boundaries)
    lons = [p[1] for f in flows for p in (f[2], f[3])]
    lats = [p[0] for f in flows for p in (f[2], f[3])]
    _set_geo_extent(ax, lons, lats, extent if flows or extent != "auto" else "syria", min_span=2.0)
    figs = [(_num(f[4].get("figure")) or 0) for f in flows]
    fmax = max(figs) if figs and max(figs) > 0 else 1
    pts, labels, flow_labels = [], {}, []
    for (o, d, po, pd_, r, o_area, d_area, within), fv in zip(flows, figs):
        lw = 1.2 + 3.0 * math.sqrt(fv / fmax) if fv else 1.2
        arrow = FancyArrowPatch((po[1], po[0]), (pd_[1], pd_[0]), arrowstyle="-|>", mutation_scale=12 + lw * 2,
                                lw=lw, color="#4477AA", connectionstyle="arc3,rad=0.2", zorder=4,
                                shrinkA=6, shrinkB=6)
        ax.add_patch(arrow)
        txt = format_figure(fv, _str(r.get("figure_qualifier")), _str(r.get("figure_unit")) or "people") if fv else "figure not stated"
        when = format_date(r.get("date"))
        mid = ((po[1] + pd_[1]) / 2, (po[0] + pd_[0]) / 2)
        flow_labels.append((f"{txt}, {when}", mid[0], mid[1]))
        for name, p, role, area in ((o, po, "origin", o_area), (d, pd_, "destination", d_area)):
            pts.append((p[1], p[0]))
            label = f"elsewhere in {name}" if (role == "destination" and within) else name
            prev = labels.get(name)
            labels[name] = (p[1], p[0], area, label if prev is None or prev[3] == label else name)
    if pts:
        places_pts = [(x, y) for x, y, area, _ in labels.values() if not area]
        area_pts = [(x, y) for x, y, area, _ in labels.values() if area]
        if places_pts:
            ax.scatter([p[0] for p in places_pts], [p[1] for p in places_pts], s=40, c="#4477AA",
                       edgecolors="white", zorder=5)
        if area_pts:
            ax.scatter([p[0] for p in area_pts], [p[1] for p in area_pts], s=60, marker="s", facecolors="white",
                       edgecolors="#4477AA", linewidths=1.6, zorder=5)
        _place_labels(ax, flow_labels, fontsize=8, avoid_points=pts, style={"color": "#1F3F66"}, force=True)
        _place_labels(ax, [(lab, x, y) for x, y, _, lab in labels.values()], fontsize=9, avoid_points=pts, force=True)
        handles = [Line2D([], [], ls="none", marker="o", ms=7, mfc="#4477AA", mec="white", label="place")]
        if area_pts:
            handles.append(Line2D([], [], ls="none", marker="s", ms=7, mfc="white", mec="#4477AA", mew=1.6,
                                  label="governorate / district\n(its label point)"))
        leg = ax.legend(handles=handles, loc="lower right", fontsize=7.5, frameon=True, framealpha=0.92)
        leg.set_zorder(10)
    else:
        ax.text(0.5, 0.5, "No displacement with both origin and destination located", transform=ax.transAxes,
                ha="center", va="center", fontsize=10, color="#555555")
    if gov_labels:
        _place_labels(ax, gov_labels, fontsize=7, avoid_points=pts, style={"color": "#8A857A", "fontstyle": "italic"})
    _title(ax, title or "Displacement: where people went",
           "Arrow: origin → destination, as a report names them; width grows with the figure")
    n_docs = len({_str(f[4].get("doc_id")) for f in flows} - {None})
    src = (f"Sources: {len(flows)} movement{'s' if len(flows) != 1 else ''} from {n_docs} report"
           f"{'s' if n_docs != 1 else ''}; {BOUNDARY_CREDIT}.")
    if unplaced:
        names = sorted(set(unplaced))
        src += (f" Not drawn ({len(unplaced)}): no location for {', '.join(names[:4])}"
                f"{' …' if len(names) > 4 else ''}, or the whole country / a loose region.")
    _source_line(ax, src)
    return ax
