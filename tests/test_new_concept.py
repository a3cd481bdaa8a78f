"""A new event type and a new actor type need no Python change: a concept in the schemes, a class in the
ontology (and the event shape's list of classes), and the build types the records with them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.builds import MINI, PROJECT_ROOT, settings_for

from twinkg.build import run
from twinkg.errors import TwinkgError
from twinkg.graphs import quads
from twinkg.vocab import ORG, PROV, RDF, SEM, TW, Iris

CONCEPTS = """
<https://w3id.org/twinkg/vocab/event-type/renewal>
    a skos:Concept ;
    skos:inScheme <https://w3id.org/twinkg/vocab/event-type> ;
    skos:notation "renewal" ;
    skos:prefLabel "renewal"@en ;
    rdfs:seeAlso tw:Renewal .

<https://w3id.org/twinkg/vocab/actor-type/committee>
    a skos:Concept ;
    skos:inScheme <https://w3id.org/twinkg/vocab/actor-type> ;
    skos:notation "committee" ;
    skos:prefLabel "committee"@en ;
    rdfs:seeAlso tw:Committee .
"""
CLASSES = """
tw:Renewal a owl:Class ; rdfs:subClassOf tw:Event ; rdfs:label "Renewal"@en ;
    rdfs:comment "A twinning confirmed again."@en ; skos:definition "A renewal."@en .
tw:Committee a owl:Class ; rdfs:subClassOf org:Organization ; rdfs:label "Committee"@en ;
    rdfs:comment "A twinning committee."@en ; skos:definition "A committee."@en .
"""


def with_new_codes(tmp: Path, use_them: bool = True, declare_them: bool = True) -> tuple[Path, Path, Path]:
    """Copies of the ontology, shapes and mini data; the codes added to the first two and used by the third."""
    ontology, shapes, data = tmp / "ontology", tmp / "shapes", tmp / "data"
    shutil.copytree(PROJECT_ROOT / "ontology", ontology)
    shutil.copytree(PROJECT_ROOT / "shapes", shapes)
    shutil.copytree(MINI, data)
    if declare_them:
        with open(ontology / "concepts.ttl", "a") as f:
            f.write(CONCEPTS)
        with open(ontology / "twinkg.ttl", "a") as f:
            f.write(CLASSES)
        shape = shapes / "twinkg.shapes.ttl"
        text = shape.read_text()
        assert text.count("[ sh:class tw:Exchange ] )") == 1
        shape.write_text(text.replace("[ sh:class tw:Exchange ] )", "[ sh:class tw:Exchange ] [ sh:class tw:Renewal ] )"))
    if use_them:
        twinnings = data / "twinnings.yaml"
        text = twinnings.read_text()
        twinnings.write_text(text.replace("        type: exchange\n        forms: [telegram]",
                                          "        type: renewal\n        forms: [telegram]", 1))
        places = data / "places.yaml"
        places.write_text(places.read_text().replace("    type: council\n", "    type: committee\n", 1))
    return ontology, shapes, data


def test_a_new_event_type_and_actor_type_build_without_python_changes(tmp_path: Path) -> None:
    ontology, shapes, data = with_new_codes(tmp_path)
    settings = settings_for(data, tmp_path / "dist", ontology_dir=ontology, shapes_dir=shapes)
    built = run(settings, write=False)
    types = {(q.subject.value, q.object.value) for q in quads(built.graphs, Iris(settings.base))
             if q.predicate.value == RDF + "type"}
    event = "https://w3id.org/twinkg/id/event/alpha-beta-telegram"
    assert {(event, c) for c in (TW + "Renewal", TW + "Event", SEM + "Event", PROV + "Activity")} <= types
    assert (event, TW + "Exchange") not in types
    actor = "https://w3id.org/twinkg/id/actor/alpha-council"
    assert {(actor, c) for c in (TW + "Committee", ORG + "Organization", TW + "Actor", PROV + "Agent")} <= types
    assert (actor, TW + "Council") not in types


def test_an_undeclared_code_is_a_clear_input_error(tmp_path: Path) -> None:
    ontology, shapes, data = with_new_codes(tmp_path, declare_them=False)
    settings = settings_for(data, tmp_path / "dist", ontology_dir=ontology, shapes_dir=shapes)
    with pytest.raises(TwinkgError) as caught:
        run(settings, write=False)
    details = "\n".join(caught.value.details())
    assert "unknown event-type code 'renewal'" in details and "unknown actor-type code 'committee'" in details
