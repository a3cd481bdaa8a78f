"""Read the curated YAML files into checked records.

The loader is the gate for human-written data: it reports every problem in one
pass, each as `file:line: record id: field: message`, so a curator can fix a
whole batch at once, and it hands on nothing when any problem was found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twinkg import dates
from twinkg.concepts import Codes, country_name
from twinkg.curated import yaml_reader
from twinkg.curated.records import (
    Actor,
    Dataset,
    Event,
    OrderClaim,
    Place,
    PlaceName,
    Role,
    Source,
    Twinning,
    Where,
)
from twinkg.errors import InputError
from twinkg.forked import Forked
from twinkg.lifecycle import ENDS, SUSPENDS, role_of
from twinkg.vocab import QID_RE, is_slug, twinning_slug

SECTIONS = ("sources", "places", "actors", "twinnings")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.record}: {self.field}: {self.message}"


class LoadError(InputError):
    """The curated data has problems; `problems` lists all of them."""

    def __init__(self, problems: list[Problem]):
        # A whole file that cannot be read comes first: what else is wrong may follow from it.
        self.problems = sorted(problems, key=lambda p: (p.record != "-", p))
        super().__init__(f"{len(self.problems)} problem(s) in the curated data")

    def details(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class _Record:
    """One YAML mapping being read, collecting problems against its file, line and id."""

    def __init__(self, node: Any, file: str, line: int, problems: list[Problem], fallback_id: str):
        self.node = node
        self.file = file
        self.line = line
        self.problems = problems
        self.id = str(node.get("id")) if isinstance(node.get("id"), (str, int)) else fallback_id

    def where(self) -> Where:
        return Where(self.file, self.line)

    def line_of(self, key: str) -> int:
        lines = getattr(self.node, "lines", None)
        return lines.key(key) if lines is not None else self.line

    def problem(self, key: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, line or self.line_of(key), self.id, key, message))

    def raw(self, key: str) -> Any:
        return self.node.get(key)

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.node.get(key)
        if value.__class__ is str and (stripped := value.strip()):  # the common case, first: a field read per fact
            return stripped
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(key, "is required")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(key, f"expected text, got {type(value).__name__}")
            return None
        return str(value).strip()

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.node.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and set(map(type, value)) <= {str}:  # the common case, without a test per item
            return tuple(value)
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            self.problem(key, "expected a list of texts")
            return ()
        return tuple(str(v) for v in value)

    def date(self, key: str) -> dates.Date | None:
        value = self.raw(key)
        if value is None:
            return None
        try:
            return dates.parse(value)
        except dates.DateError as exc:
            self.problem(key, str(exc))
            return None

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, got {value!r}")
            return False
        return value

    def code(self, key: str, scheme: str, codes: Codes, value: Any = None, required: bool = False) -> str | None:
        text = self.text(key, required) if value is None else str(value)
        if text is None:
            return None
        allowed = codes.get(scheme, frozenset())
        if text not in allowed:
            self.problem(key, f"unknown {scheme} code {text!r} (known: {', '.join(sorted(allowed)) or 'none'})")
            return None
        return text

    def codes(self, key: str, scheme: str, codes: Codes) -> tuple[str, ...]:
        return tuple(c for v in self.texts(key) if (c := self.code(key, scheme, codes, v)) is not None)

    def sources(self, key: str = "sources") -> tuple[str, ...]:
        found = self.texts(key)
        if not found:
            self.problem(key, "at least one source is required: every fact cites the document it comes from")
        return found

    def check_unused(self, allowed: set[str]) -> None:
        for key in self.node:
            if key not in allowed:
                self.problem(str(key), f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def child(self, node: Any, line: int, fallback_id: str) -> _Record | None:
        if not hasattr(node, "get"):
            self.problems.append(Problem(self.file, line, self.id, fallback_id, "expected a mapping"))
            return None
        return _Record(node, self.file, _line(node, line), self.problems, self.id)


def _line(node: Any, default: int) -> int:
    lines = getattr(node, "lines", None)
    return lines.line if lines is not None else default


def _items(rec: _Record, key: str) -> Iterator[tuple[Any, int]]:
    value = rec.raw(key)
    if value is None:
        return
    if not isinstance(value, list):
        rec.problem(key, "expected a list")
        return
    lines = getattr(value, "lines", None)
    for index, item in enumerate(value):
        yield item, lines.item(index) if lines is not None else rec.line_of(key)


def outside(path: Path, root: Path) -> bool:
    """Whether `path` (a file found in the folder `root`) is, once links are followed, somewhere else.

    A link out of the data folder would publish, or echo in an error, whatever it points at."""
    try:
        return not path.resolve(strict=True).is_relative_to(root.resolve(strict=True))
    except OSError:  # a dangling link or a loop: nothing to read there either
        return True


def _read_file(path: Path, label: str, problems: list[Problem]) -> dict[str, list[tuple[Any, int]]]:
    try:
        document = yaml_reader.read(path.read_text(encoding="utf-8"))
    except yaml_reader.YAMLReadError as exc:
        problems.append(Problem(label, exc.line, "-", "-", str(exc)))
        return {}
    except (UnicodeDecodeError, OSError) as exc:
        problems.append(Problem(label, 1, "-", "-", f"cannot read: {exc}"))
        return {}
    if document is None:
        return {}
    if not hasattr(document, "items"):
        problems.append(Problem(label, 1, "-", "-", f"expected a mapping with keys {', '.join(SECTIONS)}"))
        return {}
    out: dict[str, list[tuple[Any, int]]] = {}
    for key, value in document.items():
        line = document.lines.key(key)
        if key not in SECTIONS:
            problems.append(Problem(label, line, "-", str(key), f"unknown section (allowed: {', '.join(SECTIONS)})"))
            continue
        if not isinstance(value, yaml_reader.Sequence):
            problems.append(Problem(label, line, "-", str(key), "expected a list of records"))
            continue
        for index, item in enumerate(value):
            out.setdefault(key, []).append((item, value.lines.item(index)))
    return out


def _record(node: Any, label: str, line: int, problems: list[Problem], section: str) -> _Record | None:
    if not hasattr(node, "get"):
        problems.append(Problem(label, line, "-", section, "expected a mapping (a record with fields)"))
        return None
    return _Record(node, label, line, problems, fallback_id=f"{section}[line {line}]")


def _checked_id(rec: _Record) -> str | None:
    value = rec.text("id", required=True)
    if value is not None and not is_slug(value):
        rec.problem("id", f"{value!r} is not a slug (lower-case letters and digits joined by single hyphens)")
        return None
    return value


def _read_source(rec: _Record, codes: Codes) -> Source | None:
    fields = {"id", "title", "author", "publisher", "language", "date", "url", "comment", "original_language",
              "translation"}
    sid = _checked_id(rec)
    title = rec.text("title", required=True)
    url = rec.text("url")
    if url and not url.startswith(("http://", "https://")):
        rec.problem("url", f"expected an http(s) URL, got {url!r}")
    elif url and not _is_iri(url):
        rec.problem("url", f"{url!r} is not an IRI (a space, a quote or a bad %-escape?)")
    source = Source(
        id=sid or "", title=title or "", where=rec.where(), author=rec.text("author"),
        publisher=rec.text("publisher"), language=rec.text("language"), date=rec.date("date"),
        url=url, comment=rec.text("comment"), original_language=rec.text("original_language"),
        translation=rec.code("translation", "translation", codes),
    )
    if bool(source.original_language) != bool(source.translation):
        rec.problem("translation", "a translated source gives both original_language and translation (machine, human or unspecified)")
    rec.check_unused(fields)
    return source if sid and title else None


def _read_names(rec: _Record) -> tuple[PlaceName, ...]:
    names = []
    for node, line in _items(rec, "names"):
        child = rec.child(node, line, "names")
        if child is None:
            continue
        name = child.text("name", required=True)
        item = PlaceName(
            name=name or "", sources=child.sources(), language=_language(child, "language", child.text("language")),
            valid_from=child.date("from"), valid_until=child.date("until"),
        )
        _check_period(child, item.valid_from, item.valid_until)
        child.check_unused({"name", "language", "from", "until", "sources"})
        if name:
            names.append(item)
    return tuple(names)


def _check_period(rec: _Record, start: dates.Date | None, end: dates.Date | None) -> None:
    if start and end and end.latest < start.earliest:
        rec.problem("until", f"the period ends ({end.lexical or end.text}) before it starts ({start.lexical or start.text})")


def _read_coordinates(rec: _Record) -> tuple[float, float] | None:
    value = rec.raw("coordinates")
    if value is None:
        return None
    try:
        lat, lon = float(value["lat"]), float(value["lon"])
    except (TypeError, KeyError, ValueError):
        rec.problem("coordinates", "expected {lat: <degrees>, lon: <degrees>}")
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        rec.problem("coordinates", f"({lat}, {lon}) is outside -90..90, -180..180")
        return None
    return lat, lon


def _is_iri(text: str) -> bool:
    """Whether RDF can hold `text` as an IRI, as pyoxigraph checks it (the mapping writes it as it is)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _language(rec: _Record, key: str, tag: str | None) -> str | None:
    """`tag` if it is a language tag (BCP 47, as pyoxigraph checks it), else a problem of `key` and None."""
    if tag is None:
        return None
    try:
        ox.Literal("", language=tag)
    except ValueError:
        rec.problem(key, f"{tag!r} is not a language tag (like en, de or sr-Latn)")
        return None
    return tag


