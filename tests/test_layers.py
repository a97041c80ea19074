"""The apps form layers, and imports point down only (see README, *How it is built*).

An app may import the apps of the layers below its own, never one above it and never another app of its own
layer: so there is no cycle between apps. Test code (each app's `tests/`) and the `demo` app, which build
whole scenes across apps, may import anything; nothing imports `demo`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "villagelink"

LAYERS: list[tuple[str, ...]] = [
    ("demo",),  # builds the demo data set from every app's services
    ("api", "ops"),  # URL wiring of the REST API only; running the system (health, metrics, backups, serve)
    ("storefront", "desk", "imports", "monitoring"),  # pages and flows
    ("quality",),  # checks on orders, and the review that excludes them from the figures
    ("orders",),  # the one ledger of trade, and the facts that follow it
    ("catalog",),  # shops and products (opening a shop records assistance)
    ("assistance",),  # the append-only ledger of help given to households
    ("network", "registry", "audit"),
    ("approvals",),  # approved months, and the guard every change passes
    ("accounts",),  # the one writer of roles and scopes
    ("geo",),
    ("core",),  # scope, money, periods, one table reader, DRF helpers
]
LAYER_OF = {app: depth for depth, apps in enumerate(LAYERS) for app in apps}


def imported_apps(tree: ast.AST):
    """(line, app) of every `villagelink.<app>` module the tree imports, at any depth (local imports too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "villagelink" and len(parts) > 1:
                yield node.lineno, parts[1]


def upward_imports(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        app = parts[0]
        if app not in LAYER_OF or "tests" in parts or "migrations" in parts:
            continue
        for line, target in imported_apps(ast.parse(path.read_text(encoding="utf-8"))):
            if target == app:
                continue
            if target not in LAYER_OF:
                found.append(f"{path.relative_to(root.parent)}:{line}: imports {target}, an app of no layer")
            elif LAYER_OF[target] <= LAYER_OF[app]:
                where = "of its own layer" if LAYER_OF[target] == LAYER_OF[app] else "above it"
                found.append(
                    f"{path.relative_to(root.parent)}:{line}: {app} imports {target}, an app {where} "
                    f"(layers, top down: {' > '.join('/'.join(apps) for apps in LAYERS)})"
                )
    return found


def test_every_app_has_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(LAYER_OF), (
        f"apps without a layer: {apps - set(LAYER_OF)}; gone: {set(LAYER_OF) - apps}"
    )


def test_imports_point_down_only():
    found = upward_imports()
    assert not found, "\n".join(found)


def test_nothing_imports_the_demo():
    found = [
        f"{path.relative_to(ROOT.parent)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if path.relative_to(ROOT).parts[0] != "demo" and "tests" not in path.parts
        for line, target in imported_apps(ast.parse(path.read_text(encoding="utf-8")))
        if target == "demo"
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("app", "source", "line", "expected"),
    [
        (
            "orders",
            "from villagelink.monitoring.selectors import figures_for\n",
            3,
            "orders imports monitoring",
        ),
        ("catalog", "def f():\n    import villagelink.orders.models\n", 4, "catalog imports orders"),
        ("network", "from villagelink.registry import models\n", 3, "an app of its own layer"),
        ("geo", "from villagelink.demo.progress import Steps\n", 3, "geo imports demo"),
    ],
)
def test_an_upward_import_fails_with_its_file_and_line(tmp_path, app, source, line, expected):
    (tmp_path / app).mkdir()
    (tmp_path / app / "services.py").write_text("import datetime\n\n" + source)
    found = upward_imports(tmp_path)
    assert len(found) == 1 and f"{app}/services.py:{line}:" in found[0] and expected in found[0], found


def test_a_downward_import_passes(tmp_path):
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "facts.py").write_text(
        "from villagelink.approvals.services import approvals_guard\n"
    )
    assert upward_imports(tmp_path) == []


MAX_LINES = 600


def long_files(root: Path = ROOT.parent) -> list[str]:
    """Python files over MAX_LINES lines, outside migrations, benchmarks and the virtual environment."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if {"migrations", "bench", ".venv", "var"} & set(parts) or parts[0].startswith("."):
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            found.append(f"{path.relative_to(root)}: {lines} lines (split it by concern)")
    return found


def test_no_file_is_over_600_lines():
    found = long_files()
    assert not found, "\n".join(found)


def test_a_long_file_is_named(tmp_path):
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "services.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "orders" / "migrations").mkdir()
    (tmp_path / "orders" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 2000)
    assert long_files(tmp_path) == [f"orders/services.py: {MAX_LINES + 1} lines (split it by concern)"]
