"""The offline HTML briefing: one self-contained ``.html`` file an analyst can open, share and print.

``write_briefing(out_path, tables_dir=None, start=None, end=None, title=None)`` reads the tables
written by ``build`` and writes a page with:

- the title, the period covered and the reports it draws on;
- "What changed": control changes, sieges (begun / ongoing / lifted) and displacement figures in
  the period, one line each with place, actors, date and certainty;
- the control map with a date selector (one pre-rendered map per date, switched by a few lines of
  inline JavaScript; no kernel, no network), the siege timeline and the displacement charts, drawn
  by the same functions as the notebooks (:mod:`conflict_lib.plotting`);
- contested claims side by side;
- a footnote on every fact and number: the evidence sentence, its report and how sure the source
  is. Footnotes are listed at the end (works without JavaScript, and in print) and open in a
  popover on click.

Safety: every piece of report text is escaped; links are written only for ``http(s)`` URLs; a
Content-Security-Policy meta forbids every remote load and allows only the page's own inline
script (by its sha256 hash).
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import string
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import matplotlib

import matplotlib.pyplot as plt
import pandas as pd

from . import plotting as P

__all__ = ["write_briefing", "render_briefing", "load_briefing_tables", "BRIEFING_TABLES"]

#: Tables the briefing reads (``events`` is required; the others may be missing).
BRIEFING_TABLES = ("documents", "events", "claims", "sieges", "displacement", "control_timeline", "places")


# --------------------------------------------------------------------------- reading
def _load_table(name: str, tables_dir) -> pd.DataFrame:
    """The one place the briefing reads a table."""
    from .tables import load_table
    return load_table(name, tables_dir)


def load_briefing_tables(tables_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Read the tables the briefing needs; missing optional tables come back empty.

    Raises FileNotFoundError when ``events`` is missing (nothing to brief on).
    """
    out: dict[str, pd.DataFrame] = {}
    for name in BRIEFING_TABLES:
        try:
            out[name] = _load_table(name, tables_dir)
        except FileNotFoundError:
            if name == "events":
                raise
            out[name] = pd.DataFrame()
    return out


