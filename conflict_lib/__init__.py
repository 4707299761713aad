"""conflict_lib: read conflict reports and turn them into facts an analyst can check.

raw report -> cleaned :class:`~conflict_lib.schema.Document` -> tagged mentions -> events
-> tidy tables -> notebooks and briefing.
"""
__version__ = "0.1.0"
