"""The report's charts (Plotly figures), each with a line of reading computed from the same figures."""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go

from tidings.report.data import ReportData

__all__ = ["Chart", "Section", "build_sections"]

CROSS_SCRIPT = frozenset({"zh-Hans", "zh-Hant", "yue"})
_HEIGHT = 360


@dataclasses.dataclass
class Chart:
    id: str
    title: str
    reading: str
    figure: go.Figure | None  # None: nothing to draw, the reading says why


@dataclasses.dataclass
class Section:
    title: str
    charts: list[Chart]


def _layout(figure: go.Figure, *, x: str = "", y: str = "", stacked: bool = True, height: int = _HEIGHT) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        barmode="stack" if stacked else "group",
        legend={"orientation": "h", "y": -0.2},
        xaxis_title=x,
        yaxis_title=y,
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def _stacked_bars(
    frame: pd.DataFrame, *, x: str, stack: str, y: str, horizontal: bool = False, x_title: str = "", y_title: str = ""
) -> go.Figure:
    """One bar trace per value of stack: x on the category axis, y summed."""
    wide = frame.pivot_table(index=x, columns=stack, values=y, aggfunc="sum", fill_value=0, observed=True)
    figure = go.Figure()
    for name in wide.columns:  # one trace per series: a handful, not one per row
        values = wide[name]
        if horizontal:
            figure.add_trace(go.Bar(name=str(name), y=[str(i) for i in wide.index], x=values.tolist(), orientation="h"))
        else:
            figure.add_trace(go.Bar(name=str(name), x=list(wide.index), y=values.tolist()))
    return _layout(figure, x=x_title, y=y_title)


def _day(value: object) -> str:
    return str(pd.Timestamp(str(value)).date())


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def _top(frame: pd.DataFrame, key: str, value: str) -> tuple[str, float]:
    totals = frame.groupby(key, observed=True)[value].sum().sort_values(ascending=False)
    return str(totals.index[0]), float(totals.iloc[0])


def _volume(data: ReportData) -> Section:
    per_day = data.per_day
    if per_day.empty:
        chart = Chart("articles-per-day", "Articles per day", "No article has a publication date to count by.", None)
        return Section("Volume", [chart])
    source, count = _top(per_day, "source", "articles")
    busiest = per_day.groupby("day")["articles"].sum().sort_values(ascending=False)
    last = per_day["day"].max()
    reading = (
        f"{int(per_day['articles'].sum()):,} dated articles over {per_day['day'].nunique():,} days;"
        f" {source} published most ({count:,.0f}); the busiest day was {_day(busiest.index[0])}"
        f" ({int(busiest.iloc[0])}); the last day with articles is {_day(last)}. Undated articles are not counted here."
    )
    figure = _stacked_bars(per_day, x="day", stack="source", y="articles", y_title="articles")
    return Section("Volume", [Chart("articles-per-day", "Articles per day, by publication date", reading, figure)])


def _languages(data: ReportData) -> Chart:
    frame = data.languages
    if frame.empty:
        return Chart("languages", "Languages", "No articles.", None)
    language, count = _top(frame, "language", "articles")
    total = frame["articles"].sum()
    others = frame.groupby("language")["articles"].sum().sort_values(ascending=False).iloc[1:4]
    rest = ", ".join(f"{k} {_share(v, total)}" for k, v in others.items())
    reading = f"{language} is {_share(count, total)} of articles" + (f"; then {rest}." if rest else ".")
    return Chart(
        "languages",
        "Languages per source",
        reading,
        _stacked_bars(frame, x="source", stack="language", y="articles", horizontal=True, x_title="articles"),
    )


def _dates(data: ReportData) -> list[Chart]:
    precision, origin = data.precision, data.date_sources
    if precision.empty:
        return [Chart("date-precision", "Date precision", "No articles.", None)]
    total = precision["articles"].sum()
    by = precision.groupby("precision")["articles"].sum()
    timed = by.get("minute", 0) + by.get("second", 0)
    reading = (
        f"{_share(timed, total)} of articles carry a time of day, {_share(by.get('day', 0), total)} only a day,"
        f" {_share(by.get('none', 0), total)} no date at all."
    )
    top_origin, top_count = _top(origin, "date_source", "articles")
    origin_reading = (
        f"Most dates come from {top_origin} ({_share(top_count, total)}); 'extractor' and 'url' are the weakest"
        " sources, 'none' means the article has no date."
    )
    return [
        Chart(
            "date-precision",
            "Date precision per source",
            reading,
            _stacked_bars(precision, x="source", stack="precision", y="articles", horizontal=True, x_title="articles"),
        ),
        Chart(
            "date-sources",
            "Where dates came from, per source",
            origin_reading,
            _stacked_bars(origin, x="source", stack="date_source", y="articles", horizontal=True, x_title="articles"),
        ),
    ]


