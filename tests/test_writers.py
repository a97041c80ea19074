"""One writer per state change (see README, *How it is built*): two guard rails, read from the code's syntax.

1. Views and API views parse input, call one service or selector, and render: no `views.py` or `api.py` (nor a
   module of a `views`/`api` package) calls `.save(`, `.create(`, `.update(`, `.delete(` or their bulk and
   get-or-create kin on anything. A DRF view hands the serializer's validated data to the service in
   `perform_create`; a workbook is written by a module that is not a view.
2. A person's role and scope are set only by `villagelink.accounts` (its services enforce who may give which
   role to whom): nothing else assigns `.role`, `.scope_unit` or `.scope_unit_id`, passes them to a model's
   constructor or to a queryset's write, names them in a user form's or serializer's fields, or writes the
   accounts table in SQL. Test code, migrations and the demo (which builds its accounts as the system itself,
   through `accounts.services.user_ensure`) are not checked.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "villagelink"

WRITES = frozenset(
    {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
)
ROLE_FIELDS = frozenset({"role", "scope_unit", "scope_unit_id"})
USER_MODELS = frozenset({"User", "AbstractUser", "get_user_model"})
ACCOUNTS_SQL = re.compile(r"\b(update|insert\s+into|delete\s+from)\s+[\"`]?accounts_user\b", re.IGNORECASE)


def _sources(root: Path):
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, parts, ast.parse(path.read_text(encoding="utf-8"))


def _where(path: Path, root: Path, node: ast.AST) -> str:
    return f"{path.relative_to(root.parent)}:{node.lineno}"


def is_view_module(parts: tuple[str, ...]) -> bool:
    """`<app>/views.py`, `<app>/api.py`, a module of a `views` or `api` package, and the `api` app."""
    return parts[-1] in {"views.py", "api.py"} or any(p in {"views", "api"} for p in parts[:-1])


def view_writes(root: Path = ROOT) -> list[str]:
    """Every write call in a view or API module: 'file:line: calls .save(…) …'."""
    found = []
    for path, parts, tree in _sources(root):
        if not is_view_module(parts):
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
            ):
                found.append(
                    f"{_where(path, root, node)}: calls .{node.func.attr}(…) in a view "
                    f"({ast.unparse(node.func)}): hand the input to the app's service instead"
                )
    return found


def _is_user_model(func: ast.expr) -> bool:
    """`User(…)`, `models.User(…)`, `get_user_model()(…)`."""
    if isinstance(func, ast.Call):
        func = func.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in USER_MODELS


def _is_write(func: ast.expr) -> bool:
    return _is_user_model(func) or (isinstance(func, ast.Attribute) and func.attr in WRITES)


def _dict_keys(node: ast.expr) -> set[str]:
    keys = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Dict):
            keys |= {k.value for k in sub.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return keys


def _role_writes_in(tree: ast.AST):
    """(node, what) for each write of a role or scope in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigned = [
                sub.attr
                for target in targets
                for sub in ast.walk(target)
                if isinstance(sub, ast.Attribute) and sub.attr in ROLE_FIELDS
            ]
            if assigned:
                yield node, "assigns " + ", ".join(f".{attr}" for attr in assigned)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
                name = node.args[1]
                if isinstance(name, ast.Constant) and name.value in ROLE_FIELDS:
                    yield node, f"sets {name.value!r} with setattr"
            if _is_write(func):
                for keyword in node.keywords:
                    if keyword.arg in ROLE_FIELDS:
                        yield node, f"passes {keyword.arg}= to {ast.unparse(func)}(…)"
                for value in [*node.args, *(k.value for k in node.keywords)]:
                    for key in sorted(_dict_keys(value) & ROLE_FIELDS):
                        yield node, f"passes {key!r} to {ast.unparse(func)}(…)"
        elif isinstance(node, ast.ClassDef) and node.name == "Meta":
            assigned = {
                t.id: stmt.value for stmt in node.body if isinstance(stmt, ast.Assign) for t in stmt.targets
                if isinstance(t, ast.Name)
            }  # fmt: skip
            model, fields = assigned.get("model"), assigned.get("fields")
            if model is not None and fields is not None and _is_user_model(model):
                named = {c.value for c in ast.walk(fields) if isinstance(c, ast.Constant)}
                for field in sorted(named & (ROLE_FIELDS | {"__all__"})):
                    yield node, f"lets a user form or serializer write {field!r}"
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and ACCOUNTS_SQL.search(node.value)
        ):
            yield node, "writes the accounts table in SQL"


def role_writes(root: Path = ROOT) -> list[str]:
    """Every write of a role or scope outside accounts: 'file:line: assigns .role …'."""
    return [
        f"{_where(path, root, node)}: {what}: a role and scope are set only by villagelink.accounts.services "
        "(user_role_assign, user_create, buyer_signup)"
        for path, parts, tree in _sources(root)
        if parts[0] not in {"accounts", "demo"}
        for node, what in _role_writes_in(tree)
    ]


