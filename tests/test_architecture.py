"""The layers of ../shared/STYLE.md hold: the import contracts pass, and no module of the
product imports another of its modules inside a function (a lazy import hides a cycle or an
upward dependency from the contracts' reader, though not from import-linter)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = (
    "config", "agencies", "audit", "referral", "justice", "orders", "interventions", "victims",
    "evidence", "conferences", "workflows",
)


def _function_imports(path: Path, root: Path = ROOT) -> list[str]:
    """`module:line` for each import of a product module made inside a function, other than in
    an AppConfig's `ready()` (Django's place to register signal receivers and tasks)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["."]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name == "." or name.split(".")[0] in PRODUCT for name in names):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_no_module_of_the_product_imports_another_inside_a_function():
    found = []
    for app in PRODUCT:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found += _function_imports(path)
    assert found == []


def test_the_finder_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from referral import models\n\n"
                      "class C:\n    def ready(self):\n        from . import tasks\n")
    assert _function_imports(module, root=tmp_path) == ["module.py:2"]


def test_the_import_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
