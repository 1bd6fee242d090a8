"""Allocation planning: which warehouses serve a set of demand lines for a destination, and why (no writes).

Pure logic on plain values: callers (``inventory.services.allocation``) read and lock the stock, pass the
availability in, and act on the plan. The one read it may need, each warehouse's load today, is a
function the caller passes in (``today_load``), asked only when load breaks a tie.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from inventory.models import Warehouse
from inventory.regions import normalise_region, normalise_regions
from oms.notes import note, note_param

LoadCounter = Callable[[list[int]], dict[int, int]]
Assignment = tuple[int, int, int]  # (line index, warehouse id, quantity)


@dataclass(frozen=True)
class DemandLine:
    """One order line's need: ``ref`` is a plain demand reference such as ``"order-line:123"``."""

    ref: str
    sku_id: int
    quantity: int


@dataclass
class _Candidate:
    warehouse: Warehouse
    region_match: bool
    available: dict[int, int]  # sku_id -> available units
    today: int | None = None  # active reservations made today (load), computed only when it decides
    fills: list[int] = field(default_factory=list)  # indexes of lines it can fill on its own

    @property
    def load(self) -> float | None:
        if self.today is None:
            return None
        return round(self.today / max(self.warehouse.daily_capacity, 1), 4)

    def rank(self) -> tuple:
        return (not self.region_match, self.warehouse.priority, self.load or 0.0, self.warehouse.code)


@dataclass
class _Decision:
    """What the planner chose: the kind of decision, the assignments, the warehouses, a reason for each."""

    decision: str
    assignments: list[Assignment] = field(default_factory=list)
    chosen: list[_Candidate] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)


def _fillable(lines: list[DemandLine], indexes: list[int], available: dict[int, int]) -> list[int]:
    """Lines (in order) a warehouse can fill whole with ``available``, counting the same SKU only once."""
    left = dict(available)
    filled = []
    for i in indexes:
        line = lines[i]
        if left.get(line.sku_id, 0) >= line.quantity:
            left[line.sku_id] -= line.quantity
            filled.append(i)
    return filled


def _fill_loads(candidates: list[_Candidate], today_load: LoadCounter) -> None:
    missing = [c for c in candidates if c.today is None]
    if missing:
        loads = today_load([c.warehouse.pk for c in missing])
        for c in missing:
            c.today = loads[c.warehouse.pk]


def _resolve_ties(ranked: list[_Candidate], today_load: LoadCounter) -> None:
    """Load only decides between candidates equal on region match and priority: count it only then."""
    if len(ranked) >= 2 and ranked[0].rank()[:2] == ranked[1].rank()[:2]:
        _fill_loads([c for c in ranked if c.rank()[:2] == ranked[0].rank()[:2]], today_load)


def _plan(
    *,
    lines: list[DemandLine],
    province: str,
    warehouses: list[Warehouse],
    available: dict[tuple[int, int], int],
    sku_codes: dict[int, str],
    today_load: LoadCounter,
) -> tuple[list[Assignment], dict, dict[int, int]]:
    """Decide where each line is served from. Returns (assignments, explanation, short).

    ``assignments`` are (line index, warehouse id, quantity); empty when something is short.
    ``today_load`` counts each warehouse's reservations made today, asked only when load breaks a tie.
    """
    province = normalise_region(province)
    candidates = _candidates(lines=lines, province=province, warehouses=warehouses, available=available)
    short = _shortages(lines, available)
    if short:
        decided = _Decision(decision="backorder")
        for c in candidates:
            decided.reasons[c.warehouse.pk] = note("inventory.nothing_anywhere")
    else:
        decided = _decide(lines, candidates, today_load)
        _explain_the_others(decided, lines, candidates, sku_codes)
    explanation = _explanation(
        province=province,
        lines=lines,
        candidates=candidates,
        decided=decided,
        short=short,
        sku_codes=sku_codes,
    )
    return decided.assignments, explanation, short


def _candidates(
    *,
    lines: list[DemandLine],
    province: str,
    warehouses: list[Warehouse],
    available: dict[tuple[int, int], int],
) -> list[_Candidate]:
    """One candidate per warehouse, with its positive availability and the lines it can fill alone."""
    in_stock: dict[int, dict[int, int]] = defaultdict(dict)  # warehouse id -> sku id -> units > 0
    for (sku, wid), qty in available.items():
        if qty > 0:
            in_stock[wid][sku] = qty
    candidates = [
        _Candidate(
            warehouse=w,
            region_match=bool(province) and province in normalise_regions(w.regions),
            available=in_stock.get(w.pk) or {},
        )
        for w in warehouses
    ]
    all_indexes = list(range(len(lines)))
    for c in candidates:
        c.fills = _fillable(lines, all_indexes, c.available)
    return candidates


