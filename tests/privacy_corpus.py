"""Sentences a partner might write, for measuring the privacy guard: personal data about a
young person in every format we know (PERSONAL, each with the kind the guard should call
it), ordinary EOI and return prose with the look-alikes that used to raise false alarms
(HARMLESS), and organisations' own contact details, allowed in service descriptions only
(CONTACT_DETAILS). Every person, number and address here is invented: phone numbers come
from Ofcom's ranges for drama, postcodes are made up, NHS numbers are NHS Digital's
examples or pass the check digit without belonging to anyone.

tests/returns/test_privacy_corpus.py and benchmarks/guard.py read it.
"""

# Each value is written into its own sentence frame, so the values meet the words around
# them that partners really write.
_FRAMES = [
    "Her mum asked us to use {} for any updates.",
    "We recorded {} on the referral form by mistake.",
    "The school gave {} when they referred him.",
    "YP3 told the worker {} and we have kept it on file.",
    "Contact details: {}.",
    "She shared {} with her key worker during the session.",
    "Following the MASH meeting, the social worker passed on {}",
    "Please note {} for the case study young person.",
    "{} was written on the consent form.",
    "During the home visit the carer confirmed {}, which we noted.",
    "As agreed with the ISVA, use {} (her preferred contact).",
    "We could not reach her on {} after the second missed appointment.",
]

_PHONES = [
    "07700 900123", "07700900123", "07700-900-123", "(07700) 900123", "07700 900 123",
    "+44 7700 900123", "+447700900123", "+44 (0)7700 900123", "0044 7700 900123",
    "00 44 7700 900123", "+44-7700-900123", "0 7700 900 123", "020 7946 0018",
    "(020) 7946 0018", "0207 946 0018", "020-7946-0018", "020.7946.0018",
    "+44 20 7946 0018", "+44 (0)20 7946 0018", "+44 020 7946 0018", "0161 496 0000",
    "0121 496 0000", "01632 960000", "0113 496 0000", "07700\u00a0900123",
    "020\u00a07946\u00a00018", "07700\u2009900\u2009123", "07700\u2013900123",
    "07911 123456", "07400 123456",
]
_EMAILS = [
    "jane.doe@example.org", "j.smith+school@mail.co.uk", "jane @ gmail.com",
    "jane at gmail dot com", "jane[at]gmail[dot]com", "jane (at) gmail.com",
    "jane.doe at gmail.com", "tia{at}hotmail{dot}co{dot}uk", "kayla AT outlook DOT com",
    "mo (at) yahoo (dot) co (dot) uk", "ella_b@icloud.com", "sam.w＠gmail.com",
    "leo <at> btinternet <dot> com", "amira.k at hotmail.co.uk",
]
_POSTCODES = [
    "SE10 9XX", "SE10-9XX", "SE10  9XX", "se10 9xx", "SE109XX", "E1 6AN", "EC1A 1BB",
    "N17 6QQ", "CR0 2AB", "BR6 0TL", "W1A 1AA", "SW1A 2AA", "NW10 8ZZ", "E14\u00a05AB",
    "IG11 7XY", "UB3 4RT", "DA8 1QQ", "HA9 0WS",
]
_DATES_OF_BIRTH = [
    "DOB 2010-04-03", "born 20100403", "DOB: 03042010", "d.o.b. 03/04/2010",
    "date of birth 3 April 2010", "born on 3rd April 2010", "born on the 3rd of April 2010",
    "birthday is April 3, 2010", "DOB 3.4.10", "D.O.B: 03-04-2010",
    "born in Croydon on 3 April 2010", "date of birth: 2010/04/03", "born 03/04/2010",
    "DOB\u00a003/04/2010", "birth date 14 Feb 2011", "dob 14th of Feb 2011",
    "date of birth is 14/02/2011", "born on 14 February 2011", "DOB (14/02/11)",
    "born 2011-02-14",
]
_NHS_NUMBERS = [
    "NHS number 943 476 5919", "NHS no. 9434 765 919", "NHS 943-476-5919",
    "NHS 9434765919", "NHS number 401 023 2137", "NHS number 943\u00a0476\u00a05919",
    "NHS number 94347 65919", "NHS no 943\u2013476\u20135919",
]
_NI_NUMBERS = [
    "NI number QQ-12-34-56-C", "NI AB 12 34 56 C", "NI number AB123456C",
    "National Insurance number CE-12-34-56-D", "NINO JG 10 37 59 A", "NI no. ab 12 34 56 c",
    "NI number AB\u00a012\u00a034\u00a056\u00a0C", "NI: WL 65 43 21 B",
]

