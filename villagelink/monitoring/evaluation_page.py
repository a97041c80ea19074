"""The evaluation's page: the staggered comparison of counties read in plain words with its charts, and who
gains, by group (`evaluation` computes both)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role
from villagelink.core.dates import region_today
from villagelink.core.numbers import grouped
from villagelink.geo.selectors import unit_ancestors, unit_get

from .charts import event_chart
from .evaluation import (
    FEWEST_ORDERS,
    SMALLEST_GROUP,
    Group,
    OutcomeEvaluation,
    evaluation_for,
    who_gains,
    year_with_data,
)
from .views import FIRST_YEAR, _can_monitor, _parts, _period


def _percent(value: float) -> str:
    return f"{value:+.0f}"


def _reading(evaluated: OutcomeEvaluation) -> list[str]:
    """What an estimate says, in plain words: the effect and its interval, then whether the years before
    designation back the comparison."""
    result, label = evaluated.result, evaluated.outcome.label
    overall = result.overall
    if overall is None:
        return [
            _(
                "%(outcome)s: too few counties designated in different years have enough trade to compare, so "
                "no effect can be estimated here."
            )
            % {"outcome": label}
        ]
    words = {
        "outcome": label,
        "cohorts": ", ".join(str(year) for year in result.cohorts),
        # "grew by about 46 % more", "did about 20 % worse": the words carry the sign when the effect is clear
        "percent": f"{abs(overall.percent):.0f}" if overall.clear else _percent(overall.percent),
        "low": _percent(overall.percent_low),
        "high": _percent(overall.percent_high),
    }
    if overall.clear and overall.value > 0:
        said = _(
            "%(outcome)s: counties designated in %(cohorts)s grew by about %(percent)s %% more from their "
            "designation than counties not yet designated (95 %% interval %(low)s %% to %(high)s %%)."
        )
    elif overall.clear:
        said = _(
            "%(outcome)s: counties designated in %(cohorts)s did about %(percent)s %% worse from their "
            "designation than counties not yet designated (95 %% interval %(low)s %% to %(high)s %%)."
        )
    else:
        said = _(
            "%(outcome)s: for counties designated in %(cohorts)s the difference from counties not yet designated "
            "is %(percent)s %%, but its 95 %% interval (%(low)s %% to %(high)s %%) includes no change: this data "
            "cannot tell an effect from chance."
        )
    lines = [said % words]
    if not result.before:
        lines.append(_("No year before designation can be checked against the comparison counties."))
    elif evaluated.pretrend_clear:
        lines.append(
            _(
                "Before designation these counties already moved differently from the others in %(years)s: the "
                "comparison may not hold, so read the estimate with care."
            )
            % {"years": ", ".join(f"{e.event:+d}" for e in evaluated.pretrend_clear)}
        )
    else:
        lines.append(
            _(
                "Before designation they moved like the counties they are compared with (no year before it "
                "differs clearly), as the comparison needs."
            )
        )
    return lines


def _group_row(group: Group) -> dict:
    def share(value: float | None) -> str:
        return "" if value is None else f"{number_format(100 * value, 0)} %"

    def money(value: float | None) -> str:
        return "" if value is None else f"¥{grouped(round(value))}"

    return {
        "label": group.label,
        "hidden": group.households is None,
        "households": "" if group.households is None else grouped(group.households),
        "savings": money(group.savings_yuan),
        "income": money(group.income_yuan),
        "with_savings": share(group.with_savings),
        "with_income": share(group.with_income),
    }


@login_required
def evaluation(request, code: str):
    """Did designation help, and whom does the trade help: the staggered comparison of counties over the years
    the figures hold, and the households' savings and income in the period, by group. For officers and
    administrators: an operator or seller has the dashboard of their unit, not its evaluation."""
    if not _can_monitor(request.user) or not (
        request.user.is_administrator or request.user.role == Role.OFFICER
    ):
        raise PermissionDenied
    unit = unit_get(user=request.user, code=code)
    period, period_error = _period(request, unit)
    if not period_error and not any(request.GET.get(key) for key in ("period", "start", "end", "year")):
        period = year_with_data(unit=unit)  # households' gains over a whole year, not a few days of this one
    found = evaluation_for(unit=unit)
    gains = who_gains(unit=unit, period=period)
    return render(
        request,
        "monitoring/evaluation.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(user=request.user, unit=unit),
            "period": period,
            "period_error": period_error,
            "evaluation": found,
            "outcomes": [
                (
                    evaluated,
                    event_chart(evaluated.result.events),
                    _reading(evaluated),
                    "" if evaluated.level_before is None else grouped(round(evaluated.level_before)),
                )
                for evaluated in found.outcomes
            ],
            "gains": gains,
            "total": _group_row(gains.total),
            "splits": [(split.label, [_group_row(g) for g in split.groups]) for split in gains.splits],
            "fewest_orders": FEWEST_ORDERS,
            "smallest_group": SMALLEST_GROUP,
            "part": period.key[5:] if period.kind in ("quarter", "month") else "",
            "years": list(range(region_today().year, FIRST_YEAR - 1, -1)),
            "parts": _parts(),
        },
    )
