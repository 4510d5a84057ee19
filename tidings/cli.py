"""The tidings command line: a thin skin over cleaning.pipeline.run and the crawl runner."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from cleaning import __version__
from cleaning.config import load_config
from cleaning.errors import TidingsError
from cleaning.pipeline import run

DEFAULT_OUTPUT = Path("output")


def _fail(exc: TidingsError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Turn news feeds and archives into a clean, deduplicated Parquet dataset."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbose < 2:
        # trafilatura logs every page it cannot parse at ERROR; tidings records those as rejects
        for noisy in ("trafilatura", "htmldate", "courlan", "readability"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUTPUT,
              show_default=True, help="Output root: articles/ and rejects/ are written under it.")
@click.option("-w", "--workers", type=click.IntRange(min=1), default=None, help="Worker processes [default: 1].")
@click.option("--source", default=None, help="Source name for every input [default: the input's folder name].")
@click.option("--timezone", "default_timezone", default=None,
              help="Timezone for dates without an offset [default: Asia/Hong_Kong].")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="TOML file with a [cleaning] table of settings.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
def clean(inputs: tuple[Path, ...], output: Path, workers: int | None, source: str | None,
          default_timezone: str | None, config_path: Path | None, progress: bool) -> None:
    """Clean archived pages into the articles dataset.

    INPUTS are files or folders (read recursively): .warc/.warc.gz, .html/.htm
    (optionally .gz), Markdown posts with front matter, .txt, and .jsonl with
    url and html fields. Anything unusable becomes a row in OUTPUT/rejects.

    Example:

        tidings clean tests/fixtures/seeds --output output --workers 2
    """
    try:
        config = load_config(config_path, overrides={"workers": workers, "default_timezone": default_timezone})
        summary = run(list(inputs), output, config, source=source, progress=progress)
    except TidingsError as exc:
        raise _fail(exc) from exc
    for line in summary.lines():
        click.echo(line, err=True)
    click.echo(f"load it:     python -c \"import tidings; print(tidings.load('{output}'))\"", err=True)
