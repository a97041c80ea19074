import pytest
from auditlog.models import LogEntry

from conftest import CHENGGUAN, NAMLING, PASSWORD, make_user
from villagelink.accounts.models import Role, User
from villagelink.accounts.services import (
    AccountsError,
    buyer_signup,
    user_create,
    user_role_assign,
)
from villagelink.audit.selectors import audit_entry_list

NAMLING_VILLAGE = f"{NAMLING}101201"
NAMLING_OTHER_VILLAGE = f"{NAMLING}101202"
LHASA_VILLAGE = f"{CHENGGUAN}101201"


def refusal(error: pytest.ExceptionInfo) -> str:
    return error.value.message


def state(user: User) -> tuple:
    user.refresh_from_db()
    return user.role, user.scope_unit_id, user.is_staff, user.is_superuser


@pytest.fixture
def others(units, other_county_officer):
    """An account of each kind that a Namling county officer must never turn into one of their operators."""
    return {
        "operator of Lhasa": make_user("lhasa-operator", Role.SITE_OPERATOR, units[LHASA_VILLAGE]),
        "seller of Namling": make_user("namling-seller", Role.SELLER, units[NAMLING_VILLAGE]),
        "buyer": make_user("a-buyer", Role.BUYER),
        "officer of Lhasa": other_county_officer,
        "officer of Namling": make_user("namling-deputy", Role.OFFICER, units[NAMLING]),
        "administrator": make_user("root2", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True),
    }


def test_an_officer_moves_an_operator_of_their_area(units, county_officer):
    # given an operator of one Namling village
    operator = make_user("dawa", Role.SITE_OPERATOR, units[NAMLING_VILLAGE])
    # when the county officer places them in another Namling village
    user_role_assign(
        by=county_officer, user=operator, role=Role.SITE_OPERATOR, scope=units[NAMLING_OTHER_VILLAGE]
    )
    # then they work there
    assert state(operator)[:2] == (Role.SITE_OPERATOR, units[NAMLING_OTHER_VILLAGE].pk)


def test_every_refusal_gives_the_same_answer_and_changes_nothing(units, county_officer, others):
    # given accounts of another area or of another kind, and a name that matches no account
    before = {name: state(user) for name, user in others.items()}
    answers = set()
    for user in [*others.values(), None]:
        # when a Namling county officer tries to make each an operator in Namling
        with pytest.raises(AccountsError) as error:
            user_role_assign(
                by=county_officer, user=user, role=Role.SITE_OPERATOR, scope=units[NAMLING_VILLAGE]
            )
        answers.add(refusal(error))
    # then each is refused with one answer that names neither the account nor what it is
    [answer] = answers
    assert "lhasa" not in answer.lower() and "officer" not in answer.lower()
    assert {name: state(user) for name, user in others.items()} == before


def test_an_officer_cannot_place_anyone_outside_their_area(units, county_officer):
    operator = make_user("dawa", Role.SITE_OPERATOR, units[NAMLING_VILLAGE])
    with pytest.raises(AccountsError):
        user_role_assign(
            by=county_officer, user=operator, role=Role.SITE_OPERATOR, scope=units[LHASA_VILLAGE]
        )
    assert state(operator)[1] == units[NAMLING_VILLAGE].pk


@pytest.mark.parametrize(
    ("giver", "role", "scope"),
    [
        ("point_operator", Role.SITE_OPERATOR, NAMLING_VILLAGE),  # operators do not make operators
        ("county_officer", Role.OFFICER, NAMLING),  # only administrators make officers,
        ("county_officer", Role.ADMINISTRATOR, None),  # administrators
        ("county_officer", Role.BUYER, None),  # and buyers
        ("county_officer", Role.SITE_OPERATOR, None),  # an operator works in a unit
    ],
)
def test_who_may_give_which_role(request, units, giver, role, scope):
    by = request.getfixturevalue(giver)
    with pytest.raises(AccountsError):
        user_create(
            by=by, username="fresh", password=PASSWORD, role=role, scope=units[scope] if scope else None
        )
    assert not User.objects.filter(username="fresh").exists()


def test_nobody_changes_their_own_role_or_scope(units, county_officer):
    with pytest.raises(AccountsError):
        user_role_assign(by=county_officer, user=county_officer, role=Role.OFFICER, scope=units[NAMLING])


