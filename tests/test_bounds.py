"""Every integer a person sends is bounded where it is parsed: each IntegerField of a form or serializer that
takes input names its max_value (an oversized number is a message, never an overflow in the database)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "villagelink"


def unbounded(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if {"tests", "migrations", "demo"} & set(path.relative_to(root).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "IntegerField" or not isinstance(node.func.value, ast.Name):
                continue
            if node.func.value.id not in {"forms", "serializers"}:
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            read_only = isinstance(keywords.get("read_only"), ast.Constant) and keywords["read_only"].value
            if "max_value" not in keywords and not read_only:
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_every_integer_field_that_takes_input_has_a_max_value():
    assert unbounded() == []


def test_an_unbounded_field_is_named(tmp_path):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "forms.py").write_text(
        "from django import forms\n"
        "a = forms.IntegerField(min_value=0, max_value=9)\n"
        "b = forms.IntegerField(min_value=0)\n"
        "c = serializers.IntegerField(read_only=True)\n"
    )
    assert unbounded(tmp_path) == [f"{tmp_path.name}/shop/forms.py:3"]
