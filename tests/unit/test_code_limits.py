"""The house's size limits (issue 16), kept by a test: no module of the product over 300 lines, no function over 50.

The complexity limit (C90, 12) is ruff's (pyproject.toml). Tests and their data are not product code; the
benchmarks are, as scripts people run and read.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["events", "ledger", "projections", "web", "benchmarks", "scripts"]


def _modules() -> list[Path]:
    top = [p for p in ROOT.glob("*.py")]
    return sorted(top + [p for d in PRODUCT for p in (ROOT / d).rglob("*.py")])


def test_the_product_is_read_somewhere() -> None:
    names = {p.name for p in _modules()}
    assert {"cli.py", "aggregates.py", "chain.py", "scores.py"} <= names


def test_no_module_is_over_300_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text("utf-8").splitlines())) > 300}
    assert long == {}


def test_no_function_is_over_50_lines() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 50:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}
