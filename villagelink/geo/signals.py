"""Signals of the geo app, for the apps above that keep counts of units."""

from django.dispatch import Signal

# Sent with `units` (the AdminUnit instances, saved) after units are written in bulk, which sends no
# post_save: the network's stock counts them.
units_created = Signal()
