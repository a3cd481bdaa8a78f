"""Who publishes the dataset and under which licence: what the build writes into the meta graph, VoID/DCAT and
the CSVW metadata, and what the server announces (Link headers, schema.org markup). One place that both halves
read, so that the web layer needs nothing of the build's modules for them."""

from __future__ import annotations

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
"""The dataset's licence (dct:license), CC BY 4.0."""
PUBLISHER = "https://w3id.org/twinkg/"
"""The project, publisher of the dataset (dct:publisher)."""
PUBLISHER_NAME = "twinkg contributors"
"""The publisher's name (foaf:name, schema.org creator)."""
ONTOLOGY_IRI = "https://w3id.org/twinkg/ontology"
"""The ontology the dataset conforms to (dct:conformsTo)."""
