"""A line-item table learned from the lines a person corrected or confirmed, and read again on
the next document of the layout.

Learning (:func:`learn_table`): each line of the final document is found on a row of the page
(its amount, and its other values where they are printed); the x-range its values of each line
field took is that field's column, and the row above the first item is the table's header.

Reading (:func:`read_table`): the header is found again (its words as OCR reads them will do,
see :func:`~backoffice.learning.locate.same_label`), the columns are moved by as much as the
header moved, and every row below is cut into the columns (each word goes to the column whose
zone holds its middle; a zone reaches halfway to the next column). A row with an amount in the
amount column is an item, a row with only a description continues the item above, and the table
ends at a totals label (the layout's own, or one the reader knows), a row that is neither, or a
wide gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

import numpy as np

from backoffice.documents import labels
from backoffice.documents.layout import union
from backoffice.documents.models import INVOICE_LINE_FIELDS, BBox, Field
from backoffice.documents.normalise import format_amount, format_quantity, parse_amount, parse_date
from backoffice.documents.pdf import Word
from backoffice.learning.layout import TableRule
from backoffice.learning.locate import decimal_mark, lines, normalised, same, same_label, word_key

KEY = "amount"  # a row is an item when this column holds a number
MAX_SKIPPED = 3  # rows between the header and the first item (a second header line, a note)
GAP_ROWS = 4.0  # a gap of this many row heights ends the table
HEADER_MATCH = 0.6  # share of the learned header's words a row must show to be the header
TOTALS = {"net_total", "tax_total", "grand_total", "amount_due", "discount_total", "previous_balance"}
LEARNED_CONFIDENCE = 0.9
HEADER_DRIFT = 40.0  # points; how far from its learned place a scan's header is looked for
MAX_SLOPE = 0.05  # about 3 degrees: a steeper header is another row, not a tilt


def _kind(name: str) -> str:
    return INVOICE_LINE_FIELDS.get(name, "text")


def _runs(row: list[Word], name: str, value: str) -> list[tuple[BBox, str]]:
    """The runs of words of one row that read as ``value`` (with the decimal mark they show)."""
    kind = _kind(name)
    found = []
    wanted = " ".join(value.split()).casefold()
    for start in range(len(row)):
        for end in range(start + 1, len(row) + 1):
            run = row[start:end]
            text = " ".join(w.text for w in run)
            if kind == "text":
                # A description may go on over the next rows: its first words on this one will do.
                if wanted.startswith(text.casefold()) and (text.casefold() == wanted or len(text) >= 3):
                    found.append((union(run), ""))
                continue
            if end - start > 4:
                break
            for hint in (".", ",", "") if kind == "money" else ("",):
                if same(name, normalised(name, text, hint, kind), value, kind):
                    found.append((union(run), decimal_mark(text) or ""))
                    break
    if kind == "text" and found:  # the longest run that starts the description, only
        found.sort(key=lambda entry: entry[0][0] - entry[0][2])
        return found[:1]
    return found


def _resolve(candidates: dict[str, list[tuple[BBox, str]]]) -> dict[str, tuple[BBox, str]]:
    """One run per field, no run for two fields: fields with a single run first (an amount and
    a unit price of one item both read ``50.00``: each takes the run the other did not)."""
    chosen: dict[str, tuple[BBox, str]] = {}
    left = {name: list(runs) for name, runs in candidates.items() if runs}
    while left:
        name = min(left, key=lambda n: len(left[n]))
        runs = left.pop(name)
        if len(runs) > 1 and name == KEY:
            runs = sorted(runs, key=lambda r: -r[0][0])  # of several, the amount is the right-most
        chosen[name] = runs[0]
        for other in left.values():
            other[:] = [r for r in other if not _overlaps(r[0], runs[0][0])]
        left = {n: r for n, r in left.items() if r}
    return chosen


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def learn_table(
    items: Sequence[dict[str, Field]], words: Sequence[Word], page: int, corrected: bool
) -> TableRule | None:
    """The table the document's line ``items`` were printed in on one page's ``words``, or None
    when fewer than one item (with its amount) is found there."""
    slope = page_slope(words)
    if slope:  # taught from a scan left a little tilted: level it, or its rows break into pieces
        words = [_level(w, slope, 0.0) for w in words]
    rows = lines(words)
    matched: list[tuple[int, dict[str, tuple[BBox, str]]]] = []
    position = 0
    for item in items:
        values = {n: f.value for n, f in item.items() if f.value and n in INVOICE_LINE_FIELDS}
        if KEY not in values:
            continue
        for index in range(position, len(rows)):
            found = _resolve({name: _runs(rows[index], name, value) for name, value in values.items()})
            if KEY in found and len(found) >= min(2, len(values)):
                matched.append((index, found))
                position = index + 1
                break
    if not matched:
        return None
    columns: dict[str, tuple[float, float]] = {}
    marks = set()
    for _, found in matched:
        for name, (box, mark) in found.items():
            x0, x1 = columns.get(name, (box[0], box[2]))
            columns[name] = (min(x0, box[0]), max(x1, box[2]))
            if mark and _kind(name) == "money":
                marks.add(mark)
    first = matched[0][0]
    header, header_box = "", None
    if first > 0:
        above, row = rows[first - 1], rows[first]
        height = max(row[0].bottom - row[0].top, 6.0)
        lettered = [w for w in above if any(ch.isalpha() for ch in w.text)]
        if row[0].top - above[0].bottom <= 3 * height and len(lettered) >= 2 and len(lettered) * 2 >= len(above):
            header, header_box = " ".join(w.text for w in above), union(above)
    return TableRule(
        page,
        columns,
        header,
        header_box,
        rows[first][0].top,
        marks.pop() if len(marks) == 1 else "",
        corrected,
    )


def _find_header(rows: list[list[Word]], rule: TableRule) -> int | None:
    """The index of the row that reads as the learned header, nearest where it was learned."""
    wanted = [word_key(t) for t in rule.header.split()]
    wanted = [w for w in wanted if w]
    if not wanted or rule.header_box is None:
        return None
    best: tuple[float, float, int] | None = None
    for index, row in enumerate(rows):
        keys = [word_key(w.text) for w in row]
        shown = sum(1 for w in wanted if w in keys or any(same_label([k], [w]) for k in keys))
        share = shown / len(wanted)
        if share < HEADER_MATCH:
            continue
        distance = abs(row[0].top - rule.header_box[1])
        if best is None or (-share, distance) < (-best[0], best[1]):
            best = (share, distance, index)
    return best[2] if best else None


def _header_slope(words: Sequence[Word], rule: TableRule) -> float:
    """How much the page's lines rise or fall per point across (a scan's leftover tilt), from
    the learned header's words found near where it was: 0.0 when it cannot tell."""
    if not rule.header or rule.header_box is None:
        return 0.0
    wanted = {word_key(t) for t in rule.header.split()} - {""}
    near = [w for w in words if abs(w.top - rule.header_box[1]) <= HEADER_DRIFT and word_key(w.text) in wanted]
    chosen: dict[str, Word] = {}
    for word in near:
        key = word_key(word.text)
        if key not in chosen or abs(word.top - rule.header_box[1]) < abs(chosen[key].top - rule.header_box[1]):
            chosen[key] = word
    points = [((w.x0 + w.x1) / 2, (w.top + w.bottom) / 2) for w in chosen.values()]
    if len(points) < 2 or max(x for x, _ in points) - min(x for x, _ in points) < 100:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return slope if 0.002 <= abs(slope) <= MAX_SLOPE else 0.0