def _read_wikidata(rec: _Record) -> str | None:
    qid = rec.text("wikidata")
    if qid and not QID_RE.match(qid):
        rec.problem("wikidata", f"expected a Wikidata item id like Q6225, got {qid!r}")
        return None
    return qid


def _read_country(rec: _Record, required: bool) -> str | None:
    code = rec.text("country", required=required)
    if code and country_name(code) is None:
        rec.problem("country", f"unknown country code {code!r} (expected an ISO 3166-1 alpha-2 code such as GB)")
        return None
    return code


def _read_place(rec: _Record, codes: Codes) -> Place | None:
    fields = {"id", "label", "labels", "alt_labels", "names", "country", "wikidata", "coordinates",
              "type", "fictional", "comment", "sources"}
    pid = _checked_id(rec)
    label = rec.text("label", required=True)
    fictional = rec.flag("fictional")
    labels = rec.raw("labels") or {}
    if not hasattr(labels, "items") or not all(isinstance(v, str) for v in labels.values()):
        rec.problem("labels", "expected a mapping from language code to label")
        labels = {}
    labels = {lang: str(v) for k, v in labels.items() if (lang := _language(rec, "labels", str(k))) is not None}
    wikidata = _read_wikidata(rec)
    place = Place(
        id=pid or "", label=label or "", country=_read_country(rec, required=not fictional and not wikidata),
        sources=rec.sources(), where=rec.where(), labels=labels,
        alt_labels=rec.texts("alt_labels"), names=_read_names(rec), wikidata=wikidata,
        coordinates=_read_coordinates(rec), type=rec.code("type", "place-type", codes) or "city",
        fictional=fictional, comment=rec.text("comment"),
    )
    rec.check_unused(fields)
    return place if pid and label else None


