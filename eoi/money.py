"""Money is integer pence everywhere; these turn it into words and back."""

import re
from datetime import date
from typing import TypeVar

_AMOUNT = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def format_pence(pence: int | None) -> str:
    """'£12,500' or '£12,500.50'; negative amounts keep their sign before the pound."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}" + (f".{remainder:02d}" if remainder else "")


def parse_pounds(text: str) -> int:
    """'£12,500', '12500' or '12500.5' -> pence. Raises ValueError for anything else."""
    cleaned = text.strip().replace(" ", "")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise ValueError(text)
    pounds = int(match.group(1).replace(",", ""))
    fraction = (match.group(3) or ".")[1:].ljust(2, "0")
    return pounds * 100 + int(fraction or 0)


def financial_year_of(day: date) -> int:
    """The starting year of the financial year (1 April to 31 March) holding `day`."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year} to {start_year + 1}"


def financial_years_label(first: int, last: int) -> str:
    """A span of financial years: "2026 to 2027" for one; for more, the months it runs,
    "April 2026 to March 2029 (3 financial years)", where chaining the years' own labels
    would read "2026 to 2027 to 2028 to 2029"."""
    if last == first:
        return financial_year_label(first)
    return f"April {first} to March {last + 1} ({last - first + 1} financial years)"


Share = TypeVar("Share", int, str)  # what is shared out to: years, categories, rows


def share_out(total: int, weights: dict[Share, int]) -> dict[Share, int]:
    """`total` split in proportion to `weights`, in whole pence adding up exactly to it
    (largest remainders get the odd pence)."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        return {}
    shares = {key: total * weight // weight_sum for key, weight in weights.items()}
    left = total - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares
