"""The EOI side's pages: the EOI list and its downloads, one EOI, the rounds, the panel's
pages and the consortia, for every demo person who may open each.

`{round:assessed}` is the demo round in that status, `{eoi:assessed}` the first EOI
submitted to it and `{consortium:assessed}` that EOI's consortium.
(/assessment/rounds/<id>/spread is a POST, so the panel page stands in for it.)
"""

import re

from sqlalchemy import select

from eoi.eois.models import Eoi, EoiStatus
from eoi.extensions import db
from eoi.rounds.models import FundingRound, RoundStatus


def _round(status: str) -> int:
    found = db.session.scalar(select(FundingRound.id).where(
        FundingRound.status == RoundStatus(status)).order_by(FundingRound.id))
    assert found is not None, f"the demo has no {status} round"
    return found


def _eoi(status: str) -> Eoi:
    found = db.session.scalar(select(Eoi).where(
        Eoi.round_id == _round(status), Eoi.status == EoiStatus.submitted).order_by(Eoi.id))
    assert found is not None, f"the demo's {status} round has no submitted EOI"
    return found


RESOLVERS = {
    "round": _round,
    "eoi": lambda status: _eoi(status).id,
    "consortium": lambda status: _eoi(status).consortium_id,
}


def resolve(address: str) -> str:
    return re.sub(r"\{(\w+):([\w-]+)\}",
                  lambda m: str(RESOLVERS[m.group(1)](m.group(2))), address)


