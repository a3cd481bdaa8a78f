"""The `twinkg` command: one entry point, a subcommand per job.

Commands print problems as people read them and exit non-zero; a traceback
is never the answer to bad input.

Each command imports the machinery it runs in its own body: `twinkg serve` with
nothing to build must not pay for rdflib and pyshacl (the build and validation),
the exports or the Wikidata code (tests/test_layout.py checks what importing
this module loads). At module level are only what the command line itself
needs, including the modules whose constants are option defaults.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gzip
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import pyoxigraph as ox
import typer
from rich.console import Console

from twinkg import __version__
from twinkg.config import Settings
from twinkg.dates import DateError, parse_exact
from twinkg.enrich import reconcile as reconciling
from twinkg.enrich.client import WIKIDATA_ENDPOINT, RetryPolicy, SparqlClient
from twinkg.errors import TwinkgError
from twinkg.output import NQ_DUMP, SUMS, check_usable, checksums, is_stale, write_output
from twinkg.remote import UPLOAD_SECONDS
from twinkg.store.remote import ADAPTERS
from twinkg.vocab import DEFAULT_BASE, VOID, Iris

if TYPE_CHECKING:
    from rich.progress import Progress

    from twinkg.curated.records import Dataset

app = typer.Typer(
    name="twinkg",
    help="twinkg: build, validate, serve and link a knowledge graph of town twinning.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False)

DataOption = typer.Option(None, "--data", metavar="DIR",
    help="Folder of curated YAML files. [default: data/ in the current folder, or $TWINKG_DATA]")
OutOption = typer.Option(None, "--out", metavar="DIR",
    help="Output folder for the dumps. [default: dist/ in the current folder, or $TWINKG_OUT]")
ReadOutOption = typer.Option(None, "--out", metavar="DIR",
                             help="The build to read: the output folder of `twinkg build`. "
                                  "[default: dist/ in the current folder, or $TWINKG_OUT]")
BaseOption = typer.Option(None, "--base", metavar="IRI",
    help="Base IRI of minted IRIs. [default: https://w3id.org/twinkg/, or $TWINKG_BASE]")


def settings_from(data: Path | None = None, out: Path | None = None, base: str | None = None,
                  **options: Any) -> Settings:
    """The defaults of Settings, with what was given on the command line."""
    given = {"data_dir": data, "out_dir": out, "base": base, **options}
    settings = dataclasses.replace(Settings(), **{k: v for k, v in given.items() if v is not None})
    given_as = "" if base else " (from $TWINKG_BASE)"
    if not settings.base.endswith(("/", "#")):
        fail(f"--base must end with '/' or '#', got {settings.base!r}{given_as}")
    try:  # every minted IRI starts with it, and the build writes them as they are (mapping.NTriplesTerms)
        ox.NamedNode(settings.base)
    except ValueError:
        fail(f"--base must be an absolute IRI, got {settings.base!r}{given_as}")
    return settings


def fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def progress(message: str) -> None:
    err.print(f"[dim]·[/dim] {message}")


Command = TypeVar("Command", bound=Callable[..., None])


def command(short: str, name: str | None = None, aftermath: str = "") -> Callable[[Command], Command]:
    """Register a subcommand whose expected failures (any TwinkgError) end in a message and exit 1.

    This is the one place the CLI catches errors; `aftermath` says what a failure left behind; `short` is
    what `twinkg --help` lists (short enough for 80 columns, where click would cut the docstring's first
    sentence with "...")."""

    def register(function: Command) -> Command:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except TwinkgError as exc:
                for line in exc.details():
                    print(line, file=sys.stderr)
                fail(f"{exc}{'; ' + aftermath if aftermath else ''}")

        app.command(name, short_help=short)(guarded)
        return function

    return register


_program = False
"""Whether this process is the `twinkg` program (`main`), not a caller of `app` (a test's CliRunner)."""


def main() -> None:
    """The `twinkg` program: the console script and `python -m twinkg`. A build that succeeded ends the
    process as soon as its output is written (`exit_now`); `app` alone, as tests call it, returns."""
    global _program
    _program = True
    app()


def exit_now() -> NoReturn:
    """End the program with status 0 without freeing its objects, as mypy does (`mypy.util.hard_exit`).

    The build's half a million terms, its store and its dumps take CPython about 0.8 s to free one by
    one (bench/RESULTS.md, round 4), and the kernel takes them back at once. Only after the output folder
    is written and swapped in, with every message flushed: nothing else is left to do at exit (no atexit
    work of twinkg's, the exports' child already joined, the output lock an open file the kernel closes)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def say(text: str, aftermath: str = "") -> None:
    """Print `text` to standard output; one that cannot take it (`> /dev/full`, a closed pipe) is a one-line
    error and exit status 1, not a traceback. Standard output is then pointed at /dev/null, so that the
    interpreter's last flush of what it still holds does not fail again."""
    try:
        print(text, flush=True)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a standard output without a file descriptor (a test's) has no last flush to fail
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        fail(f"cannot write to standard output: {exc.strerror or exc}{'; ' + aftermath if aftermath else ''}")


def run_pipeline(settings: Settings, write: bool, then: Callable[[], None] = lambda: None) -> None:
    """Run the build stages and print the validation summary; then `then()`, while the build still holds
    what it made (`build.run`)."""
    from twinkg.build import Built, run

    def done(built: Built) -> None:
        say(built.report.summary(), "the build's output was written" if write else "")
        then()

    run(settings, progress, write=write, then=done)


@command("Build the graph: validate it, write the dumps.", aftermath="nothing was written")
def build(data: Path | None = DataOption, out: Path | None = OutOption, base: str | None = BaseOption) -> None:
    """Load the curated data, map it to RDF, validate it with SHACL and write the dumps.

    Writes into the output folder, atomically (on any error the previous output
    stays as it was): the dumps twinkg.ttl, twinkg.nt.gz, twinkg.jsonld and
    twinkg.nq.gz (named graphs); the exports twinnings.csv, places.csv and
    events.csv with twinnings.csv-metadata.json, places.csv-metadata.json and
    events.csv-metadata.json (CSVW), twinkg.graphml and twinkg.gexf; void.ttl
    (VoID/DCAT), shacl-report.ttl, context.jsonld (JSON-LD context),
    queries.json (example queries), duplicates.csv (candidate duplicate places)
    and SHA256SUMS. docs/research-exports.md describes each. With
    SOURCE_DATE_EPOCH set, two builds of the same data are the same bytes.
    """
    settings = settings_from(data, out, base)
    check_usable(settings.out_dir)

    def built() -> None:
        err.print(f"[green]built[/green] {settings.out_dir}")
        if _program:
            exit_now()

    run_pipeline(settings, write=True, then=built)


@command("Check the data against the SHACL shapes.", aftermath="nothing was written")
def validate(data: Path | None = DataOption, base: str | None = BaseOption,
             engine: str = typer.Option(Settings.shacl_engine, "--engine", metavar="compiled|pyshacl",
                                        help="compiled: the shapes as SPARQL on pyoxigraph (fast); pyshacl: the "
                                             "reference SHACL engine. The compiled engine falls back to pyshacl, with a "
                                             "notice, for shapes it does not support.")) -> None:
    """Load and map the curated data and check it against the SHACL shapes; write nothing."""
    from twinkg.validate import ENGINES

    if engine not in ENGINES:
        fail(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    settings = settings_from(data, None, base, shacl_engine=engine)
    if engine != "pyshacl":
        run_pipeline(settings, write=False)
        return
    err.print("[yellow]warning:[/yellow] pyshacl is the reference engine, not a fast one: on the default data (the "
              "world network, some 400,000 triples) it runs for many minutes, where the compiled engine takes "
              "seconds. Ctrl-C stops it; nothing is written.")
    with progress_bar("validating with pyshacl") as bar:
        bar.add_task("pyshacl", total=None)
        run_pipeline(settings, write=False)


@command("The network as of a day: CSV, GraphML, GEXF.", aftermath="nothing was written")
def export(
    as_of: str = typer.Option(..., "--as-of", metavar="YEAR|YYYY-MM-DD",
        help="A year (the network at its end, 31 December) or a day YYYY-MM-DD."),
    formats: list[str] = typer.Option(["csv", "graphml", "gexf"], "--format", metavar="csv|graphml|gexf",
                                      help="csv (tables + CSVW metadata), graphml or gexf; repeat for several."),
    out: Path | None = ReadOutOption,
    to: Path | None = typer.Option(None, "--to", metavar="DIR",
        help="Folder to write into. [default: twinkg-AS_OF/ in the current folder]"),
) -> None:
    """Write the network as it stood on a day: twinnings.csv, places.csv, events.csv with CSVW metadata, GraphML, GEXF.

    Reads the build's twinkg.nq.gz (run `twinkg build` first); statuses, end bounds and
    evidence dates are derived from the dated events and sources known by that day. A link
    nothing dated evidences by then is unknown at that day: it is left out and counted
    (docs/data-model.md, "Time, honestly"). Written atomically, with SHA256SUMS."""
    from twinkg.exports import FORMATS, render
    from twinkg.exports.tables import GraphTables, tables

    settings = settings_from(None, out, None)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        fail(f"--format must be one of {', '.join(FORMATS)}; got {', '.join(unknown)}")
    try:
        day = parse_exact(as_of)
    except DateError as exc:
        fail(f"--as-of: {exc}")
    if day.datatype and day.datatype.endswith("gYearMonth"):
        fail("--as-of takes a year or a full day, not a month")
    dump = settings.out_dir / NQ_DUMP
    try:
        quads = gzip.decompress(dump.read_bytes())
        store = ox.Store()
        store.bulk_load(quads, format=ox.RdfFormat.N_QUADS)
    except (OSError, EOFError, SyntaxError, ValueError) as exc:
        fail(f"cannot read the build's {dump} ({exc}); run `twinkg build` first")
    base = _built_base(store)
    when: dt.date = day.latest
    result = tables(GraphTables(store, Iris(base)), when)
    left_out = f"{result.unknown} link(s) unknown then (nothing dated evidences them by that day), left out"
    files = render(result, base, tuple(f for f in FORMATS if f in formats), f" (as of {when.isoformat()}; {left_out})")
    files[SUMS] = checksums(files)
    target = to or Path(f"twinkg-{as_of}")
    write_output(target, files)
    links = len({row["twinning_id"] for row in result.twinnings})
    err.print(f"[green]exported[/green] the network as of {when.isoformat()} into {target}: {', '.join(sorted(files))}\n"
              f"{links} link(s) evidenced by then; {left_out}")


def _built_base(store: ox.Store) -> str:
    """The base IRI the build used, read back from its meta graph (the dataset IRI ends in `dataset`)."""
    solutions = store.query(f"SELECT ?d WHERE {{ GRAPH ?g {{ ?d a <{VOID}Dataset> ; <{VOID}uriSpace> ?u }} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        return str(row["d"].value).removesuffix("dataset")
    return DEFAULT_BASE


@app.command()
def version() -> None:
    """Print the twinkg version."""
    print(__version__)


# --- Wikidata: enrich, reconcile, diff-wikidata (twinkg.enrich) ------------------------------

EndpointOption = typer.Option(
    None, "--endpoint", metavar="URL",
    help="SPARQL endpoint. [default: https://query.wikidata.org/sparql, or $TWINKG_WIKIDATA_ENDPOINT]")
TimeoutOption = typer.Option(SparqlClient.timeout, "--timeout", metavar="SECONDS",
                             help="Seconds to wait for one query; a batch that times out is split.")
RetriesOption = typer.Option(RetryPolicy.retries, "--retries", metavar="N",
                             help="Retries of one request after 429/503/5xx, dropped connections or unreadable answers.")
BackoffOption = typer.Option(RetryPolicy.backoff, "--backoff", metavar="SECONDS",
                             help="First wait in seconds, doubled at each retry (when the server says no Retry-After).")


def wikidata_client(endpoint: str | None, timeout: float, retries: int, backoff: float) -> SparqlClient:
    url = endpoint or os.environ.get("TWINKG_WIKIDATA_ENDPOINT") or WIKIDATA_ENDPOINT
    if not url.startswith(("http://", "https://")):
        fail(f"--endpoint must be an http(s) URL, got {url!r}")
    return SparqlClient(url, timeout=timeout, policy=RetryPolicy(retries=retries, backoff=backoff),
                        log=lambda message: err.print(f"[yellow]·[/yellow] {message}"))


def curated_data(settings: Settings) -> Dataset:
    from twinkg.build import load_data

    return load_data(settings)


def progress_bar(description: str) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=False)


@command("Fetch Wikidata facts (the only network use).")
def enrich(data: Path | None = DataOption, base: str | None = BaseOption,
           endpoint: str | None = EndpointOption,
           batch_size: int = typer.Option(50, "--batch-size", metavar="N", min=1, help="Ids per query (VALUES batch)."),
           refresh: bool = typer.Option(False, "--refresh", help="Fetch every id again, even those already cached."),
           world: bool = typer.Option(False, "--world", help="The whole P190 network: every item with a P190 "
                                      "statement or named by one (all ranks), not only the curated ones."),
           page_size: int = typer.Option(20_000, "--page-size", metavar="N", min=1,
                                         help="With --world: items per discovery page (halved when a page times out)."),
           timeout: float = TimeoutOption, retries: int = RetriesOption, backoff: float = BackoffOption) -> None:
    """Fetch Wikidata facts about every place and actor with a wikidata: id into data/wikidata/.

    With --world, first list every item of Wikidata's P190 network (kept in
    data/wikidata/world-items.json, so a warm run does not list again), then
    fetch each of them the same way; the next build serves the merged network.

    The only command that uses the network. Labels (English, mul, the curated
    labels' languages and the country's official languages), country (P17 with
    its ISO code), coordinates (P625), population (P1082, preferred or latest),
    instance of (P31), website (P856), GeoNames id (P1566) and every P190
    statement with rank and qualifiers (P580, P582, P1534). Ids already in the
    cache are not fetched again (use --refresh); an interrupted run resumes.
    Exits 1 and lists the ids not fetched if any batch fails; the cache keeps
    everything completed.
    """
    from twinkg.enrich.cache import Cache
    from twinkg.enrich.fetch import enrich as run_enrich
    from twinkg.enrich.world import enrich_world

    settings = settings_from(data, None, base)
    dataset = curated_data(settings)
    cache = Cache(settings.wikidata_dir, settings.base)
    with wikidata_client(endpoint, timeout, retries, backoff) as client, \
            progress_bar(f"Wikidata items from {client.endpoint}") as bar:
        task = bar.add_task("fetch", total=None)
        step = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
        if world:
            outcome, listed = enrich_world(dataset, cache, client, batch_size=batch_size, refresh=refresh,
                                           page_size=page_size, progress=step)
            progress(f"{listed} item(s) in Wikidata's P190 network")
        else:
            outcome = run_enrich(dataset, cache, client, batch_size=batch_size, refresh=refresh, progress=step)
    progress(f"{len(outcome.fetched)} fetched, {len(outcome.cached)} already cached, "
             f"{client.requests_sent} request(s) sent, cache {settings.wikidata_dir}")
    if outcome.empty:
        err.print(f"[yellow]warning:[/yellow] the endpoint knows nothing about {', '.join(outcome.empty)} "
                  "(deleted or merged items?)")
    if outcome.failed:
        reasons = sorted(set(outcome.failed.values()))
        fail(f"{len(outcome.failed)} id(s) not fetched: {', '.join(outcome.failed)}\n  because: "
             + "\n  because: ".join(reasons) + "\n  the cache keeps every completed batch; run again to resume")
    err.print(f"[green]enriched[/green] {settings.wikidata_dir}")


@command("Propose Wikidata ids for places without one.")
def reconcile(data: Path | None = DataOption, endpoint: str | None = EndpointOption,
              review: Path | None = typer.Option(
                  None, "--review", metavar="FILE",
                      help="Review file to write (or read with --apply). [default: data/wikidata/reconcile-review.yaml]"),
              accept: bool = typer.Option(False, "--accept", help="Also write unambiguous top candidates "
                                          "(score ≥ threshold, lead ≥ margin, same country) into data/."),
              apply: bool = typer.Option(False, "--apply", help="Do not search: write the ids a person set as accept: "
                                         "in the review file into data/."),
              threshold: float = typer.Option(reconciling.THRESHOLD, "--threshold", metavar="SCORE", min=0.0, max=1.0,
                  help="Lowest score --accept takes."),
              margin: float = typer.Option(reconciling.MARGIN, "--margin", metavar="SCORE", min=0.0, max=1.0,
                                           help="How far the top candidate must lead the next."),
              place: list[str] | None = typer.Option(None, "--place", metavar="ID", help="Only this place id (repeatable)."),
              offline: bool = typer.Option(False, "--offline", help="Do not query Wikidata: match against the snapshots in "
                                           "data/snapshots/ (a CSV review file, default data/wikidata/reconcile-offline.csv)."),
              timeout: float = TimeoutOption, retries: int = RetriesOption, backoff: float = BackoffOption) -> None:
    """Propose Wikidata ids for places without one: candidates by name and country, scored, for review.

    Writes a review file listing, per place, the candidates (settlements and
    administrative areas whose label or alias is one of the place's names) with
    their scores and a decision: accept, ambiguous, low-score or no-candidate.
    Ambiguous matches are never written into data/ without a person.
    With --offline, the candidates come from the dated snapshots instead and a
    candidate is `verified` only when the snapshots corroborate it
    (twinkg.world.identity).
    """
    settings = settings_from(data, None, None)
    dataset = curated_data(settings)
    if offline:
        _reconcile_offline(settings, dataset, review, accept)
        return
    review_path = review or settings.wikidata_dir / "reconcile-review.yaml"
    if review_path.resolve().parent == settings.data_dir.resolve() and review_path.suffix in (".yaml", ".yml"):
        fail(f"--review {review_path}: the loader reads every YAML file directly in {settings.data_dir}; "
             "put the review file elsewhere (default: data/wikidata/reconcile-review.yaml)")
    if apply:
        written = reconciling.write_ids(dataset, reconciling.read_review(review_path))
    else:
        with wikidata_client(endpoint, timeout, retries, backoff) as client, \
                progress_bar(f"places from {client.endpoint}") as bar:
            task = bar.add_task("reconcile", total=None)
            proposals = reconciling.reconcile(dataset, client, threshold, margin, only=place or (),
                                              progress=lambda done, total: bar.update(task, completed=done, total=total))
        reconciling.write_review(proposals, review_path, dt.datetime.now(dt.UTC), client.endpoint)
        for p in proposals:
            top = p.candidates[0] if p.candidates else None
            best = f"{top.qid} {top.label!r} {top.score}" if top else "-"
            print(f"{p.place.id}\t{p.decision}\t{best}\t{p.reason}")
        counts = {d: sum(p.decision == d for p in proposals) for d in ("accept", "ambiguous", "low-score", "no-candidate")}
        progress(", ".join(f"{n} {d}" for d, n in counts.items()) + f"; review file {review_path}")
        written = reconciling.write_ids(dataset, {p.place.id: p.accepted for p in proposals if p.accepted}) if accept else []
    for line in written:
        progress(f"wrote wikidata: {line}")
    if written:
        err.print(f"[green]wrote[/green] {len(written)} id(s) into {settings.data_dir}")


def _reconcile_offline(settings: Settings, dataset: Dataset, review: Path | None, accept: bool) -> None:
    from twinkg.enrich.cache import atomic_write
    from twinkg.world import identity
    from twinkg.world.snapshots import read_snapshots

    matches = identity.reconcile(dataset, read_snapshots(settings.snapshots_dir))
    review_path = review or settings.wikidata_dir / "reconcile-offline.csv"
    atomic_write(review_path, identity.review_csv(matches))
    for m in matches:
        print(f"{m.place.id}\t{m.decision}\t{' '.join(c.qid for c in m.candidates) or '-'}\t{m.reason}")
    counts = {d: sum(m.decision == d for m in matches) for d in ("verified", "review", "no-candidate")}
    progress(", ".join(f"{n} {d}" for d, n in counts.items()) + f"; review file {review_path}")
    written = reconciling.write_ids(dataset, {m.place.id: m.qid for m in matches if m.qid}) if accept else []
    for line in written:
        progress(f"wrote wikidata: {line}")


@command("Compare curated twinnings with Wikidata's P190.", "diff-wikidata")
def diff_wikidata(data: Path | None = DataOption,
                  out: Path | None = typer.Option(None, "--out", metavar="DIR",
                      help="Folder for the report. [default: wikidata-diff/ beside dist/]"),
                  as_of: str | None = typer.Option(None, "--as-of", metavar="YYYY-MM-DD",
                      help="Derive statuses as of this date (YYYY-MM-DD). "
                                                      "[default: today, or SOURCE_DATE_EPOCH]")) -> None:
    """Compare curated twinnings with the cached P190 statements: Markdown, CSV and QuickStatements.

    Offline (reads data/ and data/wikidata/). Writes the files
    wikidata-diff.md, wikidata-diff.csv and quickstatements.txt (V1, for an
    editor to review; never sent). Run `twinkg enrich` first.
    """
    from twinkg.enrich import diff
    from twinkg.enrich.cache import Cache
    from twinkg.graphs import wikidata_triples
    from twinkg.world.snapshots import read_snapshots

    settings = settings_from(data, None, None)
    dataset = curated_data(settings)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else settings.built_at.date()
    except ValueError:
        fail(f"--as-of must be a date like 2026-11-01, got {as_of!r}")
    fetched = Cache(settings.wikidata_dir, settings.base).fetched()
    if not fetched:
        fail(f"the enrichment cache {settings.wikidata_dir} is empty: run `twinkg enrich` first")
    triples = wikidata_triples(settings.wikidata_dir)
    report = diff.compare(dataset, triples, fetched, day, read_snapshots(settings.snapshots_dir))
    paths = diff.write(report, out or settings.out_dir.parent / "wikidata-diff")
    counts = {k: sum(f.category == k for f in report.findings) for k in diff.CATEGORIES}
    progress(", ".join(f"{n} {k}" for k, n in counts.items()) + f"; {len(report.quickstatements)} QuickStatements")
    for path in paths:
        print(path)


@command("Serve the graph: SPARQL, pages, dumps.")
def serve(
    host: str = typer.Option(Settings.host, "--host", metavar="ADDRESS", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(Settings.port, "--port", metavar="PORT", help="TCP port to listen on."),
    sparql_endpoint: str | None = typer.Option(
        None, "--sparql-endpoint", metavar="URL",
        help="Query a remote SPARQL 1.1 store (loaded with `twinkg publish`) instead of the embedded one. "
             "A query without a dataset reads the store's graphs (less the product's own and a publish's "
             "staging graphs) as its default graph: twinkg names them on every query."),
    sparql_endpoint_kind: str = typer.Option(
        Settings.sparql_endpoint_kind, "--sparql-endpoint-kind", metavar="NAME",
        help=f"What the remote store is, where products differ: {', '.join(ADAPTERS)}."),
    timeout: float = typer.Option(Settings.timeout, "--timeout", metavar="SECONDS", min=0.1,
                                  help="Seconds a query may run before it is stopped (503)."),
    max_rows: int = typer.Option(Settings.max_rows, "--max-rows", metavar="N", min=1,
                                 help="Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer; "
                                      "announced in X-SPARQL-Max-Rows, X-SPARQL-Truncated says when it applied."),
    workers: int = typer.Option(Settings.workers, "--workers", metavar="N", min=1, help="Query worker processes of the embedded store."),
    fast_workers: int = typer.Option(
        Settings.fast_workers, "--fast-workers", metavar="N", min=0,
        help="Extra workers kept for queries that ran fast last time, so lookups never queue behind slow queries."),
    max_request: int = typer.Option(Settings.max_request_bytes, "--max-request-bytes", metavar="BYTES", min=1024,
                                    help="Largest request body (413 above)."),
    max_answer_bytes: int = typer.Option(
        Settings.max_answer_bytes, "--max-answer-bytes", metavar="BYTES", min=1024,
        help="Most bytes per answer; a larger one is cut at a row or triple (announced in a header: "
             "X-SPARQL-Max-Bytes)."),
    worker_memory: int = typer.Option(
        Settings.worker_memory_bytes >> 20, "--worker-memory-mb", metavar="MIB", min=256,
        help="Address space of each query worker in MiB; a query needing more is stopped (503), its worker replaced."),
    max_queries_per_client: int = typer.Option(
        Settings.max_queries_per_client, "--max-queries-per-client", metavar="N", min=1,
        help="Queries of one client address running at once; more wait (up to --timeout, then 503)."),
    read_timeout: float = typer.Option(Settings.read_timeout, "--read-timeout", metavar="SECONDS", min=0.1,
                                       help="Seconds a client has to send a request's head, and between chunks of "
                                            "its body (408 and closed after)."),
    max_connections: int = typer.Option(Settings.max_connections, "--max-connections", metavar="N", min=1,
                                        help="Open connections in all (503 and closed above)."),
    max_connections_per_client: int = typer.Option(Settings.max_connections_per_client,
                                                   "--max-connections-per-client", metavar="N", min=1,
                                                   help="Open connections from one client address (503 above)."),
    quiet: bool = typer.Option(False, "--quiet", help="No access log (one JSON line per request on stderr)."),
    data: Path | None = DataOption,
    out: Path | None = OutOption,
    base: str | None = BaseOption,
) -> None:
    """Serve the graph: SPARQL endpoint, linked-data pages, dumps — on http://127.0.0.1:8080/ by default.

    Builds the graph first when the output folder is missing or older than
    data/, ontology/ or shapes/, loads twinkg.nq.gz into an on-disk embedded
    store (pyoxigraph, a folder .store-<hash> in the output folder) and
    evaluates queries in worker processes that are killed when they run past
    --timeout. With --sparql-endpoint the web layer keeps no store of its own
    and can run as several replicas.

    Routes (docs/serving.md): / (home), /search, /search.json, /places,
    /twinnings and /twinnings.csv (the links by facets), /statistics,
    /network.svg, /map/basemap.svg, /query (with /query/basemap.json and
    /query/vocabulary.json), /sparql (also /sparql/), /id/… and /vocab/… (303
    to /page/… or to /data/….ttl, .jsonld, .nt or .rdf by Accept), /ontology,
    /dataset, /dumps/ and /dumps/FILE, /void and /.well-known/void,
    /context.jsonld, /sitemap.xml, /robots.txt, /healthz and /static/….
    """
    from twinkg import server

    if sparql_endpoint_kind not in ADAPTERS:
        fail(f"--sparql-endpoint-kind must be one of {', '.join(ADAPTERS)}, got {sparql_endpoint_kind!r}")
    settings = settings_from(data, out, base, host=host, port=port, sparql_endpoint=sparql_endpoint,
                             sparql_endpoint_kind=sparql_endpoint_kind,
                             timeout=timeout, max_rows=max_rows, workers=workers, fast_workers=fast_workers,
                             max_request_bytes=max_request, max_answer_bytes=max_answer_bytes,
                             worker_memory_bytes=worker_memory << 20, max_queries_per_client=max_queries_per_client,
                             read_timeout=read_timeout, max_connections=max_connections,
                             max_connections_per_client=max_connections_per_client, access_log=not quiet)
    if not sparql_endpoint and is_stale(settings.out_dir, [settings.data_dir, settings.ontology_dir, settings.queries_dir,
                                                                        settings.shapes_dir]):
        progress(f"{settings.out_dir} is missing or older than the data: building")
        run_pipeline(settings, write=True)
    config = server.make_config(settings, progress)
    err.print(f"[green]serving[/green] http://{host}:{port}/ "
              f"({'remote store ' + sparql_endpoint if sparql_endpoint else 'embedded store'})")
    server.run(config)


@command("Load the build into a remote SPARQL store.")
def publish(
    to: str = typer.Option(..., "--to", metavar="URL",
                           help="Graph Store Protocol endpoint of the target store, e.g. http://host:7878/store"),
    update_endpoint: str | None = typer.Option(
        None, "--update", metavar="URL",
        help="SPARQL Update endpoint used to swap the uploaded graphs in, or to hide and show them on a first "
             "publish (default: derived from --to: …/update)."),
    out: Path | None = ReadOutOption,
    timeout: float = typer.Option(UPLOAD_SECONDS, "--timeout", metavar="SECONDS", help="Seconds allowed for each HTTP request."),
) -> None:
    """Load the built graphs into a SPARQL store over the Graph Store Protocol, replacing each named graph.

    Each graph of dist/twinkg.nq.gz is first PUT into a staging graph, then all
    are swapped in by one SPARQL Update (MOVE … TO …), so readers see either the
    old set of graphs or the new one. Into Oxigraph the staging graphs are loaded
    with its bulk loader (no transaction: only the swap needs one). A first publish
    (the store answers 404 for each graph) loads them in place, hidden from readers
    through twinkg until the last is in (not from those who query the store
    directly); if it is killed, they stay hidden until the next publish. Without an
    update endpoint, each graph is replaced by one PUT (atomic per graph).
    """
    from twinkg.remote import publish_graphs

    settings = settings_from(None, out, None)
    for line in publish_graphs(settings.out_dir, to, update_endpoint, timeout=timeout):
        progress(line)
    err.print(f"[green]published[/green] {settings.out_dir} to {to}")
