"""The evaluation against the demo's known effect of designation: the regional trade drawn with an effect (the
demo's own, `DESIGNATION_EFFECT`) and with none, then evaluated from the figures alone."""

import math

import pytest

from villagelink.demo.regional import build_regional_orders
from villagelink.demo.regional_trades import DESIGNATION_EFFECT
from villagelink.monitoring.evaluation import evaluation_for

from .test_regional import build_region

# The outcomes the effect is put on directly: every shop's and point's trade. (Poor households' income and the
# purchases' savings follow it as parts of the two, on fewer orders; the page shows them, with wider intervals.)
DIRECT = ("online_sales", "online_purchases")


def _evaluated(effect: float) -> dict:
    region = build_region()
    build_regional_orders(region=region, effect=effect)
    found = evaluation_for(unit=region)
    assert found.designated_by_year == {2015: 7, 2016: 8, 2017: 6, 2018: 6, 2019: 47}
    return {evaluated.outcome.name: evaluated.result for evaluated in found.outcomes}


@pytest.mark.django_db
def test_the_evaluation_recovers_the_demos_effect_of_designation_within_its_interval():
    results = _evaluated(DESIGNATION_EFFECT)
    for name in DIRECT:
        overall = results[name].overall
        assert overall is not None and len(results[name].cohorts) >= 2, name
        assert overall.low <= math.log1p(DESIGNATION_EFFECT) <= overall.high, (name, overall)
    assert results["online_sales"].overall.clear  # and tells it from no effect


@pytest.mark.django_db
def test_the_evaluation_finds_no_effect_when_designation_has_none():
    results = _evaluated(0.0)
    for name in DIRECT:
        overall = results[name].overall
        assert overall is not None and overall.low <= 0 <= overall.high, (name, overall)
        assert not any(e.estimate.clear for e in results[name].after), name
