"""Run the spaCy pipeline over a cleaned document and return plain :class:`Mention` records.

The spaCy ``Doc`` is made from ``Document.match_text`` (same length as the cleaned text, characters
folded for matching), so every span offset is an offset into ``Document.text`` too.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from spacy.attrs import SENT_START

from .pipeline import SPAN_KEYS, get_record, load_pipeline, seed_doc_text, token_bounds
from .schema import Document, Mention, TaggedDocument


def tag_document(document: Document, nlp: Any = None) -> TaggedDocument:
    """Tag places, actors, dates and figures in one document.

    Parameters
    ----------
    document : Document
        A cleaned document (see :func:`conflict_lib.reports.read_report`).
    nlp : spacy.Language, optional
        The pipeline; default :func:`conflict_lib.pipeline.load_pipeline` (built once per process).

    Returns
    -------
    TaggedDocument
        The document, its mentions in text order and its sentence spans.
    """
    nlp = nlp if nlp is not None else load_pipeline()
    doc = nlp.make_doc(document.match_text)
    seed_doc_text(doc, document.match_text)
    ref = document.reference_date
    doc._.reference_date = ref.isoformat() if ref else None
    doc._.doc_id = document.doc_id
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    mentions: list[Mention] = []
    text = document.text
    for kind, key in SPAN_KEYS.items():
        if key not in doc.spans:
            continue
        for span in doc.spans[key]:
            start, end = span.start_char, span.end_char
            record = dict(get_record(doc, span) or {})
            canonical = str(record.pop("canonical")) if "canonical" in record else span.text
            mentions.append(Mention(kind=kind, start=start, end=end, text=text[start:end],
                                    canonical=canonical, attrs=record))
    mentions.sort(key=lambda m: (m.start, -m.end, m.kind))
    sentences = sentence_offsets(doc)
    if sentences is None:
        sentences = [(0, len(document.text))]
    return TaggedDocument(document=document, mentions=mentions, sentences=split_at_lines(document.text, sentences))


def sentence_offsets(doc: Any) -> list[tuple[int, int]] | None:
    """``[(s.start_char, s.end_char) for s in doc.sents]``, or None when the doc has no sentence starts
    (``doc.has_annotation("SENT_START")`` false).

    Read off the ``SENT_START`` array and the shared token offsets instead of building a ``Span`` per
    sentence; a ``sents`` user hook is honoured through spaCy itself.
    """
    if "sents" in doc.user_hooks:
        return [(s.start_char, s.end_char) for s in doc.sents]
    n = len(doc)
    if n == 0:
        return []
    flags = doc.to_array(SENT_START)
    if n > 1 and not flags[1:].any():
        return None
    # spaCy: the first token opens a sentence, then every token whose sent_start is 1
    opens = [0] + [i for i in np.flatnonzero(flags == 1).tolist() if i]
    starts, ends = token_bounds(doc)
    closes = opens[1:] + [n]
    return [(starts[a], ends[b - 1]) for a, b in zip(opens, closes)]


def split_at_lines(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split sentence spans at line breaks and trim surrounding white space.

    The cleaned text keeps one paragraph, heading or caption per line (paragraphs separated by a
    blank line), and no sentence runs across a line break; spaCy's rule-based sentencizer does not
    know that, so a heading would otherwise be glued to the sentence that follows it.

    Examples
    --------
    >>> split_at_lines("Reconciliation Deals\\n\\nThey claimed it.", [(0, 36)])
    [(0, 20), (22, 36)]
    """
    out: list[tuple[int, int]] = []
    for start, end in sentences:
        pos = start
        while pos < end:
            nl = text.find("\n", pos, end)
            stop = end if nl == -1 else nl
            s, e = pos, stop
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append((s, e))
            pos = stop + 1 if nl != -1 else end
    return out