# --------------------------------------------------------------------------- small helpers
def _e(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _safe_url(url: Any) -> str | None:
    """The URL if it is an absolute http(s) link, else None (``javascript:``, ``data:``, relative ...)."""
    s = P._str(url)
    if not s or any(c in s for c in "\r\n\t\x00 <>\"'`") :
        return None
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return s


def _ts(v) -> pd.Timestamp:
    return P.parse_date(v)


def _span(v) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The days an ISO date covers: a day, a whole month or a whole year."""
    ts = _ts(v)
    if pd.isna(ts):
        return None
    prec = P._precision(v)
    if prec == "month":
        return ts, ts + pd.offsets.MonthEnd(0)
    if prec == "year":
        return ts, ts + pd.offsets.YearEnd(0)
    return ts, ts


def _in_period(v, start: pd.Timestamp, end: pd.Timestamp) -> bool | None:
    """True/False whether ``v`` overlaps [start, end]; None when undated."""
    sp = _span(v)
    if sp is None:
        return None
    return sp[1] >= start and sp[0] <= end


def _doc_date(doc: dict | None):
    if not doc:
        return None
    for k in ("published", "period_end", "period_start"):
        v = doc.get(k)
        if P._str(v):
            return v
    return None


def _png(fig, dpi: int, colours: int = 128) -> str:
    """A figure as a small PNG data URI (palette-quantised)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    try:
        from PIL import Image
        buf.seek(0)
        im = Image.open(buf).convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        im.save(out, format="PNG", optimize=True)
        data = out.getvalue()
    except Exception:  # pillow missing or failing: the plain PNG
        data = buf.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _alignment_label(a) -> str:
    a = P._str(a)
    if not a:
        return "unknown"
    return P.ALIGNMENT_LABELS.get(P._alignment(a), a)


# --------------------------------------------------------------------------- footnotes
@dataclass
class _Notes:
    """Footnotes keyed by event_id, numbered in order of first citation."""

    events: dict[str, dict]
    docs: dict[str, dict]
    order: list[str] = field(default_factory=list)
    refs: dict[str, int] = field(default_factory=dict)  # event_id -> times cited
    pubs: dict[str, str] = field(default_factory=dict)  # doc_id -> publisher's short name

    def __post_init__(self):
        if not self.pubs:
            self.pubs = {k: (P.publisher_short_name(d.get("publisher")) or k) for k, d in self.docs.items()}

    def who(self, source: Any, doc_id: Any = None) -> str | None:
        """A source as a reader names it: a report id becomes its publisher's short name."""
        return P.source_label(source, self.pubs) or P.source_label(doc_id, self.pubs)

    def cite(self, event_id: str | None) -> str:
        """``<sup>`` link(s) to the footnote for one event ('' if unknown)."""
        if not event_id or event_id not in self.events:
            return ""
        if event_id not in self.order:
            self.order.append(event_id)
        n = self.order.index(event_id) + 1
        k = self.refs.get(event_id, 0) + 1
        self.refs[event_id] = k
        return (f'<sup class="fn"><a class="fnref" id="ref-{n}-{k}" href="#fn-{n}" data-fn="{n}" '
                f'aria-expanded="false" aria-label="evidence {n}">[{n}]</a></sup>')

    def cite_all(self, event_ids: Iterable[str]) -> str:
        seen, out = set(), []
        for e in event_ids:
            if e and e not in seen:
                seen.add(e)
                out.append(self.cite(e))
        return "".join(out)

    def render(self) -> str:
        items = []
        for i, eid in enumerate(self.order, 1):
            ev = self.events[eid]
            doc = self.docs.get(str(ev.get("doc_id")), {})
            title = P._str(doc.get("title")) or str(ev.get("doc_id") or "unknown report")
            publisher = P._str(doc.get("publisher"))
            when = _doc_date(doc)
            cert = P._str(ev.get("certainty")) or "unknown"
            src = P.source_label(ev.get("source"), self.pubs)
            if src and src == P.source_label(ev.get("doc_id"), self.pubs):
                src = None  # the publisher itself
            url = _safe_url(doc.get("source_url"))
            link = f' · <a href="{_e(url)}" rel="noopener noreferrer">source</a>' if url else ""
            backs = " ".join(f'<a class="back" href="#ref-{i}-{k}" aria-label="back to text">↩</a>'
                             for k in range(1, self.refs.get(eid, 1) + 1))
            where = P._str(ev.get("place"))
            items.append(
                f'<li id="fn-{i}"><blockquote>{_e(ev.get("sentence") or "(no sentence recorded)")}</blockquote>'
                f'<p class="fn-src"><cite>{_e(title)}</cite>'
                f'{" — " + _e(publisher) if publisher else ""}{", " + _e(P.format_date(when)) if when else ""}'
                f' · <span class="cert cert-{_e(cert if cert in _CERTS else "unknown")}">{_e(cert)}</span>'
                f'{" (source: " + _e(src) + ")" if src else " (the publisher, in its own voice)" if cert == "confirmed" else ""}'
                f'{" · " + _e(P._str(ev.get("type")) or "") + (" at " + _e(where) if where else "")}'
                f'{link} {backs}</p></li>')
        return "\n".join(items)


_CERTS = ("confirmed", "claimed", "reported", "denied", "rumored")


def _cert(ev: dict, notes: "_Notes | None" = None) -> str:
    c = P._str(ev.get("certainty")) or "unknown"
    src = P.source_label(ev.get("source"), notes.pubs if notes is not None else None)
    badge = f'<span class="cert cert-{_e(c if c in _CERTS else "unknown")}">{_e(c)}</span>'
    return badge + (f" ({_e(src)})" if src else "")


# --------------------------------------------------------------------------- sections
def _records(df: pd.DataFrame) -> list[dict]:
    if df is None or len(df) == 0:
        return []
    return df.astype(object).where(df.notna(), None).to_dict("records")


def _control_facts(events: list[dict], notes: _Notes, start, end) -> tuple[list[str], int]:
    groups: dict[tuple, list[dict]] = {}
    undated = 0
    for ev in events:
        if ev.get("type") != "control_change" or ev.get("certainty") == "denied":
            continue
        inp = _in_period(ev.get("date"), start, end)
        if inp is None:
            undated += 1
            continue
        if not inp:
            continue
        key = (P._str(ev.get("place_id")) or P._str(ev.get("place")), P._alignment(ev.get("actor")), ev.get("date"))
        groups.setdefault(key, []).append(ev)
    lines = []
    for key, evs in sorted(groups.items(), key=lambda kv: (_ts(kv[1][0].get("date")), str(kv[0][0]))):
        ev = evs[0]
        losers = sorted({_alignment_label(e.get("counterpart")) for e in evs if P._str(e.get("counterpart"))})
        gain = _alignment_label(ev.get("actor"))
        move = f"{' / '.join(losers)} → {gain}" if losers else f"taken by {gain}"
        certs = " · ".join(sorted({_cert(e, notes) for e in evs}))
        lines.append(
            f'<li class="fact" data-kind="control"><span class="place">{_e(ev.get("place"))}</span>: {_e(move)}'
            f' · <span class="date">{_e(P.format_date(ev.get("date")))}</span> · {certs}'
            f'{notes.cite_all(e.get("event_id") for e in evs)}</li>')
    return lines, undated


def _siege_facts(sieges: list[dict], events: list[dict], notes: _Notes, start, end) -> list[str]:
    by_id = {str(e.get("event_id")): e for e in events}
    lines = []
    for s in sieges:
        place = P._str(s.get("place")) or "?"
        ids = [str(i) for i in P._json_list(s.get("event_ids")) if str(i) in by_id]
        if not ids:
            ids = [str(e.get("event_id")) for e in events if e.get("type") in ("siege", "siege_lifted")
                   and (e.get("place") == place or (P._str(s.get("place_id")) and e.get("place_id") == s.get("place_id")))]
        evs = [by_id[i] for i in ids if i in by_id]
        lifts = sorted((e for e in evs if e.get("type") == "siege_lifted" and not pd.isna(_ts(e.get("date")))),
                       key=lambda e: _ts(e.get("date")))
        sieges_ev = sorted((e for e in evs if e.get("type") == "siege"), key=lambda e: (pd.isna(_ts(e.get("date"))), _ts(e.get("date"))))
        first = s.get("first_report") or (sieges_ev[0].get("date") if sieges_ev else None)
        last = s.get("last_report") or (sieges_ev[-1].get("date") if sieges_ev else None)
        f_sp, l_sp = _span(first), _span(last)
        lift_in = [e for e in lifts if _in_period(e.get("date"), start, end)]
        begun = f_sp is not None and start <= f_sp[0] <= end
        lifted_before = bool(lifts) and all(_ts(e.get("date")) < start for e in lifts)
        if f_sp is not None and f_sp[0] > end:
            continue
        if lifted_before and not lift_in:
            continue
        if not begun and not lift_in and l_sp is not None and l_sp[1] < start:
            continue
        status = "lifted" if lift_in else ("begun" if begun else "ongoing")
        besieger = _alignment_label(s.get("besieger")) if P._str(s.get("besieger")) else "a side not stated"
        besieged = _alignment_label(s.get("besieged"))
        national = P.is_area_level(s.get("place_id"), place, s.get("feature"))
        governorate = P._governorate_level(s.get("place_id"), place)
        one_report = P._str(first) and (not P._str(last) or _ts(last) == _ts(first)) and not lifts
        if national:
            parts = [f'<span class="status">country-wide</span> <span class="place">{_e(place)}</span>: '
                     f'people in besieged areas across the country (a national count, not one besieged place)']
        elif governorate:
            parts = [f'<span class="status">listed</span> <span class="place">{_e(place)}</span>: has besieged areas '
                     f'(the report names the governorate only; besieging side {"not stated" if not P._str(s.get("besieger")) else _e(besieger)})']
        else:
            parts = [f'<span class="status">{status}</span> <span class="place">{_e(place)}</span>: besieged by {_e(besieger)}'
                     f'{" (held by " + _e(besieged) + ")" if P._str(s.get("besieged")) else ""}']
        first_ev = next((e for e in sieges_ev if e.get("date") == first), sieges_ev[0] if sieges_ev else None)
        if national and any(P._num(e.get("figure")) is not None for e in sieges_ev):
            pass  # the dated figures below say it, each with its note
        elif first:
            parts.append(f'{"reported" if one_report else "first reported"} <span class="date">{_e(P.format_date(first))}</span>'
                         f'{" " + _cert(first_ev, notes) if first_ev else ""}{notes.cite(first_ev.get("event_id")) if first_ev else ""}')
        if lift_in or lifts:
            shown = lift_in or lifts
            ds = sorted({e.get("date") for e in shown}, key=_ts)
            if len(ds) > 1:
                txt = "sources disagree on when it was lifted: " + " or ".join(
                    f'<span class="date">{_e(P.format_date(d))}</span> ' + " ".join(
                        _cert(e, notes) + notes.cite(e.get("event_id")) for e in shown if e.get("date") == d) for d in ds)
            else:
                txt = f'lifted <span class="date">{_e(P.format_date(ds[0]))}</span> ' + " ".join(
                    _cert(e, notes) + notes.cite(e.get("event_id")) for e in shown)
            parts.append(txt)
        else:
            dated = [x for x in sieges_ev if not pd.isna(_ts(x.get("date")))]
            last_ev = dated[-1] if dated else None
            if last_ev is not None and last_ev is not first_ev and not national:
                parts.append(f'still reported <span class="date">{_e(P.format_date(last_ev.get("date")))}</span> '
                             f'{_cert(last_ev, notes)}{notes.cite(last_ev.get("event_id"))}')
        # figures: each with the event that states it
        for e in sieges_ev:
            fig = P._num(e.get("figure"))
            if fig is None:
                continue
            inp = _in_period(e.get("date"), start, end)
            if inp is False:
                continue
            parts.append(f'{_e(P.format_figure(fig, P._str(e.get("figure_qualifier")), P._str(e.get("figure_unit")) or "people", e.get("figure_low"), e.get("figure_high")))}'
                         f'{" in besieged areas" if national else " inside"} ({_e(P.format_date(e.get("date")))}) {_cert(e, notes)}{notes.cite(e.get("event_id"))}')
        if "fn" not in "".join(parts):  # no event found for this siege: cite nothing rather than invent
            parts.append('<span class="note">(no evidence sentence in the tables)</span>')
        kind = "siege-national" if national else ("siege-listed" if governorate else "siege")
        lines.append(f'<li class="fact" data-kind="{kind}">{" · ".join(parts)}</li>')
    return lines


def _displacement_facts(disp: list[dict], events: list[dict], notes: _Notes, start, end,
                        include_undated: bool) -> tuple[list[str], int]:
    by_id = {str(e.get("event_id")): e for e in events}
    lines, undated = [], 0
    rows = []
    for d in disp:
        inp = _in_period(d.get("date"), start, end)
        if inp is None:
            if not include_undated:
                undated += 1
                continue
        elif not inp:
            continue
        rows.append(d)
    rows.sort(key=lambda d: (pd.isna(_ts(d.get("date"))), _ts(d.get("date")) if not pd.isna(_ts(d.get("date"))) else 0,
                             str(d.get("place"))))
    for d in rows:
        eid = str(d.get("event_id"))
        ev = by_id.get(eid, d)
        fig = P._num(d.get("figure"))
        unit = P._str(d.get("figure_unit")) or "people"
        what = (P.format_figure(fig, P._str(d.get("figure_qualifier")), unit, d.get("figure_low"), d.get("figure_high"))
                if fig is not None else "people (no figure given)")
        route = ""
        o, dest = P._str(d.get("origin")), P._str(d.get("destination"))
        if o and P.is_area_level(d.get("origin_place_id"), o):
            o = None
        if dest and P.is_area_level(d.get("destination_place_id"), dest):
            dest = None
        if o and dest:
            route = f" from {_e(o)} to {_e(dest)}"
        elif o:
            route = f" from {_e(o)}"
        elif dest:
            route = f" to {_e(dest)}"
        cause = P._str(ev.get("actor"))
        lines.append(
            f'<li class="fact" data-kind="displacement"><span class="place">{_e(d.get("place") or "place not stated")}</span>'
            f'{" (country-wide)" if P.is_area_level(d.get("place_id"), d.get("place")) and str(d.get("place")).lower() == "syria" else ""}: '
            f'{_e(what)} displaced{route}{" · actor: " + _e(_alignment_label(cause)) if cause else ""}'
            f' · <span class="date">{_e(P.format_date(d.get("date")))}</span> · {_cert(d, notes)}{notes.cite(eid if eid in by_id else None)}</li>')
    return lines, undated


def _contested(claims: pd.DataFrame, notes: _Notes, start, end) -> list[str]:
    if claims is None or len(claims) == 0 or "status" not in claims:
        return []
    out = []
    sub = claims[claims["status"].isin(["contradict", "differ"])]
    for grp, g in sub.groupby("claim_group", sort=False):
        recs = _records(g)
        dated = [_in_period(r.get("date"), start, end) for r in recs]
        if not any(x is None or x for x in dated):
            continue
        status = recs[0].get("status")
        head = recs[0]
        label = "Sources contradict each other" if status == "contradict" else "Sources differ in detail"
        cards = []
        for r in recs:
            who = notes.who(r.get("source"), r.get("doc_id")) or "the publisher"
            fig = P._num(r.get("figure"))
            cards.append(
                f'<div class="fact claim" data-kind="claim"><h4>{_e(who)}</h4><p>{_cert(r, notes)} · <span class="date">{_e(P.format_date(r.get("date")))}</span>'
                f' · {_e(_alignment_label(r.get("actor")))}{" vs " + _e(_alignment_label(r.get("counterpart"))) if P._str(r.get("counterpart")) else ""}'
                f'{" · " + _e(P.format_figure(fig, P._str(r.get("figure_qualifier")), P._str(r.get("figure_unit")))) if fig is not None else ""}</p>'
                f'<blockquote>{_e(r.get("sentence"))}</blockquote>{notes.cite(str(r.get("event_id")))}</div>')
        out.append(f'<h3 class="contested">{_e(head.get("place"))}: {_e((head.get("type") or "").replace("_", " "))}'
                   f' — <span class="status">{_e(label)}</span></h3><div class="claims">{"".join(cards)}</div>')
    return out


def _map_places(snap: pd.DataFrame, notes: _Notes) -> list[str]:
    lines = []
    for r in snap.sort_values("place").itertuples():
        evs = [e for e in (r.event_ids or []) if isinstance(e, str)]
        lines.append(f'<li class="fact" data-kind="held"><span class="place">{_e(r.place)}</span>: '
                     f'{_e(_alignment_label(r.alignment))}{" (claimed or rumoured only)" if r.weak else ""}'
                     f' · last reported <span class="date">{_e(P.format_date(r.date))}</span>{notes.cite_all(evs[-3:])}</li>')
    return lines


# --------------------------------------------------------------------------- main
def _period(events: pd.DataFrame, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    dates = [sp for sp in (_span(d) for d in events.get("date", [])) if sp is not None] if len(events) else []
    s = _ts(start) if start is not None else (min(d[0] for d in dates) if dates else pd.Timestamp("2016-01-01"))
    e_sp = _span(end) if end is not None else None
    e = e_sp[1] if e_sp else (max(d[1] for d in dates) if dates else pd.Timestamp("2018-12-31"))
    if pd.isna(s) or pd.isna(e):
        raise ValueError(f"cannot read the period: start={start!r} end={end!r}")
    if s > e:
        raise ValueError(f"the period starts after it ends: {start} > {end}")
    return s, e


def _fmt_period(s: pd.Timestamp, e: pd.Timestamp) -> str:
    return f"{P.format_date(s)} – {P.format_date(e)}"


def _dated_extent(events: pd.DataFrame) -> tuple[str | None, str | None, int, int]:
    """(earliest date, latest date) of the facts as the reports give them (a month stays a month),
    the number of dated facts and of undated ones."""
    vals = [v for v in (events.get("date", []) if len(events) else []) ]
    dated = [(P._str(v), _span(v)) for v in vals if _span(v) is not None]
    if not dated:
        return None, None, 0, len(vals)
    first = min(dated, key=lambda t: t[1][0])[0]
    last = max(dated, key=lambda t: t[1][1])[0]
    return first, last, len(dated), len(vals) - len(dated)


def _period_html(events: pd.DataFrame, s, e, chosen: bool) -> str:
    """What the page covers, said precisely: the dates of its facts, and how many are undated."""
    first, last, n_dated, n_undated = _dated_extent(events)
    und = (f" · {n_undated} undated fact{'s' if n_undated != 1 else ''} in the tables "
           f"({'listed where they belong, marked undated' if not chosen else 'not placed in the period'})"
           if n_undated else "")
    if chosen:
        return (f'<p class="period">Period chosen: <strong>{_e(_fmt_period(s, e))}</strong>'
                f' (facts dated in it){_e(und)}</p>')
    if first is None:
        return f'<p class="period">No dated fact in the tables{_e(und)}</p>'
    # most facts: the central 90 % of dates, so one early history paragraph does not set the scene
    spans = sorted(sp[0] for sp in (_span(v) for v in events.get("date", [])) if sp is not None)
    k = max(0, int(len(spans) * 0.05))
    bulk = ""
    if len(spans) >= 20 and (spans[k] - spans[0]).days > 180:
        bulk = f" (most from {P.format_date(spans[k], 'month')} on)"
    return (f'<p class="period">Facts dated <strong>{_e(P.format_date(first))}</strong> to '
            f'<strong>{_e(P.format_date(last))}</strong>{_e(bulk)} · {n_dated} dated fact{"s" if n_dated != 1 else ""}'
            f'{_e(und)}</p>')


def _template(name: str) -> str:
    return resources.files("conflict_lib").joinpath("templates", name).read_text(encoding="utf-8")


def render_briefing(tables: dict[str, pd.DataFrame], start=None, end=None, title: str | None = None, *,
                    max_maps: int = 24, dpi: int = 88) -> str:
    """The briefing as an HTML string, from tables already loaded (see :func:`write_briefing`)."""
    events = tables.get("events", pd.DataFrame())
    docs_df = tables.get("documents", pd.DataFrame())
    s, e = _period(events, start, end)
    ev_recs = _records(events)
    docs = {str(d.get("doc_id")): d for d in _records(docs_df)}
    notes = _Notes({str(r.get("event_id")): r for r in ev_recs}, docs)
    include_undated = start is None and end is None

    # ---- figures
    ctl_rows = P._control_rows(events)
    all_dates = [pd.Timestamp(d) for d in P.control_dates(events)]
    in_dates = [d for d in all_dates if s <= d <= e]
    if len(in_dates) > max_maps:  # one map per month end instead
        months = sorted({d.to_period("M") for d in in_dates})
        in_dates = [min(m.to_timestamp(how="end").normalize(), e) for m in months][-max_maps:]
    if not in_dates:
        in_dates = [e]
    map_opts = []
    for d in in_dates:
        fig, ax = plt.subplots(figsize=(8, 6.4), layout="constrained")
        since = None if include_undated else s - pd.Timedelta(days=1)
        P.plot_control_map(events, as_of=d, since=since, ax=ax, extent="syria")
        snap = P.control_snapshot(events, as_of=d)
        changes = ctl_rows[(ctl_rows["date"] == d) & (ctl_rows["kind"] == "change")]
        cap = (f"Control as of {P.format_date(d)}: {len(snap)} place{'s' if len(snap) != 1 else ''} on the map"
               f"{'; ' + str(len(changes)) + ' change(s) reported that day' if len(changes) else ''}. "
               + (f"Rings: changed hands after {P.format_date(since)}." if since is not None
                  else "Rings: a reported change of hands on or before this date."))
        map_opts.append((d, _png(fig, dpi, 96), cap, P.format_date(d) + (f" ({len(changes)} change{'s' if len(changes) != 1 else ''})" if len(changes) else "")))
    snap_end = P.control_snapshot(events, as_of=in_dates[-1])

    sieges = tables.get("sieges", pd.DataFrame())
    siege_img = None
    if len(sieges):
        ax = P.plot_siege_timeline(sieges, events, documents=docs_df)
        siege_img = _png(ax.figure, 96)
    disp = tables.get("displacement", pd.DataFrame())
    disp_period = disp
    if len(disp):
        keep = [(_in_period(d, s, e) is not False) if not include_undated else True for d in disp.get("date", [])]
        disp_period = disp[keep] if keep else disp
    disp_img = flows_img = None
    if len(disp_period) and pd.to_numeric(disp_period.get("figure"), errors="coerce").notna().any():
        disp_img = _png(P.plot_displacement(disp_period, documents=docs_df).figure, 96)
    if len(disp_period) and {"origin", "destination"} <= set(disp_period.columns) and \
            (disp_period["origin"].notna() & disp_period["destination"].notna()).any():
        ax = P.plot_displacement_flows(disp_period, coords=_coords_frame(tables))
        flows_img = _png(ax.figure, dpi, 96)

    # ---- facts (order of citation = order on the page)
    ctl_lines, ctl_undated = _control_facts(ev_recs, notes, s, e)
    siege_lines = _siege_facts(_records(sieges), ev_recs, notes, s, e)
    disp_lines, disp_undated = _displacement_facts(_records(disp), ev_recs, notes, s, e, include_undated)
    held_lines = _map_places(snap_end, notes)
    contested = _contested(tables.get("claims"), notes, s, e)

    cited_docs = []
    for eid in notes.order:
        did = str(notes.events[eid].get("doc_id"))
        if did not in cited_docs:
            cited_docs.append(did)
    cited_docs.sort(key=lambda d: (str(_doc_date(docs.get(d, {})) or ""), d))
    if include_undated:
        f0, f1, _, _ = _dated_extent(events)
        span_txt = f"{P.format_date(f0)} – {P.format_date(f1)}" if f0 else _fmt_period(s, e)
    else:
        span_txt = _fmt_period(s, e)
    title = title or f"Syria conflict briefing: {span_txt}"

    def ul(lines, empty):
        return f'<ul class="facts">{"".join(lines)}</ul>' if lines else f'<p class="empty">{_e(empty)}</p>'

    n_lifted = sum('class="status">lifted' in l for l in siege_lines)
    n_sieges = sum('data-kind="siege"' in l for l in siege_lines)
    n_listed = sum('data-kind="siege-listed"' in l for l in siege_lines)
    keynums = [
        ("changes", len(ctl_lines), "control change", "control changes"),
        ("sieges", n_sieges, "besieged place", "besieged places" + (f" ({n_lifted} lifted)" if n_lifted else "")
         + (f" + {n_listed} governorate{'s' if n_listed != 1 else ''} listed" if n_listed else "")),
        ("displacement", len(disp_lines), "displacement figure", "displacement figures"),
        ("contested", len(contested), "contested claim", "contested claims"),
        ("reports", len(cited_docs), "report", "reports"),
    ]
    key_html = "".join(f'<li><a href="#{k}"><b>{n}</b> {_e(one if n == 1 else many)}</a></li>' for k, n, one, many in keynums)

    default = len(map_opts) - 1
    options = "".join(
        f'<option value="{_e(d.strftime("%Y-%m-%d"))}" data-src="{src}" data-caption="{_e(cap)}" '
        f'data-alt="{_e("Map of territorial control " + cap)}"{" selected" if i == default else ""}>{_e(label)}</option>'
        for i, (d, src, cap, label) in enumerate(map_opts))
    d0, src0, cap0, _ = map_opts[default]

    doc_rows = []
    for did in cited_docs:
        d = docs.get(did, {})
        url = _safe_url(d.get("source_url"))
        raw_url = P._str(d.get("source_url"))
        link = (f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(urlsplit(url).netloc)}</a>' if url
                else (f'<span class="note">link not shown (not an http(s) address): {_e(raw_url)}</span>' if raw_url else "—"))
        when = _doc_date(d)
        doc_rows.append(f'<tr><td><cite>{_e(d.get("title") or did)}</cite></td><td>{_e(d.get("publisher") or "—")}</td>'
                        f'<td class="date">{_e(P.format_date(when)) if when else "—"}</td><td>{link}</td></tr>')
    other_docs = len(docs) - len(cited_docs)

    notes_undated = []
    if ctl_undated:
        notes_undated.append(f"{ctl_undated} undated control change{'s' if ctl_undated != 1 else ''}")
    if disp_undated:
        notes_undated.append(f"{disp_undated} undated displacement figure{'s' if disp_undated != 1 else ''}")
    undated_note = (f'<p class="note">Not listed because undated: {_e(", ".join(notes_undated))}.</p>'
                    if notes_undated else "")

    body = f"""<main>
<header class="top">
<h1>{_e(title)}</h1>
{_period_html(events, s, e, not include_undated)}
<p class="meta">Drawn from {len(cited_docs)} report{'s' if len(cited_docs) != 1 else ''} (listed under <a href="#reports">Reports</a>). Built offline from the project's tables; nothing on this page loads from the network.</p>
<ul class="keynums">{key_html}</ul>
<p class="howto">Every fact carries a numbered note <sup class="fn">[n]</sup>: the sentence it comes from, the report, and how sure the source is —
<span class="cert cert-confirmed">confirmed</span> the publisher says it in its own voice;
<span class="cert cert-reported">reported</span>, <span class="cert cert-claimed">claimed</span>, <span class="cert cert-rumored">rumored</span>, <span class="cert cert-denied">denied</span>: attributed to someone.
Figures: ≥ at least / more than, ~ about, &lt; nearly / almost, ≤ up to.</p>
</header>

<section id="changed">
<h2>What changed</h2>
<h3 id="changes">Control changes</h3>
{ul(ctl_lines, "No control change reported in this period.")}
<h3 id="sieges">Sieges</h3>
{ul(siege_lines, "No siege reported in this period.")}
<h3 id="displacement">Displacement</h3>
{ul(disp_lines, "No displacement reported in this period.")}
{undated_note}
</section>

<section id="map">
<h2>Control map</h2>
<div class="controls" id="map-controls" hidden>
<label for="map-date">Date</label>
<button type="button" id="map-prev" aria-label="previous date">◀</button>
<select id="map-date">{options}</select>
<button type="button" id="map-next" aria-label="next date">▶</button>
<span class="note">{len(map_opts)} map{'s' if len(map_opts) != 1 else ''}, one per {'date with a control report' if len(map_opts) > 1 or len(all_dates) else 'period'}</span>
</div>
<figure>
<img id="map-img" src="{src0}" alt="{_e('Map of territorial control ' + cap0)}" width="704" height="563">
<figcaption id="map-caption">{_e(cap0)}</figcaption>
</figure>
<h3>Places on the map as of {_e(P.format_date(d0))}</h3>
{ul(held_lines, "No dated control report.")}
</section>

<section id="siege-timeline">
<h2>Siege timeline</h2>
{f'<figure><img src="{siege_img}" alt="Siege timeline: one bar per besieged place from first report to lifting"><figcaption>Bars run from the first report of a siege to its lifting; an arrow means still ongoing at the last report; hatching marks sources that disagree on the lifting date. Evidence: see Sieges above.</figcaption></figure>' if siege_img else '<p class="empty">No siege in the tables.</p>'}
</section>

<section id="displacement-charts">
<h2>Displacement</h2>
{f'<figure><img src="{disp_img}" alt="Displacement figures by place"><figcaption>Largest figure reported per place; figures from different reports are never added up. Evidence: see Displacement above.</figcaption></figure>' if disp_img else '<p class="empty">No displacement figure in this period.</p>'}
{f'<figure><img src="{flows_img}" alt="Map of displacement from origin to destination"><figcaption>Where people went, when a report names both origin and destination.</figcaption></figure>' if flows_img else ''}
</section>

<section id="contested">
<h2>Contested claims</h2>
{"".join(contested) if contested else '<p class="empty">No contested claim in this period.</p>'}
</section>

<section id="reports">
<h2>Reports drawn on</h2>
<table class="reports"><thead><tr><th>Title</th><th>Publisher</th><th>Date</th><th>Link</th></tr></thead>
<tbody>{"".join(doc_rows) or '<tr><td colspan="4" class="empty">None.</td></tr>'}</tbody></table>
{f'<p class="note">{other_docs} other report{"s" if other_docs != 1 else ""} in the tables {"is" if other_docs == 1 else "are"} not cited for this period.</p>' if other_docs > 0 else ''}
</section>

<section id="notes">
<h2>Evidence notes</h2>
<ol class="footnotes">
{notes.render()}
</ol>
</section>
<footer>Made with conflict_lib. Boundaries: OCHA / UNCS via HDX (CC BY-IGO). Report texts belong to their publishers; the quotations are evidence for the facts above.</footer>
</main>
<div id="popover" role="dialog" aria-label="evidence" hidden><button type="button" class="close" id="popover-close" aria-label="close">×</button><div id="popover-body"></div></div>"""

    script = _template("briefing.js").strip()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
           f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")
    page = string.Template(_template("briefing.html")).substitute(
        csp=_e(csp), title=_e(title), css=_template("briefing.css").strip(), body=body, script=script)
    return page


def _coords_table(tables: dict[str, pd.DataFrame]) -> dict[str, tuple[float, float]]:
    """Known coordinates by place name / id: places table, then events, sieges, control timeline."""
    out: dict[str, tuple[float, float]] = {}
    for name in ("places", "events", "sieges", "control_timeline"):
        df = tables.get(name)
        if df is None or len(df) == 0 or "lat" not in df or "lon" not in df:
            continue
        name_col = next((c for c in ("place", "canonical", "name") if c in df), None)
        for r in _records(df):
            lat, lon = P._num(r.get("lat")), P._num(r.get("lon"))
            if lat is None or lon is None:
                continue
            for k in (r.get(name_col) if name_col else None, r.get("place_id")):
                if P._str(k):
                    out.setdefault(str(k), (lat, lon))
    return out


def _coords_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`_coords_table` as a frame, with each place's governorate P-code when the places table has it."""
    adm1: dict[str, str] = {}
    places = tables.get("places")
    if places is not None and len(places) and "adm1_pcode" in places:
        for r in _records(places):
            a1 = P._str(r.get("adm1_pcode"))
            for k in (r.get("place_id"), r.get("canonical"), r.get("place")):
                if a1 and P._str(k):
                    adm1.setdefault(str(k), a1)
    rows = [{"place": k, "lat": v[0], "lon": v[1], "adm1_pcode": adm1.get(k)} for k, v in _coords_table(tables).items()]
    return pd.DataFrame(rows, columns=["place", "lat", "lon", "adm1_pcode"])


def write_briefing(out_path: str | Path, tables_dir: str | Path | None = None, start=None, end=None,
                   title: str | None = None, **options) -> Path:
    """Write the briefing to ``out_path`` (one self-contained HTML file) and return its path.

    Parameters
    ----------
    out_path : path
        Where to write the ``.html`` (parent folders are created; written atomically).
    tables_dir : path, optional
        Folder with the tables written by ``build``; default ``data/processed``.
    start, end : date or ISO string, optional
        The period covered (default: the dates of the events). ``end`` may be a month ("2017-09").
    title : str, optional
        Page title (default "Syria conflict briefing: <period>").
    **options
        ``max_maps`` (most pre-rendered maps, default 24; beyond that one per month) and ``dpi``.

    Raises
    ------
    FileNotFoundError
        If the ``events`` table has not been built.
    """
    tables = load_briefing_tables(tables_dir)
    page = render_briefing(tables, start=start, end=end, title=title, **options)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".briefing-", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
