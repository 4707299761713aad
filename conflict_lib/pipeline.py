"""The spaCy pipeline: ``spacy.blank("en")`` plus the project's registered components.

Components (each a registered factory with a versioned name — spaCy allows no ``.`` in a
factory name, so the version is a ``_v1`` suffix — patterns and lexicons kept as
data files in ``conflict_lib/data/``):

- ``conflict_places_v1``  places through the gazetteer (``conflict_lib.gazetteer``)
- ``conflict_actors_v1``  actors and their alignment (``conflict_lib.actors``)
- ``conflict_dates_v1``   dates resolved against the document's own dating (``conflict_lib.dates``)
- ``conflict_figures_v1`` numbers with qualifier, range and unit (``conflict_lib.figures``)

Each writes ``doc.spans[<kind>s]``; every span carries its record in ``span._.conflict``
(a dict with ``canonical`` and the kind's attributes, see :class:`conflict_lib.schema.Mention`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
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
    nlp.add_pipe("sentencizer")
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
    ['sentencizer', 'conflict_places_v1', 'conflict_actors_v1', 'conflict_dates_v1', 'conflict_figures_v1']
    """
    return build_pipeline(geo_dir)