_KINDS = [("phone", _PHONES), ("email", _EMAILS), ("postcode", _POSTCODES),
          ("date_of_birth", _DATES_OF_BIRTH), ("nhs_number", _NHS_NUMBERS),
          ("ni_number", _NI_NUMBERS)]

# Sentences written whole, with the personal data where partners put it.
_WRITTEN = [
    ("Case study: A (aged 15, DOB 03/04/2010) was referred by her school in March.",
     "date_of_birth"),
    ("Young person 2, born 12.11.2009, disclosed further exploitation in May.", "date_of_birth"),
    ("He gave his address as Flat 3, 12 Acacia Road, SE10 9XX, which we have removed.",
     "postcode"),
    ("Her number 07700 900456 was found on the other young person's phone.", "phone"),
    ("Mum's email is t.jones@example.com if the panel needs to check consent.", "email"),
    ("Text her on 07700-900-789 rather than calling.", "phone"),
    ("Her NHS number (943 476 5919) was shared with CAMHS with consent.", "nhs_number"),
    ("We ran the session at her foster placement in BR1 3QQ.", "postcode"),
    ("The young person (d.o.b. 2009-07-21) now attends the pupil referral unit.",
     "date_of_birth"),
    ("Reach her sister via sis.k (at) gmail (dot) com if she goes missing.", "email"),
    ("His birthday is 21st July 2009 and he wanted to celebrate at the centre.",
     "date_of_birth"),
    ("Police passed on his mobile, +44 7700 900321, at the strategy meeting.", "phone"),
]

PERSONAL: list[tuple[str, str]] = [
    (frame.format(value), kind)
    for kind, values in _KINDS
    for frame, value in zip(_FRAMES * 3, values, strict=False)
] + [(text.format(value), kind)
     for kind, values in _KINDS
     for text, value in zip(["{} is in the file we uploaded.", "Notes say {}."] * 20,
                            values[::2], strict=False)
     ] + _WRITTEN

