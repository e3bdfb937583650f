"""The node and the national monitor share only `protocol`; product code never imports `demo`;
the import layers of pyproject.toml ([tool.importlinter]) hold."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "motcua"


def imports_of(package: str) -> dict[str, set[str]]:
    """Every motcua module each file of a package imports (at any depth of the file)."""
    found = {}
    for path in (SRC / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("motcua"):
                names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names if a.name.startswith("motcua")}
        found[str(path.relative_to(SRC))] = names
    return found


def allowed(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize(
    ("package", "may_use"),
    [
        ("protocol", ("motcua.protocol", "motcua.common", "motcua.workdays.engine")),
        ("national", ("motcua.national", "motcua.protocol", "motcua.common", "motcua.workdays")),
    ],
)
def test_shared_code_and_the_monitor_stay_apart_from_the_node(package, may_use):
    for path, names in imports_of(package).items():
        outside = {n for n in names if not allowed(n, may_use)}
        assert not outside, (path, outside)


@pytest.mark.parametrize("package", ["dossiers", "sync", "metrics", "catalog", "org", "api", "portal", "backoffice"])
def test_the_node_never_imports_the_monitor_nor_the_demo(package):
    for path, names in imports_of(package).items():
        wrong = {n for n in names if allowed(n, ("motcua.national", "motcua.demo"))}
        assert not wrong, (path, wrong)


def test_the_import_layers_hold():
    """import-linter's contracts: no import runs from a lower layer to a higher one."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=SRC.parent.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "0 broken" in done.stdout
