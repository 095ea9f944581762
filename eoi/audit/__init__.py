"""The audit trail: who did what to which record, when, and what changed."""

from eoi.audit.operations import changes_between, record_audit, snapshot

__all__ = ["changes_between", "record_audit", "snapshot"]