def page_slope(words: Sequence[Word]) -> float:
    """A page's leftover tilt (rise per point across), by projection: of the slopes up to
    :data:`MAX_SLOPE`, the one along which the words' middles fall into the fewest, fullest
    1.5-point bands; 0.0 for a straight page (or too few words to tell)."""
    if len(words) < 10:
        return 0.0
    xs = np.array([(w.x0 + w.x1) / 2 for w in words])
    ys = np.array([(w.top + w.bottom) / 2 for w in words])

    def sharpness(slope: float) -> float:
        levelled = ys - slope * xs
        counts = np.bincount(((levelled - levelled.min()) / 1.5).astype(np.int64))
        return float((counts.astype(np.float64) ** 2).sum())

    straight = sharpness(0.0)
    score, slope = max((sharpness(float(s)), float(s)) for s in np.linspace(-MAX_SLOPE, MAX_SLOPE, 101))
    return slope if abs(slope) >= 0.002 and score > straight * 1.2 else 0.0


def _level(word: Word, slope: float, middle: float) -> Word:
    """The word where it would be on a straight page (turned about ``middle``)."""
    shift = slope * ((word.x0 + word.x1) / 2 - middle)
    return replace(word, top=word.top - shift, bottom=word.bottom - shift)


def _zones(columns: dict[str, tuple[float, float]]) -> list[tuple[str, float, float]]:
    """Each column's zone: its span widened halfway to its neighbours (the outer ones 60 points)."""
    ordered = sorted(columns.items(), key=lambda item: (item[1][0] + item[1][1]) / 2)
    zones = []
    for index, (name, (x0, x1)) in enumerate(ordered):
        left = (ordered[index - 1][1][1] + x0) / 2 if index else x0 - 60
        right = (x1 + ordered[index + 1][1][0]) / 2 if index + 1 < len(ordered) else x1 + 60
        zones.append((name, min(left, x0), max(right, x1)))
    return zones


