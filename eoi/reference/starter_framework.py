"""Round one's priorities and themes (from the workshop) and a starter outcomes framework.

Each row has a stable code, so `flask reference load` adds what is missing and never
overwrites what fund managers have since edited.
"""

STRATEGIC_PRIORITIES = [
    (
        "gang-peer-cse",
        "Gang-associated and peer-on-peer CSE",
        "Cross-borough and sub-regional responses to gang-associated and peer-on-peer "
        "exploitation, such as hub models joining analysts, youth offending services, social "
        "care, police and offender managers.",
    ),
    (
        "victims-survivors",
        "Support for victims and survivors of CSE",
        "Holistic, long-term support that follows the young person across boroughs and into "
        "adulthood: advocacy, group work, counselling and mental health support.",
    ),
    (
        "boys-young-men",
        "Boys and young men as victims of CSE",
        "Support for boys and young men who are victims of exploitation and are too often seen "
        "through a criminal lens, where provision today is patchy.",
    ),
]

CROSS_CUTTING_THEMES = [
    ("prevention", "Prevention and early intervention",
     "Reaching young people before exploitation takes hold."),
    ("schools", "Work with schools",
     "Engaging schools and planning around the academic year."),
    ("training", "Training professionals to recognise CSE",
     "Helping professionals in every agency recognise and respond to exploitation."),
    ("participation", "Participation of young people and families",
     "Involving young people, parents and families in designing services."),
    ("consistent-data", "Consistent data collection across boroughs",
     "Counting the same things in the same way, so need and outcomes can be compared."),
    ("additionality", "Additionality",
     "Adding to what boroughs already plan and fund, not replacing it."),
    ("strategic-fit", "Strategic fit",
     "Fitting the agreed priorities and outcomes of the fund."),
]

# (outcome code, title, description, [(indicator code, name, unit, definition)])
OUTCOMES = [
    (
        "engagement",
        "Young people at risk of or affected by CSE engage with support",
        "Young people are reached and stay engaged long enough for support to help.",
        [
            ("engaged", "Young people engaged with support", "young people",
             "Young people who took part in at least one session of support in the quarter."),
            ("sustained", "Young people sustaining engagement for 3 months or more",
             "young people",
             "Young people engaged with support for 3 months or more by the quarter's end."),
        ],
    ),
    (
        "reduced-risk",
        "Young people are safer from exploitation",
        "The risk of exploitation for young people supported goes down.",
        [
            ("reduced-risk", "Young people with reduced risk of exploitation", "young people",
             "Young people whose assessed risk of exploitation fell between their first and "
             "latest review, on the borough's risk assessment tool."),
            ("safety-plan", "Young people with a safety plan in place", "young people",
             "Young people supported who have a current safety plan agreed with them."),
        ],
    ),
    (
        "professionals",
        "Professionals recognise and respond to CSE",
        "Professionals in every agency spot the signs of exploitation and know what to do.",
        [
            ("trained", "Professionals trained to recognise CSE", "professionals",
             "Professionals who completed training in recognising and responding to CSE."),
            ("confidence", "Trained professionals reporting greater confidence", "per cent",
             "Share of trained professionals who report greater confidence in responding to "
             "CSE, measured by a survey after training."),
        ],
    ),
    (
        "across-boundaries",
        "Support follows the young person",
        "Support carries on across borough boundaries and into adulthood.",
        [
            ("cross-borough", "Young people supported across borough boundaries",
             "young people",
             "Young people supported in a borough other than the borough they live in."),
            ("transition", "Young people supported through transition to adult services",
             "young people",
             "Young people aged 16 to 24 supported through the move to adult services."),
        ],
    ),
    (
        "participation",
        "Young people and families shape services",
        "Those with lived experience take part in designing and reviewing services.",
        [
            ("involved", "Young people and families involved in service design", "people",
             "Young people, parents and carers who took part in designing or reviewing the "
             "service in the quarter."),
            ("changes", "Service changes made as a result of participation", "changes",
             "Changes to the service made because of what participants said."),
        ],
    ),
    (
        "wellbeing",
        "Young people recover and thrive",
        "Young people's wellbeing improves and they take part in education, training or work.",
        [
            ("wellbeing", "Young people reporting improved wellbeing", "per cent",
             "Share of young people supported whose score on a validated wellbeing measure "
             "improved between their first and latest review."),
            ("ete", "Young people in education, training or employment", "young people",
             "Young people supported who are in education, training or employment at the "
             "quarter's end."),
        ],
    ),
    (
        "prevention",
        "Prevention reaches young people early",
        "Prevention work in schools and communities reaches young people before harm.",
        [
            ("schools-reached", "Schools reached with prevention work", "schools",
             "Schools where the service delivered at least one prevention session."),
            ("pupils-reached", "Pupils reached by prevention sessions", "pupils",
             "Pupils who attended a prevention session in the quarter."),
        ],
    ),
]
