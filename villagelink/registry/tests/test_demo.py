import pytest
from django.core.management import call_command

from villagelink.core.crypto import keyed_hash
from villagelink.registry.idnumbers import normalise
from villagelink.registry.models import Household, Organisation, OrganisationLink


@pytest.mark.django_db(transaction=True)
def test_the_demo_registry_holds_valid_unique_synthetic_households():
    call_command("demo", no_serve=True)
    households = Household.objects.select_related("village")
    total = households.count()
    assert 15_000 <= total <= 25_000
    poor = households.filter(registered_poor_in__isnull=False).count()
    assert 0.3 < poor / total < 0.55
    for household in households.order_by("?")[:300]:
        number = household.full_id_number()
        assert normalise(number) == number  # a valid check digit and birth date
        assert number[:6] == household.village.code[:6]  # the county's code
        assert keyed_hash(number) == household.id_number_hash
    assert households.values("id_number_hash").distinct().count() == total
    assert Organisation.objects.filter(kind="cooperative").count() == 127
    assert OrganisationLink.objects.exists()
    call_command("demo", no_serve=True)
    assert Household.objects.count() == total  # not added twice
