from auditlog.models import LogEntry
from django.urls import reverse

from conftest import CHENGGUAN, NAMLING, make_user
from villagelink.accounts.models import Role
from villagelink.audit.selectors import audit_entry_list


def test_a_move_on_the_admin_site_shows_in_the_trail_of_both_areas(
    client, units, admin_user, county_officer, other_county_officer
):
    # given an operator of a Lhasa village
    operator = make_user("dawa", Role.SITE_OPERATOR, units[f"{CHENGGUAN}101201"], first_name="Dawa")
    # when an administrator moves them to a Namling village on the admin site
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_change", args=[operator.pk]),
        {
            "username": "dawa",
            "first_name": "Dawa",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2019-01-01",
            "date_joined_1": "00:00:00",
            "role": Role.SITE_OPERATOR,
            "scope_unit": units[f"{NAMLING}101201"].pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    operator.refresh_from_db()
    assert operator.scope_unit == units[f"{NAMLING}101201"]

    # then the officers of both counties see the move, and who made it
    def moves(officer):
        return [
            (e.actor, e.changes_dict["scope_unit"])
            for e in audit_entry_list(user=officer, model="user")
            if e.object_pk == str(operator.pk) and e.action == LogEntry.Action.UPDATE
        ]

    move = (admin_user, [str(units[f"{CHENGGUAN}101201"].pk), str(units[f"{NAMLING}101201"].pk)])
    assert moves(county_officer) == [move]
    assert moves(other_county_officer) == [move]
