"""Reading single cells of an uploaded return."""

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from eoi.returns.spreadsheet.layout import AMOUNT_PROBLEM, NEGATIVE_SPEND, PENCE_PROBLEM

_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_PENNY = Decimal("0.01")
# Excel saves sums it worked out with binary noise (0.1 + 0.2 is saved as
# 0.30000000000000004); an amount this close to a whole penny is that penny.
_NOISE = Decimal("0.000001")


def _decimal(value: Any, *, pounds: bool = False) -> Decimal | None:
    """A number from a cell, None for an empty one. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):  # bool is an int, but TRUE is not a count
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if pounds:
            text = text.removeprefix("£").strip()
        if not _NUMBER.fullmatch(text):
            raise ValueError(value)
        return Decimal(text.replace(",", ""))
    raise ValueError(value)  # a date, a time or anything else openpyxl can return


def _whole_number(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number < 0 or number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _pence(value: Any) -> int | None:
    """Pounds in a cell as exact pence. Raises ValueError with a message to format."""
    try:
        amount = _decimal(value, pounds=True)
        if amount is None:
            return None
        rounded = amount.quantize(_PENNY)
    except (ValueError, InvalidOperation):
        raise ValueError(AMOUNT_PROBLEM) from None
    noise = isinstance(value, float) and abs(rounded - amount) < _NOISE
    if rounded != amount and not noise:
        raise ValueError(PENCE_PROBLEM)
    if rounded < 0:
        raise ValueError(NEGATIVE_SPEND)
    return int(rounded * 100)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normal_name(name: str) -> str:
    """Borough names as people type them: any case, spacing, and '&' for 'and'."""
    return " ".join(name.replace("&", " and ").split()).casefold()


def _quoted(text: str) -> str:
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}…'"
