"""The target of each figure in bench/results.json (the issues' tables), read by bench.run's
printout and by scripts/bench_table.py, which writes the README's table from results.json.

A target is an operator and a bound: a number, or another key of the same figure
("== page_1"), optionally times a factor ("<= 1.5 x page_1"); several are joined by ", ".
Words in parentheses are a note ("<= 5 (PostgreSQL)").
"""
from __future__ import annotations

import operator
import re

TARGETS: dict[tuple[str, str], str] = {
    ("list_assignments_100", "ratio_vs_raw"): "<= 2.5",
    ("list_assignments_100", "ratio_vs_naive"): "<= 0.25",
    ("member_feed_50", "ratio_vs_raw"): "<= 2.5",
    ("queries_per_list", "page_100"): "== page_1, <= 6",
    ("queries_per_list", "page_100_with_content"): "== page_100",
    ("fanout", "rows_per_s"): ">= 50000",
    ("fanout_background", "answer_s"): "<= 1",
    ("fanout_background", "rows_per_s"): ">= 50000",
    ("fanout_background", "once_each"): "== 1",
    ("team_stats_district", "ms"): "<= 100",
    ("deep_page", "page_deep_ms"): "<= 1.5 x page_1_ms",
    ("survey_results_100k", "ms"): "<= 200",
    ("channel_stats_90d", "ms"): "<= 100",
    ("reports", "member_board_ms"): "<= 200",
    ("reports", "daily_366_ms"): "<= 100",
    ("reports", "participation_year_ms"): "<= 150",
    ("reports", "report_month_json_ms"): "<= 500",
    ("reports", "report_month_xlsx_ms"): "<= 2000",
    ("console", "review_queue_1000_ms"): "<= 300",
    ("console", "max_ratio"): "<= 1.5",
    ("console", "max_extra_queries"): "<= 3",
    ("team_merge", "seconds"): "<= 5 (PostgreSQL)",
    ("evidence_decode_worst_case", "cpu_s"): "< 1",
    ("evidence_decode_worst_case", "rss_growth_mb"): "< 150",
    ("load", "feed_vs_ceiling"): ">= 0.2",
    ("load", "poll_vs_ceiling"): ">= 0.4",
    ("load", "complete_vs_ceiling"): ">= 0.1",
    ("load", "worker_rss_mb_max"): "<= 200",
}

_OPS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "<": operator.lt, ">": operator.gt}
_PART = re.compile(r"^\s*(<=|>=|==|<|>)\s*(?:([\d.]+)\s*x\s*)?([\w.]+)\s*(?:\(.*\))?\s*$")


def met(target: str, value, figure: dict) -> bool | None:
    """True or False when every part of `target` can be judged; None when a value is missing."""
    if value is None:
        return None
    for part in target.split(","):
        match = _PART.match(part)
        if not match:
            return None
        op, factor, bound = match.groups()
        try:
            limit = float(bound)
        except ValueError:
            limit = figure.get(bound)
            if limit is None:
                return None
        if factor:
            limit = float(factor) * limit
        if not _OPS[op](value, limit):
            return False
    return True
