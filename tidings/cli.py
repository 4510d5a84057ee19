"""The tidings command line: a thin skin over cleaning.pipeline.run and the crawl runner."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cleaning import __version__
from cleaning.config import load_config
from cleaning.errors import ConfigError, NoDatasetError, TidingsError
from tidings.checks import ExitCode, check_output, check_sources
from tidings.history import clean as recorded_clean

if TYPE_CHECKING:
    from cleaning.summary import RunSummary

_Command = TypeVar("_Command", bound=Callable[..., Any])

DEFAULT_OUTPUT = Path("output")
DEMO_OUTPUT = Path("demo-output")  # never the default of real work: demo rows must not mix into a dataset

logger = logging.getLogger(__name__)


def _usage_error(message: str) -> SystemExit:
    """Print one line naming the problem and the fix; exit 2 (a bad command line, setting or output)."""
    click.echo(f"Error: {message}", err=True)
    return SystemExit(ExitCode.USAGE)


def _failed(message: str) -> SystemExit:
    """Print one line; exit 1 (the run failed)."""
    click.echo(f"Error: {message}", err=True)
    return SystemExit(ExitCode.FAILED)


class _OneLineFormatter(logging.Formatter):
    """Each log record on one line; the traceback only when asked for (-vv)."""

    def __init__(self, fmt: str, *, tracebacks: bool) -> None:
        super().__init__(fmt)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks:
            return super().format(record)
        record = logging.makeLogRecord(record.__dict__)
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return " | ".join(line for line in super().format(record).splitlines() if line.strip())


# -v and -q are accepted before and after the command name (`tidings -q clean ...`, `tidings clean ... -q`)
_VERBOSE, _QUIET = "tidings.verbose", "tidings.quiet"


def _verbosity(ctx: click.Context | None = None) -> tuple[int, bool]:
    meta = (ctx or click.get_current_context()).meta
    return int(meta.get(_VERBOSE, 0)), bool(meta.get(_QUIET, False))


def quiet() -> bool:
    """Whether -q was given: no progress bar, no summary, only errors."""
    return _verbosity()[1]


def _configure_logging(ctx: click.Context) -> None:
    verbose, silent = _verbosity(ctx)
    level = logging.ERROR if silent and not verbose else logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", tracebacks=verbose >= 2))
    if verbose < 2:
        handler.addFilter(_quiet_extractors)
    logging.basicConfig(level=level, handlers=[handler], force=True)  # force: one handler, ours


_EXTRACTORS = frozenset({"trafilatura", "htmldate", "courlan", "readability"})


def _quiet_extractors(record: logging.LogRecord) -> bool:
    """Drop the extractors' records below CRITICAL (shown with -vv).

    trafilatura and htmldate log every page they cannot parse at ERROR; tidings records those
    as rejects. A filter on the handler, not a level on their loggers: trafilatura sets
    htmldate's level when it is imported, which may be after this (a Dask client never
    imports it).
    """
    return record.levelno >= logging.CRITICAL or record.name.partition(".")[0] not in _EXTRACTORS


def _count_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value:
        ctx.meta[_VERBOSE] = int(ctx.meta.get(_VERBOSE, 0)) + value
        _configure_logging(ctx)


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_QUIET] = True
        _configure_logging(ctx)


def verbosity_options(function: _Command) -> _Command:
    """-v/--verbose and -q/--quiet, on the group and on every command."""
    function = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="Only errors: no progress, no summary.",
    )(function)
    return click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_count_verbose,
        help="More log output (-vv for debug and tracebacks).",
    )(function)


def say(line: str) -> None:
    """Print a summary line to stderr, unless -q."""
    if not quiet():
        click.echo(line, err=True)


class _Group(click.Group):
    """The tidings group: every command gets -v/-q; errors become one line and a documented exit code."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(p.name == "verbose" for p in cmd.params):
            cmd.params.extend(verbosity_options(click.Command("_")).params)
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nInterrupted: work committed so far is kept; the same command resumes it.", err=True)
            raise SystemExit(ExitCode.INTERRUPTED) from None
        except ConfigError as exc:
            raise _usage_error(str(exc)) from exc
        except TidingsError as exc:
            raise _failed(str(exc)) from exc
        except OSError as exc:
            logger.debug("I/O error", exc_info=True)
            raise _failed(f"{exc}") from exc


