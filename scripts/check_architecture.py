"""The project's own architecture rules, checked in CI next to import-linter (see ARCHITECTURE.md).

Fails (exit 1) and names file:line for each of:
- a module over MAX_MODULE_LINES lines (migrations aside): make it a package of named modules;
- a function over MAX_FUNCTION_LINES lines without a ``# long-function: <reason>`` comment above it;
- a status written as a string literal (``status="shipped"``, ``order__status__in=[...]``,
  ``x.status == "open"``): use the owning app's choices enum;
- raw SQL naming another app's tables outside that app's selectors;
- ``apps.get_model`` of another app in app code, or views / forms / filters / API importing another app's
  models: call the owning app's selectors or services.

Usage: python scripts/check_architecture.py [--root DIR]
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

APPS = ("oms", "inventory", "orders", "fulfillment", "connectors", "aftersales", "reconciliation", "reports")
LAYER = {app: i for i, app in enumerate(APPS)}  # lower number: lower layer
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
LONG_FUNCTION_MARK = "# long-function:"
SQL_TABLE = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\"?(" + "|".join(APPS) + r")_[a-z0-9_]+", re.IGNORECASE
)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}"


def app_modules(root: Path):
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield app, path


def check_module_size(path: Path, source: str) -> list[Finding]:
    lines = source.count("\n")
    if lines > MAX_MODULE_LINES:
        return [
            Finding(
                path, 1, "module-size", f"{lines} lines (over {MAX_MODULE_LINES}): split it by sub-domain"
            )
        ]
    return []


def check_function_length(path: Path, tree: ast.AST, lines: list[str]) -> list[Finding]:
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1
        if length <= MAX_FUNCTION_LINES:
            continue
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        above = lines[first - 2].strip() if first >= 2 else ""
        if above.startswith(LONG_FUNCTION_MARK) and above[len(LONG_FUNCTION_MARK) :].strip():
            continue
        findings.append(
            Finding(
                path,
                node.lineno,
                "function-length",
                f"{node.name}() is {length} lines (over {MAX_FUNCTION_LINES}): split it, or write "
                f"'{LONG_FUNCTION_MARK} <reason>' on the line above it",
            )
        )
    return findings


def _string_values(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [v for elt in node.elts for v in _string_values(elt)]
    return []


def _is_status_lookup(name: str) -> bool:
    name = name.removesuffix("__in").removesuffix("__exact")
    return name == "status" or name.endswith("__status")


def check_status_literals(path: Path, tree: ast.AST) -> list[Finding]:
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg and _is_status_lookup(kw.arg) and _string_values(kw.value):
                    findings.append(
                        Finding(
                            path,
                            kw.value.lineno,
                            "status-literal",
                            f"{kw.arg}={_string_values(kw.value)!r}: use the owning app's choices enum",
                        )
                    )
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            has_status = any(isinstance(s, ast.Attribute) and s.attr == "status" for s in sides)
            literals = [v for s in sides for v in _string_values(s)]
            if has_status and literals:
                findings.append(
                    Finding(
                        path,
                        node.lineno,
                        "status-literal",
                        f".status compared with {literals!r}: use the owning app's choices enum",
                    )
                )
    return findings


def is_selectors_module(path: Path) -> bool:
    """``<app>/selectors.py``, ``<app>/selectors_<topic>.py`` or a module of ``<app>/selectors/``."""
    return path.parts[1].startswith("selectors")


def check_foreign_sql(path: Path, tree: ast.AST, app: str) -> list[Finding]:
    """Raw SQL names only its own app's tables, except in the selectors of the highest app it names.

    A query that joins several apps' tables lives in the selectors of the app that owns some of them and
    sits highest in the layers (fulfillment's selectors may join orders and inventory, never the reverse).
    """
    findings = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        owners = {m.group(1).lower() for m in SQL_TABLE.finditer(node.value)}
        if owners <= {app}:
            continue
        if is_selectors_module(path) and app in owners and all(LAYER[o] <= LAYER[app] for o in owners):
            continue
        highest = max(owners, key=LAYER.__getitem__)
        findings.append(
            Finding(
                path,
                node.lineno,
                "foreign-sql",
                f"raw SQL on {', '.join(sorted(owners - {app}))} tables outside their selectors: "
                f"move the query to {highest}/selectors*.py and call it",
            )
        )
    return findings


def check_get_model(path: Path, tree: ast.AST, app: str) -> list[Finding]:
    findings = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
        ):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        label = first.value.split(".")[0]
        if label in APPS and label != app:
            findings.append(
                Finding(
                    path,
                    node.lineno,
                    "foreign-model",
                    f"apps.get_model({first.value!r}) reaches into {label}: use {label}'s selectors or services",
                )
            )
    return findings


WEB_MODULES = ("views", "forms", "filters", "tables", "api", "serializers")


def check_web_reads(path: Path, tree: ast.AST, app: str) -> list[Finding]:
    """Views, forms, filters and API modules read another app's models only through its selectors."""
    if not path.parts[1].removesuffix(".py").startswith(WEB_MODULES):
        return []
    findings = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module):
            continue
        parts = node.module.split(".")
        if parts[0] in APPS and parts[0] not in (app, "oms") and len(parts) > 1 and parts[1] == "models":
            findings.append(
                Finding(
                    path,
                    node.lineno,
                    "foreign-model",
                    f"{path.parts[1]} imports {node.module}: read {parts[0]}'s data through {parts[0]}.selectors",
                )
            )
    return findings


def check(root: Path) -> list[Finding]:
    findings: list[Finding] = []
    for app, path in app_modules(root):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        rel = path.relative_to(root)
        findings += check_module_size(rel, source)
        findings += check_function_length(rel, tree, source.splitlines())
        findings += check_status_literals(rel, tree)
        findings += check_foreign_sql(rel, tree, app)
        findings += check_get_model(rel, tree, app)
        findings += check_web_reads(rel, tree, app)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    findings = check(args.root.resolve())
    for finding in findings:
        print(finding)
    if findings:
        by_rule: dict[str, int] = {}
        for f in findings:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        summary = ", ".join(f"{n} {rule}" for rule, n in sorted(by_rule.items()))
        print(f"\n{len(findings)} architecture findings ({summary}). See ARCHITECTURE.md.")
        return 1
    print("architecture rules: all kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
