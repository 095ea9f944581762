from pathlib import Path

import pytest
from sqlalchemy import func, select

from eoi.audit.models import AuditEntry
from eoi.extensions import db
from eoi.reference.loader import LOCAL_AUTHORITIES_CSV, load_reference_data
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

SHARED_CSV = Path(__file__).parents[2] / "shared" / "standards" / "london-local-authorities.csv"

# Independent of the loaded CSV: the ONS codes in order, as published.
GSS_CODES = {
    "City of London": "E09000001", "Barking and Dagenham": "E09000002", "Barnet": "E09000003",
    "Bexley": "E09000004", "Brent": "E09000005", "Bromley": "E09000006", "Camden": "E09000007",
    "Croydon": "E09000008", "Ealing": "E09000009", "Enfield": "E09000010",
    "Greenwich": "E09000011", "Hackney": "E09000012", "Hammersmith and Fulham": "E09000013",
    "Haringey": "E09000014", "Harrow": "E09000015", "Havering": "E09000016",
    "Hillingdon": "E09000017", "Hounslow": "E09000018", "Islington": "E09000019",
    "Kensington and Chelsea": "E09000020", "Kingston upon Thames": "E09000021",
    "Lambeth": "E09000022", "Lewisham": "E09000023", "Merton": "E09000024",
    "Newham": "E09000025", "Redbridge": "E09000026", "Richmond upon Thames": "E09000027",
    "Southwark": "E09000028", "Sutton": "E09000029", "Tower Hamlets": "E09000030",
    "Waltham Forest": "E09000031", "Wandsworth": "E09000032", "Westminster": "E09000033",
}

# DOMAIN.md's examples, and the rest of the Met's 2018 grouping.
BCU_GROUPS = {
    "South East": {"Bexley", "Greenwich", "Lewisham"},
    "Central West": {"Westminster", "Kensington and Chelsea", "Hammersmith and Fulham"},
    "Central North": {"Camden", "Islington"},
    "Central East": {"Hackney", "Tower Hamlets"},
    "Central South": {"Lambeth", "Southwark"},
    "North West": {"Barnet", "Brent", "Harrow"},
    "North": {"Enfield", "Haringey"},
    "North East": {"Newham", "Waltham Forest"},
    "East": {"Barking and Dagenham", "Havering", "Redbridge"},
    "South": {"Bromley", "Croydon", "Sutton"},
    "South West": {"Kingston upon Thames", "Merton", "Richmond upon Thames", "Wandsworth"},
    "West": {"Ealing", "Hillingdon", "Hounslow"},
}


def _groups() -> dict[str, set[str]]:
    return {
        bcu.name.removesuffix(" Area"): {la.name for la in bcu.local_authorities}
        for bcu in db.session.scalars(select(BasicCommandUnit))
    }


def test_33_local_authorities_with_their_gss_codes(reference):
    loaded = {la.name: la.gss_code for la in db.session.scalars(select(LocalAuthority))}
    assert loaded == GSS_CODES


def test_every_borough_is_an_organisation_with_its_gb_lae_id(reference):
    for la in db.session.scalars(select(LocalAuthority)):
        assert la.organisation.type is OrganisationType.local_authority
        assert la.organisation.org_id == la.org_id
        assert la.org_id.startswith("GB-LAE-") and len(la.org_id) == 10
    assert db.session.scalar(
        select(Organisation.org_id).join(LocalAuthority).where(LocalAuthority.name == "Bexley")
    ) == "GB-LAE-BEX"


def test_twelve_bcus_group_the_32_boroughs_and_leave_out_the_city(reference):
    assert _groups() == BCU_GROUPS
    city = db.session.scalar(select(LocalAuthority).where(LocalAuthority.gss_code == "E09000001"))
    assert city.name == "City of London" and city.bcu is None
    covered = set().union(*BCU_GROUPS.values())
    assert len(covered) == 32


def test_priorities_themes_and_outcomes_framework(reference):
    strategic = db.session.scalars(
        select(Priority.title).where(Priority.kind == PriorityKind.strategic)
        .order_by(Priority.position)
    ).all()
    assert strategic == [
        "Gang-associated and peer-on-peer CSE",
        "Support for victims and survivors of CSE",
        "Boys and young men as victims of CSE",
    ]
    themes = set(db.session.scalars(
        select(Priority.title).where(Priority.kind == PriorityKind.cross_cutting)
    ))
    assert {"Prevention and early intervention", "Work with schools",
            "Training professionals to recognise CSE"} <= themes
    outcomes = db.session.scalars(select(Outcome)).all()
    assert len(outcomes) >= 6
    for outcome in outcomes:
        assert outcome.indicators, f"{outcome.title} has no indicators"
        for indicator in outcome.indicators:
            assert indicator.unit and indicator.definition
    names = set(db.session.scalars(select(Indicator.name)))
    assert {"Young people engaged with support",
            "Young people with reduced risk of exploitation",
            "Professionals trained to recognise CSE",
            "Young people supported across borough boundaries",
            "Young people and families involved in service design"} <= names


def test_loading_again_adds_nothing_and_keeps_edits(reference):
    counts = _row_counts()
    bcu = db.session.scalar(select(BasicCommandUnit).where(BasicCommandUnit.name == "South East"))
    bcu.name = "South East (renamed)"
    priority = db.session.scalar(select(Priority).where(Priority.code == "boys-young-men"))
    priority.title = "Boys and young men"
    db.session.commit()

    report = load_reference_data()
    db.session.commit()

    assert not report.added
    assert _row_counts() == counts
    assert db.session.get(BasicCommandUnit, bcu.id).name == "South East (renamed)"
    assert db.session.get(Priority, priority.id).title == "Boys and young men"


def test_first_load_is_audited_once(reference):
    load_reference_data()
    db.session.commit()
    assert db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "reference.loaded")
    ) == 1


def test_database_refuses_a_gss_code_outside_london(reference):
    la = db.session.scalar(select(LocalAuthority).where(LocalAuthority.name == "Bexley"))
    la.gss_code = "W06000001"
    with pytest.raises(Exception, match="(?i)check|constraint"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="shared standards folder not beside repo")
def test_bundled_csv_is_the_shared_standard():
    assert LOCAL_AUTHORITIES_CSV.read_bytes() == SHARED_CSV.read_bytes()


def _row_counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (LocalAuthority, BasicCommandUnit, Organisation, Priority, Outcome,
                      Indicator)
    }
