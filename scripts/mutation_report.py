"""Killed / total per module from ``mutmut results --all true`` (scripts/mutation.sh; docs/mutation.md).

    python scripts/mutation_report.py build/mutation/results.txt ledger/rulesets/rates.py projections/scores.py ...
    python scripts/mutation_report.py full.txt,rerun.txt ledger/rulesets/rates.py ...   # verdicts combined

Several results files (comma-separated) are read in order, a later verdict replacing an earlier one unless it is
``not checked``: a run's figures, then the survivors re-run by name with tests added since (a change to the test
selection makes mutmut forget its cached verdicts, so re-runs go to a scratch copy of their own). Prints one line
per module (killed / total, and every other status counted), the overall figure, and every mutant
not killed. A package's ``__init__.py`` owns the mutants named directly under the package
(``ledger.rulesets.kinds.x_names_where__mutmut_1``), not those of its modules.
"""

from __future__ import annotations

import sys
from collections import Counter


def owner(module: str) -> tuple[str, bool]:
    """The mutant-name prefix of a module path, and whether it is a package's ``__init__``."""
    name = module.removesuffix(".py").replace("/", ".")
    return (name.removesuffix(".__init__"), True) if name.endswith(".__init__") else (name, False)


def belongs(key: str, module: str) -> bool:
    """Whether the mutant ``key`` is one of ``module``'s."""
    name, package = owner(module)
    rest = key[len(name) + 1:] if key.startswith(name + ".") else None
    return rest is not None and (not package or "." not in rest)


def verdicts(results: str) -> list[tuple[str, str]]:
    """(mutant, status) from the comma-separated results files, later verdicts replacing earlier ones."""
    out: dict[str, str] = {}
    for path in results.split(","):
        with open(path, encoding="utf-8") as f:
            for key, status in (line.strip().rsplit(": ", 1) for line in f if ": " in line):
                if status != "not checked" or key not in out:
                    out[key] = status
    return list(out.items())


def main(results: str, modules: list[str]) -> None:
    """Print the figures of ``modules`` from the results file(s)."""
    rows = verdicts(results)
    grand: Counter[str] = Counter()
    for m in modules:
        mine = Counter(status for key, status in rows if belongs(key, m))
        grand.update(mine)
        print(f"{m:40} killed {mine['killed']:4} / {sum(mine.values()):4}   "
              + ", ".join(f"{s} {n}" for s, n in sorted(mine.items()) if s != "killed"))
    total = sum(grand.values())
    print(f"{'all':40} killed {grand['killed']:4} / {total:4} = {100 * grand['killed'] / max(total, 1):.1f} %   "
          + ", ".join(f"{s} {n}" for s, n in sorted(grand.items()) if s != "killed"))
    for key, status in rows:
        if status != "killed" and any(belongs(key, m) for m in modules):
            print("  ", status, key)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
