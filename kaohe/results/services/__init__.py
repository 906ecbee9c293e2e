"""Writes of results: computing a plan's results into an immutable snapshot (computation), and releasing
them: 征求意见, 审定, the bulletin and its copy recipients (release), publication, reopening and receipts
(publication). Callers import from this package.
"""

from kaohe.results.services.computation import DATA_FORMAT, NOTE_MAX, Computation, results_calculate, results_compute
from kaohe.results.services.publication import (
    PublicationRefused,
    bonus_pending_by_unit,
    current_digest,
    publication_problems,
    receipt_mark_read,
    release_publish,
    release_reopen,
)
from kaohe.results.services.release import (
    APPROVER_MAX,
    BULLETIN_FIELDS,
    COMMENT_MAX,
    REASON_MAX,
    consultation_close,
    consultation_comment_add,
    copy_recipient_add,
    copy_recipient_remove,
    release_approve,
    release_bulletin_edit,
    release_start,
)

__all__ = [
    "APPROVER_MAX",
    "BULLETIN_FIELDS",
    "COMMENT_MAX",
    "DATA_FORMAT",
    "NOTE_MAX",
    "REASON_MAX",
    "Computation",
    "PublicationRefused",
    "bonus_pending_by_unit",
    "consultation_close",
    "consultation_comment_add",
    "copy_recipient_add",
    "copy_recipient_remove",
    "current_digest",
    "publication_problems",
    "receipt_mark_read",
    "release_approve",
    "release_bulletin_edit",
    "release_publish",
    "release_reopen",
    "release_start",
    "results_calculate",
    "results_compute",
]
