"""The mutation score per module from `mutmut results --all true` (run by `make mutants`).

Prints one row per mutated module: killed of checked (timeouts and segfaults count as
killed, as mutmut counts them), and the module's total; a run cut short or narrowed by
MUTANTS leaves the rest "not checked", counted as neither. Then every survivor by name
(`mutmut show NAME` prints its diff). Exits 1 when a survivor lies in a module listed in
STRICT (scope code: each survivor is killed by a test, or the code says why it is
equivalent and carries `# pragma: no mutate`).
"""
import re
import subprocess
import sys
from collections import defaultdict

KILLED = {"killed", "timeout", "segfault", "caught by type check"}
STRICT = ("api.access", "teams.access", "tasks.access", "reports.access", "api.permissions")


def main() -> int:
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True,
                         text=True, check=True).stdout
    by_module: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    survivors: list[str] = []
    for line in out.splitlines():
        match = re.match(r"\s*([\w.]+?)\.x[ŁǁΛ_]?\w*__mutmut_\d+: (.+)$", line) or \
            re.match(r"\s*([\w.]+)\.\S+__mutmut_\d+: (.+)$", line)
        if not match:
            continue
        module, status = match.group(1), match.group(2).strip()
        by_module[module]["total"] += 1
        if status == "not checked":
            by_module[module]["unchecked"] += 1
        elif status in KILLED:
            by_module[module]["killed"] += 1
        else:
            survivors.append(line.strip())
    print(f"{'module':<32} {'killed':>6} {'checked':>7} {'total':>6} {'score':>6}")
    for module, counts in sorted(by_module.items()):
        checked = counts["total"] - counts["unchecked"]
        score = f"{100 * counts['killed'] / checked:5.1f}%" if checked else "     -"
        print(f"{module:<32} {counts['killed']:>6} {checked:>7} {counts['total']:>6} {score:>6}")
    for line in survivors:
        print("survived:", line)
    strict = [s for s in survivors if s.startswith(STRICT)]
    return 1 if strict else 0


if __name__ == "__main__":
    sys.exit(main())