def _stop(row: list[Word], stops: Iterable[str]) -> bool:
    """Whether a row opens with a totals label (one the layout learned, or one the reader knows)."""
    texts = [w.text for w in row]
    for label in stops:
        size = len(label.split())
        if size and len(texts) >= size and same_label(texts[:size], label.split()):
            return True
    for size in (4, 3, 2, 1):
        if len(texts) >= size:
            found = labels.match(" ".join(texts[:size]))
            if found and any(name in TOTALS for name, _ in found):
                return True
    return False


def _value(name: str, cell: list[Word], hint: str) -> tuple[str, list[Word]] | None:
    """The cell's value as the document holds field ``name``, with the words it was read from."""
    if not cell:
        return None
    kind = _kind(name)
    if kind == "money":
        for end in range(len(cell), 0, -1):  # a unit or a currency after the number is left out
            for start in range(end):
                amount = parse_amount(" ".join(w.text for w in cell[start:end]), hint or None)
                if amount is not None:
                    text = format_quantity(amount) if name == "quantity" else format_amount(amount)
                    return text, cell[start:end]
        return None
    if kind == "date":
        for start in range(len(cell)):
            found = parse_date(" ".join(w.text for w in cell[start:]), day_first=True)
            if found:
                return found.isoformat(), cell[start:]
        return None
    return " ".join(w.text for w in cell), cell


def read_table(words: Sequence[Word], rule: TableRule, stops: Iterable[str] = ()) -> list[dict[str, Field]]:
    """The line items printed where ``rule`` says on one page's ``words``; [] when the learned
    header is not on the page or no item is below it."""
    slope = _header_slope(words, rule)
    if not slope and any(w.conf < 1.0 for w in words):  # OCR'd, and the header could not tell
        slope = page_slope(words)
    if slope:  # a scan left a little tilted: rows across the page would break into pieces
        middle = (rule.header_box[0] + rule.header_box[2]) / 2 if rule.header_box else 0.0
        words = [_level(w, slope, middle) for w in words]
    rows = lines(words)
    dx = dy = 0.0
    if rule.header:
        header = _find_header(rows, rule)
        if header is None or rule.header_box is None:
            return []
        dx = min(w.x0 for w in rows[header]) - rule.header_box[0]
        dy = rows[header][0].top - rule.header_box[1]
        start = header + 1
    else:
        start = next((i for i, row in enumerate(rows) if row[0].top >= rule.first_row - 3), len(rows))
    # The header row's left edge moves with a longer first heading too: trust it only when the
    # learned columns, moved, still meet the words of the first rows.
    zones = [(name, x0 + dx, x1 + dx) for name, x0, x1 in _zones(rule.columns)]
    spans = {name: (x0 + dx, x1 + dx) for name, (x0, x1) in rule.columns.items()}
    stops = list(stops)
    items: list[dict[str, Field]] = []
    previous_bottom = rows[start - 1][-1].bottom if start else rule.first_row + dy
    skipped = 0
    for row in rows[start:]:
        height = max(row[0].bottom - row[0].top, 6.0)
        if row[0].top - previous_bottom > GAP_ROWS * height and (items or skipped >= MAX_SKIPPED):
            break
        if _stop(row, stops):
            break
        cells: dict[str, list[Word]] = {}
        for word in row:
            middle = (word.x0 + word.x1) / 2
            zone = next((name for name, x0, x1 in zones if x0 <= middle <= x1), None)
            if zone is not None:
                cells.setdefault(zone, []).append(word)
        cells = {name: _nearest_run(cell, spans[name]) for name, cell in cells.items()}
        amount = _value(KEY, cells.get(KEY, []), rule.hint)
        if amount is not None:
            item = {}
            for name, cell in cells.items():
                found = amount if name == KEY else _value(name, cell, rule.hint)
                if found is not None:
                    value, taken = found
                    text = " ".join(w.text for w in taken)
                    item[name] = Field(value, LEARNED_CONFIDENCE, taken[0].page, union(taken), text, "learned")
            _quantity_from_prices(item)
            items.append(item)
        elif items and set(cells) == {"description"} and row[0].top - previous_bottom <= 1.5 * height:
            _continue(items[-1], cells["description"])
        elif items:
            break
        else:
            skipped += 1
            if skipped > MAX_SKIPPED:
                break
        previous_bottom = row[-1].bottom
    return items


