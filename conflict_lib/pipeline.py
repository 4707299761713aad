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
While :func:`conflict_lib.tagging.tag_document` runs them, the spans' offsets are also noted in the
doc's :class:`HitLog` (``doc.user_data[HITS_KEY]``), so the mentions are built without ``Span`` objects.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

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

    The spans' offsets go to the doc's hit log when there is one (see :class:`HitLog`); a span's
    ``start_char`` / ``end_char`` are its first token's offset and its last token's end (or the
    trimmed end), read off the same token offsets instead of asking the span.
    """
    spans: list[Span] = []
    user_data = doc.user_data
    log = user_data.get(HITS_KEY)
    if not found:
        if log is not None:
            log.batches.append([])
            log.open = None
        return spans
    idx, tok_end = token_bounds(doc)
    size = len(text)
    fast = _FAST_RECORD
    keys = []
    for start, end, _text, rec in found:
        if not (0 <= start < end <= size):
            continue
        s = bisect_right(idx, start) - 1
        if start == tok_end[s]:  # in the trailing space: the span starts at the next token
            s += 1
        e = bisect_right(idx, end - 1)
        if e <= s:
            continue
        # ``Span(doc, s, e)`` reads its offsets off three ``Token`` objects; an empty span at s
        # reads one, and its end is set from the offsets known here (the same span)
        span = Span(doc, s, s)
        span.end = e
        span_end = tok_end[e - 1]
        if trim_end and span_end > end and text[end - 1].isalnum() and not text[end].isalnum():
            span_end = end
        span.end_char = span_end
        key = ("._.", "conflict", idx[s], span_end)
        if fast:
            user_data[key] = rec
        else:
            span._.conflict = rec
        keys.append(key)
        spans.append(span)
    if log is not None:
        log.batches.append(keys)
        log.open = None
    return spans


#: ``doc.user_data`` key of the doc's :class:`HitLog` (present only while :func:`conflict_lib.tagging.tag_document`
#: runs the pipeline: a log is started with :func:`start_hit_log`).
HITS_KEY = ("conflict_lib", "hits")


class HitLog:
    """The spans the components wrote, as offsets, so that the mentions need no ``Span`` objects.

    Turning a ``SpanGroup`` back into mentions builds a ``Span`` object per span and asks it for its
    offsets: that cost more than the rest of :func:`conflict_lib.tagging.tag_document` beyond the
    components. The components already know each span's offsets when they attach its record, so
    :func:`char_spans` and :func:`set_record` note them here, as the record's ``doc.user_data`` key
    ``("._.", "conflict", start_char, end_char)``: one *batch* per :func:`char_spans` call, one per
    run of :func:`set_record` calls (a component that writes ``doc.user_data`` itself calls
    :func:`note_hits` once per group). Nothing changes for the components: they keep writing
    ``doc.spans[...]`` with records exactly as before (one group per component).

    Whoever runs the components (``tag_document``, through :meth:`run`) binds each batch to the
    ``doc.spans`` group written in the same step with :meth:`end_step`, only when the binding is
    certain: the step is a component of this package, it replaced exactly one group and made at
    most one batch, of the group's length. A component from elsewhere might edit any group in
    place, so it unbinds them all. :meth:`hits` hands a batch out only while its group is still the
    very object bound, of the same length; otherwise the caller reads ``doc.spans`` (the records are
    always read from ``doc.user_data``, as spaCy reads ``span._.conflict``).
    """

    __slots__ = ("batches", "open", "bound", "sentences")

    def __init__(self) -> None:
        #: one list of record keys per batch, in order
        self.batches: list[list[tuple]] = []
        #: the batch :func:`set_record` appends to (None: the next call starts one)
        self.open: list[tuple] | None = None
        #: ``doc.spans`` key -> (group, batch)
        self.bound: dict[str, tuple[Any, list[tuple]]] = {}
        #: ``(len(doc), starts)``: the sentence starts :class:`SentenceSplitter` set (first token aside),
        #: while no component from elsewhere ran after it
        self.sentences: tuple[int, list[int]] | None = None

    def begin_step(self, doc: Doc) -> tuple[Doc, int, Any]:
        """Note the state before a component runs on ``doc``; pass the result to :meth:`end_step`.

        The groups are noted as ``doc.spans`` is: as its ``(key, group)`` pairs in order (one
        ``tuple(data.items())`` of its dict), or as a plain dict if it is not spaCy's ``SpanGroups``.
        """
        self.open = None
        data = getattr(doc.spans, "data", None)
        return doc, len(self.batches), tuple(data.items()) if type(data) is dict else _groups(doc)

    def end_step(self, proc: Any, doc: Doc, before: tuple[Doc, int, Any]) -> None:
        """Bind the batch the component ``proc`` made to the group it wrote (see the class doc).

        ``doc`` is what ``proc`` returned: if not the doc it was given, nothing is known of it.
        """
        self.open = None
        old_doc, n_batches, groups = before
        if doc is not old_doc or doc.user_data.get(HITS_KEY) is not self:
            self.bound.clear()
            self.sentences = None
            return
        if not _own_component(proc):
            self.bound.clear()
            self.sentences = None
            return
        data = getattr(doc.spans, "data", None)
        if type(groups) is tuple:  # the pairs :meth:`begin_step` took
            if type(data) is dict:
                # the common cases, compared pair by pair in order (a ``SpanGroup`` compares equal only
                # to itself): one group added at the end (a dict keeps the order in which keys were
                # added) and the others left as they were, or no group written (the sentences)
                now = tuple(data.items())
                if len(now) == len(groups) + 1:
                    if now[:-1] == groups:
                        key, group = now[-1]
                        self._bind(key, group, n_batches)
                        return
                elif now == groups:
                    return
            groups = dict(groups)
        if type(data) is dict and len(data) == len(groups) + 1:
            # the common case, without a second copy: one group added (the new key is the only one
            # whose group is not the very one before; then, by the counts, no key went away)
            changed = [k for k, g in data.items() if groups.get(k) is not g]
            if len(changed) == 1:
                self._bind(changed[0], data[changed[0]], n_batches)
                return
        after = _groups(doc)
        if after == groups:  # no group replaced (the values compare by identity)
            return
        changed = [k for k, g in after.items() if groups.get(k) is not g]
        if not groups.keys() <= after.keys():
            changed.extend(k for k in groups if k not in after)
        if len(changed) == 1:
            self._bind(changed[0], after.get(changed[0]), n_batches)
            return
        bound = self.bound
        for k in changed:
            bound.pop(k, None)

    def run(self, doc: Doc, procs: list[tuple[str, Any]]) -> Doc:
        """Run the components ``procs`` (``(name, component)`` pairs) on ``doc`` in turn, each between
        :meth:`begin_step` and :meth:`end_step`, and return the doc the last one returned.

        The same steps, with the common cases inline: a component of this package, on the doc it was
        given, that wrote no group (the sentences), or added one group at the end of ``doc.spans`` (a
        dict keeps the order in which keys were added) and left the others as they were. The groups
        are compared as ``(key, group)`` pairs in order, taken with one ``tuple(data.items())`` before
        and after the step (a ``SpanGroup`` compares equal only to itself); anything else goes
        through :meth:`end_step` itself, with the groups as they were before.
        """
        batches = self.batches
        for _name, proc in procs:
            self.open = None
            spans = doc.spans
            data = getattr(spans, "data", None)
            if type(data) is not dict:  # not spaCy's ``SpanGroups``: the general steps
                before = self.begin_step(doc)
                new = proc(doc)
                self.end_step(proc, new, before)
                doc = new
                continue
            groups = tuple(data.items())
            n_batches = len(batches)
            new = proc(doc)
            self.open = None
            if new is doc and spans.data is data and doc.user_data.get(HITS_KEY) is self:
                own = _OWN.get(type(proc))
                if own is None:
                    own = _own_component(proc)
                if own:
                    now = tuple(data.items())
                    if len(now) == len(groups) + 1:
                        if now[:-1] == groups:  # one group added, the last
                            key, group = now[-1]
                            self._bind(key, group, n_batches)
                            continue
                    elif now == groups:  # no group written
                        continue
            self.end_step(proc, new, (doc, n_batches, groups))
            doc = new
        return doc

    def _bind(self, key: str, group: Any, n_batches: int) -> None:
        """The step changed the one group ``key`` (now ``group``, None if removed): bind to it the batch
        the step made (if at most one, of the group's length), else unbind it."""
        self.bound.pop(key, None)
        batches = self.batches
        if len(batches) - n_batches <= 1:
            batch = batches[-1] if len(batches) > n_batches else []
            if group is not None and len(group) == len(batch):
                self.bound[key] = (group, batch)

    def hits(self, doc: Doc, key: str) -> list[tuple] | None:
        """The record keys of the spans of ``doc.spans[key]``, in order, or None when not known."""
        hit = self.bound.get(key)
        if hit is None or not _FAST_RECORD or doc.user_data.get(HITS_KEY) is not self:
            return None
        group, batch = hit
        # ``doc.spans`` is a ``UserDict``, whose ``get`` runs Python code: its ``data`` dict is asked instead
        groups = doc.spans
        data = getattr(groups, "data", None)
        now = data.get(key) if type(data) is dict else groups.get(key)
        if now is not group or len(group) != len(batch):
            return None
        return batch

    def all_hits(self, doc: Doc) -> dict[str, list[tuple]]:
        """:meth:`hits` of every group at once: ``doc.spans`` key -> the record keys of its spans, for
        the groups whose spans are known (one check of the doc for all of them)."""
        bound = self.bound
        if not bound or not _FAST_RECORD or doc.user_data.get(HITS_KEY) is not self:
            return {}
        groups = doc.spans
        data = getattr(groups, "data", None)
        get = data.get if type(data) is dict else groups.get  # (as in :meth:`hits`)
        return {key: batch for key, (group, batch) in bound.items()
                if get(key) is group and len(group) == len(batch)}

    def sentence_starts(self, doc: Doc) -> list[int] | None:
        """The tokens :class:`SentenceSplitter` made sentence starts (the first token aside), in order;
        None when not known (then read ``SENT_START``)."""
        known = self.sentences
        if known is None or known[0] != len(doc) or doc.user_data.get(HITS_KEY) is not self:
            return None
        return known[1]


def _groups(doc: Doc) -> dict[str, Any]:
    """A copy of ``doc.spans`` as a plain dict (key -> ``SpanGroup``), taken cheaply.

    ``doc.spans`` is a ``UserDict``: copying its ``data`` dict is some 20 times faster than
    ``dict(doc.spans)``, which goes through the mapping protocol key by key.
    """
    groups = doc.spans
    data = getattr(groups, "data", None)
    return data.copy() if type(data) is dict else dict(groups)


def _own_component(proc: Any) -> bool:
    """Whether ``proc`` is one of this package's components (they write only their own group)."""
    kind = type(proc)
    own = _OWN.get(kind)
    if own is None:
        own = _OWN[kind] = (getattr(kind, "__module__", None) or "").startswith(_PACKAGE)
    return own


_PACKAGE = __name__.rsplit(".", 1)[0] + "."
_OWN: dict[type, bool] = {}


def note_hits(doc: Doc, keys: list[tuple]) -> None:
    """Note the record keys ``("._.", "conflict", start_char, end_char)`` of the spans of one group, in
    the group's order, in the doc's hit log (nothing without one; see :class:`HitLog`).

    For a component that writes its records into ``doc.user_data`` itself rather than through
    :func:`char_spans` or :func:`set_record` (which note them already): one call per group written.
    """
    log = doc.user_data.get(HITS_KEY)
    if log is not None:
        log.batches.append(list(keys))
        log.open = None


def start_hit_log(doc: Doc) -> HitLog:
    """Start the doc's :class:`HitLog` (call before running the components)."""
    log = doc.user_data[HITS_KEY] = HitLog()
    return log


# ``span._.conflict`` is stored by spaCy in ``doc.user_data`` under ``("._.", name, start_char, end_char)``;
# going through ``span._`` builds an ``Underscore`` object per access, which costs more than the
# rest of turning a span into a mention. The key layout is checked once against spaCy itself, and
# the public (slow) path is used if it ever differs. The check runs at import: it uses a bare ``Doc``
# on an empty ``Vocab`` (where the values live does not depend on the language), not a whole
# ``spacy.blank("en")``, whose tokenizer rules cost a good part of a second to build.
def _record_key_ok() -> bool:
    try:
        doc = Doc(Vocab(), words=["a", "b"])
        span = doc[1:2]
        marker = object()
        span._.conflict = marker
        return doc.user_data.get(("._.", "conflict", span.start_char, span.end_char)) is marker
    except Exception:  # noqa: BLE001 - any surprise: use the public API
        return False


_FAST_RECORD = _record_key_ok()


def _doc_key_ok() -> bool:
    """Whether spaCy keeps ``doc._.<name>`` in ``doc.user_data`` under ``("._.", name, None, None)``."""
    try:
        doc = Doc(Vocab(), words=["a"])
        marker = object()
        doc._.doc_id = marker
        return doc.user_data.get(("._.", "doc_id", None, None)) is marker
    except Exception:  # noqa: BLE001 - any surprise: use the public API
        return False


_FAST_DOC_EXTENSION = _doc_key_ok()


def set_doc_extension(doc: Doc, name: str, value: Any) -> None:
    """``setattr(doc._, name, value)`` for a plain extension (a default, no getter, setter or method,
    as :func:`ensure_extensions` registers them), without building an ``Underscore`` object.

    spaCy stores such a value in ``doc.user_data`` under ``("._.", name, None, None)`` (checked once
    at import, as for :func:`set_record`); any other extension goes through ``doc._``.
    """
    ext = Doc.get_extension(name) if _FAST_DOC_EXTENSION else None
    if ext is not None and ext[1] is None and ext[2] is None and ext[3] is None:
        doc.user_data[("._.", name, None, None)] = value
    else:
        setattr(doc._, name, value)


def set_record(doc: Doc, span: Span, record: Any) -> None:
    """``span._.conflict = record``, without building an ``Underscore`` object.

    The span's offsets go to the doc's hit log when there is one (see :class:`HitLog`).
    """
    user_data = doc.user_data
    key = ("._.", "conflict", span.start_char, span.end_char)
    if _FAST_RECORD:
        user_data[key] = record
    else:
        span._.conflict = record
    log = user_data.get(HITS_KEY)
    if log is not None:
        if log.open is None:
            log.open = []
            log.batches.append(log.open)
        log.open.append(key)


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
    sentence). spaCy walks the doc one ``Token`` object at a time. Here the sentence-final tokens
    are found on the ``ORTH`` array at once (a token is sentence-final exactly when its ``ORTH``
    hash is one of those of ``punct_chars``: a table lookup on the hashes' low bits over the whole
    array, then the few candidates checked on the full hash); only the few tokens after
    each are looked at one by one (their class, plain or punctuation, cached per token text),
    and ``doc.from_array`` writes the starts. The result is identical, token for token
    (``tests/test_pipeline.py``).

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
        #: the ``ORTH`` hashes of the sentence-final texts, and a table by their low 16 bits (a
        #: vectorised first test on the whole ``ORTH`` array; the few candidates are checked exactly)
        self._final_ids = {get_string_id(c) for c in self.punct_chars}
        self._final_low = np.zeros(_LOW_MASK + 1, dtype=bool)
        self._final_low[[h & _LOW_MASK for h in self._final_ids]] = True
        #: ORTH hash -> whether the token is plain (neither punctuation nor sentence-final)
        self._plain: dict[int, bool] = {}
        #: SENT_START 1 for the first token, -1 for every other, copied per doc (see :meth:`_not_starts`)
        self._template = self._make_template(4096)

    def _learn(self, doc: Doc, orth: int) -> bool:
        """Whether the token text ``orth`` is plain, computed and cached."""
        if len(self._plain) > 500_000:  # a bound for endless streams of new words
            self._plain.clear()
        lex = doc.vocab[orth]
        plain = self._plain[orth] = not (lex.orth_ in self.punct_chars or lex.is_punct)
        return plain

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        arr = doc.to_array(_ORTH_SENT)  # one call for both columns
        orths = arr[:, 0]
        # a plain token opens a sentence when a sentence-final token lies between it and the
        # previous plain token (spaCy's ``seen_period``, reset at every plain token): the first
        # plain token after each sentence-final one (finals passed on the way are skipped).
        # Candidates: the low 16 bits of the hash (``astype(uint16)`` keeps exactly those) looked up
        # in the table; each is then checked on its full hash. Few numpy calls per doc: on a doc of a
        # few hundred tokens each costs more in call overhead than in work.
        opens = []
        cand = self._final_low.take(orths.astype(np.uint16)).nonzero()[0]
        if cand.size:
            finals, plain, learn = self._final_ids, self._plain, self._learn
            item = orths.item  # a few candidates per doc: one call each costs less than a numpy op per doc
            j = 0
            for f in cand.tolist():
                if f < j or item(f) not in finals:
                    continue
                j = f + 1
                while j < n:
                    h = item(j)
                    p = plain.get(h)
                    if p is None:
                        p = learn(doc, h)
                    if p:
                        break
                    j += 1
                if j == n:
                    break
                opens.append(j)
        tags = self._not_starts(n)  # the first token already 1
        if opens:
            tags.put(opens, 1)
        # like spaCy, keep sentence starts set before (a new doc has none beyond its first token,
        # always 1). ``doc.has_annotation("SENT_START")`` walks the tokens one by one; the same test
        # on the array: true with a ``sents`` hook or a single token, else any start set after the first
        kept = False
        if not self.overwrite:
            old = arr[:, 1]
            if n == 1 or "sents" in doc.user_hooks or np.count_nonzero(old[1:]):
                keep = old != 0
                tags[keep] = old[keep]
                kept = True
        doc.from_array(_SENT, tags)
        log = doc.user_data.get(HITS_KEY)
        if log is not None:  # the starts, for the sentence offsets (see :class:`HitLog`)
            log.sentences = None if kept else (n, opens)
        return doc

    def _not_starts(self, n: int) -> np.ndarray:
        """A fresh array of ``n`` SENT_START values: 1 for the first token, -1 for the others (a slice
        copied off a kept template: cheaper than ``np.full`` and a write)."""
        template = self._template
        if len(template) < n:
            template = self._template = self._make_template(max(n, 2 * len(template)))
        return template[:n].copy()

    @staticmethod
    def _make_template(size: int) -> np.ndarray:
        template = np.full(size, _NOT_START)
        template[0] = 1
        return template


