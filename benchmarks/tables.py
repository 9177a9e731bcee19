"""Turn the runs into one table per target, each row godap vs Delve with the ratio and a verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .stats import Measures, Stat, count, mib, ms, noise, ratio, ratio_noise, ratio_text, stat

Runs = list[Measures] | str  # the runs of one scenario on one input, or why it failed
Raw = dict[str, dict[str, Runs]]  # input -> scenario -> runs

BIG_CORE = "g100000"
MACHINE_SESSION = "godap session (machine python)"  # the T1 session, started by this machine's interpreter
# The targets of issue 14, each a limit on a ratio godap ÷ Delve (or on seconds where noted).
T1_LIMITS = {"g10": 1.0, "small": 1.0, "compile": 0.4}  # process start → first stackTrace
T2_LIMIT = 0.15  # g100000: launch → every goroutine listed, ÷ `dlv core … goroutines`
T4_SECONDS = 1.0  # g100000: launch → every stack grouped
T5_SECONDS = 1.5  # g100000: `godap report`, whole process
T6_GOROUTINES = 1_000  # peak anonymous memory ≤ Delve's on every core with at least this many goroutines


@dataclass
class Table:
    key: str
    title: str
    target: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    verdicts: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def verdict(self, row: str, met: bool | None, detail: str) -> str:
        if met is None:
            return ""
        self.verdicts.append({"row": row, "met": met, "detail": detail})
        return "met" if met else "**NOT MET**"

    def limit(self, row: str, value: float | None, limit: float, spread: float, detail: str) -> str:
        """The verdict on `value` ≤ `limit`, given the run-to-run noise measured (`spread`): a miss
        by no more than the noise is reported as such (`within_noise`), a bigger one as a regression."""
        if value is None:
            return ""
        met = value <= limit
        within = value <= limit + spread
        self.verdicts.append(
            {
                "row": row,
                "met": met,
                "within_noise": within,
                "value": value,
                "limit": limit,
                "noise": spread,
                "detail": f"{detail}; noise ±{spread:.3g}",
            }
        )
        return "met" if met else ("not met (within noise)" if within else "**NOT MET**")


def _runs(raw: Raw, name: str, scenario: str) -> list[Measures]:
    runs = raw.get(name, {}).get(scenario)
    return runs if isinstance(runs, list) else []


def _error(raw: Raw, name: str, *scenarios: str) -> str:
    found = raw.get(name, {})
    keys = [key for s in scenarios for key in (s, f"{s} (error)")]
    errors = [f"{key}: {found[key]}" for key in keys if isinstance(found.get(key), str)]
    return "; ".join(errors)


def _get(raw: Raw, name: str, scenario: str, key: str) -> Stat | None:
    return stat(_runs(raw, name, scenario), key)


def _note_errors(table: Table, raw: Raw, name: str, *scenarios: str) -> None:
    if error := _error(raw, name, *scenarios):
        table.notes.append(f"{name}: {error}")


def t1_first_stack(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T1",
        "Process start → first stackTrace response (DAP; godap on stdio, Delve on TCP)",
        "godap ≤ " + ", ".join(f"{limit}× Delve on {name}" for name, limit in T1_LIMITS.items()),
        ["input", "godap ms", "Delve ms", "ratio", "noise ±", "godap, machine python ms", "ratio", "runs", "target"],
    )
    for name in names:
        godap, delve = (
            _get(raw, name, "godap session", "spawn→stackTrace"),
            _get(raw, name, "delve session", "spawn→stackTrace"),
        )
        machine = _get(raw, name, MACHINE_SESSION, "spawn→stackTrace")
        value, spread = ratio(godap, delve), ratio_noise(godap, delve)
        limit = T1_LIMITS.get(name)
        verdict = "" if limit is None else table.limit(name, value, limit, spread, f"{ratio_text(value)} ≤ {limit}×")
        table.rows.append(
            [
                name,
                ms(godap),
                ms(delve),
                ratio_text(value),
                f"{spread:.2f}",
                ms(machine),
                ratio_text(ratio(machine, delve)),
                str(len(godap.values) if godap else 0),
                verdict,
            ]
        )
        _note_errors(table, raw, name, "godap session", "delve session", MACHINE_SESSION)
    table.notes.append(
        "godap is measured installed (a virtual environment, byte-compiled, no .pth file that runs code);"
        " 'machine python' is the same code started by this machine's own interpreter, whose .pth files"
        " (an editable install, a certificate hook) run at every start. noise: half the range of the"
        " run-by-run ratios."
    )
    return table


PHASES = ("spawn→initialize", "launch", "configurationDone→stopped", "threads", "stackTrace", "spawn→stackTrace")


def t1_phases(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T1-phases",
        "Where the time to the first stackTrace goes (medians, ms; each phase is request sent → response)",
        "",
        ["input", "server", *PHASES, "threads listed"],
    )
    servers = (("godap session", "godap"), (MACHINE_SESSION, "godap, machine python"), ("delve session", "Delve"))
    for name in names:
        for scenario, label in servers:
            runs = _runs(raw, name, scenario)
            if not runs:
                continue
            cells = [_median_ms(stat(runs, phase)) for phase in PHASES]
            table.rows.append([name, label, *cells, count(stat(runs, "threads listed"))])
    table.notes.append("spawn→initialize includes Python start-up and imports for godap; TCP connect for Delve.")
    return table


def _median_ms(value: Stat | None) -> str:
    return "—" if value is None else f"{value.median * 1000:.1f}"


def t2_all_threads(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T2",
        "All goroutines: godap launch → threads response (every goroutine) vs `dlv core … goroutines`"
        " (whole CLI process)",
        f"{BIG_CORE}: godap ≤ {T2_LIMIT}× Delve",
        [
            "input",
            "goroutines",
            "godap launch→threads ms",
            "godap spawn→threads ms",
            "Delve CLI ms",
            "ratio",
            "ratio (spawn)",
            "target",
        ],
    )
    for name in names:
        listed = _get(raw, name, "godap session", "threads listed")
        godap = _get(raw, name, "godap session", "launch→threads")
        spawn = _get(raw, name, "godap session", "spawn→threads")
        delve = _get(raw, name, "delve goroutines", "wall")
        value = ratio(godap, delve)
        verdict = ""
        if name == BIG_CORE:
            verdict = table.limit(
                name, value, T2_LIMIT, ratio_noise(godap, delve), f"{ratio_text(value)} ≤ {T2_LIMIT}×"
            )
        table.rows.append(
            [
                name,
                count(listed),
                ms(godap),
                ms(spawn),
                ms(delve),
                ratio_text(value),
                ratio_text(ratio(spawn, delve)),
                verdict,
            ]
        )
        _note_errors(table, raw, name, "godap session", "delve goroutines")
    table.notes.append("Delve's DAP lists at most 1,024 threads, so its CLI (which lists all) is the comparison.")
    return table


def t3_far_stack(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T3",
        "stackTrace of the last goroutine of godap's list, request → response: after `threads` (as an editor does),"
        " and in a session with no `threads` request before it",
        f"{BIG_CORE}: godap first ≤ 200 ms, again ≤ 5 ms (after threads; both variants are judged)",
        [
            "input",
            "godap first ms",
            "godap again ms",
            "godap another ms",
            "godap first, no threads",
            "godap again, no threads",
            "Delve first ms",
            "Delve another ms",
            "Delve first, no threads",
            "in Delve's list",
            "ratio (first)",
            "target",
        ],
    )
    for name in names:
        first, again = _get(raw, name, "godap session", "far first"), _get(raw, name, "godap session", "far again")
        other = _get(raw, name, "godap session", "far other")
        cold, cold_again = _get(raw, name, "godap far", "far first"), _get(raw, name, "godap far", "far again")
        d_first, d_other = _get(raw, name, "delve session", "far first"), _get(raw, name, "delve session", "far other")
        d_cold = _get(raw, name, "delve far", "far first")
        listed = _get(raw, name, "delve session", "far listed")
        in_list = "—" if listed is None else ("yes" if listed.median else "no (past the cap)")
        met = None
        if name == BIG_CORE and first is not None and again is not None:
            met = first.median <= 0.2 and again.median <= 0.005
            if cold is not None and cold_again is not None:
                met = met and cold.median <= 0.2 and cold_again.median <= 0.005
        table.rows.append(
            [
                name,
                ms(first),
                ms(again),
                ms(other),
                ms(cold),
                ms(cold_again),
                ms(d_first),
                ms(d_other),
                ms(d_cold),
                in_list,
                ratio_text(ratio(first, d_first)),
                table.verdict(name, met, f"first {ms(first)} / {ms(cold)} with no threads; again {ms(again)}"),
            ]
        )
        _note_errors(table, raw, name, "godap far", "delve far")
    table.notes.append("'again' is the same goroutine a second time; 'another' is the goroutine before it in the list.")
    return table


def t4_grouping(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T4",
        "Grouping every stack: godap launch → threads with groupGoroutines vs `dlv core … goroutines -t`"
        " (whole CLI process)",
        f"{BIG_CORE}: godap ≤ {T4_SECONDS:g} s",
        ["input", "groups", "godap launch→threads ms", "godap spawn→threads ms", "Delve -t ms", "ratio", "target"],
    )
    for name in names:
        godap = _get(raw, name, "godap grouped", "launch→threads")
        spawn = _get(raw, name, "godap grouped", "spawn→threads")
        delve = _get(raw, name, "delve goroutines -t", "wall")
        verdict = ""
        if name == BIG_CORE and godap is not None:
            detail = f"{ms(godap)} ≤ {T4_SECONDS * 1000:,.0f} ms"
            verdict = table.limit(name, godap.median, T4_SECONDS, noise(godap), detail)
        table.rows.append(
            [
                name,
                count(_get(raw, name, "godap grouped", "groups")),
                ms(godap),
                ms(spawn),
                ms(delve),
                ratio_text(ratio(godap, delve)),
                verdict,
            ]
        )
        _note_errors(table, raw, name, "godap grouped", "delve goroutines -t")
    return table


def t5_report(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T5",
        "`godap report EXE CORE` (whole process, output to a pipe) vs `dlv core … goroutines -t`"
        " (nearest Delve equivalent)",
        f"{BIG_CORE}: godap ≤ {T5_SECONDS:g} s",
        ["input", "godap wall ms", "godap CPU ms", "lines", "Delve -t ms", "ratio", "target"],
    )
    for name in names:
        if not _runs(raw, name, "godap report") and not _error(raw, name, "godap report"):
            continue
        godap, delve = _get(raw, name, "godap report", "wall"), _get(raw, name, "delve goroutines -t", "wall")
        verdict = ""
        if name == BIG_CORE and godap is not None:
            detail = f"{ms(godap)} ≤ {T5_SECONDS * 1000:,.0f} ms"
            verdict = table.limit(name, godap.median, T5_SECONDS, noise(godap), detail)
        table.rows.append(
            [
                name,
                ms(godap),
                ms(_get(raw, name, "godap report", "cpu")),
                count(_get(raw, name, "godap report", "lines")),
                ms(delve),
                ratio_text(ratio(godap, delve)),
                verdict,
            ]
        )
        _note_errors(table, raw, name, "godap report")
    return table


MEMORY_PAIRS = (
    ("DAP session (T1/T3)", "godap session", "delve session"),
    ("far stack, no threads (T3)", "godap far", "delve far"),
    ("all goroutines (T2)", "godap session", "delve goroutines"),
    ("all stacks (T4)", "godap grouped", "delve goroutines -t"),
    ("report (T5) vs -t", "godap report", "delve goroutines -t"),
)


def t6_memory(raw: Raw, names: list[str]) -> Table:
    table = Table(
        "T6",
        "Peak memory per process, MiB: peak RSS (VmHWM) and peak anonymous RSS (RssAnon, sampled every 10 ms)",
        f"godap peak anon ≤ Delve's on every core of {T6_GOROUTINES:,} goroutines or more",
        ["input", "process pair", "godap RSS", "godap anon", "Delve RSS", "Delve anon", "anon ratio", "target"],
    )
    for name in names:
        listed = _get(raw, name, "godap session", "threads listed")
        judged = listed is not None and listed.median >= T6_GOROUTINES
        for label, mine, theirs in MEMORY_PAIRS:
            g_rss, g_anon = _get(raw, name, mine, "peak rss"), _get(raw, name, mine, "peak anon")
            d_rss, d_anon = _get(raw, name, theirs, "peak rss"), _get(raw, name, theirs, "peak anon")
            if g_anon is None or d_anon is None:
                continue
            value = ratio(g_anon, d_anon)
            detail = f"{g_anon.median:.0f} ≤ {d_anon.median:.0f} MiB"
            verdict = table.limit(f"{name} {label}", value, 1.0, ratio_noise(g_anon, d_anon), detail) if judged else ""
            table.rows.append(
                [
                    name,
                    label,
                    mib(g_rss),
                    mib(g_anon),
                    mib(d_rss),
                    mib(d_anon),
                    ratio_text(value),
                    verdict,
                ]
            )
    table.notes.append("godap's RSS counts the mmapped core's page-cache pages; anonymous RSS is its own heap.")
    table.notes.append(f"judged on the cores where godap's session listed {T6_GOROUTINES:,} goroutines or more.")
    return table


VARIABLE_ROWS = (("locals", "cold"), ("locals", "warm"), ("globals", "cold"), ("globals", "warm"))


def t7_variables(raw: Raw, name: str | None, frames: dict[str, str]) -> Table:
    table = Table(
        "T7",
        f"Variables on the {name} core: scopes → variables response"
        " (cold: first in the session; warm: scopes again, new reference)",
        "cold: godap ≤ 1× Delve; warm: godap ≤ 0.2× Delve",
        ["scope", "phase", "godap ms", "godap vars", "Delve ms", "Delve vars", "ratio", "target"],
    )
    if name is None:
        table.notes.append("not measured in this run")
        return table
    for kind, phase in VARIABLE_ROWS:
        godap = _get(raw, name, f"godap variables {kind}", f"{phase} scopes+variables")
        delve = _get(raw, name, f"delve variables {kind}", f"{phase} scopes+variables")
        value = ratio(godap, delve)
        limit = 1.0 if phase == "cold" else 0.2
        spread = ratio_noise(godap, delve)
        table.rows.append(
            [
                kind,
                phase,
                ms(godap),
                count(_get(raw, name, f"godap variables {kind}", f"{phase} count")),
                ms(delve),
                count(_get(raw, name, f"delve variables {kind}", f"{phase} count")),
                ratio_text(value),
                table.limit(f"{kind} {phase}", value, limit, spread, f"{ratio_text(value)} ≤ {limit}×"),
            ]
        )
    for kind in ("locals", "globals"):
        for server in ("godap", "delve"):
            if error := _error(raw, name, f"{server} variables {kind}"):
                table.notes.append(error)
    table.notes.extend(f"{key}: {value}" for key, value in frames.items())
    table.notes.append(
        "locals = the Locals scope plus godap's separate Arguments scope (Delve folds arguments into Locals);"
        " globals = the first Globals scope offered for that frame, whatever package it shows."
    )
    return table


def all_tables(
    raw: Raw, names: list[str], report_names: list[str], variables_input: str | None, frames: dict[str, str]
) -> list[Table]:
    builders: list[Callable[[], Table]] = [
        lambda: t1_first_stack(raw, names),
        lambda: t1_phases(raw, names),
        lambda: t2_all_threads(raw, names),
        lambda: t3_far_stack(raw, names),
        lambda: t4_grouping(raw, names),
        lambda: t5_report(raw, report_names),
        lambda: t6_memory(raw, names),
        lambda: t7_variables(raw, variables_input, frames),
    ]
    return [build() for build in builders]