def _exit_for(produced_nothing: bool, why: str) -> None:
    """Exit 3 when the run finished but made nothing usable (README, "Exit codes"); why says what happened."""
    if produced_nothing:
        say(f"nothing:     {why} (exit code 3)")
        raise SystemExit(ExitCode.NOTHING)


def _nothing_cleaned(summary: RunSummary) -> str:
    if summary.pages == 0:
        return "no pages found in the inputs (empty folders, or only files tidings skips)"
    return f"every one of the {summary.pages} inputs was rejected (see {summary.output / 'rejects'})"


def _progress(progress: bool) -> bool:
    return progress and not quiet()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tidings")
@verbosity_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """Turn news feeds and archives into a clean, deduplicated Parquet dataset.

    Exit codes: 0 done; 1 the run failed; 2 bad usage, settings or output (nothing was
    done); 3 finished, but produced nothing (no pages found, every input rejected or
    every fetch failed); 75 another
    crawl holds the lock; 130 interrupted (Ctrl-C).
    """
    _configure_logging(ctx)


_workers_option = click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for the cleaning steps [default: 1].",
)


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),  # checked by check_output: one line, exit 2
    default=DEFAULT_OUTPUT,
    show_default=True,
    help="Output root: articles/ and rejects/ are written under it.",
)
@_workers_option
@click.option("--source", default=None, help="Source name for every input [default: the input's folder name].")
@click.option(
    "--timezone",
    "default_timezone",
    default=None,
    help="Timezone for dates without an offset [default: Asia/Hong_Kong].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="TOML file with a [cleaning] table of settings.",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine's processes (-w); dask: a Dask cluster (needs tidings[dask]).",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    default=None,
    help="With --engine dask: join this running cluster [default: start a LocalCluster of -w workers].",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Replace OUTPUT's dataset by what this config makes of INPUTS and OUTPUT/warc, as if OUTPUT were empty: "
    "built beside it, swapped in by one commit (a kill keeps the old one). Also upgrades an older schema.",
)
def clean(
    inputs: tuple[Path, ...],
    output: Path,
    rebuild: bool,
    workers: int | None,
    source: str | None,
    default_timezone: str | None,
    config_path: Path | None,
    progress: bool,
    engine: str,
    scheduler: str | None,
) -> None:
    """Clean archived pages into the articles dataset.

    INPUTS are files or folders (read recursively): .warc/.warc.gz, .html/.htm
    (optionally .gz), Markdown posts with front matter, .txt, and .jsonl with
    url and html fields. Anything unusable becomes a row in OUTPUT/rejects.

    Cleaning an input again replaces what it gave before: a page now rejected leaves
    the articles, a page now kept leaves the rejects. --rebuild makes OUTPUT exactly
    what a clean of INPUTS plus the WARC files in OUTPUT/warc into an empty folder
    gives (rows of inputs not given are dropped); INPUTS may then be left out.

    With --engine dask, each Dask worker reads its own shard of the inputs and the
    result is the same as with the local engine (docs/distributed.md).

    Examples:

        tidings clean tests/fixtures/seeds --output output --workers 2

        tidings clean --output output --rebuild --config cleaning.toml

        tidings clean /shared/warc --output /shared/dataset --engine dask --scheduler tcp://10.0.0.5:8786
    """
    if scheduler and engine != "dask":
        raise _usage_error("--scheduler needs --engine dask")
    if not inputs and not (rebuild and (output / "warc").is_dir()):
        why = f": {output / 'warc'} does not exist, so there is nothing to rebuild from" if rebuild else "."
        raise click.UsageError(f"Missing argument 'INPUTS...'{why}")
    missing = [path for path in inputs if not os.path.lexists(path)]
    if missing:
        raise _usage_error(f"input {missing[0]} does not exist; give existing files or folders to clean")
    config = load_config(config_path, overrides={"workers": workers, "default_timezone": default_timezone})
    check_output(output, dataset=not rebuild)  # a rebuild replaces whatever dataset is there
    summary = recorded_clean(
        list(inputs),
        output,
        config,
        source=source,
        progress=_progress(progress),
        engine=engine,
        scheduler=scheduler,
        rebuild=rebuild,
    )
    for line in summary.lines():
        say(line)
    say(f"load it:     python -c \"import tidings; print(tidings.load('{output}'))\"")
    _exit_for(summary.produced_nothing, _nothing_cleaned(summary))