def _read_actor(rec: _Record, codes: Codes) -> Actor | None:
    fields = {"id", "name", "type", "alt_labels", "wikidata", "country", "roles", "comment", "sources"}
    aid = _checked_id(rec)
    name = rec.text("name", required=True)
    kind = rec.code("type", "actor-type", codes, required=True)
    roles = []
    for node, line in _items(rec, "roles"):
        child = rec.child(node, line, "roles")
        if child is None:
            continue
        role = Role(label=child.text("role", required=True) or "", sources=child.sources(),
                    place=child.text("place"), valid_from=child.date("from"), valid_until=child.date("until"))
        _check_period(child, role.valid_from, role.valid_until)
        child.check_unused({"role", "place", "from", "until", "sources"})
        roles.append(role)
    actor = Actor(
        id=aid or "", name=name or "", type=kind or "", sources=rec.sources(), where=rec.where(),
        alt_labels=rec.texts("alt_labels"), wikidata=_read_wikidata(rec),
        country=_read_country(rec, required=False), roles=tuple(roles), comment=rec.text("comment"),
    )
    rec.check_unused(fields)
    return actor if aid and name and kind else None


def _read_event(rec: _Record, codes: Codes) -> Event | None:
    fields = {"id", "type", "label", "date", "agents", "initiated_by", "reasons", "forms",
              "conflicts_with", "comment", "sources"}
    eid = _checked_id(rec)
    kind = rec.code("type", "event-type", codes, required=True)
    event = Event(
        id=eid or "", type=kind or "", sources=rec.sources(), where=rec.where(), label=rec.text("label"),
        date=rec.date("date"), agents=rec.texts("agents"), initiated_by=rec.texts("initiated_by"),
        reasons=rec.codes("reasons", "reason", codes), forms=rec.codes("forms", "event-form", codes),
        conflicts_with=rec.texts("conflicts_with"), comment=rec.text("comment"),
    )
    if role_of(kind or "") in (SUSPENDS, ENDS) and not event.reasons and rec.raw("reasons") is None:
        rec.problem("reasons", f"a {kind} needs at least one reason (use not-stated if the source gives none)")
    rec.check_unused(fields)
    return event if eid and kind else None


