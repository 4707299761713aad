"""From tagged sentences to event records.

:func:`extract_events` reads one :class:`~conflict_lib.schema.TaggedDocument` and returns a list
of dicts with exactly the keys of :data:`~conflict_lib.schema.EVENT_COLUMNS`: control changes,
control statements, sieges, lifted sieges and displacements, each with its evidence sentence,
its offsets (cleaned and raw), how sure the text is (``certainty``) and who says so (``source``).

The rules are deliberately shallow (sentence-level cues around trigger words); every lexicon and
cue lives in ``conflict_lib/data/event_patterns.json``. The extractor copes with missing
mentions: an anaphor such as "the city" resolves to the latest matching place mentioned before
it, and a siege sentence without a place inherits the place and the parties of the latest siege
in the same document.

Sieges in narrative prose: a still-besieged sentence without a place ("Syrian Government forces remained
besieged in the pocket ...") is about the latest siege of the document and, without a date of its own, takes the
date of the sentence before it in the paragraph; a count that "remained" in a paragraph about a siege continues
it ("110,000-120,000 civilians remained as of January 2017"); "which decreased to 90,000" is a second count of
the same siege. A national stock count with no place ("728,500 people live in militarily-encircled areas",
"people living in besieged locations" of "the country") goes on the country; a present-tense stock takes the
publication date. Sentences are also cut after citation markers ("...to control.[40] On 10 September ...").

Event-type notes
----------------
``control_state`` rows with ``mode == "access"`` record claims that a road or a passage was opened
("the Russian Center ... claimed it had reached an agreement ... to open the Hama-Rastan road");
they carry no holder (``actor`` is None), so the control timeline ignores them, but the claim
ledger groups the claim and its denial by place.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .paths import PACKAGE_DATA
from .schema import EVENT_COLUMNS, Mention, TaggedDocument

__all__ = ["extract_events", "event_id", "load_patterns", "PEOPLE_UNITS"]

_FLAGS = re.IGNORECASE


# --------------------------------------------------------------------------- patterns


@dataclass
class _Trigger:
    type: str
    start: int  # document offsets
    end: int
    role: str | None = None
    mode: str | None = None
    focus: str | None = None
    groups: dict[str, Any] = field(default_factory=dict)
    text: str = ""


@lru_cache(maxsize=1)
def load_patterns() -> dict[str, Any]:
    """The event lexicons (``conflict_lib/data/event_patterns.json``), with regexes compiled.

    Returns
    -------
    dict
        The JSON object; every trigger entry gains a compiled ``regex``.
    """
    raw = json.loads((PACKAGE_DATA / "event_patterns.json").read_text(encoding="utf-8"))
    pats: dict[str, Any] = dict(raw)
    for etype in ("control_change", "control_state", "access", "siege_lifted", "siege", "displacement"):
        pats[etype] = [dict(entry, regex=re.compile(entry["pattern"], _FLAGS)) for entry in raw[etype]]
    pats["displacement_skip"] = [re.compile(p, _FLAGS) for p in raw["displacement_skip"]]
    pats["certainty"] = {k: [re.compile(p, _FLAGS) for p in v] for k, v in raw["certainty"].items()}
    for key in ("figure_exclude_before", "figure_exclude_after", "stock_cue", "period_start_words",
                "period_join", "since_words", "attribution_verbs", "according_to", "trailing_report",
                "report_for", "anaphor", "clause_break", "origin_cue", "destination_cue",
                "container_after", "people_after_place", "nonfactual_before", "nonfactual_condition",
                "people_noun_trigger", "people_noun_after", "name_modifier_after", "bare_verb", "modal",
                "segment_break", "asof", "adjectival_date_before", "adjectival_date_after", "besieged_mixed",
                "citation_break", "reference_date_before", "siege_not_after", "stock_verb", "aid_destination_before",
                "partitive_before", "figure_change", "continuation_verb"):
        pats[key + "_re"] = re.compile(raw[key], _FLAGS)
    pats["people_words_re"] = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in sorted(raw["people_words"], key=len, reverse=True)) + r")\b",
        _FLAGS)
    pats["people_units_lc"] = {u.lower() for u in raw["people_units"]}
    return pats


#: Figure units that count people (a figure of fighters or trucks is not a displacement figure).
PEOPLE_UNITS = ("people", "civilians", "families", "IDPs", "refugees", "individuals", "residents",
                "households", "children")


def event_id(doc_id: str, etype: str, place_key: str | None, sentence: str, occurrence: int) -> str:
    """A stable id for an event: 16 hex characters of a SHA-1.

    Parameters
    ----------
    doc_id, etype : str
        Document id and event type.
    place_key : str or None
        The place id, else the place name.
    sentence : str
        The evidence sentence text.
    occurrence : int
        How many earlier events of this document share the other four parts.

    Returns
    -------
    str

    Examples
    --------
    >>> event_id("d", "siege", "p1", "Aleppo is besieged.", 0) == event_id("d", "siege", "p1", "Aleppo is besieged.", 0)
    True
    """
    key = f"{doc_id}|{etype}|{place_key or ''}|{sentence}|{occurrence}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- small helpers


def _feature(m: Mention) -> str:
    return str(m.attrs.get("feature") or "").lower()


def _is_adjectival(m: Mention, text: str) -> bool:
    """Actor used as a modifier ("SDF-held", "ISIS-controlled", "SARG-besieged")."""
    if m.attrs.get("adjectival"):
        return True
    tail = text[m.end:m.end + 14]
    return bool(re.match(r"^-?\s?(?:held|controlled|besieged|led|backed|allied|affiliated)\b", tail, _FLAGS)) \
        or bool(re.search(r"-(?:held|controlled|besieged)$", m.text, _FLAGS))


def _clause_bounds(pats: dict, text: str, s: int, e: int, pos: int) -> tuple[int, int]:
    """The clause around document offset ``pos`` inside sentence ``[s, e)``."""
    lo, hi = s, e
    for mt in pats["clause_break_re"].finditer(text, s, e):
        if mt.end() <= pos:
            lo = mt.end()
        elif mt.start() >= pos:
            hi = mt.start()
            break
    return lo, hi


def _place_key(row: dict) -> str | None:
    return row.get("place_id") or row.get("place")


def _iso_ref(tagged: TaggedDocument) -> str | None:
    ref = tagged.document.reference_date
    return ref.isoformat() if isinstance(ref, _dt.date) else None


# --------------------------------------------------------------------------- triggers


def _find_triggers(pats: dict, text: str, s: int, e: int) -> list[_Trigger]:
    found: list[_Trigger] = []
    for etype in ("siege_lifted", "control_change", "access", "siege", "control_state", "displacement"):
        for entry in pats[etype]:
            for mt in entry["regex"].finditer(text, s, e):
                found.append(_Trigger(type=etype, start=mt.start(), end=mt.end(), role=entry.get("role"),
                                      mode=entry.get("mode"), focus=entry.get("focus"),
                                      groups={k: (v, mt.start(k), mt.end(k)) for k, v in mt.groupdict().items()
                                              if v},
                                      text=mt.group(0)))
    # a siege word inside a siege_lifted phrase is not a siege of its own; overlapping matches of
    # one type keep the first (the lexicon lists the more specific patterns first)
    kept: list[_Trigger] = []
    for t in found:
        if t.type == "siege" and any(k.type == "siege_lifted" and k.start <= t.start < k.end for k in kept):
            continue
        if any(k.type == t.type and k.start < t.end and t.start < k.end for k in kept):
            continue
        kept.append(t)
    return sorted(kept, key=lambda t: (t.start, t.type))


def _factual(pats: dict, text: str, s: int, e: int, trig: _Trigger) -> bool:
    """False for a trigger inside an intention, plan, forecast, condition or negation.

    "the offensive to retake the city", "our forces will liberate these areas", "could displace up to
    900,000 people", "prepares for displacement", "Once the valley is cleared of ISIS": no event is stated.
    """
    lo, _ = _clause_bounds(pats, text, s, e, trig.start)
    if pats["nonfactual_before_re"].search(text[max(lo, trig.start - 90):trig.start]):
        return False
    if pats["nonfactual_condition_re"].search(text[s:trig.start]):
        return False
    # a bare verb under a modal earlier in the sentence ("will continue ... as they liberate")
    if pats["bare_verb_re"].match(trig.text) and pats["modal_re"].search(text[s:trig.start]):
        return False
    return True


def _filter_triggers(pats: dict, text: str, s: int, e: int, triggers: list[_Trigger]) -> list[_Trigger]:
    out = []
    for t in triggers:
        if not _factual(pats, text, s, e, t):
            continue
        if t.type == "displacement":
            after = text[t.end:t.end + 40]
            # "the Rukban internally displaced persons camp", "IDP sites": a name, not an event
            if t.focus is None or pats["people_noun_trigger_re"].match(t.text):
                if pats["name_modifier_after_re"].match(after) or \
                        pats["name_modifier_after_re"].match(re.sub(r"^\s*\(?IDPs?\)?", "", after)):
                    continue
            # "displaced persons", "newly displaced populations": people, not a movement
            if pats["people_noun_trigger_re"].match(t.text) and pats["people_noun_after_re"].match(after):
                t.focus = None
        if t.type == "siege" and pats["besieged_mixed_re"].match(text, t.start):
            continue  # "besieged and hard-to-reach areas": the figure is not a siege figure
        if t.type == "siege" and pats["siege_not_after_re"].match(text[t.end:t.end + 40]):
            continue  # "ISIL cut off the power supply to the city": a supply, not a place, is cut off
        out.append(t)
    return out


# --------------------------------------------------------------------------- places


class _PlaceRef:
    """A place an event can sit on: a mention, an anaphor resolved to a mention, or a bare name."""

    def __init__(self, name: str, start: int, end: int, mention: Mention | None = None):
        self.name, self.start, self.end, self.mention = name, start, end, mention

    @property
    def key(self) -> str:
        if self.mention is not None and self.mention.attrs.get("place_id"):
            return str(self.mention.attrs["place_id"])
        return self.name

    def fields(self) -> dict[str, Any]:
        a = self.mention.attrs if self.mention is not None else {}
        return {"place": self.name, "place_id": a.get("place_id"), "lat": _num(a.get("lat")),
                "lon": _num(a.get("lon")), "adm1_pcode": a.get("adm1_pcode"),
                "adm2_pcode": a.get("adm2_pcode"), "adm3_pcode": a.get("adm3_pcode")}


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _ref(m: Mention) -> _PlaceRef:
    return _PlaceRef(m.canonical or m.text, m.start, m.end, m)


class _DocContext:
    """Per-document state: places seen so far (for anaphora) and sieges seen so far."""

    def __init__(self, tagged: TaggedDocument):
        self.tagged = tagged
        self.places = sorted((m for m in tagged.mentions if m.kind == "place"), key=lambda m: m.start)
        self.sieges: list[dict] = []  # siege and siege_lifted rows emitted so far
        self.access_place: _PlaceRef | None = None
        self.sentence: tuple[int, int] = (0, 0)
        self.first_trigger: int = 0
        self.inherited_place: dict | None = None  # a row whose place a part of its sentence continues
        self.prev_sentence: tuple[int, int] | None = None  # the sentence before the current one

    def resolve_anaphor(self, noun: str, before: int, features: dict) -> Mention | None:
        """Latest place mention before ``before`` whose feature fits ``noun`` (within ~2500 chars)."""
        wanted = features.get(noun.lower(), [])
        cands = [m for m in self.places if m.end <= before and before - m.end < 2500]
        fitting = [m for m in cands if _feature(m) in wanted]
        if noun.lower() in ("city", "town", "village", "camp"):
            # a place written with the noun ("Deir ez-Zor city", "the city of Homs") is the better referent
            text = self.tagged.document.match_text or self.tagged.document.text
            named = [m for m in fitting if re.match(r"^\s+" + noun + r"\b", text[m.end:m.end + 12], _FLAGS)
                     or re.search(r"\b" + noun + r"\s+of\s+$", text[max(0, m.start - 12):m.start], _FLAGS)]
            if named:
                return named[-1]
        if fitting:
            return fitting[-1]
        if noun.lower() in ("city", "town") and cands:
            # no feature information: fall back to the latest place without a feature
            for m in reversed(cands):
                if not _feature(m):
                    return m
        return None


def _places_in(tagged: TaggedDocument, lo: int, hi: int) -> list[Mention]:
    return [m for m in tagged.mentions_in(lo, hi, "place")]


def _anaphors(pats: dict, ctx: _DocContext, text: str, lo: int, hi: int) -> list[_PlaceRef]:
    refs = []
    for mt in pats["anaphor_re"].finditer(text, lo, hi):
        m = ctx.resolve_anaphor(mt.group("noun"), mt.start(), pats["anaphor_features"])
        if m is not None:
            refs.append(_PlaceRef(m.canonical or m.text, mt.start(), mt.end(), m))
    return refs


def _drop_containers(pats: dict, text: str, places: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """Split place mentions into (places, containers).

    A container names the area another place of the list lies in: "Aleppo Governorate's Afrin
    District", "the Damascus suburbs of Qaboun", "Madaya and Zabadani in Damascus Province".
    """
    keep, containers = [], []
    for i, m in enumerate(places):
        later = places[i + 1:]
        earlier = places[:i]
        tail = text[m.end:m.end + 30]
        before = text[max(0, m.start - 6):m.start]
        is_container = bool(later) and bool(pats["container_after_re"].match(tail)) \
            and later[0].start - m.end < 40
        if not is_container and earlier and re.match(r"^\s*,\s*$", text[earlier[-1].end:m.start]) \
                and (_feature(m) == "country" or (_feature(m) == "governorate" and m.attrs.get("adm1_pcode") and
                                                  earlier[-1].attrs.get("adm1_pcode") == m.attrs.get("adm1_pcode")
                                                  and earlier[-1].attrs.get("place_id") != m.attrs.get("place_id"))):
            is_container = True  # "Raqqa, Syria": the country (or governorate) after a comma
        if not is_container and earlier and re.search(r"\bin\s+(?:the\s+)?$", before, _FLAGS) \
                and _feature(m) in ("governorate", "district", "region", "country", "") \
                and m.start - earlier[-1].end < 40:
            is_container = True
        (containers if is_container else keep).append(m)
    return keep, containers


# --------------------------------------------------------------------------- actors


def _actor_fields(m: Mention | None) -> tuple[str | None, str | None]:
    if m is None:
        return None, None
    return (m.attrs.get("alignment") or None), (m.canonical or m.text)


def _source_spans(pats: dict, text: str, s: int, e: int, actors: list[Mention]) -> set[int]:
    """Start offsets of actor mentions that are the attributed speakers of the sentence."""
    out = set()
    for m in actors:
        after = text[m.end:min(e, m.end + 60)]
        before = text[max(s, m.start - 30):m.start]
        if re.match(r"^(?:\s+\([^)]*\))?(?:\s+at\s+[\w\s'-]{0,40}?)?\s+(?:claimed|claims|said|says|stated|reported|"
                    r"reports?|estimated|estimates|registered|recorded|verified|noted|deny|denies|denied)\b",
                    after, _FLAGS):
            out.add(m.start)
        elif re.search(r"\baccording\s+to\s+(?:the\s+)?$|\breport\s+(?:for|by|from)\s+(?:the\s+)?$", before, _FLAGS):
            out.add(m.start)
        elif re.match(r"^\s+reports?\s*[.;]?\s*$", text[m.end:e], _FLAGS):
            out.add(m.start)
    return out


def _nearest_before(cands: list[Mention], pos: int, lo: int) -> Mention | None:
    best = [m for m in cands if lo <= m.start and m.end <= pos]
    return best[-1] if best else None


def _first_after(cands: list[Mention], pos: int, hi: int) -> Mention | None:
    best = [m for m in cands if pos <= m.start and m.end <= hi]
    return best[0] if best else None


# --------------------------------------------------------------------------- dates


def _date_fields(pats: dict, tagged: TaggedDocument, text: str, s: int, e: int, trig: _Trigger,
                 ignore_before: int | None, stock_ok: bool = True,
                 ctx: "_DocContext | None" = None) -> tuple[str | None, str | None, str | None]:
    """(date, precision, date_text) for an event whose trigger is ``trig``.

    Which date: a period's end ("between A and B"); an "as of" date; else the date mention closest to
    the trigger in its part of the sentence, else a date fronting the sentence ("Since late 2017, A ...
    and B ..."). A date that qualifies a noun ("pursuant to a March 8 reconciliation agreement") does
    not date the event. Without a date mention: the reporting period of a periodic summary, an "as of"
    date earlier in the paragraph for a stock figure, or the publication date for a present-tense stock.
    """
    ref = _iso_ref(tagged)

    def usable(ms: list[Mention]) -> list[Mention]:
        out = []
        for m in ms:
            if pats["adjectival_date_before_re"].search(text[max(0, m.start - 4):m.start]) and \
                    pats["adjectival_date_after_re"].match(text[m.end:m.end + 40]):
                continue
            if pats["reference_date_before_re"].search(text[max(0, m.start - 30):m.start]):
                continue  # "for the first time since 2011": a point of comparison
            out.append(m)
        if ignore_before is not None and ignore_before < trig.start:
            out = [m for m in out if m.start >= ignore_before]
        return out

    dates = usable(tagged.mentions_in(s, e, "date"))
    if not dates and ctx is not None and ctx.sentence[0] < s:
        # a date fronting the whole sentence dates each of its parts
        dates = usable(tagged.mentions_in(ctx.sentence[0], min(s, ctx.first_trigger), "date"))
    asof = [m for m in dates if _is_asof(pats, text, m)]
    if asof:
        m = min(asof, key=lambda m: abs(m.start - trig.start))
        value, precision = _date_value(m)
        return value, precision, _asof_text(pats, text, m)
    if dates:
        # a period "between A and B" / "from A to B": the end
        for a, b in zip(dates, dates[1:]):
            if pats["period_join_re"].match(text[a.end:b.start]) and \
                    pats["period_start_words_re"].search(text[max(s, a.start - 10):a.start]):
                lo = a.start - len(re.search(r"(\w+\s+)$", text[max(s, a.start - 10):a.start]).group(1))
                return (*_date_value(b), text[lo:b.end])
        # the date closest to the trigger, preferring one before it
        def dist(m: Mention) -> int:
            return trig.start - m.end if m.end <= trig.start else (m.start - trig.end) + 5
        m = min(dates, key=dist)
        lead = text[max(s, m.start - 8):m.start]
        if pats["since_words_re"].search(lead) or re.match(r"^since\b", m.text, _FLAGS):
            lo = m.start if re.match(r"^since\b", m.text, _FLAGS) else m.start - len("since ") \
                if re.search(r"since\s$", lead, _FLAGS) else m.start
            return ref, "day", text[lo:m.end]
        if re.search(r"\b(?:between|from)\b.+\b(?:and|to|until)\b|[-\u2013]", m.text, _FLAGS) and m.attrs.get("date_end"):
            return _range_end(m), m.attrs.get("precision") or "day", m.text
        value, precision = _date_value(m)
        return value, precision, m.text
    doc = tagged.document
    if doc.period_start is not None and doc.period_end is not None and doc.published is None \
            and (doc.period_end - doc.period_start).days <= 31 and trig.type in ("displacement", "control_change"):
        # a periodic summary: an undated past event happened in the reporting period
        return doc.period_end.isoformat()[:7], "month", "reporting period"
    if stock_ok and ctx is not None:
        # "Nearly 5.8 million people remained displaced in Syria as of March ... approximately 1.3 million
        # people were residing in Rif Damascus": an "as of" date earlier in the paragraph
        para_start = doc.text.rfind("\n\n", 0, s)
        para_start = 0 if para_start < 0 else para_start
        prior = [m for m in tagged.mentions_in(para_start, ctx.sentence[0], "date") if _is_asof(pats, text, m)]
        if prior and re.search(r"\b(?:remain(?:s|ed)?|residing|sheltering|staying|living|live|lives|(?:are|were|is|was)\s+"
                               r"(?:still\s+|internally\s+)?displaced)\b", text[s:e], _FLAGS):
            value, precision = _date_value(prior[-1])
            return value, precision, prior[-1].text
    if stock_ok and ref:
        lead = text[max(s, trig.start - 40):trig.start]
        mt = pats["stock_cue_re"].search(lead)
        if mt:
            return ref, "day", text[trig.start - (len(lead) - mt.start()):trig.end]
        if re.search(r"\bcurrently\b", text[s:e], _FLAGS):
            return ref, "day", "currently"
    return None, None, None


def _is_asof(pats: dict, text: str, m: Mention) -> bool:
    """An "as of <date>" mention (the words may lie inside the mention or just before it)."""
    return bool(re.match(r"as\s+of\b", m.text, _FLAGS) or pats["asof_re"].search(text[max(0, m.start - 20):m.start]))


def _asof_text(pats: dict, text: str, m: Mention) -> str:
    lead = text[max(0, m.start - 20):m.start]
    mt = pats["asof_re"].search(lead)
    return text[m.start - (len(lead) - mt.start()):m.end] if mt else m.text


def _date_value(m: Mention) -> tuple[str | None, str | None]:
    value = m.attrs.get("value")
    precision = m.attrs.get("precision")
    if value is None:
        return None, precision
    value = str(value)
    if precision == "season":
        return None, precision
    if precision == "week":
        return value[:7], "month"
    return value, precision


def _range_end(m: Mention) -> str | None:
    end = str(m.attrs.get("date_end") or "")
    precision = m.attrs.get("precision")
    if precision == "month":
        return end[:7]
    if precision == "year":
        return end[:4]
    return end or None


# --------------------------------------------------------------------------- figures


def _figure_fields(pats: dict, tagged: TaggedDocument, text: str, lo: int, hi: int,
                   triggers: list[_Trigger], same_stretch: bool = False) -> dict[str, Any]:
    """The people figure nearest the triggers. ``same_stretch``: prefer one with no comma or semicolon
    between it and the trigger ("1.1 million people live in ISIS-controlled areas, more than 728,500 people
    live in militarily-encircled areas, and approximately 2 million ...": 728,500)."""
    empty = {"figure": None, "figure_low": None, "figure_high": None, "figure_qualifier": None,
             "figure_unit": None}
    cands = []
    for m in tagged.mentions_in(lo, hi, "figure"):
        unit = m.attrs.get("unit")
        if unit is None:
            nxt = re.match(r"^\s*(?:[A-Z][\w-]*\s+)?(\w+)", text[m.end:m.end + 40])
            word = nxt.group(1) if nxt else ""
            if word.lower() in pats["people_units_lc"]:
                unit = word
            elif word.lower() in ("displaced", "internally", "persons"):
                unit = "people"
        if unit is None or str(unit).lower() not in pats["people_units_lc"]:
            continue
        if pats["figure_exclude_before_re"].search(text[max(lo, m.start - 40):m.start]):
            continue
        if pats["figure_exclude_after_re"].match(text[m.end:m.end + 12]):
            continue
        value = _num(m.attrs.get("value"))
        if value is None:
            continue
        if all(m.end <= t.start and pats["partitive_before_re"].search(text[m.end:t.start])
               for t in triggers):
            continue  # "200,000 civilians ..., with most of those civilians escaping": a share, not the count
        d = min(abs(t.start - m.start) for t in triggers)
        if same_stretch and all(re.search(r"[,;]", text[min(m.end, t.start):max(m.start, t.end)])
                                for t in triggers):
            d += 100000
        cands.append((d, m, unit, value))
    if not cands:
        return empty
    _, m, unit, value = min(cands, key=lambda c: c[0])
    return {"figure": value, "figure_low": _num(m.attrs.get("low")), "figure_high": _num(m.attrs.get("high")),
            "figure_qualifier": m.attrs.get("qualifier") or "exact", "figure_unit": str(unit)}


# --------------------------------------------------------------------------- certainty


_ASIDE = re.compile(r"\u2014[^\u2014\n]{1,240}\u2014|\s\u2013\s[^\u2013\n]{1,240}\s\u2013\s")


def _mask_asides(text: str, orig: str | None, s: int, e: int) -> str:
    """``text`` with dash-bracketed asides in ``[s, e)`` blanked (same length): "the CCCM Cluster\u2014the
    coordinating body ..., comprising UN agencies, NGOs, and other stakeholders\u2014verified ..."."""
    if not orig or len(orig) != len(text):
        return text
    spans = [(mt.start(), mt.end()) for mt in _ASIDE.finditer(orig, s, e)]
    if not spans:
        return text
    parts, pos = [], 0
    for a, b in spans:
        parts.append(text[pos:a])
        parts.append(" " * (b - a))
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _certainty(pats: dict, text: str, s: int, e: int, actors: list[Mention],
               orig: str | None = None) -> tuple[str, str | None, int | None]:
    """(certainty, source, position of the attribution cue) for the sentence ``[s, e)``.

    ``orig`` is the unfolded text (with its em dashes), used to set dash-bracketed asides apart.
    """
    text = _mask_asides(text, orig, s, e)
    sent = text[s:e]
    order = ("denied", "claimed", "rumored", "reported")
    for level in order:
        for rx in pats["certainty"][level]:
            mt = rx.search(sent)
            if not mt:
                continue
            pos = s + mt.start()
            source = _source_for(pats, text, s, e, pos, level, actors)
            # a reporting clause ("In November 2017, the UN estimated that ...") dates the report, not
            # the fact: dates before such a cue are not the event's
            that = re.match(r"\w+\s+that\b", text[pos:e], _FLAGS)
            return level, source, (pos if that else None)
    return "confirmed", None, None


def _clean_np(np_text: str) -> str | None:
    np_text = re.sub(r"\s+", " ", np_text).strip(" ,;:-\u2014\"'\u201c\u201d")
    np_text = re.sub(r"^(?:the|a|an)\s+", "", np_text, flags=_FLAGS)
    # "Camp Coordination and Camp Management (CCCM) Cluster" -> "CCCM Cluster": the short name
    short = re.match(r"^(?:[A-Z][\w'-]*\s+|(?:and|of|for|the|on)\s+){1,10}\(([A-Z][A-Za-z&]{1,11})\)(?:\s+(.*))?$", np_text)
    if short:
        np_text = short.group(1) + (" " + short.group(2) if short.group(2) else "")
    np_text = re.sub(r"\s*\([^)]*\)\s*$", "", np_text)
    if not np_text or len(np_text) > 80:
        return None
    return np_text


def _source_for(pats: dict, text: str, s: int, e: int, pos: int, level: str,
                actors: list[Mention]) -> str | None:
    sent = text[s:e]
    if level == "rumored":
        return None
    mt = pats["according_to_re"].search(sent)
    if mt and level == "reported":
        return _clean_np(mt.group("src"))
    mt = pats["report_for_re"].search(sent)
    if mt and level == "reported":
        inside = [a for a in actors if s + mt.start("src") <= a.start < s + mt.end("src")]
        return inside[0].text if inside else _clean_np(mt.group("src"))
    mt = pats["trailing_report_re"].search(sent)
    if mt and level == "reported":
        return _clean_np(mt.group("src"))
    if re.match(r"reports?\s+(?:have|has)\s+suggested|reportedly|(?:was|were)\s+reported",
                text[pos:e], _FLAGS) or re.search(r"reportedly", text[pos:pos + 12], _FLAGS):
        return None
    # the subject of the attribution verb: text from the clause start to the verb
    verb = pats["attribution_verbs_re"].search(text, pos, e)
    vpos = verb.start() if verb else pos
    lo = s
    for br in re.finditer(r"[,;:]\s", text[s:vpos]):
        lo = s + br.end()
    inside = [a for a in actors if lo <= a.start and a.end <= vpos]
    if inside and level != "denied":
        return inside[0].text
    subject = _clean_np(text[lo:vpos])
    if subject and re.match(r"^(?:it|they|he|she|this|which|that)$", subject, _FLAGS):
        return inside[0].text if inside else None
    if subject and len(subject.split()) > 9:
        return inside[0].text if inside else None
    return subject


# --------------------------------------------------------------------------- the extractor


def _blank(tagged: TaggedDocument, etype: str, s: int, e: int) -> dict[str, Any]:
    doc = tagged.document
    row = {c: None for c in EVENT_COLUMNS}
    raw_start, raw_end = doc.raw_span(s, e)
    row.update(doc_id=doc.doc_id, type=etype, sentence=doc.text[s:e], start=s, end=e,
               raw_start=raw_start, raw_end=raw_end)
    return row


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _split_paragraphs(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences, cut again at blank lines (a sentencizer may run a heading into the next paragraph)."""
    out = []
    cite = load_patterns()["citation_break_re"]
    for s, e in sorted(sentences):
        pos = s
        for mt in re.finditer(r"\n[ \t]*\n", text[s:e]):
            out.append((pos, s + mt.start()))
            pos = s + mt.end()
        out.append((pos, e))
    # "...they continued to control.[40] On 10 September 2017, ...": a sentence ending in citation
    # markers that the sentencizer ran into the next one
    split = []
    for s, e in out:
        pos = s
        for mt in cite.finditer(text, s, e):
            split.append((pos, mt.start()))
            pos = mt.end()
        split.append((pos, e))
    return split


def extract_events(tagged: TaggedDocument) -> list[dict]:
    """Events stated in one tagged document.

    Parameters
    ----------
    tagged : TaggedDocument
        The document with its place, actor, date and figure mentions and its sentences.

    Returns
    -------
    list of dict
        One dict per event, keys exactly :data:`~conflict_lib.schema.EVENT_COLUMNS`, in text order.
        Sentences inside figure or photo captions yield nothing.

    Notes
    -----
    ``event_id`` hashes the doc id, type, place id (or name), sentence text and the number of
    earlier identical (doc, type, place, sentence) events: it does not depend on other documents.
    """
    pats = load_patterns()
    doc = tagged.document
    text = doc.match_text or doc.text
    ctx = _DocContext(tagged)
    rows: list[dict] = []
    prev: tuple[int, int] | None = None
    for s0, e0 in _split_paragraphs(doc.text, tagged.sentences):
        s, e = _trim(doc.text, s0, e0)
        if s >= e or doc.caption_at(s) is not None or doc.caption_at(max(s, e - 1)) is not None:
            continue
        ctx.prev_sentence, prev = prev, (s, e)
        triggers = _filter_triggers(pats, text, s, e, _find_triggers(pats, text, s, e))
        if not triggers:
            cont = _continuation_trigger(pats, ctx, tagged, text, s, e)
            triggers = [cont] if cont is not None else []
        if not triggers:
            continue
        actors = tagged.mentions_in(s, e, "actor")
        certainty, source, cue_pos = _certainty(pats, text, s, e, actors, doc.text)
        speakers = _source_spans(pats, text, s, e, actors)
        ctx.sentence = (s, e)
        ctx.first_trigger = triggers[0].start
        sent_rows: list[dict] = []
        for etype in ("siege_lifted", "siege", "control_change", "control_state", "access", "displacement"):
            trigs = [t for t in triggers if t.type == etype]
            if not trigs:
                continue
            handler = _HANDLERS[etype]
            parts = _segments(pats, tagged, text, s, e, trigs, need_figure=etype != "control_change") \
                if etype in ("displacement", "siege", "control_change") else [(s, e)]
            prev_place = None
            for a, b in parts:
                seg_trigs = [t for t in trigs if a <= t.start < b]
                seg_rows = handler(pats, ctx, tagged, text, a, b, seg_trigs, actors, speakers, cue_pos)
                if not seg_rows and len(parts) > 1 and prev_place is not None and a > s:
                    # "...from Ar Raqqah; nearly 160,100 of the displacements occurred between ...": the
                    # part without a place of its own is about the place of the part before it
                    ctx.inherited_place = prev_place
                    seg_rows = handler(pats, ctx, tagged, text, a, b, seg_trigs, actors, speakers, cue_pos)
                    ctx.inherited_place = None
                for row in seg_rows:
                    dt_text = row.get("date_text") or ""
                    row["_date_strong"] = bool(row.get("date")) and (bool(row.get("_date_carried")) or any(
                        m.text in dt_text for m in tagged.mentions_in(s, e, "date")))
                    if (a, b) != (s, e):
                        row.update(_blank_span(tagged, s, e))
                    row["certainty"], row["source"] = certainty, source
                    sent_rows.append(row)
                if len(seg_rows) == 1:
                    prev_place = seg_rows[0]
        # one event per (type, place) per sentence
        seen: set[tuple] = set()
        for row in sent_rows:
            # two parts of one sentence about one place are two events when their dates differ
            # ("...announced the recapture of Ar Raqqah ...; ISIS had taken control of the city in January 2014")
            key = (row["type"], row["mode"] == "access", _place_key(row), row.get("figure"), row.get("date"))
            if key in seen:
                continue
            seen.add(key)
            rows.append(row)
            if row["type"] in ("siege", "siege_lifted"):
                ctx.sieges.append(row)
    rows = _merge_repeats(doc, rows)
    counts: dict[tuple, int] = {}
    for row in rows:
        k = (row["doc_id"], row["type"], _place_key(row), row["sentence"])
        n = counts.get(k, 0)
        counts[k] = n + 1
        row["event_id"] = event_id(row["doc_id"], row["type"], _place_key(row), row["sentence"], n)
    for row in rows:
        for k in [k for k in row if k not in _COLUMN_SET]:
            del row[k]
    return rows


_COLUMN_SET = frozenset(EVENT_COLUMNS)
_SEMICOLON = re.compile(r";\s*")


def _people_figure(pats: dict, text: str, m: Mention) -> bool:
    unit = m.attrs.get("unit")
    if unit is None:
        nxt = re.match(r"^\s*(\w+)", text[m.end:m.end + 30])
        unit = nxt.group(1) if nxt else None
    return unit is not None and str(unit).lower() in pats["people_units_lc"]


def _continuation_trigger(pats: dict, ctx: _DocContext, tagged: TaggedDocument, text: str, s: int,
                          e: int) -> _Trigger | None:
    """A siege continued without a trigger word: "110,000-120,000 civilians remained as of January 2017"
    in a paragraph that has reported a siege ("... to the besieged districts of the city ...")."""
    last = next((r for r in reversed(ctx.sieges) if r["type"] == "siege"), None)
    if last is None:
        return None
    figs = tagged.mentions_in(s, e, "figure")
    if not figs or figs[0].start - s > 3 or not _people_figure(pats, text, figs[0]):
        return None
    mt = pats["continuation_verb_re"].match(text[figs[0].end:e])
    if mt is None:
        return None
    para_start = text.rfind("\n\n", 0, s)
    para_start = 0 if para_start < 0 else para_start
    if any(r["type"] == "siege_lifted" and para_start <= r["start"] < s for r in ctx.sieges):
        return None  # "... the siege was broken. 5,000 civilians remained in the city": no siege any more
    if not (para_start <= last["start"] < s) and not re.search(r"\bsiege|\bbesieg", text[para_start:s], _FLAGS):
        return None
    verb = re.search(r"\w+$", mt.group(0))
    return _Trigger(type="siege", start=figs[0].end + verb.start(), end=figs[0].end + mt.end(),
                    role="continuation", text=verb.group(0))


def _country_ref(ctx: _DocContext) -> _PlaceRef | None:
    """The country the document is about (its mention of Syria), for national stock figures."""
    for m in ctx.places:
        if _feature(m) == "country" and re.fullmatch(r"syria(?:n\s+arab\s+republic)?", (m.canonical or m.text).strip(),
                                                     _FLAGS):
            return _PlaceRef(m.canonical or m.text, -3, -3, m)
    return None


def _carried_date(pats: dict, ctx: _DocContext, tagged: TaggedDocument, text: str, s: int):
    """The date of the sentence before ``s`` in the same paragraph (its last date mention), if any."""
    if ctx.prev_sentence is None:
        return None
    ps, pe = ctx.prev_sentence
    if "\n\n" in text[pe:s] or re.search(r"\n\s*\n", text[pe:s]):
        return None
    ds = [m for m in tagged.mentions_in(ps, pe, "date")
          if not pats["reference_date_before_re"].search(text[max(0, m.start - 30):m.start])]
    if not ds:
        return None
    value, precision = _date_value(ds[-1])
    return (value, precision, ds[-1].text) if value else None


def _blank_span(tagged: TaggedDocument, s: int, e: int) -> dict[str, Any]:
    doc = tagged.document
    raw_start, raw_end = doc.raw_span(s, e)
    return {"sentence": doc.text[s:e], "start": s, "end": e, "raw_start": raw_start, "raw_end": raw_end}


def _segments(pats: dict, tagged: TaggedDocument, text: str, s: int, e: int,
              trigs: list[_Trigger], need_figure: bool = True) -> list[tuple[int, int]]:
    """The sentence cut where it states several counts, each part with a trigger and a figure of its own.

    With ``need_figure=False`` (control changes) a part needs only a trigger of its own, and the sentence
    is cut only at semicolons: "... announced the recapture of Ar Raqqah ...; ISIS had taken control of
    the city in January 2014" states two changes.
    """
    if need_figure:
        cuts = [mt for mt in pats["segment_break_re"].finditer(text, s, e)]
    else:
        cuts = [mt for mt in _SEMICOLON.finditer(text, s, e)]
    if not cuts:
        return [(s, e)]
    bounds = [s] + [mt.start() for mt in cuts] + [e]
    starts = [s] + [mt.end() for mt in cuts]
    parts = [(starts[i], bounds[i + 1]) for i in range(len(starts))]
    figures = tagged.mentions_in(s, e, "figure")

    def full(a: int, b: int) -> bool:
        return any(a <= t.start < b for t in trigs) and (not need_figure or any(a <= m.start < b for m in figures))

    merged: list[list[int]] = []
    for a, b in parts:
        if merged and not (full(a, b) and full(*merged[-1])):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    # a leading part without its own trigger or figure joins the next
    while len(merged) > 1 and not full(*merged[0]):
        merged[1][0] = merged[0][0]
        merged.pop(0)
    return [(a, b) for a, b in merged]


def _is_headline(doc, row: dict) -> bool:
    """A highlight line: a paragraph of one sentence without closing punctuation, or a bullet."""
    sent = row["sentence"].strip()
    text = doc.text
    para_start = text.rfind("\n\n", 0, row["start"])
    para_end = text.find("\n\n", row["end"])
    para = text[para_start + 1 if para_start >= 0 else 0: para_end if para_end >= 0 else len(text)].strip()
    if para != sent:
        return False
    return not re.search(r"[.!?\"\u201d']$", sent) or sent.startswith(("\u2022", "- ", "* "))


def _strong_date(row: dict) -> str | None:
    return row.get("date") if row.get("_date_strong") else None


def _compatible(a: dict, b: dict) -> bool:
    if a["type"] != b["type"] or a.get("mode") != b.get("mode") or _place_key(a) != _place_key(b):
        return False
    for k in ("actor",):
        if a.get(k) and b.get(k) and a[k] != b[k]:
            return False
    fa, fb = a.get("figure"), b.get("figure")
    if fa is not None and fb is not None and abs(fa - fb) > 0.02 * max(abs(fa), abs(fb)):
        return False
    da, db = _strong_date(a), _strong_date(b)
    if da and db and not (da.startswith(db) or db.startswith(da)):
        return False
    # two dated events with no figure are two events unless their dates agree; a repeat that adds
    # neither a figure nor a date of its own is the same fact again
    informative = [r for r in (a, b) if r.get("figure") is not None or _strong_date(r)]
    if len(informative) == 2:
        return (fa is not None and fb is not None) or (da and db)
    return True


def _merge_repeats(doc, rows: list[dict]) -> list[dict]:
    """One event per fact and document: a highlight line and the body sentence that states it again,
    or "the recapture of Ar Raqqah" after "announced the recapture of ... Ar Raqqah on October 20".

    The kept row is the one with a date of its own, then a figure, then a body (not headline) sentence,
    then the earlier one; missing actor, counterpart and figure are filled from the dropped repeat.
    """
    kept: list[dict] = []
    for row in rows:
        if row["type"] == "control_state":
            kept.append(row)
            continue
        twin = next((k for k in kept if _compatible(k, row)), None)
        if twin is None:
            kept.append(row)
            continue

        def rank(r):
            return (bool(_strong_date(r)), r.get("figure") is not None, not _is_headline(doc, r))
        best, other = (row, twin) if rank(row) > rank(twin) else (twin, row)
        for k in ("actor", "actor_name", "counterpart", "counterpart_name", "origin", "origin_place_id",
                  "destination", "destination_place_id"):
            if best.get(k) is None and other.get(k) is not None:
                best[k] = other[k]
        if best.get("figure") is None and other.get("figure") is not None:
            for k in ("figure", "figure_low", "figure_high", "figure_qualifier", "figure_unit"):
                best[k] = other[k]
        kept[kept.index(twin)] = best
    return sorted(kept, key=lambda r: r["start"])


# --------------------------------------------------------------------------- per type


def _event_row(tagged, etype, s, e, place: _PlaceRef, **kw) -> dict:
    row = _blank(tagged, etype, s, e)
    row.update(place.fields())
    row.update(kw)
    return row


def _siege_places(pats, ctx, tagged, text, s, e, trig: _Trigger,
                  first_in_sentence: bool = True) -> list[_PlaceRef]:
    """Places a siege trigger is about."""
    lo, hi = _clause_bounds(pats, text, s, e, trig.start)
    if trig.role in ("areas", "nominal", "active", "adjectival") or trig.type == "siege_lifted":
        after = [m for m in _places_in(tagged, trig.end, hi)]
        if trig.type == "siege_lifted" and trig.role == "active":
            after = _places_in(tagged, trig.end, e)[:1]
        if after:
            keep, cont = _drop_containers(pats, text, after)
            if trig.role != "areas" and keep:
                keep = keep[:1]
            return [_ref(m) for m in keep]
    # state ("are still cut off", "were besieged in ...") or passive: places and anaphors ("the city")
    # after the trigger in its clause, then before it, then anywhere in the sentence
    rel = re.search(r"\b(?:which|who|that|whose)\b", text[trig.end:hi], _FLAGS)
    after_hi = trig.end + rel.start() if rel else hi
    spans = [(trig.end, after_hi), (lo, trig.start)] + ([(s, e)] if first_in_sentence else [])
    for a, b in spans:
        cands = [_ref(m) for m in _drop_containers(pats, text, _places_in(tagged, a, b))[0]]
        cands += _anaphors(pats, ctx, text, a, b)
        if cands:
            cands.sort(key=lambda r: r.start)
            return [cands[0] if a >= trig.end else cands[-1]]
    if re.search(r"\bthe\s+siege\b", text[s:e], _FLAGS) and ctx.sieges:
        last = ctx.sieges[-1]
        return [_PlaceRef(last["place"], -1, -1, _mention_for(ctx, last))]
    return []


def _governorate_reading(ctx: _DocContext, text: str, ref: _PlaceRef) -> _PlaceRef:
    """A bare governorate-capital name in a report that names that governorate reads as the governorate.

    GOLD.md: bare "Dayr az Zawr" / "Ar Raqqah" is the governorate when the text says "from Ar Raqqah" or
    lists governorates, unless it says "city". Used for displacement counts ("displacements from Ar
    Raqqah", "Ar Raqqah offensive displaces 271,200 people"); "returned to Ar Raqqah city" stays the city.
    """
    m = ref.mention
    if m is None or _feature(m) not in ("city", "town") or ref.start < 0:
        return ref
    if re.match(r"^\s*(?:city|town)\b", text[m.end:m.end + 8], _FLAGS) or \
            re.search(r"\b(?:city|town)(?:\s+of|['\u2019]s)\s+(?:the\s+)?$", text[max(0, m.start - 20):m.start], _FLAGS):
        return ref
    from .translit import match_key
    key = match_key(m.text)
    for g in ctx.places:
        if _feature(g) == "governorate" and g.attrs.get("adm1_pcode") and \
                g.attrs.get("adm1_pcode") == m.attrs.get("adm1_pcode") and \
                re.search(r"\b(?:governorate|province)s?\b", g.text, _FLAGS) and \
                match_key(re.sub(r"\s*\b(?:governorate|province)s?\b.*$", "", g.text, flags=_FLAGS)) == key:
            return _PlaceRef(g.canonical or g.text, ref.start, ref.end, g)
    return ref


def _mention_for(ctx: _DocContext, row: dict) -> Mention | None:
    for m in reversed(ctx.places):
        if (m.canonical or m.text) == row["place"] and m.attrs.get("place_id") == row.get("place_id"):
            return m
    return None


def _siege_lifted(pats, ctx, tagged, text, s, e, trigs, actors, speakers, cue_pos):
    out = []
    for trig in trigs:
        places = _siege_places(pats, ctx, tagged, text, s, e, trig)
        if not places:
            continue
        agents = [a for a in actors if a.start not in speakers]
        actor = counterpart = None
        if trig.role == "passive":
            actor = _first_after([a for a in agents if re.search(r"\bby\s+(?:the\s+)?$", text[max(s, a.start - 8):a.start], _FLAGS)], trig.end, e)
        else:
            actor = _nearest_before([a for a in agents if not _is_adjectival(a, text)], trig.start, s)
            inside = [a for a in agents if trig.start <= a.start and a.end <= trig.end]
            counterpart = inside[0] if inside else None
        for place in places:
            if place.start < 0 and any(r["type"] == "siege_lifted" and _place_key(r) == place.key
                                       for r in ctx.sieges):
                continue  # "break the siege" again, about a siege already reported lifted
            besieger, besieged = _prior_parties(ctx, place)
            act, act_name = _actor_fields(actor)
            cp, cp_name = _actor_fields(counterpart)
            if cp is None:
                cp, cp_name = besieger
            if act is None:
                act, act_name = besieged
            date, prec, dtext = _date_fields(pats, tagged, text, s, e, trig, cue_pos, stock_ok=False, ctx=ctx)
            out.append(_event_row(tagged, "siege_lifted", s, e, place, mode=trig.mode or "force",
                                  actor=act, actor_name=act_name, counterpart=cp, counterpart_name=cp_name,
                                  date=date, date_precision=prec, date_text=dtext))
    return out


def _prior_parties(ctx: _DocContext, place: _PlaceRef) -> tuple[tuple, tuple]:
    """((besieger, name), (besieged, name)) from earlier sieges of ``place`` in the document."""
    besieger: tuple = (None, None)
    besieged: tuple = (None, None)
    for row in reversed(ctx.sieges):
        if _place_key(row) != place.key:
            continue
        a, c = (row["actor"], row["actor_name"]), (row["counterpart"], row["counterpart_name"])
        if row["type"] == "siege_lifted":
            a, c = c, a
        if besieger[0] is None and a[0] is not None:
            besieger = a
        if besieged[0] is None and c[0] is not None:
            besieged = c
    return besieger, besieged


def _changed_figures(pats: dict, tagged: TaggedDocument, text: str, s: int, e: int,
                     figure: dict[str, Any]) -> list[dict[str, Any]]:
    """Figures a count changed to later in the sentence: "around 200,000 civilians were besieged ...,
    which decreased to 90,000 near the end of the siege" -> 90,000 of the same unit."""
    if figure.get("figure") is None:
        return []
    out = []
    for m in tagged.mentions_in(s, e, "figure"):
        if _people_figure(pats, text, m) or not pats["figure_change_re"].search(text[max(s, m.start - 40):m.start]):
            continue
        value = _num(m.attrs.get("value"))
        if value is None or value == figure["figure"]:
            continue
        qualifier = m.attrs.get("qualifier") or "exact"
        if qualifier == "exact" and figure.get("figure_qualifier") == "about":
            qualifier = "about"  # "around 200,000 ..., which decreased to 90,000": still an estimate
        out.append({"figure": value, "figure_low": _num(m.attrs.get("low")), "figure_high": _num(m.attrs.get("high")),
                    "figure_qualifier": qualifier, "figure_unit": figure.get("figure_unit")})
    return out


def _siege(pats, ctx, tagged, text, s, e, trigs, actors, speakers, cue_pos):
    out = []
    multi_places = []
    for i, trig in enumerate(trigs):
        places = [] if trig.role == "continuation" else \
            _siege_places(pats, ctx, tagged, text, s, e, trig, first_in_sentence=i == 0)
        figure = _figure_fields(pats, tagged, text, s, e, [trig], same_stretch=True)
        if not places and figure["figure"] is not None and (trig.role == "areas" or re.match(
                r"^\s+(?:areas|locations|communities|enclaves|pockets)\b", text[trig.end:trig.end + 20], _FLAGS)):
            # "more than 728,500 people live in militarily-encircled areas", "419,900 people living in
            # besieged locations" (of the country): a national stock figure goes on the country
            country = _country_ref(ctx)
            places = [country] if country is not None else []
        if not places and trig.role in ("state", "continuation"):
            # "Syrian Government forces remained besieged in the pocket of territory they continued to
            # control": the siege the document is about
            last = next((r for r in reversed(ctx.sieges) if r["type"] == "siege"), None)
            if last is not None:
                places = [_PlaceRef(last["place"], -2, -2, _mention_for(ctx, last))]
        if not places:
            continue
        if trig.role in ("areas", "adjectival", "state") and figure["figure"] is None and \
                pats["aid_destination_before_re"].search(text[max(s, trig.start - 25):trig.start]) and \
                all(any(r["type"] == "siege" and _place_key(r) == p.key for r in ctx.sieges) for p in places):
            continue  # "airdrops ... to the besieged districts of the city": a siege already reported, named again
        agents = [a for a in actors if a.start not in speakers]
        actor = counterpart = None
        lead = text[max(s, trig.start - 25):trig.start]
        if trig.role == "adjectival":
            # "SARG-besieged Eastern Ghouta": the actor mention may span the trigger itself
            actor = _nearest_before(agents, trig.end, max(s, trig.start - 40))
        elif trig.role == "nominal":
            actor = _nearest_before(agents, trig.start, max(s, trig.start - 30))
        elif trig.role == "active" and not re.search(r"\b(?:was|were|been|being|is|are)\s+$", lead, _FLAGS):
            actor = _nearest_before([a for a in agents if not _is_adjectival(a, text)], trig.start, s)
        else:  # state / passive: the subject is besieged, "by X" is the besieger
            by = [a for a in agents if re.search(r"\bby\s+(?:the\s+)?(?:an?\s+)?$", text[max(s, a.start - 8):a.start], _FLAGS)]
            actor = _first_after(by, trig.end, e)
            subj = _nearest_before([a for a in agents if not _is_adjectival(a, text)], trig.start, s)
            counterpart = subj
        # adjectival holder of the place ("Government-held districts of Deir ez-Zor")
        if counterpart is None:
            adj = [a for a in agents if _is_adjectival(a, text) and a.start >= trig.end
                   and re.match(r"^-?\s?(?:held|controlled)", text[a.end:a.end + 12], _FLAGS)]
            counterpart = adj[0] if adj else None
        if actor is not None and counterpart is not None and \
                actor.attrs.get("alignment") == counterpart.attrs.get("alignment"):
            counterpart = None
        if len(places) > 1:
            figure = {k: None for k in figure}
        date, prec, dtext = _date_fields(pats, tagged, text, s, e, trig, cue_pos, ctx=ctx)
        carried = False
        if not tagged.mentions_in(s, e, "date") and re.search(
                r"\b(?:remained|stayed|was|were|had\s+been|continued\s+to\s+be)\s+(?:\w+ly\s+)?$",
                text[max(s, trig.start - 30):trig.start], _FLAGS):
            # "... in July 2014. Syrian Government forces remained besieged in the pocket ...": the narrative
            # goes on at the date of the sentence before (not at publication: the verb is past)
            got = _carried_date(pats, ctx, tagged, text, s)
            if got is not None:
                (date, prec, dtext), carried = got, True
        if date is None and figure["figure"] is not None and (cue_pos is None or cue_pos > trig.start) and \
                pats["stock_verb_re"].search(text[s:trig.start]) and _iso_ref(tagged):
            # a present-tense stock: "An estimated 1.5 million people remain in HTR areas of Syria,
            # including 8,100 people in besieged locations"
            date, prec, dtext = _iso_ref(tagged), "day", None
        extra = _changed_figures(pats, tagged, text, s, e, figure)
        for place in places:
            act, act_name = _actor_fields(actor)
            cp, cp_name = _actor_fields(counterpart)
            besieger, besieged = _prior_parties(ctx, place)
            if act is None:
                act, act_name = besieger
            if cp is None:
                cp, cp_name = besieged
            if place.start == -1 and any(r["type"] == "siege" and _place_key(r) == place.key for r in ctx.sieges):
                continue  # "the siege" again, about a siege already reported
            if place.start == -2 and date is None and figure["figure"] is None:
                continue  # still besieged, nothing new to say
            multi_places.append(place)
            out.append(_event_row(tagged, "siege", s, e, place, actor=act, actor_name=act_name, counterpart=cp,
                                  counterpart_name=cp_name, date=date, date_precision=prec, date_text=dtext,
                                  _date_carried=carried, **figure))
            for fig in extra:
                out.append(_event_row(tagged, "siege", s, e, place, actor=act, actor_name=act_name, counterpart=cp,
                                      counterpart_name=cp_name, date=date, date_precision=prec, date_text=dtext,
                                      **fig))
    return out


def _control_change(pats, ctx, tagged, text, s, e, trigs, actors, speakers, cue_pos):
    out = []
    for trig in trigs:
        lo, hi = _clause_bounds(pats, text, s, e, trig.start)
        agents = [a for a in actors if a.start not in speakers]
        plain = [a for a in agents if not _is_adjectival(a, text)]
        actor = counterpart = None
        places: list[_PlaceRef] = []
        if trig.role == "under":
            inside = [a for a in agents if trig.start <= a.start and a.end <= trig.end]
            actor = inside[0] if inside else None
            before = _places_in(tagged, lo, trig.start)
            places = [_ref(before[-1])] if before else []
        elif trig.role == "passive":
            before = _places_in(tagged, lo, trig.start)
            places = [_ref(before[-1])] if before else []
            actor = _first_after(plain, trig.end, e)
        else:
            after = _places_in(tagged, trig.end, hi)
            if after:
                keep, _ = _drop_containers(pats, text, after)
                # a list "of Al Thawrah and Tabqa Dam": places joined by commas / "and"
                places = [_ref(keep[0])]
                for prev, m in zip(keep, keep[1:]):
                    gap = text[prev.end:m.start]
                    if re.match(r"^[\s\w'\u2019,.-]{0,60}$", gap) and re.search(r",|\band\b|\bor\b", gap, _FLAGS) \
                            and not re.search(r"\b(?:from|to|in|near|towards?|with|against)\b", gap, _FLAGS):
                        places.append(_ref(m))
                    else:
                        break
            if not places:
                ana = _anaphors(pats, ctx, text, trig.end, hi)
                places = ana[:1]
            if not places:
                # "Raqqa's liberation": a possessive place right before the trigger
                pre = [m for m in _places_in(tagged, max(s, trig.start - 20), trig.start)
                       if re.match(r"^['\u2019]s?\s", text[m.end:m.end + 3])]
                places = [_ref(pre[-1])] if pre else []
            if not places and re.search(r"\bsince\b", text[max(s, trig.start - 30):trig.start], _FLAGS):
                # "for first time since SARG recapture in May": the place named earlier in the sentence
                before = _places_in(tagged, s, trig.start)
                places = [_ref(before[-1])] if before else []
            subject = _nearest_before(plain, trig.start, s)
            if trig.role == "withdraw":
                counterpart = subject
            else:
                actor = subject
                if actor is None:
                    actor = _first_after([a for a in plain if re.search(r"\bby\s+(?:the\s+)?$", text[max(s, a.start - 8):a.start], _FLAGS)], trig.end, e)
            frm = [a for a in plain if a.start >= trig.end and
                   re.search(r"\b(?:from|against)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$", text[max(trig.end, a.start - 30):a.start], _FLAGS)]
            held = [a for a in agents if a.start >= trig.end and a.start < hi and _is_adjectival(a, text)]
            if counterpart is None:
                counterpart = frm[0] if frm else (held[0] if held else None)
            if trig.role != "withdraw" and counterpart is not None and actor is not None \
                    and counterpart.attrs.get("alignment") == actor.attrs.get("alignment"):
                counterpart = None
        if not places:
            continue
        date, prec, dtext = _date_fields(pats, tagged, text, s, e, trig, cue_pos, stock_ok=False, ctx=ctx)
        act, act_name = _actor_fields(actor)
        cp, cp_name = _actor_fields(counterpart)
        mode = trig.mode or "force"
        if re.search(r"\b(?:agreement|deal|reconciliation|surrender|evacuation)\b", text[s:e], _FLAGS) and \
                trig.role in ("active", "withdraw") and re.search(r"\bhand|withdr", trig.text, _FLAGS):
            mode = "agreement"
        for place in places:
            out.append(_event_row(tagged, "control_change", s, e, place, mode=mode, actor=act, actor_name=act_name,
                                  counterpart=cp, counterpart_name=cp_name, date=date, date_precision=prec,
                                  date_text=dtext))
    return out


def _control_state(pats, ctx, tagged, text, s, e, trigs, actors, speakers, cue_pos):
    out = []
    ref = _iso_ref(tagged)
    for trig in trigs:
        lo, hi = _clause_bounds(pats, text, s, e, trig.start)
        actor = None
        places: list[_PlaceRef] = []
        dtext = None
        if trig.role == "adjectival":
            adj = [a for a in actors if a.end <= trig.start and trig.start - a.end <= 1]
            if not adj:
                continue
            actor = adj[-1]
            # the place it qualifies: within a few words after ("SDF-held Shaddadi",
            # "Government-held districts of Deir ez-Zor", "ISIS-held southern areas of the capital")
            after = [m for m in _places_in(tagged, trig.end, min(hi, trig.end + 45))]
            if after and not re.search(r"[,;]|\b(?:and|to|from|in)\b\s*$", text[trig.end:after[0].start][:1] or "", _FLAGS):
                gap = text[trig.end:after[0].start]
                if re.match(r"^\s*(?:[\w-]+\s+){0,4}(?:of\s+(?:the\s+)?)?$", gap, _FLAGS) and "," not in gap:
                    places = [_ref(after[0])]
            if not places:
                ana = _anaphors(pats, ctx, text, trig.end, min(hi, trig.end + 45))
                places = ana[:1]
            dtext = text[actor.start:trig.end]
        elif trig.role == "pocket":
            inside = [a for a in actors if trig.start <= a.start and a.end <= trig.end]
            actor = inside[0] if inside else None
            before = [m for m in _places_in(tagged, max(s, trig.start - 30), trig.start)]
            places = [_ref(before[-1])] if before else []
            dtext = text[(before[-1].start if before else trig.start):trig.end]
        elif trig.role == "passive":
            actor = _first_after(actors, trig.end, min(e, trig.end + 60))
            before = _places_in(tagged, max(s, trig.start - 80), trig.start)
            keep, _ = _drop_containers(pats, text, before)
            places = [_ref(keep[-1])] if keep else []
            dtext = text[trig.start:actor.end] if actor else trig.text
        else:  # "their remaining positions in towns such as Mayadin and al-Bukamal"
            actor = _nearest_before([a for a in actors if a.start not in speakers], trig.start, s)
            after = _places_in(tagged, trig.end, hi)
            keep, _ = _drop_containers(pats, text, after)
            places = [_ref(m) for m in keep]
            dtext = trig.text
        if actor is None or not places or not actor.attrs.get("alignment"):
            continue
        date, prec = ref, ("day" if ref else None)
        asof = [m for m in tagged.mentions_in(s, e, "date")
                if re.search(r"\bas\s+of\s+$", text[max(s, m.start - 7):m.start], _FLAGS)]
        if asof:
            date, prec = _date_value(asof[0])
            dtext = text[asof[0].start - 6:asof[0].end]
        act, act_name = _actor_fields(actor)
        for place in places:
            out.append(_event_row(tagged, "control_state", s, e, place, mode=None, actor=act, actor_name=act_name,
                                  date=date, date_precision=prec, date_text=dtext))
    return out


def _access(pats, ctx, tagged, text, s, e, trigs, actors, speakers, cue_pos):
    """Claims that a road or passage was opened: ``control_state`` rows with ``mode="access"``."""
    out = []
    ref = _iso_ref(tagged)
    for trig in trigs:
        place: _PlaceRef | None = None
        if "road" in trig.groups:
            name, a, b = trig.groups["road"]
            ms = [m for m in tagged.mentions_in(a - 1, b + 1, "place") if _feature(m) == "road"
                  or (m.canonical or "").lower().endswith("road")]
            name = re.sub(r"\s+", " ", tagged.document.text[a:b]).strip()
            place = _ref(ms[0]) if ms else _PlaceRef(name, a, b, None)
            ctx.access_place = place
        elif ctx.access_place is not None:
            place = ctx.access_place
        if place is None:
            continue
        out.append(_event_row(tagged, "control_state", s, e, place, mode="access", date=ref,
                              date_precision="day" if ref else None, date_text=trig.text))
    return out


def _displacement(pats, ctx, tagged, text, s, e, trigs, actors, speakers, cue_pos):
    sent = text[s:e]
    if any(rx.search(sent) for rx in pats["displacement_skip"]) and not any(
            t.focus == "destination" for t in trigs):
        return []
    if not pats["people_words_re"].search(sent):
        return []
    # origin and destination segments
    origins: list[Mention] = []
    dests: list[_PlaceRef] = []
    origin_containers: list[Mention] = []
    first = trigs[0]
    lo, hi = _clause_bounds(pats, text, s, e, first.start)
    lo = min(lo, min(t.start for t in trigs))
    hi = max(hi, max(_clause_bounds(pats, text, s, e, t.start)[1] for t in trigs))
    dest_spans = []
    for mt in pats["destination_cue_re"].finditer(text, lo, hi):
        d_lo = mt.end()
        d_hi = hi
        brk = re.search(r"[,;:(]|\s(?:as|where|despite|following|since|due|because|after|for|with|on)\s",
                        text[d_lo:hi])
        if brk:
            d_hi = d_lo + brk.start()
        cands = _places_in(tagged, d_lo, d_hi)
        if not cands:
            cands_ref = _anaphors(pats, ctx, text, d_lo, d_hi)
            if cands_ref and mt.group(0).lower() not in ("to", "into"):
                dest_spans.append((mt.start(), d_hi))
                dests.extend(cands_ref[:1])
            elif cands_ref and re.match(r"^\s*(?:nearby\s+)?(?:areas?\s+of\s+)?the\s", text[d_lo:d_hi], _FLAGS):
                dest_spans.append((mt.start(), d_hi))
                dests.extend(cands_ref[:1])
            continue
        if mt.group(0).lower() in ("to", "into") and not re.match(
                r"^\s*(?:the\s+)?(?:(?:nearby|neighbou?ring|other|safe)\s+)?(?:areas?\s+(?:of|in)\s+)?(?:the\s+)?$",
                text[d_lo:cands[0].start], _FLAGS) and cands[0].start - d_lo > 0:
            continue
        keep, _ = _drop_containers(pats, text, cands)
        dest_spans.append((mt.start(), d_hi))
        dests.extend(_ref(m) for m in keep[:1])
    for mt in pats["origin_cue_re"].finditer(text, lo, hi):
        o_lo = mt.end()
        o_hi = hi
        for a, _b in dest_spans:
            if a >= o_lo:
                o_hi = min(o_hi, a)
        brk = re.search(r";|:|\s(?:as\s+part|where|despite|following|due\s+to|because|after|since)\s|,\s*(?:including|and\s+resettled)",
                        text[o_lo:o_hi])
        if brk:
            o_hi = o_lo + brk.start()
        cands = [m for m in _places_in(tagged, o_lo, o_hi) if not any(a <= m.start < b for a, b in dest_spans)]
        if not cands:
            continue
        if mt.group(0).lower() not in ("from", "out of") and \
                re.search(r"\b(?:to|into|at)\b", text[o_lo:cands[0].start], _FLAGS):
            continue
        keep, cont = _drop_containers(pats, text, cands)
        for m in keep:
            if m not in origins:
                origins.append(m)
        origin_containers.extend(c for c in cont if pats["container_after_re"].match(text[c.end:c.end + 30]))
    # "Eastern Ghouta IDPs", "IDPs from Afrin" (handled by "from")
    for m in _places_in(tagged, lo, hi):
        if pats["people_after_place_re"].match(text[m.end:m.end + 20]) and m not in origins:
            origins.append(m)
    stay = any(t.focus == "destination" for t in trigs) and not any(
        t.focus == "origin" and re.match(r"^(?:displac|fled|flee|evacuat|relocat|resettl|escap)", t.text, _FLAGS)
        for t in trigs)
    origin_refs = [_ref(m) for m in origins]
    if stay and dests:
        event_places = dests[:1]
    elif origin_refs:
        event_places = origin_refs
    elif dests:
        event_places = dests[:1]
    else:
        cands = [m for m in _places_in(tagged, lo, hi) if not any(a <= m.start < b for a, b in dest_spans)]
        keep, cont = _drop_containers(pats, text, cands)
        if not keep:
            keep = [m.mention for m in _anaphors(pats, ctx, text, lo, hi)[:1]]
        if not keep:
            # "SARG completes military offensive in Eastern Ghouta following the displacement of ...":
            # the place named earlier in the sentence
            keep = _drop_containers(pats, text, _places_in(tagged, s, first.start))[0][-1:]
        if not keep and ctx.inherited_place is not None:
            row = ctx.inherited_place
            keep = [m for m in [_mention_for(ctx, row)] if m is not None]
        if not keep:
            return []
        event_places = [_ref(m) for m in keep]
    event_places = [_governorate_reading(ctx, text, r) for r in event_places]
    origin_refs = [_governorate_reading(ctx, text, r) for r in origin_refs]
    figure = _figure_fields(pats, tagged, text, s, e, trigs)
    if figure["figure"] is None and not any(t.focus for t in trigs):
        return []  # "displaced populations in Aleppo and Idlib": people named, no movement and no count
    covering = [c for c in origin_containers
                if all(c.end <= r.start <= c.end + 80 for r in event_places)]
    if len(event_places) > 1 and covering and figure["figure"] is not None and not stay:
        # "Nearly 7,000 people evacuated Idlib's Foah and Kafraya towns": the figure goes on Idlib
        c = covering[0]
        event_places = [_ref(c)]
        origin_refs = [_ref(c)]
    elif len(event_places) > 1:
        figure = {k: None for k in figure}
    agents = [a for a in actors if a.start not in speakers and a.attrs.get("alignment") not in ("un", None)
              and not _is_adjectival(a, text)]
    actor = _nearest_before(agents, first.start, s)
    date, prec, dtext = _date_fields(pats, tagged, text, s, e, first, cue_pos, ctx=ctx)
    act, act_name = _actor_fields(actor)
    dest = dests[0] if dests else None
    out = []
    for place in event_places:
        origin = place if (place in origin_refs) else (origin_refs[0] if origin_refs and len(origin_refs) == 1 else None)
        mode = "agreement" if re.search(r"\b(?:agreement|deal|reconciliation|surrender)\b", sent, _FLAGS) else None
        out.append(_event_row(tagged, "displacement", s, e, place, mode=mode, actor=act, actor_name=act_name,
                              date=date, date_precision=prec, date_text=dtext,
                              origin=origin.name if origin else None,
                              origin_place_id=origin.fields()["place_id"] if origin else None,
                              destination=dest.name if dest else None,
                              destination_place_id=dest.fields()["place_id"] if dest else None,
                              **figure))
    return out


_HANDLERS = {
    "siege_lifted": _siege_lifted,
    "siege": _siege,
    "control_change": _control_change,
    "control_state": _control_state,
    "access": _access,
    "displacement": _displacement,
}