# --- crawl, schedule, demo -----------------------------------------------------------------


def _crawl_options(function: _Command) -> _Command:
    """Options shared by `crawl` and `schedule`."""
    options = [
        click.option(
            "--sources",
            "sources_path",
            type=click.Path(dir_okay=False, path_type=Path),
            required=True,
            help="The sources file (see sources.example.toml).",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path),
            default=DEFAULT_OUTPUT,
            show_default=True,
            help="Output root: warc/, articles/, rejects/ and state/ go under it.",
        ),
        click.option("--source", "names", multiple=True, help="Crawl only this source (repeatable) [default: all]."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="TOML file with a [cleaning] table of settings.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _frontier_option(function: _Command) -> _Command:
    return click.option(
        "--frontier",
        "frontier_url",
        metavar="redis://HOST:PORT/DB",
        default=None,
        help="Share the crawl's queue and seen-set through this Redis (needs tidings[redis]).",
    )(function)


def _scrapy_overrides(values: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--set")
        overrides[name.strip()] = setting
    return overrides


@main.command()
@_crawl_options
@click.option(
    "-s",
    "--set",
    "scrapy_settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a crawl setting of crawler/settings.py (repeatable), e.g. -s DOWNLOAD_DELAY=2.",
)
@click.option("--clean/--no-clean", default=True, help="Clean what was archived into the dataset [default: clean].")
@click.option(
    "--pipeline/--no-pipeline",
    default=True,
    help="Clean each WARC file the crawl closes while it goes on, the rest after it [default]; "
    "--no-pipeline: clean everything after the crawl. The rows are the same.",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr while cleaning.")
@_frontier_option
@click.option(
    "--worker-id",
    default=None,
    help="With --frontier: this worker's name in WARC file names and state [default: the host name].",
)
@click.option(
    "--idle",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="With --frontier: stop once the shared queue is empty and no worker was busy this many seconds; 0: never.",
)
@click.option("--seed-only", is_flag=True, help="With --frontier: push the sources' feeds into it, crawl nothing.")
@_workers_option
def crawl(
    sources_path: Path,
    output: Path,
    names: tuple[str, ...],
    config_path: Path | None,
    scrapy_settings: tuple[str, ...],
    clean: bool,
    pipeline: bool,
    progress: bool,
    frontier_url: str | None,
    worker_id: str | None,
    idle: float,
    seed_only: bool,
    workers: int | None,
) -> None:
    """Crawl the sources into OUTPUT/warc, then clean what was archived.

    Feeds, sitemaps and section pages are fetched again each time (with conditional
    GET); an article URL fetched by an earlier crawl, or already in the dataset, is
    never fetched again. Needs the internet for real sources.

    With --frontier, this is one worker of a crawl shared through Redis: start it on
    as many machines as you like; they share one queue and one seen-set, so no URL is
    fetched twice, and each cleans the WARC files it wrote (its worker id in their names).

    Examples:

        tidings crawl --sources sources.example.toml --source rthk-en

        tidings crawl --sources sources.toml --frontier redis://10.0.0.5:6379/0
    """
    from tidings.crawl import CrawlBusyError, Frontier, seed
    from tidings.crawl import crawl as run_crawl

    if (worker_id or seed_only) and not frontier_url:
        raise click.UsageError("--worker-id and --seed-only need --frontier")
    frontier = Frontier(frontier_url, worker=worker_id or "", idle=idle) if frontier_url else None
    check_sources(sources_path, names)
    if frontier is not None and seed_only:
        pushed = seed(sources_path, frontier, names=names)
        say(f"seeded:      {pushed} feed/sitemap/section request(s) into {frontier_url}")
        return
    config = load_config(config_path, overrides={"workers": workers})
    check_output(output)
    try:
        summary = run_crawl(
            sources_path,
            output,
            config,
            names=names,
            settings=_scrapy_overrides(scrapy_settings),
            clean=clean,
            pipeline=pipeline,
            progress=_progress(progress),
            frontier=frontier,
        )
    except CrawlBusyError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(ExitCode.LOCKED) from exc
    for line in summary.lines():
        say(line)
    _exit_for(summary.produced_nothing, "every fetch failed, or no fetched article page became an article")


@main.command()
@_crawl_options
@click.option("--every", required=True, help="Interval between crawl starts: 30m, 2h, 90s, 1d.")
@_frontier_option
def schedule(
    sources_path: Path,
    output: Path,
    names: tuple[str, ...],
    config_path: Path | None,
    every: str,
    frontier_url: str | None,
) -> None:
    """Run `tidings crawl` now and then every interval, one crawl at a time, until stopped.

    The schedule is stored under OUTPUT/state/: after a restart, one missed run is
    made up at once (never several). Each crawl runs as a subprocess and holds the
    crawl lock, so a manual `tidings crawl` on the same output never overlaps it.

    With --frontier, each run seeds the shared frontier with the sources' feeds instead
    of crawling: workers started with `tidings crawl --frontier URL --idle 0` fetch them.

    Examples:

        tidings schedule --sources sources.toml --every 30m --output output

        tidings schedule --sources sources.toml --every 30m --frontier redis://10.0.0.5:6379/0
    """
    from tidings.schedule import crawl_command, parse_interval, run_schedule

    try:
        interval = parse_interval(every)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from exc
    check_sources(sources_path, names)  # before the first interval, not once per failed run
    load_config(config_path)
    check_output(output)
    command = crawl_command(sources_path, output, names=names, config_path=config_path, frontier=frontier_url)
    if not quiet():
        logging.getLogger("tidings.schedule").setLevel(logging.INFO)  # each run's summary is the point
    run_schedule(command, output, interval)


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),  # checked by check_output: one line, exit 2
    default=DEMO_OUTPUT,
    show_default=True,
    help="Output root for the demo dataset (its own folder: never one holding real data).",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on stderr while cleaning.")
def demo(output: Path, progress: bool) -> None:
    """Crawl and clean the bundled sample news site, served on 127.0.0.1: no internet needed.

    It writes into demo-output/, not output/: its fictional rows never mix into a real
    dataset, and it refuses an output that holds one.

    Example:

        tidings demo --output demo-output
    """
    from tidings.demo import check_demo_output, run_demo
    from tidings.report import write_report

    check_output(output)
    check_demo_output(output)
    summary, base_url = run_demo(output, progress=_progress(progress))
    say(f"demo site:   {base_url} (served on this machine for the crawl, now stopped)")
    for line in summary.lines():
        say(line)
    say(f"load it:     python -c \"import tidings; print(tidings.load('{output}'))\"")
    say(f"report:      {write_report(output)}")


@main.command()
@click.argument("output", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUTPUT)
@click.option(
    "-o",
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the page [default: OUTPUT/report.html].",
)
def report(output: Path, html_path: Path | None) -> None:
    """Write an HTML report of the dataset in OUTPUT: volume, languages, dates, fields, rejects, duplicates, runs.

    One self-contained page (it opens with no network) with a chart and a line of
    reading per figure, per source and over time, and anomalies called out at the top.

    Example:

        tidings report output -o report.html
    """
    from tidings.report import write_report

    if not (output / "articles").is_dir() and not (output / "runs").is_dir():
        raise click.BadParameter(f"{output} holds no tidings dataset (no articles/ or runs/)", param_hint="OUTPUT")
    click.echo(str(write_report(output, html_path)))  # the one line of data: the path, on stdout


@main.command()
@click.argument("output", type=click.Path(file_okay=False, exists=True, path_type=Path))
def compact(output: Path) -> None:
    """Merge the small Parquet files that many commits leave into one file per partition.

    Rows do not change; readers keep reading while it runs. An output written by a
    tidings before snapshots (one part-0.parquet per dataset) is upgraded first, and so
    is one written with fewer columns: the columns are added, null in the older rows,
    until `tidings clean [INPUTS...] -o OUTPUT --rebuild` computes them from the pages.

    Example:

        tidings compact output
    """
    from cleaning.storage.compact import compact as compact_output

    check_output(output)
    stats = compact_output(output)
    if stats.added_columns:
        say(
            f"upgraded:    added {', '.join(stats.added_columns)} (null in older rows; `clean --rebuild` computes them)"
        )
    say(f"compacted:   {stats.files_before} files -> {stats.files_after} (snapshot {stats.version})")


# --- export, sources, extract ----------------------------------------------------------------


@main.command()
@click.argument("output", type=click.Path(path_type=Path), default=DEFAULT_OUTPUT)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), required=True, help="csv or jsonl (JSON Lines).")
@click.option(
    "-o",
    "--to",
    "destination",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write [default: stdout].",
)
@click.option("--rejects", is_flag=True, help="Export the rejects instead of the articles.")
@click.option("--since", default=None, help="Only articles published at or after this date/time (UTC).")
@click.option("--until", default=None, help="Only articles published before this date/time (UTC).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--language", "languages", multiple=True, help="Only this language, e.g. zh-Hant (repeatable).")
@click.option("--no-duplicates", is_flag=True, help="Only canonical rows (duplicate_of is null).")
@click.option("--columns", default=None, help="Comma-separated columns [default: all].")
def export(
    output: Path,
    fmt: str,
    destination: Path | None,
    rejects: bool,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    languages: tuple[str, ...],
    no_duplicates: bool,
    columns: str | None,
) -> None:
    """Write the articles (or rejects) of OUTPUT as CSV or JSON Lines, filtered as tidings.load filters.

    Times are ISO 8601 in UTC; in CSV a list column (authors, tags, ...) is a JSON array in one cell.

    Example:

        tidings export output --format csv --since 2025-03-05 --source harbour-tech -o march.csv
    """
    from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
    from tidings import dataset_root
    from tidings.export import export as export_rows

    try:
        root = dataset_root(output)
    except NoDatasetError as exc:
        raise _usage_error(str(exc)) from exc
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    known = (REJECT_SCHEMA if rejects else ARTICLE_SCHEMA).names
    unknown = [c for c in wanted or [] if c not in known]
    if unknown:
        raise _usage_error(f"unknown column {unknown[0]!r}; columns are: {', '.join(known)}")
    try:
        rows = export_rows(
            root,
            destination,
            fmt=fmt,
            rejects=rejects,
            duplicates=not no_duplicates,
            columns=wanted,
            since=since,
            until=until,
            sources=sources or None,
            languages=languages or None,
        )
    except ValueError as exc:  # a date pandas cannot read
        raise _usage_error(str(exc)) from exc
    say(f"exported:    {rows} {'rejects' if rejects else 'articles'} as {fmt} to {destination or 'stdout'}")


