"""Which police structures a consortium spans, in words commissioners can act on."""

from dataclasses import dataclass

from eoi.formatting import and_list
from eoi.reference.models import BasicCommandUnit, LocalAuthority


@dataclass
class BcuSpan:
    bcu: BasicCommandUnit
    members: list[LocalAuthority]
    outside: list[LocalAuthority]

    @property
    def is_split(self) -> bool:
        return bool(self.outside)


def bcu_spans(boroughs: list[LocalAuthority]) -> list[BcuSpan]:
    by_bcu: dict[int, BasicCommandUnit] = {b.bcu.id: b.bcu for b in boroughs if b.bcu}
    member_ids = {b.id for b in boroughs}
    return [
        BcuSpan(
            bcu=bcu,
            members=[la for la in bcu.local_authorities if la.id in member_ids],
            outside=[la for la in bcu.local_authorities if la.id not in member_ids],
        )
        for bcu in sorted(by_bcu.values(), key=lambda bcu: bcu.name)
    ]


def span_warnings(boroughs: list[LocalAuthority]) -> list[str]:
    """E.g. 'Bexley and Greenwich are in the South East BCU; Lewisham, also in it, is not a
    member.' One line per split BCU, and one if the consortium spans several BCUs."""
    spans = bcu_spans(boroughs)
    warnings = []
    for span in spans:
        if span.is_split:
            names = [la.name for la in span.members]
            outside = [la.name for la in span.outside]
            verb = "is" if len(names) == 1 else "are"
            warnings.append(
                f"{and_list(names)} {verb} in the {span.bcu.name} BCU; {and_list(outside)}, "
                f"also in it, {'is not a member' if len(outside) == 1 else 'are not members'}."
            )
    if len(spans) > 1:
        warnings.append(
            f"This consortium spans {len(spans)} BCUs: "
            f"{and_list([span.bcu.name for span in spans])}."
        )
    if any(b.bcu is None for b in boroughs):
        warnings.append("The City of London is policed by the City of London Police, not the "
                        "Metropolitan Police.")
    return warnings
