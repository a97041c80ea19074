from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .display import entry_changes, entry_sentence, records_now
from .models import ACTION_LABELS
from .selectors import audit_entry_list, audit_record_types


@login_required
def audit_trail(request):
    model = request.GET.get("model") or None
    action = request.GET.get("action")
    action_value = int(action) if action in {str(value) for value in ACTION_LABELS} else None
    entries = audit_entry_list(user=request.user, model=model, action=action_value)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    now = records_now(list(page))
    for entry in page:
        entry.sentence = entry_sentence(entry, now.get((entry.content_type_id, entry.object_pk)))
        entry.shown_changes = entry_changes(entry)
    models = audit_record_types(user=request.user)
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "models": models,
            "actions": list(ACTION_LABELS.items()),
            "selected_model": model or "",
            "selected_action": action_value,
        },
    )
