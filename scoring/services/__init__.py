"""Writes for scores, one module per domain; the public names are re-exported here."""

from scoring.services.scores import score_store

__all__ = ["score_store"]