def _shortages(lines: list[DemandLine], available: dict[tuple[int, int], int]) -> dict[int, int]:
    """sku_id -> units missing across all warehouses (only SKUs whose need exceeds the total)."""
    need: dict[int, int] = defaultdict(int)
    for line in lines:
        need[line.sku_id] += line.quantity
    total: dict[int, int] = defaultdict(int)
    for (sku, _wid), qty in available.items():
        total[sku] += max(qty, 0)
    return {sku: need[sku] - total[sku] for sku in need if need[sku] > total[sku]}


def _decide(lines: list[DemandLine], candidates: list[_Candidate], today_load: LoadCounter) -> _Decision:
    """One warehouse that fills every line when there is one (the best ranked), else a split."""
    full = sorted((c for c in candidates if len(c.fills) == len(lines)), key=lambda c: c.rank())
    _resolve_ties(full, today_load)
    full.sort(key=lambda c: c.rank())
    if full:
        best = full[0]
        decided = _Decision(
            decision="single_warehouse",
            assignments=[(i, best.warehouse.pk, lines[i].quantity) for i in range(len(lines))],
            chosen=[best],
        )
        decided.reasons[best.warehouse.pk] = _why_best(best, full[1:])
        for c in full[1:]:
            decided.reasons[c.warehouse.pk] = _why_not(c, best)
        return decided
    assignments, chosen = _split(lines, candidates, today_load)
    decided = _Decision(decision="split", assignments=assignments, chosen=chosen)
    for position, c in enumerate(chosen, start=1):
        decided.reasons[c.warehouse.pk] = note("inventory.split_member", n=position, total=len(chosen))
    return decided


def _explain_the_others(
    decided: _Decision, lines: list[DemandLine], candidates: list[_Candidate], sku_codes: dict[int, str]
) -> None:
    """A reason for every candidate the decision did not already explain: what it cannot fill, or not needed."""
    for c in candidates:
        if c.warehouse.pk in decided.reasons:
            continue
        missing = [
            note_param(
                "inventory.line_short",
                sku=str(sku_codes.get(lines[i].sku_id, lines[i].sku_id)),
                available=c.available.get(lines[i].sku_id, 0),
                quantity=lines[i].quantity,
            )
            for i in range(len(lines))
            if i not in c.fills
        ]
        decided.reasons[c.warehouse.pk] = (
            note("inventory.cannot_fill", lines=missing) if missing else note("inventory.not_needed")
        )


def _explanation(
    *,
    province: str,
    lines: list[DemandLine],
    candidates: list[_Candidate],
    decided: _Decision,
    short: dict[int, int],
    sku_codes: dict[int, str],
) -> dict:
    """The JSON-able record of the decision that operations read: candidates, reasons, assignments."""
    chosen_ids = [c.warehouse.pk for c in decided.chosen]
    return {
        "province": province,
        "decision": decided.decision,
        "chosen": [c.warehouse.code for c in decided.chosen],
        "rule": note("inventory.allocation_rule"),
        "candidates": [
            _candidate_row(
                c, lines, chosen=c.warehouse.pk in chosen_ids, reason=decided.reasons.get(c.warehouse.pk, "")
            )
            for c in sorted(candidates, key=lambda c: c.rank())
        ],
        "assignments": [
            {
                "ref": lines[i].ref,
                "sku": sku_codes.get(lines[i].sku_id, str(lines[i].sku_id)),
                "warehouse": next(c.warehouse.code for c in candidates if c.warehouse.pk == wid),
                "quantity": qty,
            }
            for i, wid, qty in decided.assignments
        ],
        "short": {sku_codes.get(sku, str(sku)): qty for sku, qty in sorted(short.items())},
    }


def _candidate_row(c: _Candidate, lines: list[DemandLine], *, chosen: bool, reason: str) -> dict:
    return {
        "warehouse": c.warehouse.code,
        "name": c.warehouse.name,
        "region_match": c.region_match,
        "priority": c.warehouse.priority,
        "load": c.load,
        "reserved_today": c.today,
        "daily_capacity": c.warehouse.daily_capacity,
        "can_fill": [lines[i].ref for i in c.fills],
        "fills_all": len(c.fills) == len(lines),
        "chosen": chosen,
        "reason": reason,
    }


def _why_best(best: _Candidate, others: list[_Candidate]) -> str:
    parts = [note_param("inventory.fills_every_line")]
    if best.region_match:
        parts.append(note_param("inventory.serves_province"))
    parts.append(note_param("inventory.priority", p=best.warehouse.priority))
    if best.load is not None:
        parts.append(note_param("inventory.load_today", n=best.today, cap=best.warehouse.daily_capacity))
    if not others:
        parts.append(note_param("inventory.only_one"))
    return note("inventory.why_best", parts=parts)


