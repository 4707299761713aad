"""A displaCy-style view of a tagged document, for notebooks.

Places, actors, dates and figures are highlighted in the cleaned text; hovering a highlight
shows what it was resolved to (canonical name, alignment, ISO date, number and qualifier,
how a place was matched).
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

from .schema import Mention, TaggedDocument

#: Colours of the highlight by mention kind (displaCy's palette spirit, readable on white).
KIND_COLOURS = {"place": "#7aecec", "actor": "#feca74", "date": "#bfe1d9", "figure": "#e4e7d2"}
LABELS = {"place": "PLACE", "actor": "ACTOR", "date": "DATE", "figure": "FIGURE"}


def _describe(kind: str, canonical: str, attrs: dict[str, Any]) -> str:
    if kind == "place":
        how = attrs.get("match_method") or "?"
        score = attrs.get("match_score")
        extra = f"{how}" + (f" {score:.2f}" if isinstance(score, (int, float)) and score == score else "")
        return f"{canonical} · {attrs.get('feature') or ''} · {attrs.get('adm1_name') or ''} · match: {extra}"
    if kind == "actor":
        return f"{canonical} · alignment: {attrs.get('alignment')}"
    if kind == "date":
        return f"{attrs.get('value') or attrs.get('date_value') or canonical} ({attrs.get('precision')})"
    if kind == "figure":
        return (f"{attrs.get('value', attrs.get('figure_value'))} {attrs.get('unit') or ''} "
                f"({attrs.get('qualifier')})")
    return canonical


def _spans(mentions: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Drop overlaps: keep the earliest, then the longest span."""
    out: list[tuple[int, int, str, str]] = []
    last_end = -1
    for s, e, kind, tip in sorted(mentions, key=lambda m: (m[0], -(m[1] - m[0]))):
        if s >= last_end:
            out.append((s, e, kind, tip))
            last_end = e
    return out


def render_entities(tagged: TaggedDocument | None = None, *, text: str | None = None,
                    mentions: pd.DataFrame | list[Mention] | None = None,
                    kinds: tuple[str, ...] = ("place", "actor", "date", "figure"),
                    start: int = 0, end: int | None = None) -> str:
    """HTML that highlights the mentions of a document, like ``spacy.displacy`` with ``style="ent"``.

    Parameters
    ----------
    tagged : TaggedDocument, optional
        A document from :func:`conflict_lib.tagging.tag_document`.
    text, mentions : str and DataFrame (or list of Mention), optional
        Instead of ``tagged``: the cleaned text and its rows of the ``mentions`` table.
    kinds : tuple of str
        Which kinds to highlight.
    start, end : int
        Show only this slice of the cleaned text.

    Returns
    -------
    str
        An HTML fragment; in a notebook wrap it in ``IPython.display.HTML``. All text is escaped.

    Examples
    --------
    >>> html_ = render_entities(text="ISIS holds Mayadin.", mentions=[
    ...     Mention("actor", 0, 4, "ISIS", "Islamic State", {"alignment": "isis"}),
    ...     Mention("place", 11, 18, "Mayadin", "Al-Mayadin", {"match_method": "alias"})])
    >>> "ACTOR" in html_ and "Al-Mayadin" in html_
    True
    """
    if tagged is not None:
        text, items = tagged.document.text, tagged.mentions
    if text is None:
        raise ValueError("render_entities needs a TaggedDocument or text= with mentions=")
    rows: list[tuple[int, int, str, str]] = []
    if isinstance(mentions, pd.DataFrame):
        for r in mentions.to_dict("records"):
            attrs = {k: v for k, v in r.items() if v is not None and not (isinstance(v, float) and v != v)}
            rows.append((int(r["start"]), int(r["end"]), r["kind"], _describe(r["kind"], r["canonical"], attrs)))
    else:
        for m in (items if tagged is not None else (mentions or [])):
            rows.append((m.start, m.end, m.kind, _describe(m.kind, m.canonical, m.attrs)))
    end = len(text) if end is None else end
    rows = [r for r in rows if r[2] in kinds and r[0] >= start and r[1] <= end]
    parts = ['<div class="conflict-entities" style="line-height:2.3;font-family:sans-serif;white-space:pre-wrap">']
    pos = start
    for s, e, kind, tip in _spans(rows):
        parts.append(html.escape(text[pos:s]))
        parts.append(
            f'<mark title="{html.escape(tip, quote=True)}" style="background:{KIND_COLOURS[kind]};'
            f'padding:0.2em 0.35em;border-radius:0.3em">{html.escape(text[s:e])}'
            f'<span style="font-size:0.65em;font-weight:bold;margin-left:0.4em;vertical-align:middle">'
            f'{LABELS[kind]}</span></mark>')
        pos = e
    parts.append(html.escape(text[pos:end]))
    parts.append("</div>")
    return "".join(parts)
