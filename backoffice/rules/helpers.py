"""The functions rule expressions may call. Each one bounds its own work.

Money: ``approx(a, b, tolerance)`` (``"0.01"`` absolute or ``"2%"`` of ``b``), ``money``.
Dates: ``days``, ``weeks``, ``today``, ``date``, ``month``, ``iso_week``, ``weekday``.
Identifiers: ``iban_valid``, ``vat_id_valid`` (python-stdnum checksums), ``compact``.
Text: ``matches``/``find`` (RE2: linear time, no backtracking), ``fuzzy``/``similar``
(rapidfuzz), ``lower``, ``upper``, ``text``, ``join``.
Tables: ``sum``, ``min``, ``max``, ``count``, ``len``, ``any``, ``all``, ``unique``,
``missing``, ``sum_by``; and the matching helpers of :mod:`backoffice.rules.matching`.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Iterable
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from typing import Any

import re2
from rapidfuzz import fuzz, utils
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

from backoffice.rules import matching
from backoffice.rules.values import HelperError, Record, Rows, joined, money, show, tolerance_of

MAX_TEXT = 100_000  # characters a text helper reads
MAX_FUZZY = 1_000  # characters fuzzy matching compares (its work grows with the product)
MAX_PATTERN = 500
CENT = Decimal("0.01")


# -- money ---------------------------------------------------------------------------------------
def approx(a: Any, b: Any, tolerance: Any = CENT) -> bool:
    """True when ``a`` and ``b`` differ by at most ``tolerance`` (default one cent)."""
    if a is None or b is None:
        raise TypeError("approx() needs two amounts")
    a, b = money(a), money(b)
    return abs(a - b) <= tolerance_of(tolerance, b)


# -- dates ---------------------------------------------------------------------------------------
def days(n: Any) -> timedelta:
    return timedelta(days=int(n))


def weeks(n: Any) -> timedelta:
    return timedelta(weeks=int(n))


def date(text: Any) -> Date:
    """An ISO date: ``date('2024-12-31')``."""
    if isinstance(text, Date):
        return text
    try:
        return Date.fromisoformat(str(text))
    except ValueError:
        raise HelperError(f"not an ISO date (YYYY-MM-DD): {show(text)}") from None


def _each(value: Any, one) -> Any:
    def checked(day: Any) -> Any:
        if day is None:
            return None
        if not isinstance(day, Date):
            raise TypeError(f"not a date: {show(day)}")
        return one(day)

    return [checked(v) for v in value] if isinstance(value, (list, tuple)) else checked(value)


def month(value: Any) -> Any:
    """``"2024-03"`` for a date (or a list of them)."""
    return _each(value, lambda d: f"{d.year:04d}-{d.month:02d}")


def iso_week(value: Any) -> Any:
    """``"2024-W09"`` for a date (or a list of them): weeks run Monday to Sunday."""
    return _each(value, lambda d: "{:04d}-W{:02d}".format(*d.isocalendar()[:2]))


def weekday(value: Any) -> Any:
    """1 for Monday .. 7 for Sunday, for a date (or a list of them)."""
    return _each(value, lambda d: d.isoweekday())


# -- identifiers ---------------------------------------------------------------------------------
# The tax's name some countries print after a VAT id's digits (CHE-116.281.710 MWST, NO 994 158 988 MVA):
# the same number whether a vendor table holds it with the name or without.
_TAX_SUFFIXES = ("MWST", "TVA", "IVA", "TPV", "MVA")


def compact(value: Any) -> str | None:
    """Upper case without spaces, dots, dashes or slashes, and without a tax's name after the
    digits (``CHE-116.281.710 MWST`` → ``CHE116281710``): compares IBANs and VAT ids."""
    if value is None:
        return None
    text = _unspaced(value)
    for suffix in _TAX_SUFFIXES:
        number = text.removesuffix(suffix)
        if number != text and number[-1:].isdigit():
            return number
    return text


def iban_valid(value: Any) -> bool:
    """The IBAN's length, format for its country and check digits are right (python-stdnum)."""
    return value is not None and stdnum_iban.is_valid(_text(value)[:64])


def _unspaced(value: Any) -> str:
    return "".join(ch for ch in _text(value) if ch not in " .-/\t").upper()


def vat_id_valid(value: Any) -> bool:
    """The VAT id's checksum is right for its country prefix (EU, GB, CH, NO and others)."""
    number = _unspaced(value) if value is not None else None  # CH and NO ids keep their MWST, MVA
    if not number or len(number) > 20:
        return False
    if eu_vat.is_valid(number):
        return True
    try:
        module = get_cc_module(number[:2].lower(), "vat")
    except (ImportError, ValueError):
        return False
    if module is None:
        return False
    try:
        module.validate(number)
    except StdnumError:
        try:
            module.validate(number[2:])
        except StdnumError:
            return False
    return True


