"""The `twinkg` command: one entry point, a subcommand per job.

Commands print problems as people read them and exit non-zero; a traceback
is never the answer to bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from twinkg import __version__
from twinkg.build import ValidationFailed, run
from twinkg.config import Settings
from twinkg.curated.loader import LoadError
from twinkg.graphs import InputError
from twinkg.validate import ShapesError

app = typer.Typer(
    name="twinkg",
    help="twinkg: build, validate, serve and link a knowledge graph of town twinning.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)

DataOption = typer.Option(None, "--data", help="Folder of curated YAML files. [default: data/ of the checkout, or $TWINKG_DATA]")
OutOption = typer.Option(None, "--out", help="Output folder for the dumps. [default: dist/ of the checkout, or $TWINKG_OUT]")
BaseOption = typer.Option(None, "--base", help="Base IRI of minted IRIs. [default: https://w3id.org/twinkg/, or $TWINKG_BASE]")


def settings_from(data: Optional[Path] = None, out: Optional[Path] = None, base: Optional[str] = None) -> Settings:
    defaults = Settings()
    if base is not None and not base.endswith(("/", "#")):
        fail(f"--base must end with '/' or '#', got {base!r}")
    return Settings(data_dir=data or defaults.data_dir, out_dir=out or defaults.out_dir, base=base or defaults.base)


def fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def progress(message: str) -> None:
    err.print(f"[dim]·[/dim] {message}")


def run_pipeline(settings: Settings, write: bool) -> None:
    """Run the build stages and turn every expected failure into a readable message and exit 1."""
    try:
        built = run(settings, progress, write=write)
    except LoadError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        fail(f"{len(exc.problems)} problem(s) in the curated data; nothing was written")
    except (InputError, ShapesError) as exc:
        fail(f"{exc}; nothing was written")
    except ValidationFailed as exc:
        print(exc.report.summary(), file=sys.stderr)
        fail("the built graph violates the SHACL shapes; nothing was written")
    else:
        print(built.report.summary())


@app.command()
def build(data: Optional[Path] = DataOption, out: Optional[Path] = OutOption, base: Optional[str] = BaseOption) -> None:
    """Load the curated data, map it to RDF, validate it with SHACL and write the dumps.

    Writes twinkg.ttl, twinkg.nt.gz, twinkg.jsonld, twinkg.nq.gz (named graphs),
    void.ttl (VoID/DCAT), shacl-report.ttl and SHA256SUMS into the output folder,
    atomically: on any error the previous output stays as it was. Set
    SOURCE_DATE_EPOCH for byte-identical rebuilds.
    """
    settings = settings_from(data, out, base)
    run_pipeline(settings, write=True)
    err.print(f"[green]built[/green] {settings.out_dir}")


@app.command()
def validate(data: Optional[Path] = DataOption, base: Optional[str] = BaseOption) -> None:
    """Load and map the curated data and check it against the SHACL shapes; write nothing."""
    run_pipeline(settings_from(data, None, base), write=False)


@app.command()
def version() -> None:
    """Print the twinkg version."""
    print(__version__)