def _nearest_run(cell: list[Word], span: tuple[float, float]) -> list[Word]:
    """Of the runs of words in a cell (parted by gaps wider than a word's height), the one that
    overlaps the column's learned span most: a number of a column the table was not taught
    (OCR lost it on the page that taught it) is not read as part of its neighbour's value."""
    if len(cell) < 2:
        return cell
    runs: list[list[Word]] = [[cell[0]]]
    for word in cell[1:]:
        last = runs[-1][-1]
        if word.x0 - last.x1 > max(last.bottom - last.top, 4.0):
            runs.append([word])
        else:
            runs[-1].append(word)
    if len(runs) == 1:
        return cell

    def overlap(run: list[Word]) -> tuple[float, float]:
        x0, x1 = run[0].x0, run[-1].x1
        shared = min(x1, span[1]) - max(x0, span[0])
        return shared, -abs((x0 + x1) / 2 - (span[0] + span[1]) / 2)

    return max(runs, key=overlap)


def _quantity_from_prices(item: dict[str, Field]) -> None:
    """A quantity the page lost (OCR drops a short number standing alone in its column more than
    any other word, so a table learned from a scan may know no quantity column): the amount over
    the unit price, when that is a whole number."""
    if "quantity" in item or "unit_price" not in item or KEY not in item:
        return
    try:
        price, amount = Decimal(item["unit_price"].value), Decimal(item[KEY].value)
        quantity = (amount / price).quantize(Decimal("0.001")) if price else None
    except ArithmeticError:
        return
    if quantity is not None and quantity > 0 and quantity == quantity.to_integral_value():
        item["quantity"] = Field(format_quantity(quantity), 0.6, None, None, "", "computed")


def _continue(item: dict[str, Field], cell: list[Word]) -> None:
    text = " ".join(w.text for w in cell)
    old = item.get("description")
    if old is None:
        item["description"] = Field(text, LEARNED_CONFIDENCE, cell[0].page, union(cell), text, "learned")
        return
    box = old.bbox or union(cell)
    box = (min(box[0], *(w.x0 for w in cell)), box[1], max(box[2], *(w.x1 for w in cell)), max(w.bottom for w in cell))
    item["description"] = Field(f"{old.value} {text}", old.confidence, old.page, box, f"{old.text}\n{text}", "learned")


def summary(items: Sequence[dict[str, Field]]) -> str:
    """Lines in a few words, for a review note: ``3 lines, amounts 10.00, 20.00, 5.50``."""
    amounts = [item[KEY].value for item in items if KEY in item]
    shown = ", ".join(amounts[:6]) + (", ..." if len(amounts) > 6 else "")
    return f"{len(items)} line{'s' if len(items) != 1 else ''}" + (f", amounts {shown}" if amounts else "")


def same_lines(a: Sequence[dict[str, Field]], b: Sequence[dict[str, Field]]) -> bool:
    """Whether two readings of a table agree: as many items, each with the same values where
    both read the field."""
    if len(a) != len(b):
        return False
    for one, other in zip(a, b, strict=True):
        for name in set(one) & set(other):
            kind = _kind(name)
            if kind == "money":
                try:
                    if Decimal(one[name].value) != Decimal(other[name].value):
                        return False
                except ArithmeticError:
                    return False
            elif " ".join(one[name].value.split()).casefold() != " ".join(other[name].value.split()).casefold():
                return False
    return True