def _read_order(rec: _Record, codes: Codes) -> tuple[OrderClaim, ...]:
    claims = []
    for node, line in _items(rec, "order"):
        child = rec.child(node, line, "order")
        if child is None:
            continue
        rank = child.code("rank", "order-rank", codes, required=True)
        text = child.text("text", required=True)
        country = child.text("among_country")
        if country and country_name(country) is None:
            child.problem("among_country", f"unknown country code {country!r}")
        after = child.texts("after")
        if (rank == "after") != bool(after):
            child.problem("after", "a claim of rank after names the earlier link(s) in after, and only such a claim does")
        claim = OrderClaim(rank=rank or "", text=text or "", sources=child.sources(), among=child.text("among"),
                           among_country=country, after=after)
        child.check_unused({"rank", "text", "among", "among_country", "after", "sources"})
        if rank and text:
            claims.append(claim)
    return tuple(claims)


def _read_twinning(rec: _Record, codes: Codes) -> Twinning | None:
    fields = {"partners", "variant", "kind", "comment", "sources", "events", "order"}
    partners = rec.texts("partners")
    variant = rec.text("variant")
    if variant and not is_slug(variant):
        rec.problem("variant", f"{variant!r} is not a slug")
    slug = twinning_slug(partners, variant) if partners else rec.id
    rec.id = slug
    if len(set(partners)) < 2:
        rec.problem("partners", "a twinning needs at least two distinct partner places")
    elif len(set(partners)) != len(partners):
        rec.problem("partners", "a partner is listed twice")
    events = []
    for node, line in _items(rec, "events"):
        child = rec.child(node, line, "events")
        if child is not None:
            child.id = str(node.get("id")) if isinstance(node.get("id"), str) else f"{slug} event at line {line}"
            if (event := _read_event(child, codes)) is not None:
                events.append(event)
    twinning = Twinning(
        slug=slug, partners=tuple(partners), kind=rec.code("kind", "kind", codes, required=True) or "",
        sources=rec.sources(), where=rec.where(), events=tuple(events), variant=variant,
        comment=rec.text("comment"), order=_read_order(rec, codes),
    )
    rec.check_unused(fields)
    return twinning if len(set(partners)) >= 2 and twinning.kind else None


def _check_references(data: Dataset, problems: list[Problem], unread: list[str]) -> None:
    """Check that every id a record names exists, and that ids are unique.

    With files `unread` (a YAML error), an id missing may well be in them: "unknown" is then not said,
    once per reference (160 lines after one malformed places.yaml), but once, after the files' errors."""
    source_ids = {s.id for s in data.sources}
    place_ids = {p.id for p in data.places}
    actor_ids = {a.id for a in data.actors}
    event_ids = {e.id for t in data.twinnings for e in t.events}
    twinning_ids = {t.slug for t in data.twinnings}

    suppressed: dict[str, int] = {}

    def report(where: Where, record: str, field: str, message: str) -> None:
        problems.append(Problem(where.file, where.line, record, field, message))

    def need(where: Where, record: str, field: str, ids: tuple[str, ...] | list[str], known: set[str], kind: str) -> None:
        for value in ids:
            if value not in known:
                if unread:
                    suppressed[kind] = suppressed.get(kind, 0) + 1
                else:
                    report(where, record, field, f"unknown {kind} {value!r}")

    for place in data.places:
        need(place.where, place.id, "sources", place.sources, source_ids, "source")
        for name in place.names:
            need(place.where, place.id, "names", name.sources, source_ids, "source")
    for actor in data.actors:
        need(actor.where, actor.id, "sources", actor.sources, source_ids, "source")
        for role in actor.roles:
            need(actor.where, actor.id, "roles", role.sources, source_ids, "source")
            need(actor.where, actor.id, "roles", [role.place] if role.place else [], place_ids, "place")
    for twinning in data.twinnings:
        need(twinning.where, twinning.slug, "partners", twinning.partners, place_ids, "place")
        need(twinning.where, twinning.slug, "sources", twinning.sources, source_ids, "source")
        for event in twinning.events:
            need(event.where, event.id, "sources", event.sources, source_ids, "source")
            need(event.where, event.id, "agents", event.agents, actor_ids, "actor")
            need(event.where, event.id, "conflicts_with", event.conflicts_with, event_ids, "event")
            for partner in event.initiated_by:
                if partner not in twinning.partners:
                    report(event.where, event.id, "initiated_by", f"{partner!r} is not a partner of {twinning.slug}")
        for claim in twinning.order:
            need(twinning.where, twinning.slug, "order", claim.sources, source_ids, "source")
            need(twinning.where, twinning.slug, "order", claim.after, twinning_ids, "twinning")
            if claim.among and claim.among not in twinning.partners:
                report(twinning.where, twinning.slug, "order", f"among: {claim.among!r} is not a partner of {twinning.slug}")

    if suppressed:
        missing = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(suppressed.items()))
        problems.append(Problem(unread[0], 0, "*", "references", f"{missing} not found are not listed: "
                                f"{', '.join(unread)} could not be read, and may hold them (fix it first)"))
    by_kind = {
        "source": [(s.id, s.where) for s in data.sources],
        "place": [(p.id, p.where) for p in data.places],
        "actor": [(a.id, a.where) for a in data.actors],
        "event": [(e.id, e.where) for t in data.twinnings for e in t.events],
        "twinning": [(t.slug, t.where) for t in data.twinnings],
    }
    for kind, entries in by_kind.items():
        counts = Counter(ident for ident, _ in entries)
        for ident, where in entries:
            if counts[ident] > 1:
                hint = " (give one of them a variant to distinguish a re-established link)" if kind == "twinning" else ""
                report(where, ident, "id" if kind != "twinning" else "partners",
                       f"duplicate {kind} id: {counts[ident]} records share it{hint}")


