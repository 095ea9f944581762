from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Integer,
    Select,
    String,
    UniqueConstraint,
    and_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from eoi import clock
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.consortia.models import Consortium
from eoi.eois.sections import SECTION_ORDER, SECTIONS_BY_KEY, in_shape
from eoi.eois.uploads import MAX_BYTES
from eoi.extensions import Model
from eoi.guard import guarded, unguarded
from eoi.reference.models import Organisation
from eoi.rounds.models import FundingRound

if TYPE_CHECKING:
    from eoi.accounts.models import User
    from eoi.assessment.models import Assessment, Decision


class EoiStatus(TitledEnum):
    draft = ("draft", "Draft")
    submitted = ("submitted", "Submitted")
    withdrawn = ("withdrawn", "Withdrawn")


class CostCategory(TitledEnum):
    staff = ("staff", "Staff")
    delivery = ("delivery", "Direct delivery")
    training = ("training", "Training of professionals")
    participation = ("participation", "Participation of young people and families")
    evaluation = ("evaluation", "Data and evaluation")
    overheads = ("overheads", "Management and overheads")
    other = ("other", "Other")


class Eoi(Versioned, Model):
    """A consortium's expression of interest in a round: one per consortium per round."""

    __tablename__ = "eois"
    __table_args__ = (
        UniqueConstraint("consortium_id", "round_id", name="uq_eois_consortium_round",
                         info={"message": "This consortium already has an EOI for this round"}),
        CheckConstraint("(status = 'draft') OR (reference IS NOT NULL)",
                        name="submitted_has_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("consortia.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("funding_rounds.id"), index=True)
    status: Mapped[EoiStatus] = mapped_column(enum_column_type(EoiStatus, "eoi_status"),
                                              default=EoiStatus.draft)
    # CCF-2026-0007: given at the first submission and kept for good.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True,
        info=unguarded("A reference number the service gives."))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    consortium: Mapped[Consortium] = relationship()
    funding_round: Mapped[FundingRound] = relationship()
    sections: Mapped[list["EoiSection"]] = relationship(back_populates="eoi",
                                                        cascade="all, delete-orphan")
    budget_lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="eoi", cascade="all, delete-orphan",
        order_by="(BudgetLine.financial_year, BudgetLine.id)")
    editors: Mapped[list["EoiEditor"]] = relationship(cascade="all, delete-orphan")
    attachments: Mapped[list["EoiAttachment"]] = relationship(
        back_populates="eoi", order_by="EoiAttachment.id")
    # Defined with the panel's models (eoi.assessment.models), which build on this one.
    assessments: Mapped[list["Assessment"]] = relationship(back_populates="eoi",
                                                           order_by="Assessment.id")
    decision: Mapped["Decision | None"] = relationship(back_populates="eoi")
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])

    def __repr__(self) -> str:
        return f"<Eoi {self.id} {self.reference or 'draft'}>"

    def __str__(self) -> str:
        return f"{self.consortium.name}: {self.funding_round.title}"

    @property
    def ordered_sections(self) -> list["EoiSection"]:
        """Every section the questions have, in their order."""
        return [self.section(key) for key in SECTION_ORDER]

    def section(self, key: str) -> "EoiSection":
        """The answers to section `key`. An EOI started before the section was added to the
        questions has none: it gets an empty one, not started, to be completed like the rest
        before the EOI can be submitted (stored with the EOI's next save)."""
        found = next((s for s in self.sections if s.key == key), None)
        if found is None:
            if key not in SECTIONS_BY_KEY:
                raise KeyError(key)
            found = EoiSection(key=key, content={})
            self.sections.append(found)
        return found

    # Permissions ---------------------------------------------------------------------------
    def is_editor(self, user: "User") -> bool:
        return (self.consortium.is_member_officer(user) or user.id == self.consortium.lead_id
                or any(e.user_id == user.id for e in self.editors))

    def can_view(self, user: "User") -> bool:
        return (user.is_fund_manager or self.is_editor(user)
                or any(a.can_read_bid(user) for a in self.assessments))

    def can_see_decision(self, user: "User") -> bool:
        """The consortium learns the decision when the round's decisions are published."""
        if self.decision is None:
            return False
        return user.is_fund_manager or (
            self.decision.is_published and self.is_editor(user))

    # The same rules in SQL, for lists: conditions on an Eoi row that hold exactly when the
    # predicates above do (tests/test_visibility.py checks they agree).
    @classmethod
    def edited_by(cls, user: "User") -> ColumnElement[bool]:
        """`is_editor` in SQL."""
        return or_(cls.consortium_id.in_(Consortium.ids_with_member_officer(user)),
                   cls.consortium_id.in_(Consortium.ids_led_by(user)),
                   cls.id.in_(select(EoiEditor.eoi_id).where(EoiEditor.user_id == user.id)))

    @classmethod
    def viewable_by(cls, user: "User") -> ColumnElement[bool]:
        """`can_view` in SQL."""
        from eoi.assessment.models import Assessment

        if user.is_fund_manager:
            return true()
        return or_(cls.edited_by(user), cls.id.in_(
            select(Assessment.eoi_id).where(Assessment.bid_readable_by(user))))

    @classmethod
    def visible_to(cls, user: "User") -> Select["Eoi"]:
        """The expressions of interest this person may see."""
        return select(cls).where(cls.viewable_by(user))

    @classmethod
    def decision_seen_by(cls, user: "User") -> ColumnElement[bool]:
        """`can_see_decision` in SQL."""
        from eoi.assessment.models import Decision

        decided = cls.id.in_(select(Decision.eoi_id))
        if user.is_fund_manager:
            return decided
        return and_(decided, cls.round_id.in_(Decision.published_round_ids()),
                    cls.edited_by(user))

    def can_edit(self, user: "User") -> bool:
        return self.status is EoiStatus.draft and self.is_editor(user)

    def can_submit(self, user: "User") -> bool:
        return self.status is EoiStatus.draft and user.id == self.consortium.lead_id

    def can_withdraw(self, user: "User") -> bool:
        return self.status is EoiStatus.submitted and user.id == self.consortium.lead_id

    def can_reopen(self, user: "User") -> bool:
        return self.status is not EoiStatus.draft and user.is_fund_manager

    def can_invite_editors(self, user: "User") -> bool:
        return self.status is EoiStatus.draft and user.id == self.consortium.lead_id