def _missing(data: ReportData) -> Chart:
    frame = data.missing
    if frame.empty:
        return Chart("missing-fields", "Missing fields", "No articles.", None)
    wide = frame.pivot_table(index="source", columns="field", values="share", aggfunc="sum", observed=True)
    wide = wide[[c for c in frame["field"].unique() if c in wide.columns]]
    figure = go.Figure(
        go.Heatmap(
            z=wide.to_numpy(),
            x=list(wide.columns),
            y=list(wide.index),
            zmin=0,
            zmax=1,
            colorscale="Reds",
            text=[[f"{v:.0%}" for v in row] for row in wide.to_numpy()],
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: %{text} missing<extra></extra>",
        )
    )
    worst = frame.sort_values(["share", "source"], ascending=[False, True]).iloc[0]
    reading = (
        f"Share of articles without each field. The worst gap: {worst['field']} is missing in"
        f" {worst['share']:.0%} of {worst['source']}'s articles."
        if worst["share"] > 0
        else "Every article has every field."
    )
    return Chart("missing-fields", "Missing fields per source", reading, _layout(figure))


def _text(data: ReportData) -> list[Chart]:
    lengths, weekly = data.text_length, data.text_weekly
    if lengths.empty:
        return [Chart("text-length", "Text length", "No articles.", None)]
    figure = go.Figure(
        go.Box(
            x=lengths["source"].tolist(),
            q1=lengths["q25"].tolist(),
            median=lengths["median"].tolist(),
            q3=lengths["q75"].tolist(),
            lowerfence=lengths["q05"].tolist(),
            upperfence=lengths["q95"].tolist(),
            name="characters",
        )
    )
    shortest = lengths.sort_values("median").iloc[0]
    longest = lengths.sort_values("median").iloc[-1]
    reading = (
        f"Boxes span the middle half of articles, whiskers 5%-95%. Median length runs from {shortest['median']:,.0f}"
        f" characters ({shortest['source']}) to {longest['median']:,.0f} ({longest['source']})."
    )
    charts = [Chart("text-length", "Text length per source (characters)", reading, _layout(figure, y="characters"))]
    if len(weekly):
        trend = go.Figure()
        for source, rows in weekly.groupby("source", sort=True):  # one line per source
            trend.add_trace(go.Scatter(x=rows["week"].tolist(), y=rows["median_chars"].tolist(), name=str(source)))
        trend_reading = (
            "Median text length per week of publication: a line that falls and stays down points at a page"
            " layout change that extraction did not follow (see the anomalies above)."
        )
        charts.append(
            Chart("text-length-weekly", "Median text length per week", trend_reading, _layout(trend, y="characters"))
        )
    return charts


def _flags(data: ReportData) -> Chart:
    frame = data.flags
    if frame.empty:
        return Chart("quality-flags", "Quality flags", "No article carries a quality flag.", None)
    flag, count = _top(frame, "flag", "articles")
    total = data.totals["articles"]
    reading = (
        f"{flag} is the most common flag ({count:,.0f} articles, {_share(count, float(str(total)))} of all)."
        " Flagged articles are kept: filter them with quality_flags."
    )
    figure = _stacked_bars(frame, x="flag", stack="source", y="articles", horizontal=True, x_title="articles")
    return Chart("quality-flags", "Quality flags per source", reading, figure)


def _rejects(data: ReportData) -> Section:
    frame = data.rejects
    if frame.empty:
        return Section("Rejects", [Chart("rejects", "Rejects", "Nothing was rejected.", None)])
    reason, count = _top(frame, "reason", "rejects")
    total = frame["rejects"].sum()
    reading = (
        f"{total:,} inputs produced no article; {reason} is {_share(count, total)} of them. Each is a row of"
        " tidings.load_rejects() with its detail."
    )
    charts = [
        Chart(
            "rejects-by-reason",
            "Rejects by reason and stage",
            reading,
            _stacked_bars(frame, x="reason", stack="stage", y="rejects", horizontal=True, x_title="rejects"),
        ),
        Chart(
            "rejects-by-source",
            "Rejects by source and reason",
            "Which source each reject came from; listing pages (not_an_article) are expected from crawls.",
            _stacked_bars(
                data.rejects_by_source, x="source", stack="reason", y="rejects", horizontal=True, x_title="rejects"
            ),
        ),
    ]
    daily = data.rejects_daily
    if len(daily):
        last = daily[daily["day"] == daily["day"].max()]
        charts.append(
            Chart(
                "rejects-per-day",
                "Rejects per day of fetch",
                f"On the last day of fetches ({_day(last['day'].iloc[0])}) {int(last['rejects'].sum()):,} inputs were"
                " rejected: a reason that grows suddenly is called out above.",
                _stacked_bars(daily, x="day", stack="reason", y="rejects", y_title="rejects"),
            )
        )
    return Section("Rejects", charts)