def _why_not(c: _Candidate, best: _Candidate) -> str:
    if best.region_match and not c.region_match:
        return note("inventory.not_province")
    if c.warehouse.priority != best.warehouse.priority:
        return note("inventory.lower_priority", p=c.warehouse.priority)
    if c.load is not None and best.load is not None and c.load != best.load:
        return note("inventory.busier", n=c.today, cap=c.warehouse.daily_capacity)
    return note("inventory.ranks_after", code=best.warehouse.code)


def _split(
    lines: list[DemandLine], candidates: list[_Candidate], today_load: LoadCounter
) -> tuple[list[Assignment], list[_Candidate]]:
    """The fewest warehouses that together hold every line, then lines assigned whole where possible.

    Greedy set cover (repeatedly the warehouse that fills the most remaining lines) gives a first answer;
    a smaller set is then searched exactly among the best-ranked candidates (``_fewest``). Within the set,
    lines go whole to a warehouse where they can; the others are split by units, chosen warehouses first.
    Only called when every SKU's total availability covers its need, so it always completes.
    """
    # Load only breaks ties between warehouses equal on region match and priority: count it only then.
    if len({c.rank()[:2] for c in candidates}) < len(candidates):
        _fill_loads(candidates, today_load)
    assignments, chosen = _assign_within(lines, candidates)
    smaller = _fewest(lines, candidates, below=len(chosen))
    if smaller is not None:
        assignments, chosen = _assign_within(lines, smaller)
    assignments.sort()
    return assignments, chosen


def _assign_within(
    lines: list[DemandLine], candidates: list[_Candidate]
) -> tuple[list[Assignment], list[_Candidate]]:
    left = {c.warehouse.pk: dict(c.available) for c in candidates}
    assignments, chosen, remaining = _cover_whole_lines(lines, candidates, left)
    _split_by_units(lines, candidates, left, remaining, assignments, chosen)
    return assignments, chosen


EXACT_SEARCH_LIMIT = 12  # candidates searched exactly for a smaller split (C(12, k) sets at most)


def _fewest(lines: list[DemandLine], candidates: list[_Candidate], *, below: int) -> list[_Candidate] | None:
    """The smallest set of warehouses (fewer than ``below``) whose stock together covers every line.

    Sets of each size are tried in rank order, so the first that covers wins ties by region and priority.
    None when no smaller set exists (the greedy answer is already the fewest).
    """
    need: dict[int, int] = defaultdict(int)
    for line in lines:
        need[line.sku_id] += line.quantity
    ranked = sorted(candidates, key=lambda c: c.rank())[:EXACT_SEARCH_LIMIT]
    for size in range(2, below):
        for subset in combinations(ranked, size):
            if all(sum(c.available.get(sku, 0) for c in subset) >= qty for sku, qty in need.items()):
                return list(subset)
    return None


def _cover_whole_lines(
    lines: list[DemandLine], candidates: list[_Candidate], left: dict[int, dict[int, int]]
) -> tuple[list[Assignment], list[_Candidate], list[int]]:
    """The greedy step: take warehouses by most lines filled whole; returns what is still unassigned."""
    remaining = list(range(len(lines)))
    chosen: list[_Candidate] = []
    assignments: list[Assignment] = []
    while remaining:
        best, best_cover, best_key = None, [], None
        for c in candidates:
            if c in chosen:
                continue
            cover = _fillable(lines, remaining, left[c.warehouse.pk])
            if not cover:
                continue
            key = (-len(cover), -sum(lines[i].quantity for i in cover), c.rank())
            if best_key is None or key < best_key:
                best, best_cover, best_key = c, cover, key
        if best is None:
            break
        chosen.append(best)
        for i in best_cover:
            left[best.warehouse.pk][lines[i].sku_id] -= lines[i].quantity
            assignments.append((i, best.warehouse.pk, lines[i].quantity))
        remaining = [i for i in remaining if i not in best_cover]
    return assignments, chosen, remaining


def _split_by_units(
    lines: list[DemandLine],
    candidates: list[_Candidate],
    left: dict[int, dict[int, int]],
    remaining: list[int],
    assignments: list[Assignment],
    chosen: list[_Candidate],
) -> None:
    """Lines no warehouse fills whole: take units from the chosen warehouses first, then by rank."""
    order = chosen + sorted((c for c in candidates if c not in chosen), key=lambda c: c.rank())
    for i in remaining:
        need = lines[i].quantity
        for c in order:
            take = min(need, left[c.warehouse.pk].get(lines[i].sku_id, 0))
            if take <= 0:
                continue
            left[c.warehouse.pk][lines[i].sku_id] -= take
            assignments.append((i, c.warehouse.pk, take))
            if c not in chosen:
                chosen.append(c)
            need -= take
            if need == 0:
                break