# -- text ----------------------------------------------------------------------------------------
def _text(value: Any, limit: int = MAX_TEXT) -> str:
    text = value if isinstance(value, str) else show(value)
    if len(text) > limit:
        raise HelperError(f"text longer than {limit} characters")
    return text


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.max_mem = 8 << 20


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str):
    """An RE2 pattern (no backreferences or lookaround: matching time is linear)."""
    if not isinstance(pattern, str):
        raise HelperError("a pattern must be text")
    if len(pattern) > MAX_PATTERN:
        raise HelperError(f"a pattern longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise HelperError(f"bad pattern {pattern!r}: {detail}") from None


def matches(value: Any, pattern: str) -> bool:
    """True when the pattern is found in the text (anchor it with ^ and $ to match it whole)."""
    return value is not None and compile_pattern(pattern).search(_text(value)) is not None


def find(value: Any, pattern: str) -> str | None:
    """The pattern's first group (or the whole match) in the text, else None."""
    if value is None:
        return None
    found = compile_pattern(pattern).search(_text(value))
    if found is None:
        return None
    return found.group(1) if found.re.groups else found.group(0)


def fuzzy(a: Any, b: Any) -> Decimal:
    """How alike two texts are, 0-100, ignoring case, punctuation and word order (rapidfuzz)."""
    if a is None or b is None:
        raise TypeError("fuzzy() needs two texts")
    score = fuzz.token_sort_ratio(_text(a, MAX_FUZZY), _text(b, MAX_FUZZY), processor=utils.default_process)
    return Decimal(str(round(score, 1)))


def similar(a: Any, b: Any, score: Any = 90) -> bool:
    """True when ``fuzzy(a, b) >= score``."""
    return fuzzy(a, b) >= Decimal(str(score))


def lower(value: Any) -> str | None:
    return None if value is None else _text(value).lower()


def upper(value: Any) -> str | None:
    return None if value is None else _text(value).upper()


def text(value: Any) -> str:
    return show(value)


def join(values: Iterable[Any], separator: str = ", ") -> str:
    """The values as text, ``", "`` between them (for messages)."""
    if not isinstance(separator, str):
        raise TypeError("join() takes text as its separator")
    if isinstance(values, str) or not isinstance(values, Iterable) or isinstance(values, Record):
        return _text(show(values))  # one value (a number, a date, a row) is shown as it is
    return _text(joined((show(v) for v in values), separator, MAX_TEXT))


# -- tables --------------------------------------------------------------------------------------
def _present(values: Iterable[Any], helper: str) -> list[Any]:
    values = list(values)
    if any(v is None for v in values):
        raise TypeError(f"{helper}() over values of which some are missing")
    return values


def total(values: Iterable[Any], start: Any = 0) -> Any:
    """The sum; a missing value is an error (a line without an amount is not zero)."""
    return builtins.sum(_present(values, "sum"), start)


def smallest(*values: Any) -> Any:
    items = values[0] if len(values) == 1 else values
    return builtins.min(_present(items, "min"))


def largest(*values: Any) -> Any:
    items = values[0] if len(values) == 1 else values
    return builtins.max(_present(items, "max"))


def count(values: Iterable[Any], value: Any = None) -> int:
    """How many values there are (or how many equal ``value``)."""
    values = list(values)
    return len(values) if value is None else builtins.sum(1 for v in values if v == value)


def unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def missing(values: Iterable[Any], known: Iterable[Any]) -> list[Any]:
    """The values not among ``known`` (compared ignoring case and spacing), each once."""
    have = {_key(k) for k in known}
    return [v for v in unique(values) if v is not None and _key(v) not in have]


def _key(value: Any) -> Any:
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def sum_by(keys: Iterable[Any], values: Iterable[Any]) -> Rows:
    """Totals per key: ``sum_by(lines.date, lines.hours)`` is a table with ``key`` and ``total``.

    ``max(sum_by(lines.date, lines.hours).total) <= 24`` checks every day.
    """
    keys, values = list(keys), list(values)
    if len(keys) != len(values):
        raise HelperError("sum_by() needs as many keys as values")
    totals: dict[Any, Any] = {}
    for key, value in zip(keys, values, strict=True):
        if value is None:
            raise TypeError("sum_by() over values of which some are missing")
        totals[key] = totals.get(key, 0) + value
    return Rows((Record({"key": k, "total": t}, show(k)) for k, t in totals.items()), ("key", "total"))


HELPERS: dict[str, Any] = {
    "approx": approx, "money": money, "days": days, "weeks": weeks, "date": date, "month": month,
    "iso_week": iso_week, "weekday": weekday, "compact": compact, "iban_valid": iban_valid,
    "vat_id_valid": vat_id_valid, "matches": matches, "find": find, "fuzzy": fuzzy, "similar": similar,
    "lower": lower, "upper": upper, "text": text, "join": join, "sum": total, "min": smallest,
    "max": largest, "count": count, "len": len, "any": any, "all": all, "abs": abs, "round": round,
    "unique": unique, "missing": missing, "sum_by": sum_by, "list": list, "set": set,
    "po_mismatches": matching.po_mismatches, "price_mismatches": matching.price_mismatches,
}  # fmt: skip
"""Every helper by the name expressions call it. ``today`` is added per evaluation."""

PATTERN_ARGUMENTS = {"matches": 1, "find": 1}
"""Helpers whose argument at this index is a pattern, checked when the file is loaded."""