def _duplicates(data: ReportData) -> Section:
    sizes, pairs = data.cluster_sizes, data.cross_script
    if sizes.empty:
        return Section("Duplicates", [Chart("duplicate-clusters", "Duplicates", "No duplicates were found.", None)])
    clusters = int(sizes["clusters"].sum())
    reading = (
        f"{clusters:,} clusters of copies (a canonical article and the rows marked duplicate_of it);"
        f" the largest holds {int(sizes['size'].max())} articles."
    )
    size_figure = _layout(go.Figure(go.Bar(x=sizes["size"].tolist(), y=sizes["clusters"].tolist())), x="articles")
    size_figure.update_xaxes(type="category")
    crossing = pairs["pair"].map(lambda p: len(set(p.split(" ~ ")) & CROSS_SCRIPT) == 2)
    cross = int(pairs.loc[crossing, "pairs"].sum())
    pair_figure = go.Figure(
        go.Bar(
            y=pairs["pair"].tolist(),
            x=pairs["pairs"].tolist(),
            orientation="h",
            marker_color=["#d62728" if c else "#1f77b4" for c in crossing],
        )
    )
    pair_reading = (
        f"{cross:,} duplicate pairs cross Chinese scripts (red): the same story in Simplified and Traditional"
        " characters, found by comparing both in one script."
    )
    return Section(
        "Duplicates",
        [
            Chart("duplicate-clusters", "Duplicate cluster sizes", reading, size_figure),
            Chart(
                "duplicate-languages",
                "Duplicate pairs by language (canonical ~ copy)",
                pair_reading,
                _layout(pair_figure, x="pairs"),
            ),
        ],
    )


def _rules(data: ReportData) -> Chart:
    frame = data.rules
    if frame.empty:
        return Chart("boilerplate-rules", "Boilerplate rules", "No boilerplate rule removed anything.", None)
    rule, count = _top(frame, "rule", "articles")
    reading = (
        f"{frame['rule'].nunique()} rules removed text that trafilatura kept; {rule} fired on most articles"
        f" ({count:,.0f}). A rule that stops firing on a source may mean the site changed its template."
    )
    figure = _stacked_bars(frame, x="rule", stack="source", y="articles", horizontal=True, x_title="articles")
    return Chart("boilerplate-rules", "Boilerplate rules that fired, per source", reading, figure)


def _runs(data: ReportData) -> Section:
    runs = data.runs
    if runs.empty:
        return Section(
            "Runs", [Chart("runs", "Runs", "No run recorded yet (tidings clean and crawl record one).", None)]
        )
    when = [pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S") for t in runs["started_at"]]
    charts = []
    crawls = runs[runs["command"] == "crawl"]
    if len(crawls):
        figure = go.Figure()
        # workers of one shared crawl start together: their bars are told apart by worker id
        crawl_when = [
            w if pd.isna(worker) else f"{w} {worker}"
            for w, c, worker in zip(when, runs["command"], runs["worker"], strict=True)
            if c == "crawl"
        ]
        for column in ("fetched", "not_modified", "fetch_errors", "robots_skipped", "seen_skipped"):
            figure.add_trace(go.Bar(name=column, x=crawl_when, y=crawls[column].fillna(0).tolist()))
        figure.update_xaxes(type="category")
        last = crawls.iloc[-1]
        reading = (
            f"{len(crawls)} crawls; the last fetched {int(last['fetched'] or 0):,} responses, "
            f"{int(last['not_modified'] or 0):,} listings were not modified, {int(last['fetch_errors'] or 0):,} "
            f"requests failed and {int(last['robots_skipped'] or 0):,} URLs were disallowed by robots.txt."
        )
        charts.append(Chart("crawl-runs", "Crawl figures per run", reading, _layout(figure, stacked=False)))
    figure = go.Figure()
    for column in ("articles_new", "articles_updated", "duplicates", "rejects"):
        figure.add_trace(go.Bar(name=column, x=when, y=runs[column].fillna(0).tolist()))
    figure.update_xaxes(type="category")
    failed = int((runs["status"] != "ok").sum())
    reading = (
        f"{len(runs)} runs recorded, {failed} failed; {int(runs['articles_new'].fillna(0).sum()):,} articles added"
        f" in all. Load the history with tidings.load_runs()."
    )
    charts.append(Chart("runs", "Articles and rejects per run", reading, _layout(figure, stacked=False)))
    return Section("Runs", charts)


def build_sections(data: ReportData) -> list[Section]:
    """Every section of the report, in reading order."""
    return [
        _volume(data),
        Section("Languages", [_languages(data)]),
        Section("Dates", _dates(data)),
        Section("Fields and text", [_missing(data), *_text(data)]),
        Section("Quality flags", [_flags(data)]),
        _rejects(data),
        _duplicates(data),
        Section("Boilerplate rules", [_rules(data)]),
        _runs(data),
    ]