HARMLESS: list[str] = [
    # dates of events, and cues that do not introduce a date of birth
    "The project was born out of the review, and on 12 June 2024 we began.",
    "The partnership was born from the 2023 needs assessment; on 1 April 2024 it started.",
    "Our youth forum was born in lockdown and met again on 3 March 2026.",
    "The idea was born at the Harrow daily meeting held 14/05/2025.",
    "We celebrated the project's first birthday with a party; the next review is 30/06/2026.",
    "On 3 March 2026 we met the safeguarding lead.",
    "Sessions ran from 7 April 2026 to 26 June 2026.",
    "The panel meets on 15 September 2026 at City Hall.",
    "We submitted the EOI on 2026-01-15 and heard back on 2026-02-20.",
    "The evaluation report is due 31/03/2027.",
    "Training took place on 12th and 19th May 2026.",
    "A born-again approach to outreach started in Q2 2026.",
    "Between 01/04/2026 and 30/06/2026 we ran 12 sessions.",
    "Reporting period: 01/04/2026 - 30/06/2026.",
    "Reporting period 01/07/2026 – 30/09/2026 (Q2).",
    "Period covered: 2026-04-01 to 2026-06-30.",
    "Dates: 01.10.2026 - 31.12.2026.",
    "Quarter 3 ran 1 October 2026 to 31 December 2026.",
    "From 01/01/2027 to 31/03/2027 we expect 40 referrals.",
    "The contract runs 01/04/2025 - 31/03/2028.",
    # week lists and sequences of numbers
    "Group work ran in weeks 1, 2, 3, 4, 5, 6, 7, 8.",
    "Attendance by week: 4, 6, 5, 7, 8, 6, 9, 10, 8, 7, 9, 11.",
    "Weeks 01 02 03 04 05 06 07 08 09 10 were delivered in school.",
    "We delivered sessions 1 2 3 4 5 6 7 8 9 10 11 12 this term.",
    "Sessions per month: 10 12 14 9 11 13 15 10 8 12 14 16.",
    "Referrals by month were 3, 5, 8, 2, 0, 4 and 6.",
    "Cohort sizes 12 14 16 18 20 22 24 26 were planned.",
    "Weekly hours 0 1 2 3 4 5 6 7 8 9 10 were logged.",
    # school years, key stages and ordinals
    "We worked with KS4 1st year pupils in two schools.",
    "Y10 2nd term sessions focused on healthy relationships.",
    "Year 9 3rd set students joined the drama workshop.",
    "KS3 2nd half-term assemblies reached 600 pupils.",
    "Y11 1st mock exams meant fewer sessions in November.",
    "The N1 1st floor room is used for group work.",
    "KS5 3rd cohort started in September.",
    "Year 10 4th period is when the mentor visits.",
    "Y8 2ND TERM PLAN attached.",
    "We moved to the 2nd floor in 2026.",
    # money and percentages
    "A grant of £120,000 over two years.",
    "We spent £45,250.50 on staff this quarter.",
    "The budget line is £1,250,000 for 2026 to 2027.",
    "Costs rose by 12.5% because of London Living Wage uplifts.",
    "94% of young people said they felt safer.",
    "Match funding of £30,000 (25%) comes from the borough.",
    "Direct delivery costs were £0.5m, 40% of the total.",
    "Unit cost per young person is £1,234.56.",
    "We underspent by £2,017.00 in Q1.",
    "Overheads are capped at 10% (£12,000).",
    # reference numbers, codes, years and quarters
    "Grant reference GRT-2025-0001 covers Bexley and Greenwich.",
    "Our EOI CCF-2026-0003 was shortlisted.",
    "See CCF-2026-0012 and GRT-2026-0007 for the linked grants.",
    "Greenwich (E09000011) and Bexley (E09000004) share the worker.",
    "ONS codes E09000013 and E09000022 are in the lists sheet.",
    "Charity number 1123456 and company number 04567890.",
    "Registered charity 1098765, company 07654321.",
    "Invoice INV-2026-00123 was paid on 12 May 2026.",
    "Purchase order 4500123456 raised for the venue.",
    "Our Ofsted URN is 123456.",
    "In 2026 we expanded the service.",
    "Q2 2026 return.",
    "Q1 2026 to 2027 (April to June 2026).",
    "Quarter 4 2026/27 figures are provisional.",
    "FY 2025-26 and FY 2026-27 budgets are attached.",
    "The 2024-2027 strategy sets three priorities.",
    "Q3 2025 to 2026 saw referrals rise.",
    "Between 2019 and 2026 the service grew fivefold.",
    "Data for 2025/26 compared with 2024/25.",
    "Return code 2026-Q1.",
    # counts, ages and groups
    "We worked with 31 young people this quarter.",
    "Young people aged 14 to 17, Year 9 to Year 12.",
    "0.5 FTE youth worker and 1.5 FTE ISVA.",
    "1,234 contacts were logged in the case system.",
    "12 new and 19 continuing young people were supported.",
    "Of 45 referrals, 38 were accepted and 7 signposted.",
    "Age bands 10-12, 13-15, 16-17 and 18-24.",
    "The 16-17 band grew from 8 to 14.",
    "We held 3 x 2 hour sessions for 10-15 year olds.",
    "Ratio of staff to young people is 1:4.",
    "Sessions lasted 90 minutes, 10:00-11:30.",
    "Drop-in runs 4pm-7pm on Tuesdays and Thursdays.",
    "The helpline is open 9-5, Monday to Friday.",
    "Tower Hamlets and Barking and Dagenham.",
    "Most referrals came from SE10 and E1.",
    "Young people in SE2, SE18 and DA17 were reached.",
    "Outreach covered N17, N15 and E17.",
    "The hub is near the A2 and the A205.",
    "We used room B2 on the 3rd floor.",
    "Version 2.3.1 of the case management system went live.",
    "Our phone budget is 12 x £15 a month.",
    "Score 3.5 out of 4 on criterion 2.",
    "Staff completed 120 hours of training in 2026.",
    "Item 1.2.3 of the plan is complete.",
    "Measures 10 000 and 20 000 steps were used in the wellbeing challenge.",
    # helplines and organisations' numbers that are never a young person's
    "We signposted young people to Childline on 0800 1111.",
    "The NSPCC helpline is 0808 800 5000.",
    "Victim Support's line is 0808 168 9111.",
    "Young people can call 116 123 to reach Samaritans.",
    "Our freephone number is 0800 123 4567.",
    "Ring 0300 123 4567 for the council's MASH.",
    "Call 0345 678 9012 for the borough's contact centre.",
    # websites and social media
    "Look at nhs.uk for the sexual health pages.",
    "Visit us at www.example.org for the referral form.",
    "Follow us on @SaferLondon and @StGilesTrust.",
    "Resources are at https://www.gov.uk/guidance.",
    "Meet at 10.30am at school, then travel together.",
    "The project is at the heart of the community dot by dot.",
    "We looked at what works at Barnardo's and at The Children's Society.",
    # narrative prose
    "Recruitment of a second worker took longer than planned.",
    "The Tri-borough trauma pilot with Barnardo's continued.",
    "Harrow's daily partnership meetings helped us act quickly.",
    "The Bexley-Greenwich schools work reached eight secondary schools.",
    "Abianda worked with Islington and Barnet on peer mentoring.",
    "Brent's joined-up data system cut duplicate referrals.",
    "Young people said the drop-in felt safe and friendly.",
    "We held a consultation with 20 young people about session times.",
    "The case study has been anonymised and agreed with the young person.",
    "Two young people moved out of London and were referred on.",
    "Safeguarding supervision happens every 6 weeks.",
    "We trained 45 teachers in spotting signs of exploitation.",
    "Our RAG rating is amber for recruitment and green for delivery.",
    "The ISVA service saw demand rise after the summer.",
    "County lines cases often involve young people served outside their home borough.",
    "We need three more months to recruit a male youth worker.",
    "Parents attended four workshops on online safety.",
    "The NPS and YOS both referred young people this quarter.",
    "A young person told us the service 'saved her life'.",
    "The MASH made 9 referrals and CAMHS made 4.",
    "Staff turnover was low; one worker left in May.",
    "The mentoring scheme matched 14 pairs.",
    "Next quarter we plan a summer programme for 30 young people.",
    "The steering group met three times and agreed the new pathway.",
    "Feedback forms were returned by 80% of participants.",
    "Session plans followed the trauma-informed model.",
    "We delivered the 1st, 2nd and 3rd sessions on schedule.",
    "Three schools joined in the 2nd half of term.",
    "The 4th quarterly meeting was cancelled due to strikes.",
    "Our 10th anniversary event was held in July.",
    "Out of hours cover is provided by the on-call manager.",
    "The board approved the 2026 to 2027 plan on 20 March 2026.",
    "We expect 60 referrals in 2026 and 75 in 2027.",
    "Referral forms are processed within 2 working days.",
    "Each young person receives up to 12 sessions over 6 months.",
    "This EOI asks for £250,000 a year for three years.",
    "The lead commissioner is the London Borough of Greenwich.",
    "Consortium members: St Giles Trust, Safer London and Abianda.",
    "Our theory of change links outreach to reduced missing episodes.",
    "We will report outcomes quarterly using the agreed indicators.",
    "Risk: delays in data sharing agreements with two boroughs.",
    "Mitigation: monthly check-ins with each borough's MASH manager.",
    "The Havens offered forensic and follow-up support.",
    "Demo data is labelled as demonstration data.",
    "Page 3 of 12.",
    "Table 2.1: referrals by borough, 2026.",
    "Figure 4: outcomes at 3, 6 and 12 months.",
    "See annex B, sections 2.4 to 2.7.",
    "Our office hours are 09:00 to 17:30.",
    "The group ran at 17:00-19:00 on 12/05/2026.",
    "Rota: 2 on, 2 off, 3 on.",
    "Question 5 (max 500 words).",
]

# An organisation's own details: refused in a return or EOI, allowed in a service
# description.
CONTACT_DETAILS: list[str] = [
    "Call our office on 020 7946 0018, Monday to Friday, 9am to 5pm.",
    "Email referrals@example.org or ring 0161 496 0000.",
    "We are based at Unit 4, 10 River Street, SE10 9XX.",
    "Referrals: referrals (at) example (dot) org.",
    "Our duty worker's mobile is 07700 900999 during opening hours.",
    "Visit our hub at 2 Station Road, London E1 6AN, or call +44 20 7946 0999.",
    "Write to The Manager, 5 High Street, BR1 1AA.",
    "Contact the team at hello@example.org.uk or on 0121 496 0123.",
]