# Measured on the demo, plus 2.
PAGES = [
    # /eois
    ("manager@demo.example", "/eois", 8),
    ("panel1@demo.example", "/eois", 9),
    ("panel2@demo.example", "/eois", 9),
    ("panel3@demo.example", "/eois", 9),
    ("lead.greenwich@demo.example", "/eois", 10),
    ("officer.bexley@demo.example", "/eois", 10),
    ("partner.stgiles@demo.example", "/eois", 9),
    ("partner.barnardos@demo.example", "/eois", 9),
    ("officer.lewisham@demo.example", "/eois", 10),
    ("lead.brent@demo.example", "/eois", 10),
    ("officer.harrow@demo.example", "/eois", 10),
    ("officer.barnet@demo.example", "/eois", 10),
    ("officer.islington@demo.example", "/eois", 10),
    ("lead.hammersmith@demo.example", "/eois", 10),
    ("officer.kensington@demo.example", "/eois", 10),
    ("officer.westminster@demo.example", "/eois", 10),
    ("lead.croydon@demo.example", "/eois", 10),
    ("officer.sutton@demo.example", "/eois", 10),
    ("lead.newham@demo.example", "/eois", 10),
    ("officer.havering@demo.example", "/eois", 10),
    # /eois?status=submitted
    ("manager@demo.example", "/eois?status=submitted", 8),
    ("panel1@demo.example", "/eois?status=submitted", 9),
    ("panel2@demo.example", "/eois?status=submitted", 9),
    ("panel3@demo.example", "/eois?status=submitted", 9),
    ("lead.greenwich@demo.example", "/eois?status=submitted", 10),
    ("officer.bexley@demo.example", "/eois?status=submitted", 10),
    ("partner.stgiles@demo.example", "/eois?status=submitted", 9),
    ("partner.barnardos@demo.example", "/eois?status=submitted", 9),
    ("officer.lewisham@demo.example", "/eois?status=submitted", 10),
    ("lead.brent@demo.example", "/eois?status=submitted", 10),
    ("officer.harrow@demo.example", "/eois?status=submitted", 10),
    ("officer.barnet@demo.example", "/eois?status=submitted", 10),
    ("officer.islington@demo.example", "/eois?status=submitted", 10),
    ("lead.hammersmith@demo.example", "/eois?status=submitted", 10),
    ("officer.kensington@demo.example", "/eois?status=submitted", 10),
    ("officer.westminster@demo.example", "/eois?status=submitted", 10),
    ("lead.croydon@demo.example", "/eois?status=submitted", 10),
    ("officer.sutton@demo.example", "/eois?status=submitted", 10),
    ("lead.newham@demo.example", "/eois?status=submitted", 10),
    ("officer.havering@demo.example", "/eois?status=submitted", 10),
    # /eois/export.csv
    ("manager@demo.example", "/eois/export.csv", 17),
    ("panel1@demo.example", "/eois/export.csv", 11),
    ("panel2@demo.example", "/eois/export.csv", 11),
    ("panel3@demo.example", "/eois/export.csv", 11),
    ("lead.greenwich@demo.example", "/eois/export.csv", 12),
    ("officer.bexley@demo.example", "/eois/export.csv", 12),
    ("partner.stgiles@demo.example", "/eois/export.csv", 8),
    ("partner.barnardos@demo.example", "/eois/export.csv", 8),
    ("officer.lewisham@demo.example", "/eois/export.csv", 9),
    ("lead.brent@demo.example", "/eois/export.csv", 12),
    ("officer.harrow@demo.example", "/eois/export.csv", 12),
    ("officer.barnet@demo.example", "/eois/export.csv", 12),
    ("officer.islington@demo.example", "/eois/export.csv", 9),
    ("lead.hammersmith@demo.example", "/eois/export.csv", 12),
    ("officer.kensington@demo.example", "/eois/export.csv", 12),
    ("officer.westminster@demo.example", "/eois/export.csv", 12),
    ("lead.croydon@demo.example", "/eois/export.csv", 12),
    ("officer.sutton@demo.example", "/eois/export.csv", 12),
    ("lead.newham@demo.example", "/eois/export.csv", 12),
    ("officer.havering@demo.example", "/eois/export.csv", 12),
    # /eois/export.xlsx
    ("manager@demo.example", "/eois/export.xlsx", 17),
    ("panel1@demo.example", "/eois/export.xlsx", 11),
    ("panel2@demo.example", "/eois/export.xlsx", 11),
    ("panel3@demo.example", "/eois/export.xlsx", 11),
    ("lead.greenwich@demo.example", "/eois/export.xlsx", 12),
    ("officer.bexley@demo.example", "/eois/export.xlsx", 12),
    ("partner.stgiles@demo.example", "/eois/export.xlsx", 8),
    ("partner.barnardos@demo.example", "/eois/export.xlsx", 8),
    ("officer.lewisham@demo.example", "/eois/export.xlsx", 9),
    ("lead.brent@demo.example", "/eois/export.xlsx", 12),
    ("officer.harrow@demo.example", "/eois/export.xlsx", 12),
    ("officer.barnet@demo.example", "/eois/export.xlsx", 12),
    ("officer.islington@demo.example", "/eois/export.xlsx", 9),
    ("lead.hammersmith@demo.example", "/eois/export.xlsx", 12),
    ("officer.kensington@demo.example", "/eois/export.xlsx", 12),
    ("officer.westminster@demo.example", "/eois/export.xlsx", 12),
    ("lead.croydon@demo.example", "/eois/export.xlsx", 12),
    ("officer.sutton@demo.example", "/eois/export.xlsx", 12),
    ("lead.newham@demo.example", "/eois/export.xlsx", 12),
    ("officer.havering@demo.example", "/eois/export.xlsx", 12),
    # /eois/{eoi:assessed}
    ("manager@demo.example", "/eois/{eoi:assessed}", 11),
    ("panel1@demo.example", "/eois/{eoi:assessed}", 15),
    ("panel2@demo.example", "/eois/{eoi:assessed}", 15),
    ("panel3@demo.example", "/eois/{eoi:assessed}", 15),
    ("lead.hammersmith@demo.example", "/eois/{eoi:assessed}", 13),
    ("officer.kensington@demo.example", "/eois/{eoi:assessed}", 14),
    ("officer.westminster@demo.example", "/eois/{eoi:assessed}", 14),
    # /rounds
    ("manager@demo.example", "/rounds", 7),
    ("panel1@demo.example", "/rounds", 7),
    ("panel2@demo.example", "/rounds", 7),
    ("panel3@demo.example", "/rounds", 7),
    ("lead.greenwich@demo.example", "/rounds", 7),
    ("officer.bexley@demo.example", "/rounds", 7),
    ("partner.stgiles@demo.example", "/rounds", 7),
    ("partner.barnardos@demo.example", "/rounds", 7),
    ("officer.lewisham@demo.example", "/rounds", 7),
    ("lead.brent@demo.example", "/rounds", 7),
    ("officer.harrow@demo.example", "/rounds", 7),
    ("officer.barnet@demo.example", "/rounds", 7),
    ("officer.islington@demo.example", "/rounds", 7),
    ("lead.hammersmith@demo.example", "/rounds", 7),
    ("officer.kensington@demo.example", "/rounds", 7),
    ("officer.westminster@demo.example", "/rounds", 7),
    ("lead.croydon@demo.example", "/rounds", 7),
    ("officer.sutton@demo.example", "/rounds", 7),
    ("lead.newham@demo.example", "/rounds", 7),
    ("officer.havering@demo.example", "/rounds", 7),
    # /rounds/{round:assessed}
    ("manager@demo.example", "/rounds/{round:assessed}", 15),
    ("panel1@demo.example", "/rounds/{round:assessed}", 9),
    ("panel2@demo.example", "/rounds/{round:assessed}", 9),
    ("panel3@demo.example", "/rounds/{round:assessed}", 9),
    ("lead.greenwich@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.bexley@demo.example", "/rounds/{round:assessed}", 9),
    ("partner.stgiles@demo.example", "/rounds/{round:assessed}", 9),
    ("partner.barnardos@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.lewisham@demo.example", "/rounds/{round:assessed}", 9),
    ("lead.brent@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.harrow@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.barnet@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.islington@demo.example", "/rounds/{round:assessed}", 9),
    ("lead.hammersmith@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.kensington@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.westminster@demo.example", "/rounds/{round:assessed}", 9),
    ("lead.croydon@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.sutton@demo.example", "/rounds/{round:assessed}", 9),
    ("lead.newham@demo.example", "/rounds/{round:assessed}", 9),
    ("officer.havering@demo.example", "/rounds/{round:assessed}", 9),
    # /assessment
    ("manager@demo.example", "/assessment", 8),
    ("panel1@demo.example", "/assessment", 7),
    ("panel2@demo.example", "/assessment", 7),
    ("panel3@demo.example", "/assessment", 7),
    # /assessment/rounds/{round:assessed}/ranking
    ("manager@demo.example", "/assessment/rounds/{round:assessed}/ranking", 12),
    # /assessment/rounds/{round:decided}/ranking
    ("manager@demo.example", "/assessment/rounds/{round:decided}/ranking", 12),
    ("manager@demo.example", "/assessment/rounds/{round:decided}/ranking", 12),
    # /assessment/rounds/{round:assessed}/panel
    ("manager@demo.example", "/assessment/rounds/{round:assessed}/panel", 11),
    # /consortia
    ("manager@demo.example", "/consortia", 9),
    ("lead.greenwich@demo.example", "/consortia", 10),
    ("officer.bexley@demo.example", "/consortia", 10),
    ("partner.stgiles@demo.example", "/consortia", 9),
    ("partner.barnardos@demo.example", "/consortia", 9),
    ("officer.lewisham@demo.example", "/consortia", 10),
    ("lead.brent@demo.example", "/consortia", 10),
    ("officer.harrow@demo.example", "/consortia", 10),
    ("officer.barnet@demo.example", "/consortia", 10),
    ("officer.islington@demo.example", "/consortia", 11),
    ("lead.hammersmith@demo.example", "/consortia", 10),
    ("officer.kensington@demo.example", "/consortia", 10),
    ("officer.westminster@demo.example", "/consortia", 10),
    ("lead.croydon@demo.example", "/consortia", 10),
    ("officer.sutton@demo.example", "/consortia", 10),
    ("lead.newham@demo.example", "/consortia", 10),
    ("officer.havering@demo.example", "/consortia", 10),
    # /consortia/{consortium:assessed}
    ("manager@demo.example", "/consortia/{consortium:assessed}", 14),
    ("lead.greenwich@demo.example", "/consortia/{consortium:assessed}", 16),
    ("officer.bexley@demo.example", "/consortia/{consortium:assessed}", 16),
    ("partner.barnardos@demo.example", "/consortia/{consortium:assessed}", 14),
    ("officer.lewisham@demo.example", "/consortia/{consortium:assessed}", 16),
    ("lead.brent@demo.example", "/consortia/{consortium:assessed}", 16),
    ("officer.harrow@demo.example", "/consortia/{consortium:assessed}", 16),
    ("officer.barnet@demo.example", "/consortia/{consortium:assessed}", 16),
    ("officer.islington@demo.example", "/consortia/{consortium:assessed}", 16),
    ("lead.hammersmith@demo.example", "/consortia/{consortium:assessed}", 14),
    ("officer.kensington@demo.example", "/consortia/{consortium:assessed}", 14),
    ("officer.westminster@demo.example", "/consortia/{consortium:assessed}", 14),
    ("lead.croydon@demo.example", "/consortia/{consortium:assessed}", 16),
    ("officer.sutton@demo.example", "/consortia/{consortium:assessed}", 16),
    ("lead.newham@demo.example", "/consortia/{consortium:assessed}", 16),
    ("officer.havering@demo.example", "/consortia/{consortium:assessed}", 16),
    # /lead-commissioners
    ("manager@demo.example", "/lead-commissioners", 10),
    ("lead.greenwich@demo.example", "/lead-commissioners", 10),
    ("officer.bexley@demo.example", "/lead-commissioners", 11),
    ("officer.lewisham@demo.example", "/lead-commissioners", 10),
    ("lead.brent@demo.example", "/lead-commissioners", 10),
    ("officer.harrow@demo.example", "/lead-commissioners", 10),
    ("officer.barnet@demo.example", "/lead-commissioners", 11),
    ("officer.islington@demo.example", "/lead-commissioners", 11),
    ("lead.hammersmith@demo.example", "/lead-commissioners", 10),
    ("officer.kensington@demo.example", "/lead-commissioners", 11),
    ("officer.westminster@demo.example", "/lead-commissioners", 11),
    ("lead.croydon@demo.example", "/lead-commissioners", 11),
    ("officer.sutton@demo.example", "/lead-commissioners", 11),
    ("lead.newham@demo.example", "/lead-commissioners", 11),
    ("officer.havering@demo.example", "/lead-commissioners", 11),
]
