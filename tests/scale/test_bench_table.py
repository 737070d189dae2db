"""The README's benchmark table is what bench/results.json gives (issue 16): regenerated, never typed."""
import subprocess
import sys
from pathlib import Path

from bench.targets import met

ROOT = Path(__file__).resolve().parents[2]


def test_readme_table_is_written_from_results_json():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_table.py"), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_targets_are_judged_as_written():
    assert met("<= 2.5", 2.4, {}) is True
    assert met("<= 2.5", 2.6, {}) is False
    assert met(">= 50000", 49_999, {}) is False
    assert met("== page_1, <= 6", 4, {"page_1": 4}) is True
    assert met("== page_1, <= 6", 5, {"page_1": 4}) is False
    assert met("<= 1.5 x page_1_ms", 31, {"page_1_ms": 20}) is False
    assert met("<= 1.5 x page_1_ms", 29, {"page_1_ms": 20}) is True
    assert met("<= 5 (PostgreSQL)", 4.9, {}) is True
    assert met("== page_100", None, {"page_100": 4}) is None
