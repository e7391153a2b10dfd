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
        ) from exc


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
        reason = "Tidak ada manfaat: " + _status_text(cover, member)
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


def _status_text(cover: Cover, member: Member) -> str:
    if cover.status is CoverStatus.BEFORE_START:
        return f"peristiwa terjadi sebelum kepesertaan dimulai ({member.membership_start.isoformat()})."
    if cover.status is CoverStatus.ARREARS:
        return (
            f"iuran menunggak {cover.unpaid_months} bulan (lunas sampai {member.paid_through}); peristiwa baru "
            f"ditanggung setelah tunggakan dibayar — {', '.join(cover.parameters)}."
        )
    return (
        f"kepesertaan berakhir karena {cover.unpaid_months} bulan iuran tidak dibayar (lunas sampai "
        f"{member.paid_through}) — {', '.join(cover.parameters)}."
    )


def _percent(value: object, field: str) -> None:
    if value is not None and not 0 <= value <= HUNDRED:  # type: ignore[operator]
        raise QuoteError("invalid_input", f"{field} harus berupa persentase 0 sampai 100.")


def _check_event(event: Event) -> None:
    if event.type is EventType.TEMPORARY_DISABILITY and (event.months_unable is None or event.months_unable < 0):
        raise QuoteError("invalid_input", "event.months_unable (jumlah bulan tidak mampu bekerja) wajib diisi, ≥ 0.")
    if event.type is EventType.PARTIAL_DISABILITY and event.disability_percent is None:
        raise QuoteError("invalid_input", "event.disability_percent (persentase tabel cacat) wajib diisi.")
    _percent(event.disability_percent, "event.disability_percent")
    _percent(event.function_loss_percent, "event.function_loss_percent")
    costs = (event.medical_cost, event.transport.land, event.transport.sea, event.transport.air)
    if any(cost < 0 for cost in costs):
        raise QuoteError("invalid_input", "Biaya pengobatan dan transportasi tidak boleh negatif.")
    if not event.type.is_work_accident and any(costs):
        raise QuoteError(
            "not_work_accident",
            "Biaya pengobatan dan transportasi hanya diganti untuk kecelakaan kerja (JKK), "
            "bukan untuk kematian yang bukan kecelakaan kerja (JKM).",
        )


def _check_member(member: Member, params: Parameters) -> None:
    low = params.integer("bpu_min_declared_income")
    high = params.integer("bpu_max_declared_income")
    if not low <= member.declared_income <= high:
        raise QuoteError(
            "income_out_of_range",
            f"Penghasilan yang dilaporkan {format_rupiah(member.declared_income)} di luar batas {format_rupiah(low)} "
            f"sampai {format_rupiah(high)} ({params.row('bpu_min_declared_income').reference}; "
            f"{params.row('bpu_max_declared_income').reference}).",
        )
    if member.paid_through.index < Month.of(member.membership_start).index - 1:
        raise QuoteError(
            "invalid_member",
            f"member.paid_through ({member.paid_through}) lebih awal dari bulan sebelum awal kepesertaan "
            f"({member.membership_start.isoformat()}).",
        )


def _check_children(children: Sequence[Child], event_date: dt.date) -> None:
    names = [child.name for child in children]
    if len(set(names)) != len(names):
        raise QuoteError("invalid_child", "Setiap anak harus punya nama yang berbeda.")
    for child in children:
        if not child.name.strip():
            raise QuoteError("invalid_child", "Nama anak wajib diisi.")
        if child.level is Level.NONE:
            if child.grade is not None:
                raise QuoteError("invalid_child", f"{child.name}: anak yang belum sekolah tidak punya kelas.")
            continue
        last = GRADES[child.level]
        if child.grade is None or not 1 <= child.grade <= last:
            raise QuoteError("invalid_child", f"{child.name}: kelas {child.level} harus 1 sampai {last}.")
        if child.birth_date > event_date:
            raise QuoteError("invalid_child", f"{child.name}: anak yang lahir setelah peristiwa belum bersekolah.")
