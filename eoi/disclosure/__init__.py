"""Disclosure control: no figure about young people that leaves MOPAC can be worked back to
a small count, by anyone holding everything published, adding and subtracting.

The method, and why:

- **What is published is one linked set** (`publication.py`). Every table that describes
  the same young people (a return's gender, age, disability and borough tables, their
  totals and the sentence stating the total) and every grant's report with the programme's
  tables for the same quarter are one `Publication`: published figures as sums of the true
  counts underneath, and the equalities an outsider knows hold between them. A figure
  printed in two places is one figure, shown in both or hidden in both.
- **Counts from 1 to 4 are withheld, and more beside them** (`protect.py`): complementary
  suppression chosen jointly over the whole set, not table by table. Every withheld figure
  is printed the same way ("[c]"), so the mark says only that the count is not 0.
- **An integer-programming audit decides** (`audit.py`): the attack an outsider who knows
  the rules would make. For every withheld small count it asks HiGHS (scipy's `milp`) for
  the smallest and largest value consistent with everything published; the set passes only
  when each such range holds at least five values (so it cannot be told from a 5). The
  protection adds withheld figures until the audit passes, and nothing is served that has
  not passed (`quarters.py`).

Rounding (ONS practice) was the alternative. Rounded tables still need the same audit
(rounded cells with rounded margins can pin a cell), and they would misstate every count a
commissioner plans with, so the service publishes exact figures where they are safe and
withholds where they are not.
"""
