"""Run the spaCy pipeline over a cleaned document and return plain :class:`Mention` records.

The spaCy ``Doc`` is made from ``Document.match_text`` (same length as the cleaned text, characters
folded for matching), so every span offset is an offset into ``Document.text`` too.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from spacy.attrs import SENT_START

from .pipeline import (HITS_KEY, SPAN_KEYS, doc_text, get_record, load_pipeline, seed_doc_text, set_doc_extension,
                       start_hit_log, token_bounds)
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
    text = document.match_text
    doc = nlp.make_doc(text)
    seed_doc_text(doc, text)
    ref = document.reference_date
    set_doc_extension(doc, "reference_date", ref.isoformat() if ref else None)
    set_doc_extension(doc, "doc_id", document.doc_id)
    doc = start_hit_log(doc).run(doc, nlp.pipeline)
    text = document.text
    mentions = doc_mentions(doc, text)
    sentences = sentence_offsets(doc)
    doc.user_data.pop(HITS_KEY, None)
    if sentences is None:
        sentences = [(0, len(text))]
    return TaggedDocument(document=document, mentions=mentions, sentences=split_at_lines(text, sentences))


def doc_mentions(doc: Any, text: str) -> list[Mention]:
    """The mentions of ``doc.spans`` (keys :data:`conflict_lib.pipeline.SPAN_KEYS`), in text order.

    Each span gives a mention of its offsets, its characters in ``text`` and its record (``canonical``
    taken out, else the span's text). A group whose spans are known from the doc's
    :class:`conflict_lib.pipeline.HitLog` is read from it, which builds no ``Span`` object: same
    offsets, same records (read from ``doc.user_data`` as ``span._.conflict`` is); any other group
    is read from ``doc.spans``.
    """
    mentions: list[Mention] = []
    order: list[int] = []  # each mention's place in the text order, as one int (see below)
    append, note = mentions.append, order.append
    user_data = doc.user_data
    get = user_data.get
    log = get(HITS_KEY)
    groups = doc.spans
    # ``doc.spans`` is a ``UserDict``, whose ``in`` and ``[]`` run Python code: its ``data`` dict is read
    data = getattr(groups, "data", None)
    if type(data) is not dict:
        data = groups
    # the order is (start, -end, kind), the kind alphabetical. The kinds are read in that order, so a
    # stable sort on (start, -end) alone breaks ties by kind (then keeps each group's order), and
    # ``start * (n + 1) - end``, with n at least every end (the doc's length bounds its spans), gives
    # the order of (start, -end) as an int (cheaper to sort on than a tuple)
    n1 = max(len(text), len(doc_text(doc))) + 1
    known = log.all_hits(doc) if log is not None else {}
    for kind, key in _KINDS:
        if key not in data:
            continue
        keys = known.get(key)
        if keys is None:
            for span in data[key]:
                start, end = span.start_char, span.end_char
                record = dict(get_record(doc, span) or {})
                canonical = str(record.pop("canonical")) if "canonical" in record else span.text
                append(Mention(kind, start, end, text[start:end], canonical, record))
                note(start * n1 - end)
            continue
        base = len(mentions)  # the group's i-th span is mention ``base + i``
        for rkey in keys:
            start = rkey[2]
            end = rkey[3]
            rec = get(rkey)
            # ``dict(rec or {})`` as above; a dict's own ``copy`` is the same copy, called faster
            record = rec.copy() if type(rec) is dict else dict(rec) if rec else {}
            canonical = record.pop("canonical", _MISSING)
            if type(canonical) is not str:
                if canonical is _MISSING:
                    canonical = data[key][len(mentions) - base].text
                else:
                    canonical = str(canonical)
            append(Mention(kind, start, end, text[start:end], canonical, record))
            note(start * n1 - end)
    # a stable sort, as ``mentions.sort(key=lambda m: (m.start, -m.end, m.kind))``
    return [mentions[i] for i in sorted(range(len(mentions)), key=order.__getitem__)]


_MISSING = object()


#: ``(kind, doc.spans key)`` of :data:`conflict_lib.pipeline.SPAN_KEYS`, the kinds in alphabetical
#: order (the mentions' order breaks ties by kind name)
_KINDS = sorted(SPAN_KEYS.items())


def sentence_offsets(doc: Any) -> list[tuple[int, int]] | None:
    """``[(s.start_char, s.end_char) for s in doc.sents]``, or None when the doc has no sentence starts
    (``doc.has_annotation("SENT_START")`` false).

    Read off the ``SENT_START`` array and the shared token offsets instead of building a ``Span`` per
    sentence, or, when :class:`conflict_lib.pipeline.SentenceSplitter` left them in the doc's hit log
    (it set every token's ``SENT_START``: 1 at those, -1 elsewhere), off its starts; a ``sents``
    user hook is honoured through spaCy itself.
    """
    if "sents" in doc.user_hooks:
        return [(s.start_char, s.end_char) for s in doc.sents]
    n = len(doc)
    if n == 0:
        return []
    log = doc.user_data.get(HITS_KEY)
    known = log.sentence_starts(doc) if log is not None else None
    if known is not None:
        opens = [0, *known]
    else:
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
    append = out.append
    # per piece between line breaks: the stripped piece (``str.strip`` and ``str.isspace`` agree on
    # what is white space), placed by the length of what ``lstrip`` took off
    for start, end in sentences:
        piece = text[start:end]
        if "\n" not in piece:
            core = piece.strip()
            if core:
                s = start + len(piece) - len(piece.lstrip())
                append((s, s + len(core)))
            continue
        pos = start
        for line in piece.split("\n"):
            core = line.strip()
            if core:
                s = pos + len(line) - len(line.lstrip())
                append((s, s + len(core)))
            pos += len(line) + 1
    return out
