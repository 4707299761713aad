"""The spaCy pipeline: ``spacy.blank("en")`` plus the project's registered components.

Components (each a registered factory with a versioned name — spaCy allows no ``.`` in a
factory name, so the version is a ``_v1`` suffix — patterns and lexicons kept as
data files in ``conflict_lib/data/``):

- ``conflict_sentences_v1`` sentence starts, exactly as spaCy's rule-based ``sentencizer`` sets
  them, computed on arrays (:class:`SentenceSplitter`)
- ``conflict_places_v1``  places through the gazetteer (``conflict_lib.gazetteer``)
- ``conflict_actors_v1``  actors and their alignment (``conflict_lib.actors``)
- ``conflict_dates_v1``   dates resolved against the document's own dating (``conflict_lib.dates``)
- ``conflict_figures_v1`` numbers with qualifier, range and unit (``conflict_lib.figures``)

Each writes ``doc.spans[<kind>s]``; every span carries its record in ``span._.conflict``
(a dict with ``canonical`` and the kind's attributes, see :class:`conflict_lib.schema.Mention`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span

#: Component names in pipeline order.
COMPONENTS = ("conflict_places_v1", "conflict_actors_v1", "conflict_dates_v1", "conflict_figures_v1")

#: ``doc.spans`` keys, by mention kind.
SPAN_KEYS = {"place": "places", "actor": "actors", "date": "dates", "figure": "figures"}


def ensure_extensions() -> None:
    """Register the custom attributes the components use (idempotent)."""
    if not Span.has_extension("conflict"):
        Span.set_extension("conflict", default=None)
    if not Doc.has_extension("reference_date"):
        Doc.set_extension("reference_date", default=None)
    if not Doc.has_extension("doc_id"):
        Doc.set_extension("doc_id", default=None)


ensure_extensions()

_TEXT_KEY = ("conflict_lib", "text")


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per doc and shared by the components.

    ``Doc.text`` joins every token's text anew on each call; with four components asking for it
    that cost more than the matching itself. :func:`conflict_lib.tagging.tag_document` seeds it
    with the document's ``match_text``; the token count guards against a stale copy.
    """
    hit = doc.user_data.get(_TEXT_KEY)
    if hit is not None and hit[0] == len(doc):
        return hit[1]
    text = doc.text
    doc.user_data[_TEXT_KEY] = (len(doc), text)
    return text


def seed_doc_text(doc: Doc, text: str) -> None:
    """Record ``text`` (which must equal ``doc.text``) so no component rebuilds it."""
    doc.user_data[_TEXT_KEY] = (len(doc), text)


_BOUNDS_KEY = ("conflict_lib", "token_bounds")


def token_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """``(starts, ends)``: each token's first character offset and the end of its text (no trailing space).

    Computed once per doc (``doc.to_array`` walks every token) and shared by the components; the
    token count guards against a stale copy, as in :func:`doc_text`.
    """
    hit = doc.user_data.get(_BOUNDS_KEY)
    if hit is not None and hit[0] == len(doc):
        return hit[1], hit[2]
    arr = doc.to_array([IDX, LENGTH])
    starts = arr[:, 0].tolist()
    ends = (arr[:, 0] + arr[:, 1]).tolist()
    doc.user_data[_BOUNDS_KEY] = (len(doc), starts, ends)
    return starts, ends


def seed_token_bounds(doc: Doc, starts: list[int], ends: list[int]) -> None:
    """Record token offsets a component already computed (see :func:`token_bounds`)."""
    doc.user_data[_BOUNDS_KEY] = (len(doc), starts, ends)


def char_spans(doc: Doc, text: str, found: list[tuple[int, int, str, Any]], trim_end: bool = False) -> list[Span]:
    """Spans over the tokens holding each ``(start, end, text, record)`` hit, records attached.

    The tokens are those of ``doc.char_span(start, end, alignment_mode="expand")``, found by binary
    search on the token offsets (a token owns its characters and its trailing space, so the token
    holding character c is the last one starting at or before c; a hit starting in a trailing space
    starts at the next token). Hits outside the text or covering no token are dropped.

    With ``trim_end``, when the last token runs on past the end of the words with punctuation
    ("2017.[41][42" is one token), the span's ``end_char`` is set back to the end of the words, so
    its characters are the words ("by 17 November 2017"); the span keeps its tokens (``span.text``
    is still theirs).
    """
    spans: list[Span] = []
    if not found:
        return spans
    idx, tok_end = token_bounds(doc)
    size = len(text)
    user_data = doc.user_data
    fast = _FAST_RECORD
    for start, end, _text, rec in found:
        if not (0 <= start < end <= size):
            continue
        s = bisect_right(idx, start) - 1
        if start == tok_end[s]:  # in the trailing space: the span starts at the next token
            s += 1
        e = bisect_right(idx, end - 1)
        if e <= s:
            continue
        span = Span(doc, s, e)
        if trim_end and tok_end[e - 1] > end and text[end - 1].isalnum() and not text[end].isalnum():
            span.end_char = end
        if fast:
            user_data[("._.", "conflict", span.start_char, span.end_char)] = rec
        else:
            span._.conflict = rec
        spans.append(span)
    return spans


# ``span._.conflict`` is stored by spaCy in ``doc.user_data`` under ``("._.", name, start_char, end_char)``;
# going through ``span._`` builds an ``Underscore`` object per access, which costs more than the
# rest of turning a span into a mention. The key layout is checked once against spaCy itself, and
# the public (slow) path is used if it ever differs.
def _record_key_ok() -> bool:
    try:
        doc = spacy.blank("en").make_doc("a b")
        span = doc[1:2]
        marker = object()
        span._.conflict = marker
        return doc.user_data.get(("._.", "conflict", span.start_char, span.end_char)) is marker
    except Exception:  # noqa: BLE001 - any surprise: use the public API
        return False


