from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoi import clock
from eoi.accounts.models import Role
from eoi.columns import TitledEnum, UTCDateTime, Versioned, enum_column_type
from eoi.extensions import Model, db
from eoi.guard import guarded
from eoi.reference.models import LocalAuthority, Organisation

if TYPE_CHECKING:
    from eoi.accounts.models import User

MAX_DESCRIPTION = 2000  # what a service does, in a paragraph or two


class ServiceType(TitledEnum):
    advocacy = ("advocacy", "Advocacy")
    isva = ("isva", "ISVA")
    short_term_counselling = ("short_term_counselling", "Short-term counselling")
    long_term_counselling = ("long_term_counselling", "Long-term counselling")
    mental_health = ("mental_health", "Mental health / CAMHS")
    mentoring = ("mentoring", "Mentoring")
    group_work = ("group_work", "Group work")
    outreach = ("outreach", "Outreach")
    therapeutic = ("therapeutic", "Therapeutic")
    schools_prevention = ("schools_prevention", "Prevention work in schools")
    professionals_training = ("professionals_training", "Training of professionals")
    helpline = ("helpline", "Helpline")
    family_support = ("family_support", "Family support")


class Cohort(TitledEnum):
    girls_young_women = ("girls_young_women", "Girls and young women")
    boys_young_men = ("boys_young_men", "Boys and young men")
    lgbt = ("lgbt", "LGBT+ young people")
    disabled = ("disabled", "Disabled young people")
    transition = ("transition", "16–24 transition to adulthood")


service_boroughs = Table(
    "service_boroughs",
    db.metadata,
    Column("service_id", ForeignKey("services.id"), primary_key=True),
    Column("local_authority_id", ForeignKey("local_authorities.id"), primary_key=True),
)


class ServiceTypeLink(Model):
    __tablename__ = "service_type_links"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    type: Mapped[ServiceType] = mapped_column(enum_column_type(ServiceType, "service_type"),
                                              primary_key=True)


class ServiceCohortLink(Model):
    __tablename__ = "service_cohort_links"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    cohort: Mapped[Cohort] = mapped_column(enum_column_type(Cohort, "cohort"), primary_key=True)


def _relinked(links: list, attr: str, wanted: set, enum_class, make) -> list:
    """Keep the links still wanted (so unchanged rows are not deleted and re-inserted)
    and add the new ones, in the enum's order."""
    kept = [link for link in links if getattr(link, attr) in wanted]
    have = {getattr(link, attr) for link in kept}
    return kept + [make(member) for member in enum_class if member in wanted and member not in have]


class Service(Versioned, Model):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("provider_id", "name", name="uq_services_provider_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="",
        info=guarded(contact_details=True))
    # None: funded with no end date in sight.
    funding_end_date: Mapped[date | None] = mapped_column(Date)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    provider: Mapped[Organisation] = relationship()
    boroughs: Mapped[list[LocalAuthority]] = relationship(
        secondary=service_boroughs, order_by=LocalAuthority.name)
    type_links: Mapped[list[ServiceTypeLink]] = relationship(cascade="all, delete-orphan")
    cohort_links: Mapped[list[ServiceCohortLink]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.name})"

    @property
    def types(self) -> set[ServiceType]:
        return {link.type for link in self.type_links}

    @types.setter
    def types(self, values: set[ServiceType]) -> None:
        self.type_links = _relinked(self.type_links, "type", values, ServiceType,
                                    lambda t: ServiceTypeLink(type=t))

    @property
    def cohorts(self) -> set[Cohort]:
        return {link.cohort for link in self.cohort_links}

    @cohorts.setter
    def cohorts(self, values: set[Cohort]) -> None:
        self.cohort_links = _relinked(self.cohort_links, "cohort", values, Cohort,
                                      lambda c: ServiceCohortLink(cohort=c))

    def can_edit(self, user: "User") -> bool:
        """Fund managers edit any entry; commissioners and partners their own organisation's."""
        return user.is_fund_manager or (
            user.has_role(Role.commissioner, Role.partner)
            and user.organisation_id == self.provider_id
        )
