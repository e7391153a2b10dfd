"""`quote()`: what an event pays under the rows in force on its date (RULES.md "Cover and lapse", "Events and
benefits", "Scholarships")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from lokal import format_rupiah

from lindung.core.parameters import ParameterError, Parameters

from .cash import HUNDRED, cash_lines
from .cover import Cover, cover_on
from .model import (
    DEFAULT_POLICY,
    Child,
    CoverStatus,
    Event,
    EventType,
    Level,
    Member,
    Month,
    Policy,
    Quote,
    QuoteError,
    Scholarship,
)
from .scholarship import GRADES, SCHEDULE_ROWS, choose_children, projected_schedule, school_year_of

ParameterSource = Parameters | Callable[[dt.date], Parameters]


def quote(
    event: Event,
    member: Member,
    children: Sequence[Child],
    parameters: ParameterSource,
    chosen_children: Sequence[str] | None = None,
    *,
    policy: Policy = DEFAULT_POLICY,
) -> Quote:
    """The benefits of one event for one member, with each child's projected scholarship schedule.

    `parameters` are the rows in force on the event date (`parameters_on(event.date)`), or a function giving the
    rows in force on a day; `policy` holds the administrator's settings for the RULES.md defaults. Raises
    `QuoteError` for input that cannot be quoted (income outside the declared-income range, an unknown or
    ineligible chosen child, a missing percentage, ...).
    """
    params = parameters if isinstance(parameters, Parameters) else parameters(event.date)
    if params.day != event.date:
        raise ValueError(f"parameters are those of {params.day}, the event is on {event.date}")
    try:
        return _quote(event, member, children, params, chosen_children, policy)
    except ParameterError as exc:
        raise QuoteError(
            "parameters_missing",
            f"Parameter peraturan untuk peristiwa ini tidak berlaku pada {event.date.isoformat()}: {exc}.",
            english=f"The regulation parameters for this event are not in force on {event.date.isoformat()}: {exc}.",
        ) from exc


def not_covered_reason(
    member: Member, day: dt.date, parameters: Parameters, *, policy: Policy = DEFAULT_POLICY
) -> tuple[str, str] | None:
    """The scholarship reason of a quote that pays nothing because the member is not covered on `day`, as
    (Indonesian, English); None when the member is covered. `parameters` are the rows in force on `day`."""
    cover = cover_on(member, day, parameters, policy)
    return None if cover.status is CoverStatus.COVERED else _not_covered(cover, member)


def _quote(
    event: Event,
    member: Member,
    children: Sequence[Child],
    params: Parameters,
    chosen_children: Sequence[str] | None,
    policy: Policy,
) -> Quote:
    _check_event(event)
    _check_member(member, params)
    _check_children(children, event.date)
    year0 = school_year_of(event.date)
    scholarship_rules = params.has("scholarship_max_children")
    chosen = choose_children(children, chosen_children, year0, params) if scholarship_rules else []

    cover = cover_on(member, event.date, params, policy)
    if cover.status is not CoverStatus.COVERED:
        reason = _not_covered(cover, member)[0]
        return Quote(event, cover.status, 0, cover.unpaid_months, (), Scholarship(False, reason), cover.parameters)

    lines = cash_lines(event, member.declared_income, params)
    scholarship = _scholarship(event, cover, chosen, year0, params, scholarship_rules, policy)
    return Quote(event, cover.status, cover.masa_iur_months, cover.unpaid_months, lines, scholarship, cover.parameters)


def _scholarship(
    event: Event,
    cover: Cover,
    chosen: list[Child],
    year0: int,
    params: Parameters,
    rules_in_force: bool,
    policy: Policy,
) -> Scholarship:
    if event.type in (EventType.PARTIAL_DISABILITY, EventType.TEMPORARY_DISABILITY):
        return Scholarship(False, "Cacat sebagian dan STMB tidak memberi beasiswa (PP 82/2019).")
    if not rules_in_force:
        return Scholarship(False, "Aturan beasiswa (PP 82/2019) belum berlaku pada tanggal peristiwa.")
    condition = (
        "jkm_scholarship_min_contrib_period" if event.type is EventType.DEATH else "jkk_scholarship_min_contrib_period"
    )
    minimum = params.integer(condition)
    rows = (params.row(condition).reference, *(params.row(name).reference for name in SCHEDULE_ROWS))
    condition_text = f"masa iur {cover.masa_iur_months} bulan, syarat paling sedikit {minimum} bulan"
    condition_text += f" — {params.row(condition).reference}"
    if cover.masa_iur_months < minimum:
        return Scholarship(False, f"Tidak berhak beasiswa: {condition_text}.", (), rows)
    if not chosen:
        return Scholarship(
            False,
            "Tidak ada anak yang memenuhi syarat beasiswa (di bawah "
            f"{params.integer('scholarship_age_limit')} tahun pada 1 Juli {year0}, belum menikah, belum bekerja).",
            (),
            rows,
        )
    case_left = params.integer("scholarship_max_total")
    schedules = []
    for child in chosen:
        schedule = projected_schedule(child, year0, params, case_left, policy)
        case_left -= schedule.total
        schedules.append(schedule)
    return Scholarship(True, f"Berhak beasiswa: {condition_text}.", tuple(schedules), rows)


def _not_covered(cover: Cover, member: Member) -> tuple[str, str]:
    """Why a member who is not covered gets nothing, as (Indonesian, English)."""
    start, paid, unpaid = member.membership_start.isoformat(), member.paid_through, cover.unpaid_months
    rows = ", ".join(cover.parameters)
    if cover.status is CoverStatus.BEFORE_START:
        indonesian = f"peristiwa terjadi sebelum kepesertaan dimulai ({start})."
        english = f"the event happened before the membership started ({start})."
    elif cover.status is CoverStatus.ARREARS:
        indonesian = (
            f"iuran menunggak {unpaid} bulan (lunas sampai {paid}); peristiwa baru "
            f"ditanggung setelah tunggakan dibayar — {rows}."
        )
        english = (
            f"contributions are {unpaid} months in arrears (paid through {paid}); the event is covered only "
            f"after the arrears are paid — {rows}."
        )
    else:
        indonesian = f"kepesertaan berakhir karena {unpaid} bulan iuran tidak dibayar (lunas sampai {paid}) — {rows}."
        english = (
            f"the membership ended because {unpaid} months of contributions were not paid (paid through {paid}) "
            f"— {rows}."
        )
    return "Tidak ada manfaat: " + indonesian, "No benefit: " + english


def _percent(value: object, field: str) -> None:
    if value is not None and not 0 <= value <= HUNDRED:  # type: ignore[operator]
        raise QuoteError(
            "invalid_input",
            f"{field} harus berupa persentase 0 sampai 100.",
            english=f"{field} must be a percentage from 0 to 100.",
        )


def _check_event(event: Event) -> None:
    if event.type is EventType.TEMPORARY_DISABILITY and (event.months_unable is None or event.months_unable < 0):
        raise QuoteError(
            "invalid_input",
            "event.months_unable (jumlah bulan tidak mampu bekerja) wajib diisi, ≥ 0.",
            english="event.months_unable (the number of months unable to work) is required, ≥ 0.",
        )
    if event.type is EventType.PARTIAL_DISABILITY and event.disability_percent is None:
        raise QuoteError(
            "invalid_input",
            "event.disability_percent (persentase tabel cacat) wajib diisi.",
            english="event.disability_percent (the percentage in the disability table) is required.",
        )
    _percent(event.disability_percent, "event.disability_percent")
    _percent(event.function_loss_percent, "event.function_loss_percent")
    costs = (event.medical_cost, event.transport.land, event.transport.sea, event.transport.air)
    if any(cost < 0 for cost in costs):
        raise QuoteError(
            "invalid_input",
            "Biaya pengobatan dan transportasi tidak boleh negatif.",
            english="Medical and transport costs cannot be negative.",
        )
    if not event.type.is_work_accident and any(costs):
        raise QuoteError(
            "not_work_accident",
            "Biaya pengobatan dan transportasi hanya diganti untuk kecelakaan kerja (JKK), "
            "bukan untuk kematian yang bukan kecelakaan kerja (JKM).",
            english="Medical and transport costs are reimbursed only for a work accident (JKK), not for a death "
            "that is not a work accident (JKM).",
        )


def _check_member(member: Member, params: Parameters) -> None:
    low = params.integer("bpu_min_declared_income")
    high = params.integer("bpu_max_declared_income")
    if not low <= member.declared_income <= high:
        income, low_text, high_text = format_rupiah(member.declared_income), format_rupiah(low), format_rupiah(high)
        rows = f"{params.row('bpu_min_declared_income').reference}; {params.row('bpu_max_declared_income').reference}"
        raise QuoteError(
            "income_out_of_range",
            f"Penghasilan yang dilaporkan {income} di luar batas {low_text} sampai {high_text} ({rows}).",
            english=f"The declared income {income} is outside the range {low_text} to {high_text} ({rows}).",
        )
    if member.paid_through.index < Month.of(member.membership_start).index - 1:
        raise QuoteError(
            "invalid_member",
            f"member.paid_through ({member.paid_through}) lebih awal dari bulan sebelum awal kepesertaan "
            f"({member.membership_start.isoformat()}).",
            english=f"member.paid_through ({member.paid_through}) is earlier than the month before the membership "
            f"start ({member.membership_start.isoformat()}).",
        )


def _check_children(children: Sequence[Child], event_date: dt.date) -> None:
    names = [child.name for child in children]
    if len(set(names)) != len(names):
        raise QuoteError(
            "invalid_child",
            "Setiap anak harus punya nama yang berbeda.",
            english="Each child must have a different name.",
        )
    for child in children:
        if not child.name.strip():
            raise QuoteError("invalid_child", "Nama anak wajib diisi.", english="The child's name is required.")
        if child.level is Level.NONE:
            if child.grade is not None:
                raise QuoteError(
                    "invalid_child",
                    f"{child.name}: anak yang belum sekolah tidak punya kelas.",
                    english=f"{child.name}: a child not yet in school has no grade.",
                )
            continue
        last = GRADES[child.level]
        if child.grade is None or not 1 <= child.grade <= last:
            raise QuoteError(
                "invalid_child",
                f"{child.name}: kelas {child.level} harus 1 sampai {last}.",
                english=f"{child.name}: the {child.level} grade must be 1 to {last}.",
            )
        if child.birth_date > event_date:
            raise QuoteError(
                "invalid_child",
                f"{child.name}: anak yang lahir setelah peristiwa belum bersekolah.",
                english=f"{child.name}: a child born after the event is not yet in school.",
            )
