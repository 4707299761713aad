"""Score the tables against gold annotations: precision, recall and F1 per kind.

Gold files are ``<doc_id>.gold.jsonl`` (conventions in ``data/raw/gold/GOLD.md``). Only documents
that have a gold file are scored. Names are compared through the same transliteration-blind key
the gazetteer uses (:func:`conflict_lib.translit.match_key`), or, for places, by coordinates within
15 km. Matching is one-to-one within a document.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .paths import gold_dir as _default_gold_dir
from .tables import load_table

MATCH_KM = 15.0
NEAR_KM = 25.0


def _key(s) -> str:
    from .translit import match_key
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return ""
    return match_key(str(s))


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in km (nan if a coordinate is missing)."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (lat1, lon1, lat2, lon2)):
        return float("nan")
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def load_gold(gold_dir: str | Path | None = None) -> dict[str, list[dict]]:
    """Gold objects by doc_id."""
    folder = Path(gold_dir) if gold_dir else _default_gold_dir()
    out: dict[str, list[dict]] = {}
    for p in sorted(folder.glob("*.gold.jsonl")):
        doc_id = p.name[: -len(".gold.jsonl")]
        out[doc_id] = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


@dataclass
class Score:
    """Counts and rates for one kind."""

    kind: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r and not (math.isnan(p) or math.isnan(r)) else float("nan")

    def row(self) -> dict:
        return {"kind": self.kind, "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3)}


@dataclass
class Evaluation:
    """The result of :func:`evaluate`."""

    scores: pd.DataFrame
    metrics: dict
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)

    def f1(self, kind: str) -> float:
        """F1 of one kind, e.g. ``"places"`` or ``"events:siege"``."""
        row = self.scores[self.scores["kind"] == kind]
        return float(row["f1"].iloc[0]) if len(row) else float("nan")

    def __str__(self) -> str:
        lines = [self.scores.to_string(index=False), ""]
        lines += [f"{k}: {v}" for k, v in self.metrics.items()]
        return "\n".join(lines)


def _surface_keys(mentions: pd.DataFrame, kind: str, id_col: str) -> dict[tuple[str, str], set[str]]:
    keys: dict[tuple[str, str], set[str]] = {}
    sub = mentions[mentions["kind"] == kind]
    for r in sub.itertuples(index=False):
        ident = getattr(r, id_col) or r.canonical
        keys.setdefault((r.doc_id, ident), set()).update({_key(r.text), _key(r.canonical)})
    return keys


def _match_places(doc_id, gold, preds, surf, errors, score, dists):
    used = set()
    pending = []
    for g in gold:
        gk = {_key(g.get("text")), _key(g.get("canonical"))} - {""}
        hit = next((i for i, p in enumerate(preds) if i not in used
                    and gk & surf.get((doc_id, p["place_id"]), {_key(p["canonical"])})), None)
        if hit is None:
            pending.append(g)
            continue
        used.add(hit)
        score.tp += 1
        d = haversine_km(g.get("lat"), g.get("lon"), preds[hit]["lat"], preds[hit]["lon"])
        if not math.isnan(d):
            dists.append(d)
    for g in pending:
        hit = None
        for i, p in enumerate(preds):
            if i not in used and haversine_km(g.get("lat"), g.get("lon"), p["lat"], p["lon"]) <= MATCH_KM:
                hit = i
                break
        if hit is None:
            score.fn += 1
            errors.append({"doc_id": doc_id, "kind": "place", "error": "missed", "text": g.get("text"),
                           "detail": g.get("canonical")})
            continue
        used.add(hit)
        score.tp += 1
        dists.append(haversine_km(g.get("lat"), g.get("lon"), preds[hit]["lat"], preds[hit]["lon"]))
    for i, p in enumerate(preds):
        if i not in used:
            score.fp += 1
            errors.append({"doc_id": doc_id, "kind": "place", "error": "spurious", "text": p["text"],
                           "detail": f"{p['canonical']} ({p.get('match_method')})"})


def _date_ok(gold_date, pred_date, pred_precision=None) -> bool:
    if pred_date is None or (isinstance(pred_date, float) and math.isnan(pred_date)) or pred_date is pd.NaT:
        pred_date = None  # a missing date read back from Parquet/CSV is NaN, not a date
    if not gold_date:
        return not pred_date
    if not pred_date or not isinstance(pred_date, str):
        return False
    if len(gold_date) == 7:
        return pred_date[:7] == gold_date
    if len(gold_date) == 10 and len(pred_date) == 10:
        try:
            d = abs((pd.Timestamp(gold_date) - pd.Timestamp(pred_date)).days)
        except ValueError:
            return False
        return d <= 1
    return False


def _figure_ok(gold_fig, pred_fig) -> bool:
    g_none = gold_fig is None
    p_none = pred_fig is None or (isinstance(pred_fig, float) and math.isnan(pred_fig))
    if g_none or p_none:
        return g_none and p_none
    return abs(float(pred_fig) - float(gold_fig)) <= 0.02 * abs(float(gold_fig))


def evaluate(tables_dir: str | Path | None = None, gold_dir: str | Path | None = None) -> Evaluation:
    """Score ``places``, ``actors`` and ``events`` against the gold files.

    Returns
    -------
    Evaluation
        ``scores`` (one row per kind: places, actors, events, events:<type>, and the strict
        ``events+date+figure`` variants), ``metrics`` (share of matched places within 25 km,
        median geocoding error, alignment accuracy) and ``errors`` (every miss and spurious
        item, for the notebooks' audit).
    """
    gold = load_gold(gold_dir)
    places = load_table("places", tables_dir)
    actors = load_table("actors", tables_dir)
    events = load_table("events", tables_dir)
    mentions = load_table("mentions", tables_dir)
    place_surf = _surface_keys(mentions, "place", "place_id")
    actor_surf = _surface_keys(mentions, "actor", "actor_id")

    errors: list[dict] = []
    s_places, s_actors = Score("places"), Score("actors")
    dists: list[float] = []
    align_ok = align_n = 0
    types = sorted({g["type"] for objs in gold.values() for g in objs if g["kind"] == "event"})
    s_ev = {t: Score(f"events:{t}") for t in types}
    s_ev_strict = {t: Score(f"events+date+figure:{t}") for t in types}

    for doc_id, objs in gold.items():
        g_places = [o for o in objs if o["kind"] == "place"]
        g_actors = [o for o in objs if o["kind"] == "actor"]
        g_events = [o for o in objs if o["kind"] == "event"]
        p_places = places[places["doc_id"] == doc_id].to_dict("records")
        p_actors = actors[actors["doc_id"] == doc_id].to_dict("records")
        p_events = events[events["doc_id"] == doc_id].to_dict("records")

        _match_places(doc_id, g_places, p_places, place_surf, errors, s_places, dists)

        used = set()
        for g in g_actors:
            gk = {_key(g.get("text")), _key(g.get("canonical"))} - {""}
            hit = next((i for i, p in enumerate(p_actors) if i not in used
                        and gk & actor_surf.get((doc_id, p["actor_id"]), {_key(p["canonical"])})), None)
            if hit is None:
                s_actors.fn += 1
                errors.append({"doc_id": doc_id, "kind": "actor", "error": "missed", "text": g.get("text"),
                               "detail": f"{g.get('canonical')} [{g.get('alignment')}]"})
                continue
            used.add(hit)
            s_actors.tp += 1
            align_n += 1
            if p_actors[hit]["alignment"] == g.get("alignment"):
                align_ok += 1
            else:
                errors.append({"doc_id": doc_id, "kind": "actor", "error": "alignment", "text": g.get("text"),
                               "detail": f"gold {g.get('alignment')}, predicted {p_actors[hit]['alignment']}"})
        for i, p in enumerate(p_actors):
            if i not in used:
                s_actors.fp += 1
                errors.append({"doc_id": doc_id, "kind": "actor", "error": "spurious", "text": p["text"],
                               "detail": f"{p['canonical']} [{p['alignment']}]"})

        # events: type + place (name key or within 15 km of the gold place's coordinates)
        gold_coords = {_key(o.get("canonical")): (o.get("lat"), o.get("lon")) for o in g_places}

        def same_place(g, p) -> bool:
            gk = _key(g.get("place"))
            pk = surf_keys = place_surf.get((doc_id, p.get("place_id")), set()) | {_key(p.get("place"))}
            if gk and gk in pk:
                return True
            lat, lon = gold_coords.get(gk, (None, None))
            return haversine_km(lat, lon, p.get("lat"), p.get("lon")) <= MATCH_KM

        for strict in (False, True):
            scores = s_ev_strict if strict else s_ev
            used = set()
            for g in g_events:
                cands = [i for i, p in enumerate(p_events) if i not in used and p["type"] == g["type"]
                         and same_place(g, p)]
                if strict:
                    cands = [i for i in cands if _date_ok(g.get("date"), p_events[i].get("date"))
                             and _figure_ok(g.get("figure"), p_events[i].get("figure"))]
                sc = scores.setdefault(g["type"], Score(("events+date+figure:" if strict else "events:") + g["type"]))
                if not cands:
                    sc.fn += 1
                    if not strict:
                        errors.append({"doc_id": doc_id, "kind": f"event:{g['type']}", "error": "missed",
                                       "text": g.get("evidence"), "detail": f"{g.get('place')} {g.get('date')}"})
                    continue
                used.add(cands[0])
                sc.tp += 1
            for i, p in enumerate(p_events):
                if i not in used:
                    sc = scores.setdefault(p["type"], Score(("events+date+figure:" if strict else "events:") + p["type"]))
                    sc.fp += 1
                    if not strict:
                        errors.append({"doc_id": doc_id, "kind": f"event:{p['type']}", "error": "spurious",
                                       "text": p.get("sentence"), "detail": f"{p.get('place')} {p.get('date')}"})

    def total(name, parts) -> Score:
        s = Score(name)
        for p in parts:
            s.tp, s.fp, s.fn = s.tp + p.tp, s.fp + p.fp, s.fn + p.fn
        return s

    gold_types = set(types)
    rows = [s_places.row(), s_actors.row(),
            total("events", [s for t, s in s_ev.items() if t in gold_types]).row()]
    rows += [s_ev[t].row() for t in sorted(s_ev) if t in gold_types]
    rows.append(total("events+date+figure", [s for t, s in s_ev_strict.items() if t in gold_types]).row())
    rows += [s_ev_strict[t].row() for t in sorted(s_ev_strict) if t in gold_types]
    # types the gold does not annotate (control_state) cannot be scored: say how many there are
    unscored = {t: sc.fp for t, sc in sorted(s_ev.items()) if t not in gold_types}
    within = [d for d in dists if not math.isnan(d)]
    metrics = {
        "documents_scored": len(gold),
        "places_with_coordinates_matched": len(within),
        "share_within_25km": round(sum(d <= NEAR_KM for d in within) / len(within), 3) if within else float("nan"),
        "median_geocoding_error_km": round(float(pd.Series(within).median()), 2) if within else float("nan"),
        "alignment_accuracy": round(align_ok / align_n, 3) if align_n else float("nan"),
        "events_of_types_not_in_gold": unscored,
    }
    return Evaluation(scores=pd.DataFrame(rows), metrics=metrics, errors=pd.DataFrame(errors))
