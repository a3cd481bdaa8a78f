"""The stores behind the web layer; see `base` for the contract they share.

- `pool`: the embedded store, worker processes (`worker`) over an on-disk
  pyoxigraph store that `loading` bulk-loads from the build's dump;
- `remote`: a SPARQL 1.1 endpoint elsewhere, with a per-product adapter;
- `memory`: an in-process store for tests;
- `results`: evaluation and the row cap, shared by the three.

This module imports none of them, so `python -m twinkg.store.worker` starts
without loading the server's dependencies.
"""

from twinkg.store.base import Answer, Cost, QueryRequest, Row, Store, Term

__all__ = ["Answer", "Cost", "QueryRequest", "Row", "Store", "Term"]