@main.command(name="sources")
@click.argument("sources_path", metavar="SOURCES.toml", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source instead of a table.")
def sources_command(sources_path: Path, as_json: bool) -> None:
    """Check a sources file and list its sources: name, timezone, feeds, sitemaps and sections.

    Exits 2, naming the file, the source and the field, when the file is invalid.

    Example:

        tidings sources sources.example.toml
    """
    import dataclasses
    import json

    found = check_sources(sources_path)
    if as_json:
        for source in found:
            click.echo(json.dumps(dataclasses.asdict(source), ensure_ascii=False))
    else:
        click.echo(f"{'name':<20} {'timezone':<18} {'feeds':>5} {'sitemaps':>8} {'sections':>8}  max_age_days")
        for source in found:
            age = "-" if source.max_age_days is None else f"{source.max_age_days:g}"
            click.echo(
                f"{source.name:<20} {source.timezone or '-':<18} {len(source.feeds):>5} "
                f"{len(source.sitemaps):>8} {len(source.sections):>8}  {age}"
            )
    say(f"valid:       {len(found)} source(s) in {sources_path}")


@main.command()
@click.argument("target", metavar="FILE|URL")
@click.option("--source", default=None, help="Source name [default: the folder name, or the URL's host].")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="TOML file with a [cleaning] table of settings.",
)
def extract(target: str, source: str | None, config_path: Path | None) -> None:
    """Clean one saved page (or each page of a WARC/JSONL file) or one URL; print each article as a JSON line.

    Nothing is stored. A page that gives no article is reported on stderr with its
    reject reason, and the exit code is 3.

    Examples:

        tidings extract saved/story.html

        tidings extract https://example.com/news/2025/03/story.html | jq .title
    """
    from tidings.export import json_line
    from tidings.extract import extract as extract_target
    from tidings.extract import is_url

    if not is_url(target) and not os.path.lexists(target):
        raise _usage_error(f"{target} is neither an existing file nor an http(s) URL")
    config = load_config(config_path)
    articles, rejects = extract_target(target, config, source=source)
    for row in articles:
        click.echo(json_line(row))
    for row in rejects:
        detail = str(row.get("detail") or "").splitlines()[0] if row.get("detail") else ""
        say(f"rejected:    {row['origin']}: {row['reason']}" + (f" ({detail})" if detail else ""))
    _exit_for(not articles, "no article in it")