_READERS: dict[str, Callable[[_Record, Codes], Any]] = {
    "sources": _read_source, "places": _read_place, "actors": _read_actor, "twinnings": _read_twinning,
}

PARALLEL_BYTES = 2_000_000
"""Curated YAML of this many bytes or more is read by two processes, each file by one of them: at the crawl's
scale (34 MB) reading is a serial stage of seconds before anything else can start, and the other core is idle
then; below it (the repository's data, ~0.1 MB) a second process costs more than it saves (bench/RESULTS.md)."""


@dataclass(frozen=True)
class _FileRead:
    """One file's checked records by section, and its problems."""

    records: dict[str, list[Any]]
    problems: list[Problem]
    unread: bool
    """The file itself has problems (not YAML, an unknown section…): a record missing may be in it."""


def _load_file(path: Path, data_dir: Path, codes: Codes) -> _FileRead:
    label = str(path)
    if outside(path, data_dir):
        return _FileRead({}, [Problem(label, 0, "-", "-", "a symbolic link to a file outside the data folder: not read")], False)
    problems: list[Problem] = []
    read = _read_file(path, label, problems)
    unread = bool(problems)
    records: dict[str, list[Any]] = {}
    for section, items in read.items():
        reader, found = _READERS[section], records.setdefault(section, [])
        for node, line in items:
            rec = _record(node, label, line, problems, section)
            if rec is not None and (record := reader(rec, codes)) is not None:
                found.append(record)
    return _FileRead(records, problems, unread)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # a dangling link: reported when read
        return 0


def _load_files(files: list[Path], data_dir: Path, codes: Codes) -> list[_FileRead]:
    """Each file read and checked, in the order of `files`; by two processes when the files are large.

    The forked child reads about half the bytes (the largest files first, each to the side with fewer
    bytes so far) and hands back its records pickled, a tenth of what reading them costs."""
    sizes = [_size(path) for path in files]
    if sum(sizes) < PARALLEL_BYTES:
        return [_load_file(path, data_dir, codes) for path in files]
    child_bytes = own_bytes = 0
    theirs: list[int] = []
    for index in sorted(range(len(files)), key=lambda i: -sizes[i]):
        if child_bytes <= own_bytes:
            theirs.append(index)
            child_bytes += sizes[index]
        else:
            own_bytes += sizes[index]
    theirs.sort()
    set_aside = set(theirs)
    with Forked(lambda: [_load_file(files[i], data_dir, codes) for i in theirs], "curated data") as child:
        reads = {i: _load_file(path, data_dir, codes) for i, path in enumerate(files) if i not in set_aside}
        reads.update(zip(theirs, child.result(), strict=True))
    return [reads[i] for i in range(len(files))]


def load(data_dir: Path, codes: Codes) -> Dataset:
    """Load every `*.yaml` file directly under `data_dir`, or raise LoadError listing all problems."""
    if not data_dir.is_dir():
        raise LoadError([Problem(str(data_dir), 0, "-", "-", "no such data folder")])
    files = sorted(data_dir.glob("*.yaml")) + sorted(data_dir.glob("*.yml"))
    problems: list[Problem] = []
    collected: dict[str, list[Any]] = {name: [] for name in SECTIONS}
    unread: list[str] = []
    for path, read in zip(files, _load_files(files, data_dir, codes), strict=True):
        problems += read.problems
        if read.unread:
            unread.append(str(path))
        for section, records in read.records.items():
            collected[section] += records
    data = Dataset(
        sources=tuple(collected["sources"]), places=tuple(collected["places"]),
        actors=tuple(collected["actors"]), twinnings=tuple(collected["twinnings"]),
    )
    _check_references(data, problems, unread)
    if problems:
        raise LoadError(problems)
    return data