class EoiSection(Versioned, Model):
    """One section's answers. Saved whole, so two people saving the same section are
    caught by its version."""

    __tablename__ = "eoi_sections"
    __table_args__ = (UniqueConstraint("eoi_id", "key", name="uq_eoi_sections_eoi_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), index=True)
    key: Mapped[str] = mapped_column(String(40),
        info=unguarded("The code of a section of the questions."))
    # Read and written through `content`, which keeps it in the section's shape.
    stored_content: Mapped[dict[str, Any]] = mapped_column("content", JSON, default=dict)
    is_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    eoi: Mapped[Eoi] = relationship(back_populates="sections")
    updated_by: Mapped["User | None"] = relationship()

    def __repr__(self) -> str:
        return f"<EoiSection {self.eoi_id}:{self.key}>"

    def __str__(self) -> str:
        return f"{SECTIONS_BY_KEY[self.key].title} of {self.eoi}"

    def guard_label(self, field: str) -> str | None:
        """The words the privacy guard (eoi.guard) names an answer by: its question's."""
        labels = {"how": "How the proposal addresses them", "notes": "Notes on the budget"}
        section = SECTIONS_BY_KEY.get(self.key)
        labels |= {q.name: q.label for q in (section.questions if section else ())}
        return labels.get(field)

    @property
    def content(self) -> dict[str, Any]:
        """The answers in the shape the section's questions expect: a record damaged in the
        database reads as unanswered rather than breaking the pages that show it."""
        return in_shape(self.key, self.stored_content)

    @content.setter
    def content(self, value: dict[str, Any]) -> None:
        self.stored_content = in_shape(self.key, value)


class BudgetLine(Model):
    __tablename__ = "eoi_budget_lines"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        UniqueConstraint("eoi_id", "financial_year", "category", "funder_id",
                         name="uq_eoi_budget_lines_cell",
                         info={"field": "category", "message": "The budget already has a line "
                               "for this year, category and funder: change that line instead"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[CostCategory] = mapped_column(enum_column_type(CostCategory,
                                                                    "cost_category"))
    funder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    amount_pence: Mapped[int] = mapped_column(BigInteger)

    eoi: Mapped[Eoi] = relationship(back_populates="budget_lines")
    funder: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<BudgetLine {self.eoi_id} {self.financial_year} {self.category.value}>"

    def __str__(self) -> str:
        from eoi.money import financial_year_label, format_pence

        return (f"{self.category.title}, {financial_year_label(self.financial_year)}, "
                f"{self.funder.name}: {format_pence(self.amount_pence)}")


class EoiEditor(Model):
    """A partner organisation's user whom the lead invited to help draft."""

    __tablename__ = "eoi_editors"

    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)

    user: Mapped["User"] = relationship()


class UploadedFile:
    """What is kept about an uploaded file, whatever it is attached to. The bytes live outside
    the static folder under a random name (`stored_name`); `filename` is only what people see
    and download it as. Each table adds its own `size_within_limit` check."""

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200),
        info=guarded(field="file", label="The file name"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True,
        info=unguarded("A random name on disk, made by the service."))
    media_type: Mapped[str] = mapped_column(String(100),
        info=unguarded("A media type the service chose from the file's content."))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64),
        info=unguarded("A SHA-256 of the file's bytes."))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @declared_attr
    def uploaded_by_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id"))

    @declared_attr
    def uploaded_by(cls) -> Mapped["User"]:
        return relationship()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.filename!r}>"

    def __str__(self) -> str:
        return self.filename


class EoiAttachment(UploadedFile, Model):
    """A file attached to an EOI as evidence of need."""

    __tablename__ = "eoi_attachments"
    __table_args__ = (
        CheckConstraint(f"size_bytes BETWEEN 1 AND {MAX_BYTES}", name="size_within_limit"),
    )

    eoi_id: Mapped[int] = mapped_column(ForeignKey("eois.id"), index=True)

    eoi: Mapped[Eoi] = relationship(back_populates="attachments")