def test_no_view_writes_to_the_database():
    found = view_writes()
    assert not found, "\n".join(found)


def test_only_accounts_sets_a_role_or_scope():
    found = role_writes()
    assert not found, "\n".join(found)


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("import datetime\n\n" + source)


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        (
            "network/views.py",
            "def v(request, site):\n    site.save()\n",
            "network/views.py:4: calls .save(…)",
        ),
        (
            "catalog/api.py",
            "class S:\n    def perform_create(self, serializer):\n        serializer.save()\n",
            "catalog/api.py:5: calls .save(…)",
        ),
        (
            "orders/views.py",
            "def v(request):\n    Order.objects.filter(pk=1).update(status='paid')\n",
            "orders/views.py:4: calls .update(…)",
        ),
        (
            "registry/views.py",
            "def v(request, h):\n    h.delete()\n",
            "registry/views.py:4: calls .delete(…)",
        ),
        (
            "geo/api.py",
            "def v(request):\n    AdminUnit.objects.create(code='1')\n",
            "geo/api.py:4: calls .create(…)",
        ),
        (
            "desk/views/sync.py",
            "def v(request):\n    Entry.objects.bulk_create([])\n",
            "desk/views/sync.py:4: calls .bulk_create(…)",
        ),
    ],
)
def test_a_write_in_a_view_fails_with_its_file_and_line(tmp_path, relative, source, expected):
    write(tmp_path, relative, source)
    found = view_writes(tmp_path)
    assert len(found) == 1 and found[0].startswith(f"{tmp_path.name}/{expected}"), found


def test_writes_outside_views_and_reads_in_views_pass(tmp_path):
    write(tmp_path, "network/services.py", "def s(site):\n    site.save()\n")
    write(
        tmp_path,
        "network/views.py",
        "def v(request):\n    return site_list(user=request.user).filter(pk=1)\n",
    )
    write(tmp_path, "network/tests/test_views.py", "def test(site):\n    site.save()\n")
    assert view_writes(tmp_path) == []


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("network/services.py", "def s(user):\n    user.role = 'site_operator'\n", "assigns .role"),
        (
            "catalog/services.py",
            "def s(user, shop):\n    user.scope_unit = shop.unit\n",
            "assigns .scope_unit",
        ),
        ("orders/services.py", "def s(u, a, b):\n    u.role, u.scope_unit_id = a, b\n", "assigns .role"),
        (
            "registry/services.py",
            "def s(user):\n    setattr(user, 'role', 'seller')\n",
            "sets 'role' with setattr",
        ),
        (
            "storefront/forms.py",
            "def f():\n    return User(username='x', role='buyer')\n",
            "passes role= to User(…)",
        ),
        (
            "imports/services.py",
            "def s(unit):\n    User.objects.create(username='x', scope_unit=unit)\n",
            "passes scope_unit= to User.objects.create(…)",
        ),
        (
            "network/services.py",
            "def s():\n    User.objects.filter(role='buyer').update(role='seller')\n",
            "passes role= to User.objects.filter(role='buyer').update(…)",
        ),
        (
            "network/services.py",
            "def s(u):\n    User.objects.update_or_create(username=u, defaults={'role': 'officer'})\n",
            "passes 'role' to User.objects.update_or_create(…)",
        ),
        (
            "storefront/forms.py",
            "class F:\n    class Meta:\n        model = User\n        fields = ('username', 'role')\n",
            "lets a user form or serializer write 'role'",
        ),
        (
            "imports/services.py",
            "def s(cursor):\n    cursor.execute('UPDATE accounts_user SET role = %s', ['seller'])\n",
            "writes the accounts table in SQL",
        ),
    ],
)
def test_a_role_or_scope_set_outside_accounts_fails_with_its_file_and_line(
    tmp_path, relative, source, expected
):
    write(tmp_path, relative, source)
    found = role_writes(tmp_path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path.name}/{relative}:") and f": {expected}" in found[0], found


def test_accounts_tests_and_the_demo_may_set_roles_and_reads_of_them_pass(tmp_path):
    write(tmp_path, "accounts/services.py", "def s(user):\n    user.role = 'buyer'\n")
    write(
        tmp_path,
        "demo/accounts.py",
        "def s(unit):\n    User(username='x', role='officer', scope_unit=unit)\n",
    )
    write(tmp_path, "network/tests/test_x.py", "def test(user):\n    user.role = 'buyer'\n")
    write(
        tmp_path,
        "network/services.py",
        "def s(by, user, site):\n"
        "    if user.role == 'site_operator' and by.scope_unit_id:\n"
        "        user_role_assign(by=by, user=user, role='site_operator', scope=site.unit)\n"
        "    return User.objects.filter(role='officer', scope_unit=site.unit)\n",
    )
    assert role_writes(tmp_path) == []