_FAST_RECORD = _record_key_ok()


def set_record(doc: Doc, span: Span, record: Any) -> None:
    """``span._.conflict = record``, without building an ``Underscore`` object."""
    if _FAST_RECORD:
        doc.user_data[("._.", "conflict", span.start_char, span.end_char)] = record
    else:
        span._.conflict = record


def get_record(doc: Doc, span: Span) -> Any:
    """``span._.conflict`` (the same value, read the same way spaCy reads it)."""
    if _FAST_RECORD:
        return doc.user_data.get(("._.", "conflict", span.start_char, span.end_char))
    return span._.conflict


class SentenceSplitter:
    """The ``conflict_sentences_v1`` component: spaCy's ``sentencizer`` rule on token arrays.

    spaCy's rule: the first token opens a sentence, and so does the first token after a
    sentence-final character (``punct_chars``: ``.``, ``!``, ``?`` ...) that is neither
    punctuation nor itself sentence-final (so closing quotes and brackets stay with the
    sentence). spaCy walks the doc one ``Token`` object at a time; here each token's class (plain,
    punctuation, sentence-final; cached per token text) is one byte, a regular expression over
    those bytes finds the sentence starts, and ``doc.from_array`` writes them. The result is
    identical, token for token (``tests/test_pipeline.py``).

    Parameters
    ----------
    punct_chars : list of str, optional
        Sentence-final token texts; default spaCy's ``Sentencizer.default_punct_chars``.
    overwrite : bool
        Replace sentence starts already set (spaCy's ``overwrite``); default keep them.
    """

    def __init__(self, punct_chars: list[str] | None = None, overwrite: bool = False):
        self.punct_chars = set(punct_chars or Sentencizer.default_punct_chars)
        self.overwrite = overwrite
        #: ORTH hash -> token class byte: b"0" plain, b"1" punctuation, b"2" sentence-final
        self._classes: dict[int, int] = {}

    def _token_classes(self, doc: Doc) -> bytes:
        orths = doc.to_array(ORTH).tolist()
        cache = self._classes
        try:
            return bytes(map(cache.__getitem__, orths))
        except KeyError:
            if len(cache) > 500_000:  # a bound for endless streams of new words
                cache.clear()
            vocab = doc.vocab
            for h in orths:
                if h not in cache:
                    lex = vocab[h]
                    cache[h] = 50 if lex.orth_ in self.punct_chars else 49 if lex.is_punct else 48
            return bytes(map(cache.__getitem__, orths))

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        # a plain token opens a sentence when a sentence-final token lies between it and the
        # previous plain token (spaCy's ``seen_period``, reset at every plain token): on the string
        # of token classes, the last token of each match of "2[12]*0"
        opens = [m.end() - 1 for m in _OPENS.finditer(self._token_classes(doc))]
        tags = np.full(n, _NOT_START)
        tags[opens] = 1
        tags[0] = 1
        # like spaCy, keep sentence starts set before (a new doc has none beyond its first token, always 1)
        if not self.overwrite and doc.has_annotation("SENT_START"):
            old = doc.to_array(SENT_START)
            keep = old != 0
            tags[keep] = old[keep]
        doc.from_array([SENT_START], tags)
        return doc


_OPENS = re.compile(rb"2[12]*0")
_NOT_START = np.uint64(2**64 - 1)  # SENT_START -1 as the uint64 ``from_array`` takes


def make_sentence_splitter(nlp: Language, name: str, punct_chars: list[str] | None,
                           overwrite: bool) -> SentenceSplitter:
    """Factory for ``conflict_sentences_v1`` (see :class:`SentenceSplitter`)."""
    return SentenceSplitter(punct_chars, overwrite)


if not Language.has_factory("conflict_sentences_v1"):
    Language.factory("conflict_sentences_v1", default_config={"punct_chars": None, "overwrite": False},
                     func=make_sentence_splitter)


def _import_components() -> None:
    # Importing the modules registers their factories with spaCy.
    from . import actors, dates, figures, gazetteer  # noqa: F401


def build_pipeline(geo_dir: str | Path | None = None) -> spacy.Language:
    """Build a fresh pipeline (see :func:`load_pipeline` for the cached one).

    Parameters
    ----------
    geo_dir : path, optional
        Folder with the reference geography; default ``data/raw/geo``.
    """
    _import_components()
    nlp = spacy.blank("en")
    nlp.add_pipe("conflict_sentences_v1")
    cfg = {"geo_dir": str(geo_dir) if geo_dir else None}
    nlp.add_pipe("conflict_places_v1", config=cfg)
    nlp.add_pipe("conflict_actors_v1")
    nlp.add_pipe("conflict_dates_v1")
    nlp.add_pipe("conflict_figures_v1")
    return nlp


@lru_cache(maxsize=4)
def load_pipeline(geo_dir: str | None = None) -> spacy.Language:
    """The pipeline, built once per process (reference data is loaded once).

    Examples
    --------
    >>> nlp = load_pipeline()
    >>> [name for name in nlp.pipe_names]
    ['conflict_sentences_v1', 'conflict_places_v1', 'conflict_actors_v1', 'conflict_dates_v1', 'conflict_figures_v1']
    """
    return build_pipeline(geo_dir)
