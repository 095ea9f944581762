"""A demo service map: 22 invented services by the providers the workshop named.

Funding end dates are set relative to the day the data is loaded, so that some provision
always ends within 12 months; boys and young men are left with visible gaps, as the
workshop found.
"""

from datetime import date, timedelta

from sqlalchemy import select

from eoi.demo import found
from eoi.extensions import db
from eoi.reference.models import LocalAuthority, Organisation
from eoi.service_map.models import Cohort as C
from eoi.service_map.models import Service
from eoi.service_map.models import ServiceType as T
from eoi.service_map.operations import create_service

G, B, L, D, Y = (C.girls_young_women, C.boys_young_men, C.lgbt, C.disabled, C.transition)

# (provider, name, boroughs, types, cohorts, days of funding left or None)
DEMO_SERVICES = [
    ("St Giles Trust", "Schools exploitation worker", ["Greenwich", "Bexley"],
     {T.schools_prevention, T.advocacy}, {G}, 200),
    ("St Giles Trust", "Youth violence and exploitation caseworkers",
     ["Lewisham", "Southwark", "Lambeth"], {T.advocacy, T.mentoring}, {B, G}, 500),
    ("Abianda", "Young women's gang-affected support", ["Islington", "Barnet"],
     {T.advocacy, T.group_work}, {G, Y}, 400),
    ("Abianda", "Training for professionals", ["Islington", "Camden", "Hackney"],
     {T.professionals_training}, {G, Y}, 100),
    ("Safer London", "Empower", ["Croydon", "Lambeth", "Southwark", "Lewisham", "Newham",
                                 "Hackney", "Tower Hamlets", "Waltham Forest", "Haringey",
                                 "Enfield", "Brent", "Ealing", "Hounslow", "Merton"],
     {T.advocacy, T.outreach, T.group_work}, {G, L}, 700),
    ("Safer London", "Boys and young men pilot", ["Croydon"], {T.mentoring, T.outreach},
     {B}, 150),
    ("Rape Crisis South London", "ISVA service for young people",
     ["Croydon", "Bromley", "Sutton", "Merton", "Kingston upon Thames"], {T.isva},
     {G, B, L, D}, None),
    ("Rape Crisis South London", "Short-term counselling",
     ["Croydon", "Bromley", "Sutton"], {T.short_term_counselling}, {G, L}, 300),
    ("NHS England (London)", "The Havens: young people's service",
     ["Camden", "Lambeth", "Tower Hamlets"], {T.isva, T.mental_health}, {G, B, L, D, Y}, None),
    ("NHS England (London)", "Sexual assault referral follow-up",
     ["Westminster", "Kensington and Chelsea", "Hammersmith and Fulham"],
     {T.mental_health, T.therapeutic}, {G, B}, 90),
    ("Women and Girls Network", "Young women's counselling",
     ["Hammersmith and Fulham", "Ealing", "Hounslow", "Westminster"],
     {T.long_term_counselling, T.helpline}, {G, Y}, None),
    ("Women and Girls Network", "Advocacy for young women", ["Ealing", "Hillingdon"],
     {T.advocacy}, {G}, 250),
    ("Advance", "Young women's advocacy", ["Hammersmith and Fulham", "Kensington and Chelsea",
                                           "Westminster"], {T.advocacy}, {G, Y}, 600),
    ("Barnardo's", "Tri-borough trauma pilot", ["Hammersmith and Fulham",
                                                "Kensington and Chelsea", "Westminster"],
     {T.therapeutic, T.long_term_counselling}, {G, B, D}, 330),
    ("Barnardo's", "Family support for CSE", ["Harrow", "Brent"], {T.family_support},
     {G, B}, 800),
    ("Barnardo's", "Boys and young men outreach", ["Newham", "Barking and Dagenham"],
     {T.outreach, T.mentoring}, {B}, 60),
    ("The Children's Society", "Disrupting exploitation", ["Havering", "Redbridge",
                                                          "Barking and Dagenham"],
     {T.advocacy, T.outreach}, {G, B, L}, 450),
    ("The Children's Society", "Transition to adulthood service", ["Havering", "Redbridge"],
     {T.advocacy, T.family_support}, {Y}, 120),
    ("The Children's Society", "LGBT+ young people's group", ["Hackney", "Tower Hamlets"],
     {T.group_work}, {L}, None),
    ("St Giles Trust", "County lines rescue and response", ["Enfield", "Haringey",
                                                           "Waltham Forest"],
     {T.outreach, T.advocacy}, {B, G, Y}, 365),
    ("Safer London", "Prevention in schools", ["Wandsworth", "Richmond upon Thames"],
     {T.schools_prevention}, {G, B}, 180),
    ("Abianda", "Peer support groups", ["Barnet", "Harrow"], {T.group_work}, {G}, 50),
]


def load_demo_services(today: date) -> int:
    boroughs = {la.name: la for la in db.session.scalars(select(LocalAuthority))}
    created = 0
    for provider_name, name, borough_names, types, cohorts, days in DEMO_SERVICES:
        provider = found(db.session.scalar(
            select(Organisation).where(Organisation.name == provider_name)), provider_name)
        exists = db.session.scalar(select(Service.id).where(Service.provider_id == provider.id,
                                                            Service.name == name))
        if exists:
            continue
        create_service(
            provider=provider, by=None, name=name, description="Demonstration entry.",
            boroughs=[boroughs[n] for n in borough_names], types=types, cohorts=cohorts,
            funding_end_date=None if days is None else today + timedelta(days=days))
        created += 1
    return created
