"""The lifecycle of a ledger entry after recording (R3–R5, R16): one service per action.

The transition table and its checks are liaison.transitions (a rule module that pages and
selectors read too); `actions` holds one service per action.
"""

from liaison.services.workflow.actions import (
    SERVICES,
    entry_act,
    entry_close,
    entry_progress_note,
    entry_record_plan,
    entry_record_result,
    entry_refer,
    entry_reopen,
    entry_reply,
    entry_resolve_on_spot,
    entry_start,
    entry_transfer,
    entry_void,
    transition_hook_register,
)
from liaison.transitions import (
    TRANSITIONS,
    Action,
    Actor,
    EntryConflict,
    Transition,
    WorkflowError,
    WorkflowRefused,
    actor_capacities,
    entry_actions,
    entry_check,
    entry_refusal,
    progress_note_due,
    transfer_candidates,
)

__all__ = [
    "SERVICES",
    "TRANSITIONS",
    "Action",
    "Actor",
    "EntryConflict",
    "Transition",
    "WorkflowError",
    "WorkflowRefused",
    "actor_capacities",
    "entry_act",
    "entry_actions",
    "entry_check",
    "entry_close",
    "entry_progress_note",
    "entry_record_plan",
    "entry_record_result",
    "entry_refer",
    "entry_refusal",
    "entry_reopen",
    "entry_reply",
    "entry_resolve_on_spot",
    "entry_start",
    "entry_transfer",
    "entry_void",
    "progress_note_due",
    "transfer_candidates",
    "transition_hook_register",
]
