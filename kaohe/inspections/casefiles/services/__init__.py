"""Writes of 案卷集中评查: listing, checklist, sampling, panel and assignment, scoring, derivation.

Each service checks the actor's capability (object getters in selectors.py have already scoped the object),
validates, writes in one transaction and appends an audit event. Refusals are ValidationErrors with
Chinese messages (nothing is half-saved).

One module per step: listing (案卷目录), checklist (评查表 and the file's full mark), samples (抽取), panel
(评查员, 回避 and assignment), scores (a reviewer's deductions and the derived task scores); common holds
what they share. Callers import from this package.
"""

from kaohe.inspections.casefiles.services.checklist import (
    DEFAULT_CHECKLIST,
    DEFAULT_CHECKLISTS,
    FROZEN_MESSAGE,
    case_review_setting_save,
    checklist_frozen,
    checklist_import,
    checklist_item_add,
    checklist_item_delete,
    checklist_item_edit,
    checklist_use_default,
    frozen_message,
)
from kaohe.inspections.casefiles.services.common import case_review_tasks, setting_of
from kaohe.inspections.casefiles.services.listing import (
    case_file_add,
    case_file_delete,
    case_file_edit,
    case_files_import,
    deadline_with,
    listing_deadline,
    listing_extend,
    listing_refusal,
)
from kaohe.inspections.casefiles.services.panel import (
    BLIND_CONFLICT,
    AssignOutcome,
    assignment_conflicts,
    candidate_memberships,
    case_review_conflict,
    conflict,
    file_assign,
    files_assign_auto,
    reviewer_add,
    reviewer_remove,
)
from kaohe.inspections.casefiles.services.samples import ReplayReport, SampleOutcome, sample_cancel, sample_draw, sample_replay
from kaohe.inspections.casefiles.services.scores import (
    CENT,
    DeriveOutcome,
    case_review_return,
    case_review_save,
    derive_scores,
    parse_deduction,
)

__all__ = [
    "BLIND_CONFLICT",
    "CENT",
    "DEFAULT_CHECKLIST",
    "DEFAULT_CHECKLISTS",
    "FROZEN_MESSAGE",
    "AssignOutcome",
    "DeriveOutcome",
    "ReplayReport",
    "SampleOutcome",
    "assignment_conflicts",
    "candidate_memberships",
    "case_file_add",
    "case_file_delete",
    "case_file_edit",
    "case_files_import",
    "case_review_conflict",
    "case_review_return",
    "case_review_save",
    "case_review_setting_save",
    "case_review_tasks",
    "checklist_frozen",
    "checklist_import",
    "checklist_item_add",
    "checklist_item_delete",
    "checklist_item_edit",
    "checklist_use_default",
    "conflict",
    "deadline_with",
    "derive_scores",
    "file_assign",
    "files_assign_auto",
    "frozen_message",
    "listing_deadline",
    "listing_extend",
    "listing_refusal",
    "parse_deduction",
    "reviewer_add",
    "reviewer_remove",
    "sample_cancel",
    "sample_draw",
    "sample_replay",
    "setting_of",
]
