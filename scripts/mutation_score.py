"""The mutation score per module from `mutmut results --all true` (run by `make mutants`).

Prints one row per mutated module: killed / total (timeouts and segfaults count as killed,
as mutmut counts them), then every survivor by name (`mutmut show NAME` prints its diff).
Exits 1 when a survivor lies in a module listed in STRICT (scope code: each survivor is
killed by a test, or the code says why it is equivalent and carries `# pragma: no mutate`).
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
        if status in KILLED:
            by_module[module]["killed"] += 1
        else:
            survivors.append(f"{line.strip()}")
    print(f"{'module':<32} {'killed':>6} {'total':>6} {'score':>6}")
    for module, counts in sorted(by_module.items()):
        score = 100 * counts["killed"] / counts["total"]
        print(f"{module:<32} {counts['killed']:>6} {counts['total']:>6} {score:>5.1f}%")
    for line in survivors:
        print("survived:", line)
    strict = [s for s in survivors if s.startswith(STRICT)]
    return 1 if strict else 0


if __name__ == "__main__":
    sys.exit(main())