def test_an_administrator_moves_an_operator_anywhere_but_never_changes_what_an_account_is(
    units, admin_user, others
):
    operator = others["operator of Lhasa"]
    user_role_assign(by=admin_user, user=operator, role=Role.SITE_OPERATOR, scope=units[NAMLING_VILLAGE])
    assert state(operator)[:2] == (Role.SITE_OPERATOR, units[NAMLING_VILLAGE].pk)
    for name in ("seller of Namling", "buyer", "officer of Lhasa", "administrator"):
        before = state(others[name])
        with pytest.raises(AccountsError):
            user_role_assign(
                by=admin_user, user=others[name], role=Role.SITE_OPERATOR, scope=units[NAMLING_VILLAGE]
            )
        assert state(others[name]) == before, name


def test_a_seller_of_the_area_moves_with_their_shop_and_no_one_else_becomes_a_seller(
    units, point_operator, others
):
    seller = others["seller of Namling"]
    user_role_assign(by=point_operator, user=seller, role=Role.SELLER, scope=units[NAMLING_VILLAGE])
    assert state(seller)[:2] == (Role.SELLER, units[NAMLING_VILLAGE].pk)
    lhasa_seller = make_user("lhasa-seller", Role.SELLER, units[LHASA_VILLAGE])
    for user in (lhasa_seller, others["buyer"], others["operator of Lhasa"]):
        before = state(user)
        with pytest.raises(AccountsError):
            user_role_assign(by=point_operator, user=user, role=Role.SELLER, scope=units[NAMLING_VILLAGE])
        assert state(user) == before


def test_an_officer_creates_a_fresh_operator_account_in_their_area(units, county_officer):
    user = user_create(
        by=county_officer,
        username="pema",
        password=PASSWORD,
        role=Role.SITE_OPERATOR,
        scope=units[NAMLING_VILLAGE],
        first_name=" Pema ",
    )
    user.refresh_from_db()
    assert (user.role, user.scope_unit, user.first_name) == (
        Role.SITE_OPERATOR,
        units[NAMLING_VILLAGE],
        "Pema",
    )
    assert user.check_password(PASSWORD) and not user.is_staff
    with pytest.raises(AccountsError):  # but not in another area
        user_create(
            by=county_officer,
            username="other",
            password=PASSWORD,
            role=Role.SITE_OPERATOR,
            scope=units[LHASA_VILLAGE],
        )


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("namling", PASSWORD, "username"),  # taken (by the county officer)
        ("NAMLING", PASSWORD, "username"),  # taken, in other letters
        ("two words", PASSWORD, "username"),
        ("x" * 151, PASSWORD, "username"),
        ("pema", "short", "password"),
        ("pema", "password123", "password"),
    ],
)
def test_a_new_account_needs_a_free_valid_name_and_a_strong_password(
    units, county_officer, username, password, field
):
    with pytest.raises(AccountsError) as error:
        user_create(
            by=county_officer,
            username=username,
            password=password,
            role=Role.SITE_OPERATOR,
            scope=units[NAMLING_VILLAGE],
        )
    assert error.value.field == field
    assert User.objects.count() == 1


def test_sign_up_always_makes_a_buyer_without_a_scope(db):
    user = buyer_signup(username="lisi", password=PASSWORD, first_name="Li Si")
    user.refresh_from_db()
    assert (user.role, user.scope_unit, user.is_staff, user.is_superuser) == (Role.BUYER, None, False, False)
    with pytest.raises(AccountsError) as error:
        buyer_signup(username="lisi", password=PASSWORD)
    assert error.value.field == "username"


def test_a_move_shows_in_the_trail_of_the_area_left_and_of_the_area_joined(
    units, admin_user, region_officer, county_officer, other_county_officer
):
    # given an operator of a Lhasa village
    operator = make_user("dawa", Role.SITE_OPERATOR, units[LHASA_VILLAGE])
    # when an administrator moves them to a Namling village
    user_role_assign(by=admin_user, user=operator, role=Role.SITE_OPERATOR, scope=units[NAMLING_VILLAGE])

    # then the officers of both counties, and of the region, see the move, by whom, from where to where
    def moves(officer):
        return [
            (e.actor, e.changes_dict["scope_unit"])
            for e in audit_entry_list(user=officer, model="user")
            if e.object_pk == str(operator.pk) and e.action == LogEntry.Action.UPDATE
        ]

    move = (admin_user, [str(units[LHASA_VILLAGE].pk), str(units[NAMLING_VILLAGE].pk)])
    assert moves(county_officer) == [move]
    assert moves(other_county_officer) == [move]
    assert moves(region_officer) == [move, move]  # one entry filed in each county
