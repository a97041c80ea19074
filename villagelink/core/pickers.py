"""Choosing a person's villages, households, sites… on a form: never by typing a code or a number.

A `PickerField` offers the rows of a `Source` that lie in the person's area (the form is given the person,
see `ScopedForm`). A few rows are a plain select; many are a search box whose matches (asked of the source's
search view with htmx, as the person types) are radio buttons, the chosen one kept. Without scripts, a search
submitted with the form comes back with its matches to choose from. Whatever is posted, the field accepts
only a row of the person's area: any other number is refused beside the field with the source's message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q, QuerySet
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise as StrPromise
from django.views.decorators.http import require_POST

SELECT_LIMIT = 60  # up to this many rows, a select of them all
MATCH_LIMIT = 20  # the most matches a search shows


@dataclass(frozen=True)
class Source:
    """Where a picker's rows come from: `rows(user)` (scoped to the person), how a search text selects them,
    how a row reads, the name of the search view (`picker_view(source)` in the app's urls), the search box's
    hint and the refusal of a number outside the rows."""

    model: type[Model]
    rows: Callable[[Any], QuerySet]
    search: Callable[[str], Q]
    label: Callable[[Any], str]
    url_name: str
    hint: "str | StrPromise"
    not_found: "str | StrPromise"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    chosen: bool


def _pk(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def picker_options(source: Source, rows: QuerySet, *, search: str, chosen) -> list[Option]:
    """The chosen row (if it is one of `rows`) and the rows matching `search`."""
    pk = _pk(chosen)
    first = rows.filter(pk=pk).first() if pk is not None else None
    found = list(rows.filter(source.search(search))[:MATCH_LIMIT]) if search.strip() else []
    options = ([first] if first is not None else []) + [row for row in found if row != first]
    return [Option(str(row.pk), source.label(row), row == first) for row in options]


class PickerWidget(forms.Widget):
    template_name = "core/widgets/picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.source: Source | None = None
        self.rows: QuerySet | None = None
        self.required = False
        self.search = ""

    def value_from_datadict(self, data, files, name):
        self.search = str(data.get(f"{name}_q", ""))[:50]
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        source, rows = self.source, self.rows
        assert source is not None and rows is not None, "PickerField.bind() gives the widget its rows"
        widget = context["widget"]
        if rows.count() <= SELECT_LIMIT:
            widget["mode"] = "select"
            pk = _pk(value)
            widget["options"] = [Option(str(row.pk), source.label(row), row.pk == pk) for row in rows]
            widget["blank"] = not self.required or pk is None or all(row.pk != pk for row in rows)
        else:
            widget["mode"] = "search"
            widget["options"] = picker_options(source, rows, search=self.search, chosen=value)
            widget["search"] = self.search
            widget["hint"] = source.hint
            widget["url"] = f"{reverse(source.url_name)}?{urlencode({'field': name})}"
        return context


class PickerField(forms.ModelChoiceField):
    """One row of a source, in the person's area; `bind(user)` (done by `ScopedForm`) scopes it."""

    widget = PickerWidget

    def __init__(self, source: Source, **kwargs):
        self.source = source
        kwargs.setdefault("error_messages", {"invalid_choice": source.not_found})
        super().__init__(queryset=source.model._default_manager.none(), **kwargs)
        self.widget.source = source

    def to_python(self, value):
        if value not in self.empty_values and _pk(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def bind(self, user) -> QuerySet:
        rows = self.source.rows(user)
        self.queryset = rows
        self.widget.rows = rows
        self.widget.required = self.required
        return rows

    def label_from_instance(self, obj) -> str:
        return self.source.label(obj)


class ScopedForm(forms.Form):
    """A form whose pickers offer the rows of `user`'s area; a required picker with one row chooses it."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, PickerField):
                rows = field.bind(user)
                if not self.is_bound and field.required and self.initial.get(name) is None:
                    only = list(rows.values_list("pk", flat=True)[:2])
                    if len(only) == 1:
                        self.initial[name] = only[0]


def picker_view(source: Source):
    """The search view of a source: the chosen row and the matches of what was typed, as radio buttons."""

    @login_required
    @require_POST
    def view(request):
        name = request.GET.get("field", "")
        if not name or len(name) > 60 or not name.replace("_", "").replace("-", "").isalnum():
            return HttpResponseBadRequest()
        search = request.POST.get(f"{name}_q", "")[:50]
        options = picker_options(
            source, source.rows(request.user), search=search, chosen=request.POST.get(name)
        )
        return render(
            request,
            "core/widgets/_picker_options.html",
            {"name": name, "id": f"id_{name}", "options": options, "search": search},
        )

    return view
