"""Cash benefit lines per event type (RULES.md "Events and benefits"; regulations-research.md §3-4).

Every amount comes from the parameter rows in force on the event date; each line names the rows it used and is
rounded down to whole rupiah on its own. Arithmetic is on integers and `Decimal`, never floats.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from lindung.core.parameters import ParameterError, Parameters

from .model import BenefitLine, Event, EventType

HUNDRED = Decimal(100)


def rupiah(amount: Decimal | int) -> int:
    """Whole rupiah, rounded down (each benefit line on its own)."""
    return int(Decimal(amount).to_integral_value(rounding=ROUND_FLOOR))


class _Lines:
    def __init__(self, parameters: Parameters) -> None:
        self.parameters = parameters
        self.lines: list[BenefitLine] = []

    def ref(self, name: str) -> str:
        return self.parameters.row(name).reference

    def add(self, code: str, amount: Decimal | int, *names: str) -> None:
        self.lines.append(BenefitLine(code, rupiah(amount), tuple(self.ref(name) for name in names)))


def formula_factor(parameters: Parameters, name: str) -> Decimal:
    """The one number in a formula row such as `pct_table x 80 x income` (the 80 of PP 82/2019's Lampiran)."""
    value = parameters.row(name).value
    numbers = []
    for token in value.split(" x "):
        try:
            numbers.append(Decimal(token.strip()))
        except ArithmeticError:
            continue
    if len(numbers) != 1:
        raise ParameterError(f"parameter {name!r} has no single numeric factor: {value!r}")
    return numbers[0]


def cash_lines(event: Event, income: int, parameters: Parameters) -> tuple[BenefitLine, ...]:
    p = parameters
    out = _Lines(p)
    kind = event.type
    if kind is EventType.DEATH:
        out.add("jkm_lump_sum", p.integer("jkm_lump_sum"), "jkm_lump_sum")
        out.add("jkm_periodic", p.integer("jkm_periodic_total"), "jkm_periodic_total")
        out.add("jkm_funeral", p.integer("jkm_funeral"), "jkm_funeral")
    elif kind is EventType.WORK_ACCIDENT_DEATH:
        # 48 x declared income, "paling sedikit sebesar santunan kematian JKM"; JKM itself is not paid on top.
        amount = max(p.integer("jkk_death_multiplier") * income, p.integer("jkm_lump_sum"))
        out.add("jkk_death_lump_sum", amount, "jkk_death_multiplier", "jkk_death_floor", "jkm_lump_sum")
        out.add("jkk_periodic", p.integer("jkk_periodic_total"), "jkk_periodic_total")
        out.add("jkk_funeral", p.integer("jkk_funeral"), "jkk_funeral")
    elif kind is EventType.TOTAL_PERMANENT_DISABILITY:
        amount = p.integer("jkk_total_perm_disability_multiplier") * income
        out.add("jkk_total_permanent_disability", amount, "jkk_total_perm_disability_multiplier")
        out.add("jkk_periodic", p.integer("jkk_periodic_total"), "jkk_periodic_total")
    elif kind is EventType.PARTIAL_DISABILITY:
        table_share = (event.disability_percent or Decimal(0)) / HUNDRED  # required, checked by quote()
        if event.function_loss_percent is None:
            formula = "jkk_partial_anatomic_formula"
            share = table_share
        else:
            formula = "jkk_partial_function_formula"
            share = event.function_loss_percent / HUNDRED * table_share
        out.add("jkk_partial_disability", share * formula_factor(p, formula) * income, formula)
    elif kind is EventType.TEMPORARY_DISABILITY:
        months = event.months_unable or 0  # required, checked by quote()
        full = min(months, p.integer("jkk_stmb_first_months"))
        after = months - full
        stmb_first = full * p.decimal("jkk_stmb_rate_first") * income
        out.add("jkk_stmb_first", stmb_first, "jkk_stmb_first_months", "jkk_stmb_rate_first")
        if after:
            stmb_after = after * p.decimal("jkk_stmb_rate_after") * income
            out.add("jkk_stmb_after", stmb_after, "jkk_stmb_first_months", "jkk_stmb_rate_after")
    if kind.is_work_accident:
        if event.medical_cost:
            out.add("jkk_medical", event.medical_cost, "jkk_medical_cap")  # as billed, no cap
        for mode in ("land", "sea", "air"):
            claimed = getattr(event.transport, mode)
            if claimed:
                cap = f"jkk_transport_{mode}_cap"
                out.add(f"jkk_transport_{mode}", min(claimed, p.integer(cap)), cap)
    return tuple(out.lines)
