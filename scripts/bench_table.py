"""Writes the README's benchmark table from bench/results.json (issue 16: the table is
regenerated from that file, never typed). `make bench` and `make load` run it after they
write the results; `python scripts/bench_table.py --check` fails when the README's table
is not what the file gives (tests/scale/test_bench_table.py runs that check).

The table sits between the two markers below in README.md; the prose around it is kept.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.targets import TARGETS, met  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "README.md"
BEGIN = "<!-- bench-table: written by scripts/bench_table.py from bench/results.json; edit that, not this -->"
END = "<!-- /bench-table -->"

FIGURES = {
    "list_assignments_100": "coordinator's `GET /assignments/?page_size=100` vs raw SQL + JSON and naive DRF",
    "member_feed_50": "member's feed `GET /assignments/?mine=true&page_size=50` vs raw SQL + JSON",
    "queries_per_list": "queries per assignment list: page of 1, of 100, of 100 with inline content",
    "fanout": "fan-out of one task to 100,001 members",
    "fanout_background": "background fan-out of one task to 1,000,000 members: the answer, then the job",
    "team_stats_district": "district stats over the seed's assignments",
    "deep_page": "member feed: first page vs 100,000 rows deep (keyset)",
    "survey_results_100k": "survey results, 10 questions, 100,000 responses",
    "channel_stats_90d": "channel stats of a province over 90 days vs raw GROUP BY",
    "reports": "reports: member board, daily series (366 days), participation (a year), month report; each vs its live count",
    "console": "console pages vs the API lists they show",
    "team_merge": "merge of a commune (10,000 members, 100,000 assignments) vs the former rollup triggers",
    "evidence_decode_worst_case": "worst-case evidence image decode",
    "load": "wrk against gunicorn: no-database ceiling, member feed, empty delta poll, complete",
    "survey_load": "wrk: survey answers sent 2-3 times each",
}


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "—" if value is None else str(value)


def _flat(values: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, dict):
            if key == "pages":  # the console's per-page rows: the ratios are what a reader compares
                for page, row in value.items():
                    out[f"{page} ms (API)"] = f"{_shown(row.get('console_ms'))} ({_shown(row.get('api_ms'))})"
                continue
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def table(results: dict) -> str:
    lines = [BEGIN, "", f"Database: {results.get('database', '?')}.", "",
             "| figure | measured | target |", "|---|---|---|"]
    for figure, values in results.items():
        if not isinstance(values, dict):
            continue
        flat = _flat(values)
        measured = "; ".join(f"{key} {_shown(value)}" for key, value in flat.items())
        judged = []
        for (name, key), target in TARGETS.items():
            if name != figure:
                continue
            verdict = met(target, values.get(key), values)
            mark = {True: "✓", False: "✗", None: "not measured"}[verdict]
            judged.append(f"{key} {target} {mark}")
        lines.append(f"| {FIGURES.get(figure, figure)} | {measured} | {'; '.join(judged) or '—'} |")
    lines += ["", END]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    results = json.loads(RESULTS.read_text())
    text = README.read_text()
    if BEGIN not in text or END not in text:
        print(f"README.md has no {BEGIN!r} ... {END!r} markers", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    new = head + table(results) + tail
    if "--check" in argv:
        if new != text:
            print("README.md's benchmark table is not what bench/results.json gives: run "
                  "`python scripts/bench_table.py`", file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
