"""Moving the facts to `orders` and the approvals to `approvals` keeps every row of a populated database,
both ways."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("monitoring", "0003_monthlyfact"),
    ("orders", "0002_assisted_trade_fields"),
    ("approvals", None),
]
AFTER = [("monitoring", "0004_models_moved"), ("orders", "0003_facts"), ("approvals", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def fact_rows(model, date_field):
    return sorted(model.objects.values_list("path", date_field, "kind", "orders", "amount_fen", "income_fen"))


@pytest.mark.django_db(transaction=True)
def test_facts_and_approvals_keep_their_rows_when_they_move_and_when_the_move_is_undone():
    # Given: the database as it was before the move, with facts, monthly facts, an approval and its audit type
    old = migrate(BEFORE)
    unit = old.get_model("geo", "AdminUnit").objects.create(
        code="540000", path="54", level="region", name_zh="西藏自治区", name_en="Tibet"
    )
    officer = old.get_model("accounts", "User").objects.create(
        username="officer", role="officer", scope_unit=unit
    )
    day, month = datetime.date(2019, 6, 3), datetime.date(2019, 6, 1)
    old_fact, old_monthly = old.get_model("monitoring", "Fact"), old.get_model("monitoring", "MonthlyFact")
    old_fact.objects.create(path="54", day=day, kind="sale", channel="platform", orders=3, amount_fen=4500)
    old_fact.objects.create(path="5402", day=day, kind="sale", channel="platform", orders=3, income_fen=700)
    old_monthly.objects.create(
        path="54", month=month, kind="sale", channel="platform", orders=3, amount_fen=4500
    )
    old.get_model("monitoring", "Approval").objects.create(unit=unit, month=month, approved_by=officer)
    content_type = old.get_model("contenttypes", "ContentType")
    content_type.objects.get_or_create(app_label="monitoring", model="approval")
    content_type.objects.get_or_create(app_label="monitoring", model="fact")
    facts_before = fact_rows(old_fact, "day")

    # When: migrating forward
    new = migrate(AFTER)

    # Then: the same rows, read through the models in their new apps, and the content types followed them
    assert fact_rows(new.get_model("orders", "Fact"), "day") == facts_before
    assert fact_rows(new.get_model("orders", "MonthlyFact"), "month") == [("54", month, "sale", 3, 4500, 0)]
    approval = new.get_model("approvals", "Approval").objects.get()
    assert (approval.unit_id, approval.month, approval.approved_by_id) == (unit.pk, month, officer.pk)
    labels = set(new.get_model("contenttypes", "ContentType").objects.values_list("app_label", "model"))
    assert {("approvals", "approval"), ("orders", "fact")} <= labels
    assert not labels & {("monitoring", "approval"), ("monitoring", "fact")}
    tables = connection.introspection.table_names()
    assert {"orders_fact", "orders_monthlyfact", "approvals_approval"} <= set(tables)
    assert not {"monitoring_fact", "monitoring_monthlyfact", "monitoring_approval"} & set(tables)

    # And back: undoing the move keeps them too
    old = migrate(BEFORE)
    assert fact_rows(old.get_model("monitoring", "Fact"), "day") == facts_before
    assert old.get_model("monitoring", "Approval").objects.count() == 1
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
