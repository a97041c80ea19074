"""Households registered before the head's sex and year of birth were kept get them from their ID numbers."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from villagelink.core.crypto import encrypt
from villagelink.registry.idnumbers import check_digit


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_households_already_registered_get_their_heads_sex_and_year_of_birth():
    old = migrate([("registry", "0003_organisation_names_per_language")])
    units = old.get_model("geo", "AdminUnit").objects
    region = units.create(code="540000", path="54", level="region", name_zh="西藏自治区", name_en="Tibet")
    village = units.create(
        code="540221101201", path="540221101201", level="village", parent=region, name_zh="村", name_en="V"
    )
    for serial, born in (("013", "19711231"), ("024", "19930615")):
        first17 = f"540221{born}{serial}"
        number = first17 + check_digit(first17)
        old.get_model("registry", "Household").objects.create(
            village=village, head_name=serial, id_number_encrypted=encrypt(number), id_number_hash=serial,
            id_number_masked="5402**********" + number[-4:], id_last4=number[-4:],
        )  # fmt: skip

    new = migrate([("registry", "0005_read_head_from_id_numbers")])

    heads = new.get_model("registry", "Household").objects.order_by("head_name")
    assert list(heads.values_list("head_name", "head_sex", "head_born_in")) == [
        ("013", "m", 1971),  # a 17th digit of 3: a man
        ("024", "f", 1993),  # of 4: a woman
    ]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
