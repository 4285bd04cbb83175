"""Writes for scores, one module per domain; the public names are re-exported here."""

from scoring.services.lifecycle import assessment_scored
from scoring.services.plans import (
    ActionConflict,
    ActionError,
    ActionNotAllowed,
    action_create,
    action_update,
    actions_close_met,
    can_manage_actions,
    can_update_action,
)
from scoring.services.rescore import RescoreReport, scores_rescore
from scoring.services.scores import score_store

__all__ = [
    "ActionConflict",
    "ActionError",
    "ActionNotAllowed",
    "RescoreReport",
    "action_create",
    "action_update",
    "actions_close_met",
    "assessment_scored",
    "can_manage_actions",
    "can_update_action",
    "score_store",
    "scores_rescore",
]
