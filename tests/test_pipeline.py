"""The spaCy pipeline: components in order, sentence starts, mention offsets, determinism."""
import datetime

import pytest
import spacy

from conflict_lib.pipeline import COMPONENTS, SentenceSplitter, build_pipeline, load_pipeline
from conflict_lib.schema import Document
from conflict_lib.tagging import tag_document

TEXT = (
    "Syria: Humanitarian Update\n\n"
    "On 12 March 2018, Syrian Arab Army (SAA) forces and allied militias advanced on Douma in "
    "eastern Ghouta, Rif Dimashq Governorate. About 2,000 families fled to Hrasta and Damascus city.\n\n"
    "\"The situation is dire,\" the UN said. Turkish-backed groups took Afrin District from the SDF on "
    "18 March; more than 137,000 people were displaced to Tall Rifaat and Nubl.\n"
)


def _document(text: str = TEXT, doc_id: str = "test-doc") -> Document:
    return Document(doc_id=doc_id, path="test-doc.txt", format="txt", title=None, publisher=None,
                    published=datetime.date(2018, 3, 25), period_start=None, period_end=None,
                    source_url=None, license=None, raw_text=text, text=text, match_text=text,
                    offsets=list(range(len(text))))


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def test_pipeline_is_blank_english_with_components_in_order(nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["conflict_sentences_v1", *COMPONENTS]
    assert list(COMPONENTS) == ["conflict_places_v1", "conflict_actors_v1", "conflict_dates_v1",
                                "conflict_figures_v1"]
    # nothing but the tokenizer from spaCy: no trained components
    fresh = build_pipeline()
    assert fresh.pipe_names == nlp.pipe_names
    assert fresh.meta.get("name") == spacy.blank("en").meta.get("name")


def test_mention_offsets_slice_the_cleaned_text(nlp):
    tagged = tag_document(_document(), nlp)
    kinds = {m.kind for m in tagged.mentions}
    assert {"place", "actor", "date", "figure"} <= kinds
    for m in tagged.mentions:
        assert 0 <= m.start < m.end <= len(TEXT)
        assert TEXT[m.start:m.end] == m.text
        assert m.canonical
    assert [(m.start, -m.end) for m in tagged.mentions] == sorted((m.start, -m.end) for m in tagged.mentions)
    for s, e in tagged.sentences:
        assert TEXT[s:e] == TEXT[s:e].strip() and "\n" not in TEXT[s:e]


def test_tagging_is_deterministic(nlp):
    a = tag_document(_document(), nlp)
    b = tag_document(_document(), nlp)
    c = tag_document(_document(), build_pipeline())
    for other in (b, c):
        assert [(m.kind, m.start, m.end, m.canonical, m.attrs) for m in a.mentions] == \
            [(m.kind, m.start, m.end, m.canonical, m.attrs) for m in other.mentions]
        assert a.sentences == other.sentences


@pytest.mark.parametrize("text", [
    TEXT, "", ".", "Hello.", "\"Hi.\" he said. ...and then?! ok", "A. B.) c? (d! e", "..", "x . . y",
    "Heading\n\nFirst sentence. Second one!\n* bullet", "U.S. forces left. Then (they said) more.",
])
def test_sentence_starts_match_spacys_sentencizer(text):
    blank = spacy.blank("en")
    theirs = blank.add_pipe("sentencizer")(blank.make_doc(text))
    ours = SentenceSplitter()(blank.make_doc(text))
    assert [t.is_sent_start for t in ours] == [t.is_sent_start for t in theirs]


def test_sentence_splitter_keeps_starts_set_before():
    blank = spacy.blank("en")
    doc = blank.make_doc("One two three. Four five")
    doc[2].is_sent_start = True
    SentenceSplitter()(doc)
    assert [t.is_sent_start for t in doc] == [True, False, True, False, True, False]


def test_hit_log_falls_back_when_a_foreign_component_edits_a_group():
    from spacy.language import Language

    from conflict_lib.pipeline import HITS_KEY
    from conflict_lib.tagging import doc_mentions

    name = "test_drop_first_actor"
    if not Language.has_factory(name):
        def drop_first_actor(doc):  # a component from elsewhere: rewrites the actors group
            doc.spans["actors"] = list(doc.spans["actors"])[1:]
            return doc
        Language.component(name, func=drop_first_actor)
    fresh = build_pipeline()
    fresh.add_pipe(name, after="conflict_actors_v1")
    tagged = tag_document(_document(), fresh)
    # the same mentions read off ``doc.spans`` alone (no hit log: the components run one by one)
    doc = fresh.make_doc(TEXT)
    doc._.reference_date = _document().reference_date.isoformat()
    doc._.doc_id = "test-doc"
    for _, proc in fresh.pipeline:
        doc = proc(doc)
    assert HITS_KEY not in doc.user_data
    assert tagged.mentions == doc_mentions(doc, TEXT)
    assert sum(m.kind == "actor" for m in tagged.mentions) == len(doc.spans["actors"])