_NOT_START = np.uint64(2**64 - 1)  # SENT_START -1 as the uint64 ``from_array`` takes
_LOW_MASK = 0xFFFF
_ORTH_SENT = [ORTH, SENT_START]
_SENT = [SENT_START]


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


def load_pipeline(geo_dir: str | Path | None = None) -> spacy.Language:
    """The pipeline, built once per process (reference data is loaded once).

    ``load_pipeline()``, ``load_pipeline(None)`` and the same folder by any spelling of its path
    share one pipeline (a notebook that tags documents and then runs a build holds one copy).

    Examples
    --------
    >>> nlp = load_pipeline()
    >>> [name for name in nlp.pipe_names]
    ['conflict_sentences_v1', 'conflict_places_v1', 'conflict_actors_v1', 'conflict_dates_v1', 'conflict_figures_v1']
    >>> load_pipeline(None) is nlp
    True
    """
    return _cached_pipeline(str(Path(geo_dir).resolve()) if geo_dir else None)


@lru_cache(maxsize=4)
def _cached_pipeline(geo_dir: str | None) -> spacy.Language:
    # keyed by the normalised argument: ``lru_cache`` on ``load_pipeline`` itself told ``f()`` and
    # ``f(None)`` apart, and built the pipeline twice in a process that called both
    return build_pipeline(geo_dir)
