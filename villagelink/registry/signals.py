"""Signals of the registry, for the apps above that keep counts of households."""

from django.dispatch import Signal

# Sent with `households` (the Household instances, saved) after households are written in bulk, which sends no
# post_save: the network's stock counts those registered poor.
households_created = Signal()
