"""Bounds on the integers a person sends (form fields, API bodies, query strings): checked where they are
parsed, so an oversized number is a message beside its field, never an overflow in the database."""

MAX_ID = 2**53  # a record's id: within a 64-bit integer and exact in JavaScript
MAX_STOCK = 1_000_000  # units of one product in stock
