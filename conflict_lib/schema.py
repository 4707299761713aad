"""The records that flow through the house.

raw report -> :class:`Document` (cleaned) -> :class:`TaggedDocument` (mentions)
-> events (dicts with :data:`EVENT_COLUMNS`) -> tidy tables.

Everything here is plain data (picklable, no spaCy objects), so per-document work can
run in another process or on a Dask worker and come back unchanged.
"""
from __future__ import annotations

import datetime as _dt
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

#: The kinds of mention the tagger produces.
MENTION_KINDS = ("place", "actor", "date", "figure")

#: Alignments an actor can have (conventions in ``data/raw/gold/GOLD.md``).
ALIGNMENTS = (
    "government", "opposition", "jihadist", "sdf", "isis", "turkey",
    "coalition", "russia", "iran", "un", "other", "unknown",
)

#: Event types.
EVENT_TYPES = ("control_change", "control_state", "siege", "siege_lifted", "displacement")

#: How sure the text is of a fact.
CERTAINTIES = ("confirmed", "claimed", "reported", "denied", "rumored")

#: Figure qualifiers.
QUALIFIERS = ("exact", "about", "nearly", "at_least", "up_to")

#: Date precisions.
PRECISIONS = ("day", "week", "month", "season", "year")

#: Columns of the ``events`` table: the contract other tools read. Keep them.
EVENT_COLUMNS = (
    "event_id", "doc_id", "type", "mode",
    "place", "place_id", "lat", "lon", "adm1_pcode", "adm2_pcode", "adm3_pcode",
    "date", "date_precision", "date_text",
    "actor", "actor_name", "counterpart", "counterpart_name",
    "figure", "figure_low", "figure_high", "figure_qualifier", "figure_unit",
    "origin", "origin_place_id", "destination", "destination_place_id",
    "certainty", "source",
    "sentence", "start", "end", "raw_start", "raw_end",
)


@dataclass(frozen=True)
class Section:
    """A headed section of a report; offsets into the cleaned text."""

    title: str
    start: int  # start of the heading line
    end: int  # end of the section (start of the next heading or end of text)


@dataclass(frozen=True)
class Caption:
    """A figure or photo caption, kept apart from the prose; offsets into the cleaned text."""

    kind: str  # "figure" | "photo"
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class CleaningNote:
    """Something cleaning did or noticed, with where (offsets into the raw text).

    ``code`` is one of: ``pdf_garbage_removed``, ``hyphen_rejoined``, ``page_break_joined``,
    ``truncated``, ``page_furniture_dropped``, ``digit_repaired``, ``empty_place_slot``,
    ``unicode_normalised``, ``front_matter``, ``date_inferred`` ... (free to extend).
    """

    code: str
    message: str
    raw_start: int | None = None
    raw_end: int | None = None


@dataclass
class Document:
    """A report read and cleaned.

    ``raw_text`` is the body as read (front matter removed, decoded); ``text`` is the cleaned
    text; ``match_text`` has exactly the length of ``text`` with characters folded for matching
    (curly quotes and transliteration apostrophes -> ``'``, dashes -> ``-``), so an offset into
    one is an offset into the other. ``offsets[i]`` is the raw offset of cleaned character
    ``i`` (``len(offsets) == len(text) + 1``; the last entry is the raw end).
    """

    doc_id: str
    path: str
    format: str  # "txt" | "md" | "html" | "pdf"
    title: str | None
    publisher: str | None
    published: _dt.date | None
    period_start: _dt.date | None
    period_end: _dt.date | None
    source_url: str | None
    license: str | None
    raw_text: str
    text: str
    match_text: str
    offsets: list[int]
    sections: list[Section] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)
    warnings: list[CleaningNote] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def reference_date(self) -> _dt.date | None:
        """The date relative expressions resolve against: published, else end of period."""
        return self.published or self.period_end or self.period_start

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a cleaned ``[start, end)`` span to raw offsets."""
        if start < 0 or end > len(self.text) or start > end:
            raise ValueError(f"span ({start}, {end}) outside cleaned text of length {len(self.text)}")
        raw_end = self.offsets[end - 1] + 1 if end > start else self.offsets[start]
        return self.offsets[start], raw_end

    def section_at(self, offset: int) -> str | None:
        """Title of the section that contains cleaned ``offset``, if any."""
        for s in self.sections:
            if s.start <= offset < s.end:
                return s.title
        return None

    def caption_at(self, offset: int) -> Caption | None:
        """The caption containing cleaned ``offset``, if any."""
        for c in self.captions:
            if c.start <= offset < c.end:
                return c
        return None


@dataclass(frozen=True)
class Problem:
    """A file that could not be read (or was read only in part)."""

    path: str
    reason: str
    kind: str = "unreadable"  # "unreadable" | "empty" | "binary" | "encoding" | "front_matter" | "too_large" | "partial"
    fatal: bool = True  # False: the document was still read, with this caveat


@dataclass(slots=True)
class Mention:
    """A tagged span of the cleaned text (slotted: a document makes many, built faster without a ``__dict__``).

    ``attrs`` by kind:

    - place: place_id, lat, lon, feature, adm1_pcode, adm1_name, adm2_pcode, adm2_name,
      adm3_pcode, adm3_name, match_method (exact | alias | translit | fuzzy | curated |
      override | admin | neighbourhood), match_score (0..1), source
    - actor: actor_id, alignment, description, adjectival (bool), source
    - date: value (ISO "YYYY-MM-DD" | "YYYY-MM" | "YYYY"), date_start, date_end (ISO days),
      precision (day | week | month | season | year), relative (bool)
    - figure: value (float), low, high, qualifier (exact | about | nearly | at_least | up_to),
      unit (people | civilians | families | IDPs | refugees | fighters | households | None),
      approximate_word (bool: "dozens", "thousands")
    """

    kind: str
    start: int
    end: int
    text: str
    canonical: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaggedDocument:
    """A document with its mentions and sentence boundaries (cleaned offsets)."""

    document: Document
    mentions: list[Mention]
    sentences: list[tuple[int, int]]

    def sentence_of(self, offset: int) -> tuple[int, int]:
        """The ``(start, end)`` of the sentence containing cleaned ``offset``."""
        starts = [s for s, _ in self.sentences]
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return self.sentences[0] if self.sentences else (0, len(self.document.text))
        return self.sentences[i]

    def mentions_in(self, start: int, end: int, kind: str | None = None) -> list[Mention]:
        """Mentions lying within ``[start, end)``, optionally of one kind, in text order."""
        return [m for m in self.mentions
                if m.start >= start and m.end <= end and (kind is None or m.kind == kind)]
