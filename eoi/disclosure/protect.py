"""Choose which figures to withhold so the audit passes. Pure.

Start from every count from 1 to 4; for each in turn, while the audit finds an outsider
could narrow it, withhold one more figure beside it (see _beside): the first, smallest
first and cells before totals, that stops the narrowing, so as little is taken from
readers as will do. Withholding every non-zero figure always passes (each is
then only "not 0"), so this ends.
"""

from eoi.disclosure import audit
from eoi.disclosure.publication import FigureKey, Publication

CANDIDATES_TRIED = 1  # per step: each costs one or two solves, and more seldom helped


def protect(publication: Publication) -> frozenset[FigureKey]:
    return protected(publication)[0]


def protected(publication: Publication) -> tuple[frozenset[FigureKey], bool]:
    """What to withhold, and whether the audit passes with it.

    Withholding more only widens what an outsider can say of any count, so a count seen to
    be wide stays wide: each is seen to once, in turn, and when every one was, the audit
    has passed. A publication of up to Neighbourhoods.AUDITED_WHOLE blocks is audited once
    more, whole and exactly. A larger one is not: its audit is of each count's
    neighbourhood, chosen from what is withheld at the time, so a second audit would look
    at other neighbourhoods and could find a count narrow that one sound audit found wide.
    """
    small = sorted((key for key, figure in publication.figures.items()
                    if audit.is_small(figure.value)), key=repr)
    withheld = set(small)
    _no_line_with_one_withheld(publication, withheld)
    every_count_wide = True
    for key in small:
        while audit.exposures(publication, withheld, among=[key]):
            complement = _complement(publication, withheld, key)
            if complement is None:  # nothing left to withhold
                every_count_wide = False
                break
            withheld.add(complement)
    if not audit.Neighbourhoods.of(publication).many:
        every_count_wide = audit.passes(publication, withheld)
    return frozenset(withheld), every_count_wide


def _no_line_with_one_withheld(publication: Publication, withheld: set[FigureKey]) -> None:
    """The classic rule, before any solving: in a line (a total and its parts) a single
    withheld figure is its total less the rest, so withhold the smallest other non-zero
    figure of the line, a part before the total. Most of what the audit would ask for,
    found without it."""
    figures = publication.figures
    changed = True
    while changed:
        changed = False
        for total, parts in publication.lines:
            entries = [*parts, total]
            hidden = [key for key in entries if key in withheld]
            if len(hidden) != 1:
                continue
            others = sorted((key for key in parts if key not in withheld and figures[key].value),
                            key=lambda key: (figures[key].value, repr(key)))
            if not others and total not in withheld and figures[total].value:
                others = [total]
            if others:
                withheld.add(others[0])
                changed = True


def _complement(publication: Publication, withheld: set[FigureKey],
                exposed: FigureKey) -> FigureKey | None:
    candidates = _beside(publication, withheld, publication.figures[exposed].terms)
    for candidate in candidates[:CANDIDATES_TRIED]:
        if not audit.exposures(publication, withheld | {candidate}, among=[exposed]):
            return candidate
    return candidates[0] if candidates else None


def _beside(publication: Publication, withheld: set[FigureKey],
            terms: frozenset[int]) -> list[FigureKey]:
    """Shown, non-zero figures that could be withheld for the figure adding up `terms`:
    first the figures beside it in a sum that holds it (the rest of its row or column,
    here or in a table an outsider knows adds up the same), fewest parts and smallest
    first; then those sums themselves; then, if all those are withheld or 0, any."""
    figures = publication.figures
    blocks = audit.Neighbourhoods.of(publication)
    if blocks.many:  # only what is near: the same rule, in the neighbourhood audited
        nearby = blocks.figures_around(terms, withheld)
        equal = [publication.equal[index] for index in blocks.equal_around(terms)]
    else:
        nearby, equal = list(figures), publication.equal
    holding = [figures[key].terms for key in nearby if terms < figures[key].terms]
    for left, right in equal:  # the other side of a sum known to be the same
        holding += [other for side, other in ((left, right), (right, left)) if terms <= side]
    shown = [key for key in nearby if key not in withheld and figures[key].value]

    def order(key: FigureKey) -> tuple:
        return (len(figures[key].terms), figures[key].value, repr(key))

    beside = sorted((key for key in shown if not figures[key].terms & terms
                     and any(figures[key].terms <= whole for whole in holding)), key=order)
    sums = sorted((key for key in shown if terms < figures[key].terms), key=order)
    return beside + sums or sorted(shown, key=order) or sorted(
        (key for key, f in figures.items() if key not in withheld and f.value), key=order)
