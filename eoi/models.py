"""Every model, imported in one place so Alembic and the shell see the whole schema; and the
privacy guard on every text column they hold (eoi.guard), listening to every flush."""

import eoi.guard  # noqa: F401  (registers the listener)
from eoi.accounts.models import Invitation, PasswordReset, Role, User, UserRole
from eoi.assessment.models import (
    Assessment,
    Decision,
    ModeratedScore,
    PanelMember,
    Score,
)
from eoi.audit.models import AuditEntry
from eoi.calendars.models import CalendarFeed
from eoi.consortia.models import (
    Consortium,
    ConsortiumMembership,
    ConsortiumPartner,
    LeadInterest,
    Pledge,
)
from eoi.documents.models import PreparedDocument
from eoi.eois.models import BudgetLine, Eoi, EoiAttachment, EoiEditor, EoiSection
from eoi.grants.models import (
    Grant,
    GrantFunding,
    GrantIndicator,
    GrantPartner,
    IndicatorTarget,
    Milestone,
    MilestoneEvidence,
    Payment,
)
from eoi.notifications.models import Notification, NotificationPreference
from eoi.reference.models import (
    BasicCommandUnit,
    Indicator,
    LocalAuthority,
    Organisation,
    OrganisationType,
    Outcome,
    Priority,
    PriorityKind,
)
from eoi.reminders.models import SentReminder
from eoi.reports.models import PublishedFigures
from eoi.returns.models import (
    QuarterlyReturn,
    ReturnBoroughCount,
    ReturnCount,
    ReturnIndicatorValue,
    ReturnSpend,
)
from eoi.rounds.models import Criterion, FundingRound
from eoi.service_map.models import Service, ServiceCohortLink, ServiceTypeLink

__all__ = [
    "Invitation",
    "Notification",
    "NotificationPreference",
    "PasswordReset",
    "Assessment",
    "Decision",
    "ModeratedScore",
    "PanelMember",
    "Score",
    "AuditEntry",
    "BasicCommandUnit",
    "CalendarFeed",
    "Consortium",
    "BudgetLine",
    "Criterion",
    "Eoi",
    "PreparedDocument",
    "EoiAttachment",
    "EoiEditor",
    "EoiSection",
    "FundingRound",
    "Grant",
    "GrantFunding",
    "GrantIndicator",
    "GrantPartner",
    "IndicatorTarget",
    "Milestone",
    "MilestoneEvidence",
    "Payment",
    "QuarterlyReturn",
    "ReturnBoroughCount",
    "ReturnCount",
    "ReturnIndicatorValue",
    "PublishedFigures",
    "ReturnSpend",
    "SentReminder",
    "ConsortiumMembership",
    "ConsortiumPartner",
    "LeadInterest",
    "Pledge",
    "Indicator",
    "LocalAuthority",
    "Organisation",
    "OrganisationType",
    "Outcome",
    "Priority",
    "PriorityKind",
    "Role",
    "Service",
    "ServiceCohortLink",
    "ServiceTypeLink",
    "User",
    "UserRole",
]
