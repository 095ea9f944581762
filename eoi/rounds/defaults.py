"""The default assessment criteria, following the workshop's emphases. Weights sum to 100."""

SCALE = ("No evidence", "Weak", "Adequate", "Good", "Excellent")

# (title, what is assessed, weight)
DEFAULT_CRITERIA = [
    ("Strategic fit and additionality",
     "Fits the round's priorities and outcomes, and adds to what boroughs already plan and fund.",
     15),
    ("Evidence of need",
     "Quantitative, qualitative and contextual evidence of the level and nature of need.", 10),
    ("Partnership and sub-regional reach",
     "A real partnership across boroughs, with the VCS, that reaches beyond one borough.", 15),
    ("Delivery model",
     "Holistic and long-term support that follows the young person across boroughs and into "
     "adulthood.", 15),
    ("Outcomes and measurement",
     "Clear outcomes with indicators, baselines and targets, counted consistently.", 15),
    ("Participation of young people and families",
     "Young people, parents and families take part in designing and reviewing the service.", 10),
    ("Value for money and pooled funding",
     "A sound budget with real match funding pooled by the boroughs and partners.", 10),
    ("Risk, data sharing and sustainability",
     "Risks and mitigations, safe information sharing with consent, and a plan beyond the "
     "grant.", 10),
]


def descriptors_for(what: str) -> list[str]:
    """What scores 0 to 4 mean, in words an assessor can apply."""
    return [
        f"No evidence: the expression of interest does not address this. ({what})",
        "Weak: addressed only in part, with little evidence or detail.",
        "Adequate: addressed, with some evidence; gaps or risks remain.",
        "Good: addressed well, with clear evidence and few gaps.",
        "Excellent: addressed fully and convincingly, with strong evidence throughout.",
    ]
