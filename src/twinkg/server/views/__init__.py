"""The HTML pages and the documents they draw on, one module per kind, each exporting its `routes`:

- resources: /page/… (places, twinnings, events, actors, sources, concepts) and /ontology;
- listings: the home page, search, the index of places, the network and base maps;
- dataset: /dataset, /dumps/ and /statistics;
- twinnings: /twinnings (every link, by facets) and /twinnings.csv;
- workbench: /query, what its editor completes, its base map;
- model: the typed page model (Term, Node) and the checked terms pages write into queries.
"""
