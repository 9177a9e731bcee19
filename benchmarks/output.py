"""Print the tables on the terminal and write results.md and results.json."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .tables import Table


def _widths(table: Table) -> list[int]:
    rows = [table.columns, *table.rows]
    return [max(len(row[i].replace("**", "")) for row in rows) for i in range(len(table.columns))]


def text(table: Table) -> str:
    widths = _widths(table)
    lines = [f"{table.key}. {table.title}"]
    if table.target:
        lines.append(f"   target: {table.target}")
    for row in (table.columns, *table.rows):
        lines.append(
            "  " + "  ".join(cell.replace("**", "").ljust(width) for cell, width in zip(row, widths, strict=True))
        )
    lines.extend(f"   note: {note}" for note in table.notes)
    return "\n".join(lines)


def markdown(table: Table) -> str:
    lines = [f"### {table.key}. {table.title}", ""]
    if table.target:
        lines += [f"Target: {table.target}", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    lines.extend("| " + " | ".join(row) + " |" for row in table.rows)
    if table.notes:
        lines.append("")
        lines.extend(f"- {note}" for note in table.notes)
    return "\n".join(lines)


def summary(tables: list[Table]) -> list[str]:
    lines = []
    for table in tables:
        for verdict in table.verdicts:
            mark = "met" if verdict["met"] else "NOT MET, within noise" if verdict.get("within_noise") else "NOT MET"
            lines.append(f"{table.key} {verdict['row']}: {mark} ({verdict['detail']})")
    return lines


def write(out: Path, stem: str, meta: dict[str, Any], tables: list[Table], raw: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    head = [
        "# godap vs Delve benchmarks",
        "",
        f"- date: {meta['date']} ({meta['mode']} mode, {meta['runs']} runs after {meta['warmup']} warm-up"
        f" ({meta['slow_runs']} for slow groups), medians with min–max)",
        f"- load average (1/5/15 min): at start {meta['load_start']}, at end {meta['load_end']}; {meta['cpus']} CPUs",
        f"- godap {meta['godap']} (git {meta['git']}), Delve {meta['delve']}, Python {meta['python']}, {meta['go']}",
        f"- godap measured from {meta['godap_tree']}",
        f"- wall time of the whole benchmark: {meta['elapsed_s']:.0f} s",
        "",
        "## Targets",
        "",
        *(f"- {line}" for line in summary(tables)),
        "",
        "## Inputs",
        "",
        "| input | executable MB | core MB (apparent / on disk) | path |",
        "|---|---|---|---|",
        *(
            f"| {i['name']} | {i['exe_mb']} | {i['core_apparent_mb']} / {i['core_on_disk_mb']} | `{i['core']}` |"
            for i in meta["inputs"]
        ),
        "",
        "## Tables",
        "",
    ]
    body = "\n\n".join(markdown(table) for table in tables)
    (out / f"{stem}.md").write_text("\n".join(head) + body + "\n")
    document = {"meta": meta, "tables": [asdict(table) for table in tables], "raw": raw}
    (out / f"{stem}.json").write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
