"""Reading single cells: of an uploaded return, and of any workbook as a person sees them."""

import math
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
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


class BelowZero(ValueError):
    """A whole number that is negative: told apart from one that is not a whole number."""


def _whole_number(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(value)
    if number < 0:
        raise BelowZero(value)
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


# Cells as a person sees them -----------------------------------------------------------------
# The privacy guard reads a cell as it displays, not as it is stored: a date of birth typed
# into a date cell is stored as 40271 and shows as 03/04/2010, and a phone number formatted
# "00000 000000" is stored as 7700900123 and shows as 07700 900123.


def displayed(value: Any, number_format: str = "General", *, epoch: Any = None) -> str:
    """A cell's value as Excel or LibreOffice would show it, near enough for the guard:
    dates day first (as in the UK), numbers in a format of digits laid out as it lays them
    out, other numbers plainly. `epoch` is the workbook's date system (1900 unless given)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return ""
        from openpyxl.styles.numbers import is_date_format  # here: see the package's note
        from openpyxl.utils.datetime import from_excel

        if is_date_format(number_format) and 0 < value < _LAST_SERIAL:
            day = from_excel(value, **({"epoch": epoch} if epoch else {}))
            if isinstance(day, datetime | date):
                return day.strftime("%d/%m/%Y")
        if laid_out := _digits_laid_out(value, number_format):
            return laid_out
        return str(int(value)) if float(value).is_integer() else repr(value)
    return str(value)


_LAST_SERIAL = 2_958_466  # 31 December 9999
# The parts of a number format that are not placeholders for digits.
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _digits_laid_out(value: float, number_format: str) -> str | None:
    """A whole number in a format made only of digit placeholders ("0", "#") and literal
    characters ("00000 000000", "(000) 0000 0000", "0000000000"), as that format shows it;
    None for any other format."""
    pieces = _layout(number_format)
    if pieces is None or value < 0 or not float(value).is_integer():
        return None
    digits = list(str(int(value)))
    out = []
    for piece in reversed(pieces):
        if piece in ("0", "#"):
            out.append(digits.pop() if digits else ("0" if piece == "0" else ""))
        else:
            out.append(piece[1:])
    return "".join(digits) + "".join(reversed(out))


@lru_cache(maxsize=256)
def _layout(number_format: str) -> tuple[str, ...] | None:
    """The format's digit placeholders and (each after a NUL) literal characters, in order,
    or None when it is not a format of digits alone. (Python's `re` here reads one
    quoted, escaped or bracketed piece at a time, never backtracking.)"""
    section = number_format[:100].split(";", 1)[0]
    plain = _QUOTED.sub("", section)
    if "0" not in plain or any(character.isalpha() or character in ".,%?@*_"
                               for character in plain):
        return None
    pieces = []
    for match in _PIECE.finditer(section):
        quoted, escaped, other = match.groups()
        if other in ("0", "#"):
            pieces.append(other)
        else:
            pieces.append("\x00" + (quoted or escaped or other or ""))
    return tuple(pieces)


_PIECE = re.compile(r'"([^"]*)"|\\(.)|\[[^\]]*\]|(.)')
