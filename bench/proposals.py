"""Loader changes the bench proposes, applied in-process so their gain is measured on the same input.

Nothing here is used by twinkg itself; each function names the change it stands for.
- `fast_yaml`: read YAML with PyYAML/libyaml `compose` instead of ruamel round-trip (bench/fastyaml.py).
- `references_once`: in `loader._check_references`, build the set of event ids once instead of
  once per event (`set(events)` is evaluated as an argument for every event: quadratic).
"""

from __future__ import annotations

import inspect
import textwrap

from twinkg.curated import loader

OLD_ARG = 'event.conflicts_with, set(events), "event")'
NEW_ARG = 'event.conflicts_with, event_ids, "event")'
OLD_DEF = "events = {e.id: e for t in data.twinnings for e in t.events}"


def references_once() -> bool:
    """Recompile `_check_references` with the event-id set hoisted; False if the code no longer matches."""
    source = textwrap.dedent(inspect.getsource(loader._check_references))
    if OLD_ARG not in source or OLD_DEF not in source:
        return False
    source = source.replace(OLD_ARG, NEW_ARG).replace(OLD_DEF, OLD_DEF + "\n    event_ids = set(events)")
    namespace = vars(loader)
    exec(compile(source, loader.__file__, "exec"), namespace)  # noqa: S102 - our own module's source
    return True


def fast_yaml() -> None:
    from bench import fastyaml
    fastyaml.install()


def install() -> dict[str, bool]:
    fast_yaml()
    return {"fast_yaml": True, "references_once": references_once()}
