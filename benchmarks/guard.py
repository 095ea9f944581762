"""The privacy guard over a megabyte of the worst text we know for each pattern."""

from benchmarks.worst_cases import worst_texts
from eoi.returns.privacy import find_personal_data

TARGET_SECONDS = 1.0


def guard_over_worst_texts(measure) -> None:
    find_personal_data("٣")  # the table of Unicode digits is built once, on first need
    for name, text in worst_texts(1_000_000).items():
        measure(f"Privacy guard, 1 MB of {name}", TARGET_SECONDS,
                lambda text=text: find_personal_data(text))
