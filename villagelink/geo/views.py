from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import LEVEL_PLURAL, Level
from .selectors import levels_below, unit_ancestors, unit_children_with_counts, unit_get, unit_roots


@login_required
def unit_tree(request):
    """Where the tree starts for this person: their own unit (or the regions, for an administrator)."""
    roots = unit_roots(user=request.user)
    if len(roots) == 1:
        return unit_detail(request, code=roots[0].code)
    return render(request, "geo/unit_roots.html", {"roots": roots})


@login_required
def unit_detail(request, code: str):
    unit = unit_get(user=request.user, code=code)
    children = unit_children_with_counts(unit=unit)
    # The children's own level is the table's subject; the columns count the levels below them.
    levels = levels_below(unit)[1:]
    context = {
        "unit": unit,
        "ancestors": unit_ancestors(user=request.user, unit=unit),
        "children": [
            (child, [(LEVEL_PLURAL[Level(level)], child.counts.get(level, 0)) for level in levels])
            for child in children
        ],
        "levels": [LEVEL_PLURAL[Level(level)] for level in levels],
    }
    return render(request, "geo/unit_detail.html", context)
