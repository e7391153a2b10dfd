"""Row generation for one chunk of villages — plain Python, no queries: every value a string, ready for COPY.

Each village draws from its own `random.Random(f"{seed}|{code}")`, so a village's people do not depend on how the
villages are chunked; NIK serials are counted per district (chunks never split a district) in village-code order.
All dates derive from `as_of`, never from the clock.

Values: `str` for every column, `ctx.null` for NULL (`\\N` for PostgreSQL COPY, None for SQLite), booleans "1"/"0"
(both databases read them as booleans), timestamps in UTC.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from statistics import NormalDist
from typing import Any

from lindung.benefits.engine import Child as EngineChild
from lindung.benefits.engine import Event, EventType, Level, Member, Month, QuoteError, Transport, quote
from lindung.benefits.engine.jsonio import quote_to_json
from lindung.billing.contributions import MonthlyDue
from lindung.core.parameters import parameters_on
from lindung.synth import pools as P

# Table → columns, in the order the generator writes them.
COLUMNS: dict[str, list[str]] = {
    "programmes_agreement": [
        "id",
        "programme_id",
        "village_id",
        "status",
        "village_number",
        "partner_number",
        "signed_on",
        "valid_from",
        "valid_until",
        "village_signatory",
        "partner_signatory",
        "quota",
        "funder",
        "funder_name",
        "document",
        "framework_id",
        "created_at",
        "updated_at",
    ],
    "programmes_agreementtransition": [
        "id",
        "agreement_id",
        "from_status",
        "to_status",
        "on",
        "by_id",
        "note",
        "recorded_at",
    ],
    "registry_worker": [
        "id",
        "nik",
        "kk_number",
        "name",
        "sex",
        "birth_place",
        "birth_date",
        "address",
        "rt",
        "rw",
        "hamlet",
        "village_id",
        "phone",
        "occupation_code",
        "specialisation",
        "monthly_income",
        "employment_status",
        "decile",
        "extreme_poor",
        "extreme_poor_note",
        "has_disability",
        "is_wage_earner_member",
        "consent_given",
        "consent_on",
        "registered_at",
        "updated_at",
    ],
    "registry_child": [
        "id",
        "worker_id",
        "name",
        "nik",
        "birth_date",
        "school_level",
        "grade",
        "grade_estimated",
        "married",
        "working",
    ],
    "registry_heir": ["id", "worker_id", "name", "relation", "nik", "phone"],
    "membership_membership": [
        "id",
        "programme_id",
        "worker_id",
        "kpj_number",
        "kpj_effective_on",
        "starts_on",
        "declared_income",
        "package",
        "status",
        "end_reason",
        "ended_on",
        "renews_id",
        "paid_through",
        "created_at",
        "updated_at",
    ],
    "membership_membershipstatuschange": [
        "id",
        "membership_id",
        "from_status",
        "to_status",
        "on",
        "reason",
        "by_id",
        "recorded_at",
    ],
    "billing_invoice": [
        "id",
        "programme_id",
        "village_id",
        "funder",
        "funder_name",
        "period",
        "discounted",
        "total",
        "run_id",
        "created_at",
        "status",
        "paid_amount",
        "paid_on",
    ],
    "billing_invoiceline": ["id", "invoice_id", "membership_id", "jkk", "jkm", "jht", "amount", "rules", "status"],
    "billing_payment": [
        "id",
        "programme_id",
        "village_id",
        "value_date",
        "amount",
        "reference",
        "budget_source",
        "account_code",
        "note",
        "reversal_of_id",
        "recorded_by_id",
        "recorded_at",
    ],
    "billing_paymentallocation": ["id", "payment_id", "invoice_id", "amount"],
    "billing_account": ["id", "programme_id", "village_id", "credit", "refundable", "recomputed_at"],
    "claims_incident": [
        "id",
        "worker_id",
        "membership_id",
        "village_id",
        "date",
        "type",
        "place",
        "description",
        "reporter_name",
        "reporter_role",
        "months_unable",
        "disability_percent",
        "function_loss_percent",
        "medical_cost",
        "transport_land",
        "transport_sea",
        "transport_air",
        "reported_by_id",
        "reported_at",
    ],
    "claims_claim": [
        "id",
        "incident_id",
        "status",
        "quote",
        "alternative_quote",
        "cause_under_assessment",
        "parameters_on",
        "member_inputs",
        "chosen_children",
        "quote_children",
        "quoted_at",
        "bpjs_reference",
        "bpjs_paid_amount",
        "decided_on",
        "rejection_reason",
        "submitted_by_id",
        "created_at",
    ],
    "claims_claimtransition": ["id", "claim_id", "from_status", "to_status", "on", "by_id", "note", "recorded_at"],
    "claims_scholarshipplan": [
        "id",
        "claim_id",
        "child_id",
        "child_name",
        "schedule",
        "status",
        "stop_reason",
        "stopped_from",
        "stop_note",
        "created_at",
    ],
    "claims_plannedyear": ["id", "plan_id", "school_year", "level", "grade", "amount"],
}
#: Columns holding JSON text (escaped for COPY).
JSON_TABLES = frozenset({"claims_claim", "claims_scholarshipplan"})

ANNUAL_DEATH = 0.005  # deaths not from work, per member-year
ANNUAL_ACCIDENT = 0.010  # work accidents, per member-year
ACCIDENT_TYPES = (
    (EventType.TEMPORARY_DISABILITY, 78),
    (EventType.PARTIAL_DISABILITY, 12),
    (EventType.TOTAL_PERMANENT_DISABILITY, 3),
    (EventType.WORK_ACCIDENT_DEATH, 7),
)
#: Village payment behaviour (realistic profile; `full` uses FULL_BEHAVIOUR): on time, late in batches of 2-3
#: months, in arrears (stopped 1-3 months ago), lapsed (stopped 4-6 months ago).
BEHAVIOUR = (("on_time", 70), ("late", 15), ("arrears", 10), ("lapsed", 5))
AGREEMENT_STATUS = (("signed", 60), ("in_discussion", 15), ("prospect", 25))

SCHOOL_BY_AGE = {5: ("TK", 1), 6: ("TK", 2)}


def month_add(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Village:
    code: str
    name: str
    kind: str  # desa | kelurahan
    regency_name: str
    district_name: str


@dataclass
class Programme:
    id: int
    funder_kelurahan: str
    package: str
    declared_income: int


@dataclass
class Context:
    seed: int
    profile: str
    months: int
    per_village: int
    factor: float
    as_of: dt.date
    vendor: str
    user_id: int
    dues: dict[tuple[dt.date, bool], MonthlyDue]
    discount: dict[str, bool]  # funder -> the PP 50/2025 discount is allowed (applied where its row is in force)
    next_ids: dict[str, int]
    null: Any = None
    existing_agreements: frozenset[str] = frozenset()
    start: dt.date = field(init=False)

    def __post_init__(self) -> None:
        self.start = month_add(self.as_of.replace(day=1), -(self.months - 1))
        self._pools = P.pools(self.seed)
        self._ts: dict[tuple[int, int], str] = {}

    def ids(self, table: str, n: int) -> int:
        first = self.next_ids[table]
        self.next_ids[table] = first + n
        return first

    def ts(self, day: dt.date | int, seconds: int = 3600) -> str:
        """A UTC timestamp on `day` (a date or an ordinal) at `seconds` past midnight (cached per day and time)."""
        key = (day if isinstance(day, int) else day.toordinal(), seconds)
        text = self._ts.get(key)
        if text is None:
            text = f"{d_ord(key[0])} {seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            text = self._ts[key] = text + "+00" if self.vendor == "postgresql" else text
        return text


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int]]:
    values = [v for v, _ in pairs]
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, cum


_OCC, _OCC_CUM = _weighted(P.OCCUPATION_MIX)
_DEC, _DEC_CUM = _weighted(tuple(zip(range(1, 11), P.DECILE_WEIGHTS, strict=True)))
_BEH, _BEH_CUM = _weighted(BEHAVIOUR)
_AGR, _AGR_CUM = _weighted(AGREEMENT_STATUS)
_ACC, _ACC_CUM = _weighted(ACCIDENT_TYPES)


_OCC_TABLE = [_OCC[bisect.bisect_right(_OCC_CUM, k * _OCC_CUM[-1] / 1000)] for k in range(1000)]
_DEC_TABLE = [_DEC[bisect.bisect_right(_DEC_CUM, k * _DEC_CUM[-1] / 1000)] for k in range(1000)]
#: Monthly income quantiles (lognormal, median ~Rp750,000, rounded to Rp50,000, within Rp300,000-4,000,000).
_INCOME_TABLE = [
    int(
        min(4_000_000, max(300_000, math.exp(13.53 + 0.38 * NormalDist().inv_cdf((k + 0.5) / 1000)))) // 50_000 * 50_000
    )
    for k in range(1000)
]
_EMPLOYMENT = {
    **dict.fromkeys(P.SELF_EMPLOYED, "self_employed"),
    **dict.fromkeys(P.DAILY_LABOURER, "daily_labourer"),
    **dict.fromkeys(P.NOT_WORKING, "not_working"),
}
_PHONE_DIGIT = "1125"
_RT = [f"{k:03d}" for k in range(1, 13)]


@cache
def _ddmmyy(ordinal: int, sex: str) -> str:
    day = dt.date.fromordinal(ordinal)
    return f"{day.day + 40 if sex == 'P' else day.day:02d}{day.month:02d}{day.year % 100:02d}"


@cache
def d_ord(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


class Chunk:
    """Generates the rows of one chunk of villages (whole districts) into `tables`."""

    def __init__(self, ctx: Context, programmes: dict[str, Programme], existing_niks: set[str]) -> None:
        self.ctx = ctx
        self.programmes = programmes  # regency code -> programme
        self.taken = existing_niks
        self.serial: dict[str, int] = {}
        self.tables: dict[str, list[tuple[str, ...]]] = {name: [] for name in COLUMNS}
        self.d = self._date
        self.user = str(ctx.user_id)

    def _date(self, day: dt.date) -> str:
        return d_ord(day.toordinal())

    # --- identity -----------------------------------------------------------------------------------------
    def nik(self, district6: str, birth_ordinal: int, sex: str) -> str:
        stem = district6 + _ddmmyy(birth_ordinal, sex)
        serial = self.serial
        while True:
            number = serial[stem] = serial.get(stem, 0) + 1
            nik = f"{stem}{number:04d}"
            if nik not in self.taken:
                return nik

    def person_name(self, r: Callable[[], float], sex: str, bali: bool) -> str:
        p = self.ctx._pools
        pool = p.male_first if sex == "L" else p.female_first
        first = pool[int(r() * len(pool))]
        if bali:
            order = P.BALI_ORDER[int(r() * len(P.BALI_ORDER))]
            return f"{'I' if sex == 'L' else 'Ni'} {order} {first}"
        if r() < 0.55:
            return f"{first} {p.last[int(r() * len(p.last))]}"
        return first

    # --- one village --------------------------------------------------------------------------------------
    def village(self, v: Village) -> None:
        ctx, n = self.ctx, self.ctx.null
        rng = random.Random(f"{ctx.seed}|{v.code}")  # noqa: S311 - synthetic data, reproducible by design
        pools = ctx._pools
        bali = v.code.startswith("51")
        district6 = v.code[:8].replace(".", "")
        as_of, start = ctx.as_of, ctx.start
        as_ord, start_ord = as_of.toordinal(), start.toordinal()
        programme = self.programmes[v.code[:5]]
        tables = self.tables
        workers, children, heirs = tables["registry_worker"], tables["registry_child"], tables["registry_heir"]
        d = self.d

        # Agreement (a village that already has one in the programme keeps it and gets candidates only).
        status = "signed" if ctx.profile == "full" else rng.choices(_AGR, cum_weights=_AGR_CUM)[0]
        funder = "apbd" if v.kind == "kelurahan" else "apbdes"
        funder_name = f"Pemerintah {v.regency_name}" if funder == "apbd" else ""
        if v.code in ctx.existing_agreements:
            status = "existing"
        else:
            self._agreement(rng, v, programme, status, funder, funder_name)

        # Candidates. Hot loop (12.6 million people nation-wide): random() and table look-ups only.
        r = rng.random
        count = round(ctx.per_village * ctx.factor)
        hamlets = rng.sample(pools.hamlets, k=min(len(pools.hamlets), 3 + int(r() * 6)))
        hamlet_word = "Banjar" if bali else ("Lingkungan" if v.kind == "kelurahan" else "Dusun")
        hamlet_names = [f"{hamlet_word} {h}" for h in hamlets]
        streets, cities, regency = pools.streets, pools.cities, v.regency_name
        occ_table, dec_table, income_table = _OCC_TABLE, _DEC_TABLE, _INCOME_TABLE
        base = ctx.ids("registry_worker", count)
        people = []
        min_age_ord = start.toordinal() - int(18 * 365.25) - 1  # born on or before: 18 at the programme start
        nik, name_of, ts, ddmmyy = self.nik, self.person_name, ctx.ts, _ddmmyy
        for i in range(count):
            wid = base + i
            sex = "L" if r() < 0.56 else "P"
            age = 18.2 + 46.6 * (r() + r()) / 2
            birth_ord = as_ord - int(age * 365.25) - int(r() * 200)
            birth = dt.date.fromordinal(birth_ord)
            worker_nik = nik(district6, birth_ord, sex)
            name = name_of(r, sex, bali)
            occupation = occ_table[int(r() * 1000)]
            specs = P.SPECIALISATIONS.get(occupation)
            spec = specs[int(r() * len(specs))] if specs and r() < 0.5 else ""
            employment = _EMPLOYMENT.get(occupation, "informal")
            income = income_table[int(r() * 1000)]
            decile = dec_table[int(r() * 1000)]
            extreme = (decile == 1 and r() < 0.3) or r() < 0.01
            wage = r() < 0.01
            registered_ord = start_ord - 20 - int(r() * 100)
            phone = f"08{_PHONE_DIGIT[int(r() * 4)]}{10_000_000 + int(r() * 989_999_999)}" if r() < 0.85 else ""
            workers.append(
                (
                    str(wid),
                    worker_nik,
                    f"{district6}{ddmmyy(start_ord - 200 - int(r() * 6000), 'L')}{1 + int(r() * 9998):04d}",
                    name,
                    sex,
                    regency if r() < 0.8 else cities[int(r() * len(cities))],
                    d(birth),
                    f"{streets[int(r() * len(streets))]} No. {1 + int(r() * 120)}",
                    _RT[int(r() * 12)],
                    _RT[int(r() * 6)],
                    hamlet_names[int(r() * len(hamlet_names))],
                    v.code,
                    phone,
                    str(occupation),
                    spec,
                    str(income),
                    employment,
                    str(decile),
                    "1" if extreme else "0",
                    "Ditetapkan musyawarah desa" if extreme and decile != 1 else "",
                    "1" if r() < 0.02 else "0",
                    "1" if wage else "0",
                    "1",
                    d_ord(registered_ord),
                    ts(registered_ord),
                    ts(registered_ord),
                )
            )
            # Household.
            married = r() < (0.2 if age < 22 else 0.6 if age < 30 else 0.85)
            child_rows = []
            if married or r() < 0.05:
                kid_age = age - (19.5 + r() * 10.5)
                kids: list[float] = []
                while kid_age >= 0 and len(kids) < 5 and (age - kid_age) < 45:
                    if kid_age <= 25.5:
                        kids.append(kid_age)
                    kid_age -= 1.8 + r() * 3.2
                    if r() < 0.3:
                        break
                cbase = ctx.ids("registry_child", len(kids)) if kids else 0
                used_names: set[str] = set()
                for j, kid in enumerate(kids):
                    csex = "L" if r() < 0.51 else "P"
                    cbirth_ord = as_ord - int(kid * 365.25)
                    cbirth = dt.date.fromordinal(cbirth_ord)
                    cname = name_of(r, csex, bali)
                    while cname in used_names:
                        cname = name_of(r, csex, bali)
                    used_names.add(cname)
                    years = as_of.year - cbirth.year - ((as_of.month, as_of.day) < (cbirth.month, cbirth.day))
                    level, grade, married_c, working = "none", None, False, False
                    if years in SCHOOL_BY_AGE:
                        level, grade = SCHOOL_BY_AGE[years]
                    elif 7 <= years <= 12:
                        level, grade = "SD", years - 6
                    elif 13 <= years <= 15:
                        level, grade = "SMP", years - 12
                    elif 16 <= years <= 18:
                        if r() < 0.9:
                            level, grade = "SMA", years - 15
                        else:
                            working = True
                    elif 19 <= years <= 23:
                        if r() < 0.3:
                            level, grade = "PT", min(5, years - 18)
                        else:
                            working = r() < 0.7
                            married_c = r() < 0.15
                    elif years >= 24:
                        working = r() < 0.7
                        married_c = r() < 0.4
                    cid = cbase + j
                    cnik = nik(district6, cbirth_ord, csex) if years >= 1 or r() < 0.5 else ""
                    children.append(
                        (
                            str(cid),
                            str(wid),
                            cname,
                            cnik,
                            d(cbirth),
                            level,
                            str(grade) if grade is not None else n,
                            "1" if grade is not None and r() < 0.3 else "0",
                            "1" if married_c else "0",
                            "1" if working else "0",
                        )
                    )
                    child_rows.append((cid, cname, cbirth, level, grade, married_c, working))
            # Heirs: the spouse, else a parent (young) or a sibling.
            hid = ctx.ids("registry_heir", 1)
            if married:
                hsex = "P" if sex == "L" else "L"
                hbirth_ord = birth_ord - 1800 + int(r() * 3600)
                relation = "spouse"
            else:
                hsex = "L" if r() < 0.5 else "P"
                if age < 40:
                    hbirth_ord = birth_ord - 7300 - int(r() * 4700)
                    relation = "parent"
                else:
                    hbirth_ord = birth_ord - 3000 + int(r() * 6000)
                    relation = "sibling"
            hname = name_of(r, hsex, bali)
            hnik = nik(district6, hbirth_ord, hsex) if as_ord - hbirth_ord > 6600 else ""
            hphone = f"08{_PHONE_DIGIT[int(r() * 4)]}{10_000_000 + int(r() * 989_999_999)}" if r() < 0.6 else ""
            heirs.append((str(hid), str(wid), hname, relation, hnik, hphone))
            eligible = (not wage) and birth_ord <= min_age_ord and income <= 1_000_000
            people.append(
                (
                    wid,
                    worker_nik,
                    birth,
                    sex,
                    decile,
                    extreme,
                    len(child_rows),
                    eligible,
                    child_rows,
                    hid,
                    hname,
                    relation,
                )
            )

        if status == "signed":
            self._members(rng, v, programme, people, funder, funder_name)

    # --- agreement ----------------------------------------------------------------------------------------
    def _agreement(self, rng: random.Random, v: Village, programme: Programme, status: str, funder: str, fname: str):
        ctx, n, d = self.ctx, self.ctx.null, self.d
        aid = ctx.ids("programmes_agreement", 1)
        start = ctx.start
        head = "Lurah" if v.kind == "kelurahan" else ("Perbekel" if v.code.startswith("51") else "Kepala Desa")
        discussed = start - dt.timedelta(days=rng.randint(60, 150))
        transitions = [("prospect", "in_discussion", discussed, "Sosialisasi program di desa.")]
        if status == "signed":
            signed = start - dt.timedelta(days=rng.randint(5, 45))
            until = month_add(start, 24) - dt.timedelta(days=1)
            row_status = "active"
            number = rng.randint(1, 999)
            values = (
                f"141/{number:03d}/{v.code[-4:]}/{signed.year}",
                f"PER/{rng.randint(1, 999):03d}/{signed.month:02d}.{signed.year}",
                d(signed),
                d(start),
                d(until),
                f"{head} {v.name}",
                f"Kepala Kantor Cabang BPJS Ketenagakerjaan {v.regency_name}",
                str(ctx.per_village),
            )
            transitions += [
                ("in_discussion", "signed", signed, "PKS ditandatangani."),
                ("signed", "active", start, "Kepesertaan dimulai."),
            ]
        else:
            row_status = status
            values = ("", "", n, n, n, "", "", n)
            if status == "prospect":
                transitions = []
        created = ctx.ts(discussed - dt.timedelta(days=10))
        self.tables["programmes_agreement"].append(
            (str(aid), str(programme.id), v.code, row_status, *values, funder, fname, "", n, created, created)
        )
        tid = ctx.ids("programmes_agreementtransition", len(transitions))
        for k, (a, b, on, note) in enumerate(transitions):
            self.tables["programmes_agreementtransition"].append(
                (str(tid + k), str(aid), a, b, d(on), self.user, note, ctx.ts(on))
            )

    # --- members, billing, incidents ----------------------------------------------------------------------
    def _members(self, rng, v: Village, programme: Programme, people, funder: str, fname: str) -> None:
        ctx, n, d, user = self.ctx, self.ctx.null, self.d, self.user
        tables = self.tables
        start, as_of, months = ctx.start, ctx.as_of, ctx.months
        quota = ctx.per_village
        if ctx.profile == "realistic":
            quota = int(quota * rng.uniform(0.85, 1.0))
        ranked = sorted(people, key=lambda p: (not p[7], not p[5], p[4], -p[6], p[2], p[1]))
        chosen = sorted(ranked[:quota], key=lambda p: p[1])

        # Payment behaviour: how many months are paid (k), in which batches, paid when.
        behaviour = "on_time" if ctx.profile == "full" and rng.random() < 0.8 else None
        if behaviour is None:
            behaviour = rng.choices(_BEH, cum_weights=_BEH_CUM)[0] if ctx.profile == "realistic" else "arrears"
        if behaviour == "lapsed" and months < 5:
            behaviour = "arrears"
        if behaviour == "arrears":
            paid_months = months - rng.randint(1, min(3, months))
        elif behaviour == "lapsed":
            paid_months = months - rng.randint(4, min(6, months))
        elif behaviour == "late":
            paid_months = months - rng.randint(0, 1)
        else:
            paid_months = months
        batches: list[tuple[int, int]] = []  # (first month index, last month index), inclusive
        m = 0
        while m < paid_months:
            size = 1 if behaviour != "late" else rng.randint(2, 3)
            last = min(paid_months - 1, m + size - 1)
            batches.append((m, last))
            m = last + 1
        value_dates = []
        for _, last in batches:
            month = month_add(start, last)
            day = rng.randint(3, 28)
            if month.year == as_of.year and month.month == as_of.month:
                day = min(day, as_of.day)
            value_dates.append(month.replace(day=day))
        paid_on_month = {}
        for (first, last), value in zip(batches, value_dates, strict=True):
            for mm in range(first, last + 1):
                paid_on_month[mm] = value

        # Memberships with their deaths and accidents.
        mbase = ctx.ids("membership_membership", len(chosen))
        death_p = ANNUAL_DEATH * months / 12
        accident_p = ANNUAL_ACCIDENT * months / 12
        span = (as_of - start).days
        kpj_effective = start
        members = []  # (membership id, person, died_on | None, incident tuple | None)
        for idx, person in enumerate(chosen):
            incident = None
            r = rng.random()
            if r < death_p:
                incident = (EventType.DEATH, start + dt.timedelta(days=rng.randint(0, span)))
            elif r < death_p + accident_p:
                incident = (
                    rng.choices(_ACC, cum_weights=_ACC_CUM)[0],
                    start + dt.timedelta(days=rng.randint(0, span)),
                )
            died = incident[1] if incident and incident[0].is_death else None
            members.append((mbase + idx, person, died, incident))

        # Invoices: one per month with a line per member not gone before it.
        ibase = ctx.ids("billing_invoice", months)
        allowed = ctx.discount[funder]
        invoices = []  # (invoice id, month index, total, n lines)
        lines = tables["billing_invoiceline"]
        for mm in range(months):
            period = month_add(start, mm)
            due = ctx.dues[(period, allowed)]
            billed = [mid for mid, _, died, _ in members if died is None or died >= period]
            if not billed:
                continue
            iid = ibase + mm
            lid = ctx.ids("billing_invoiceline", len(billed))
            paid = mm in paid_on_month
            line_status = "paid" if paid else "open"
            jkk, jkm, jht, amount, rules = (
                str(due.jkk),
                str(due.jkm),
                str(due.jht),
                str(due.total),
                "; ".join(due.rules),
            )
            for k, mid in enumerate(billed):
                lines.append((str(lid + k), str(iid), str(mid), jkk, jkm, jht, amount, rules, line_status))
            total = due.total * len(billed)
            invoices.append((iid, mm, total))
            tables["billing_invoice"].append(
                (
                    str(iid),
                    str(programme.id),
                    v.code,
                    funder,
                    fname,
                    d(period),
                    "1" if due.discounted else "0",
                    str(total),
                    n,
                    ctx.ts(period, 3600),
                    "paid" if paid else "open",
                    str(total) if paid else "0",
                    d(paid_on_month[mm]) if paid else n,
                )
            )
        total_by_month = {mm: (iid, total) for iid, mm, total in invoices}

        # Payments (one per batch) and their allocations, oldest invoice first.
        source = "apbd" if funder == "apbd" else ("dana_desa" if rng.random() < 0.8 else "add")
        account = "5.1.02.02.01.0026" if funder == "apbd" else "5.4.01.03"
        for (first, last), value in zip(batches, value_dates, strict=True):
            settled = [total_by_month[mm] for mm in range(first, last + 1) if mm in total_by_month]
            paid_total = sum(t for _, t in settled)
            if not paid_total:
                continue
            pid = ctx.ids("billing_payment", 1)
            tables["billing_payment"].append(
                (
                    str(pid),
                    str(programme.id),
                    v.code,
                    d(value),
                    str(paid_total),
                    f"SP2D/{v.code.replace('.', '')}/{month_add(start, last):%Y%m}",
                    source,
                    account,
                    f"Iuran {len(settled)} bulan",
                    n,
                    user,
                    ctx.ts(value, 36000),
                )
            )
            alloc = ctx.ids("billing_paymentallocation", len(settled))
            for k, (iid, total) in enumerate(settled):
                tables["billing_paymentallocation"].append((str(alloc + k), str(pid), str(iid), str(total)))
        tables["billing_account"].append(
            (str(ctx.ids("billing_account", 1)), str(programme.id), v.code, "0", "0", ctx.ts(as_of, 0))
        )

        # Membership rows, history, incidents.
        village_paid = paid_months - 1  # month index of the village's paid-through (-1: nothing paid)
        unpaid_now = months - 1 - village_paid
        kpj_prefix = v.code.replace(".", "")
        history = tables["membership_membershipstatuschange"]
        for idx, (mid, person, died, incident) in enumerate(members):
            wid = person[0]
            paid_idx = village_paid
            if died is not None:
                death_month = (died.year * 12 + died.month) - (start.year * 12 + start.month)
                paid_idx = min(paid_idx, death_month)
            paid_through = month_add(start, paid_idx)
            events = [("", "pending", start - dt.timedelta(days=3), "Pendaftaran kolektif")]
            events.append(("pending", "active", kpj_effective, "Nomor KPJ diterima"))
            if unpaid_now >= 1:
                events.append(("active", "arrears", month_add(start, village_paid + 1), ""))
            if unpaid_now >= 4:
                events.append(("arrears", "lapsed", month_add(start, village_paid + 4), ""))
            if died is not None:
                events = [e for e in events if e[2] <= died]
                events.append((events[-1][1], "ended", died, "death"))
                status = "ended"
            else:
                status = events[-1][1]
            hbase = ctx.ids("membership_membershipstatuschange", len(events))
            for k, (a, b, on, reason) in enumerate(events):
                history.append((str(hbase + k), str(mid), a, b, d(on), reason, user, ctx.ts(on, 39600)))
            tables["membership_membership"].append(
                (
                    str(mid),
                    str(programme.id),
                    str(wid),
                    f"{kpj_prefix}{idx + 1:03d}",
                    d(kpj_effective),
                    d(start),
                    str(programme.declared_income),
                    programme.package,
                    status,
                    "death" if died is not None else "",
                    d(died) if died is not None else n,
                    n,
                    d(paid_through),
                    ctx.ts(start - dt.timedelta(days=3), 36000),
                    ctx.ts(as_of, 0),
                )
            )
            if incident is not None:
                self._incident(rng, v, programme, mid, person, incident, paid_on_month)

    def _incident(self, rng, v: Village, programme: Programme, mid: int, person, incident, paid_on_month) -> None:
        ctx, n, d, user = self.ctx, self.ctx.null, self.d, self.user
        kind, day = incident
        wid, child_rows, hname = person[0], person[8], person[10]
        reported = min(ctx.as_of, day + dt.timedelta(days=rng.randint(1, 7)))
        # Paid through as known on the report day: months whose payment value date is on or before it.
        paid_idx = -1
        while paid_idx + 1 in paid_on_month and paid_on_month[paid_idx + 1] <= reported:
            paid_idx += 1
        paid_through = month_add(ctx.start, paid_idx)
        months_unable = disability = function_loss = None
        medical = land = 0
        work = kind.is_work_accident
        if work:
            medical = rng.randint(10, 600) * 50_000
            land = rng.choice((0, 0, 150_000, 300_000, 500_000))
        if kind == EventType.TEMPORARY_DISABILITY:
            months_unable = rng.randint(1, 6)
        elif kind == EventType.PARTIAL_DISABILITY:
            disability = Decimal(rng.choice((5, 10, 20, 25, 30, 40)))
            function_loss = Decimal(rng.choice((25, 50, 100))) if rng.random() < 0.4 else None
        event = Event(
            type=kind,
            date=day,
            months_unable=months_unable,
            disability_percent=disability,
            function_loss_percent=function_loss,
            medical_cost=medical,
            transport=Transport(land, 0, 0),
        )
        member = Member(
            declared_income=programme.declared_income,
            membership_start=ctx.start,
            paid_through=Month(paid_through.year, paid_through.month),
        )
        kids = [
            EngineChild(name=c[1], birth_date=c[2], level=Level(c[3]), grade=c[4], married=c[5], working=c[6])
            for c in child_rows
        ]
        try:
            result = quote_to_json(quote(event, member, kids, parameters_on(day), None))
        except QuoteError:
            return
        child_ids = {c[1]: c[0] for c in child_rows}
        listed = {e["name"]: child_ids[e["name"]] for e in result["scholarship"]["children"]}
        covered = result["status"] == "covered"

        # Claim status by how long ago the incident was.
        age = (ctx.as_of - reported).days
        steps = ["reported"]
        if age > 14 and rng.random() < 0.85:
            steps.append("documents_complete")
            if age > 30 and rng.random() < 0.85:
                steps.append("submitted")
                if age > 60 and rng.random() < 0.9:
                    steps.append("paid" if covered and rng.random() < 0.92 else "rejected")
        dates = [reported]
        for _ in steps[1:]:
            step = dates[-1] + dt.timedelta(days=rng.randint(3, max(3, min(30, age // len(steps)))))
            dates.append(min(step, ctx.as_of))
        status = steps[-1]

        iid = ctx.ids("claims_incident", 1)
        type_text = {
            EventType.DEATH: "Meninggal dunia karena sakit",
            EventType.WORK_ACCIDENT_DEATH: "Meninggal dunia akibat kecelakaan saat bekerja",
            EventType.TOTAL_PERMANENT_DISABILITY: "Kecelakaan kerja, cacat total tetap",
            EventType.PARTIAL_DISABILITY: "Kecelakaan kerja, cacat sebagian",
            EventType.TEMPORARY_DISABILITY: "Kecelakaan kerja, tidak mampu bekerja sementara",
        }[kind]
        self.tables["claims_incident"].append(
            (
                str(iid),
                str(wid),
                str(mid),
                v.code,
                d(day),
                kind.value,
                f"{'Rumah' if kind == EventType.DEATH else 'Tempat kerja'}, {v.name}",
                f"{type_text} (data sintetis).",
                hname,
                "family",
                str(months_unable) if months_unable is not None else n,
                f"{disability:.2f}" if disability is not None else n,
                f"{function_loss:.2f}" if function_loss is not None else n,
                str(medical),
                str(land),
                "0",
                "0",
                user,
                ctx.ts(reported, 36000),
            )
        )
        cid = ctx.ids("claims_claim", 1)
        decided = dates[-1] if status in ("paid", "rejected") else None
        inputs = {
            "declared_income": programme.declared_income,
            "membership_start": ctx.start.isoformat(),
            "paid_through": f"{paid_through.year:04d}-{paid_through.month:02d}",
        }
        self.tables["claims_claim"].append(
            (
                str(cid),
                str(iid),
                status,
                json.dumps(result, ensure_ascii=False),
                n,
                "0",
                d(day),
                json.dumps(inputs),
                "[]",
                json.dumps(listed, ensure_ascii=False),
                ctx.ts(reported, 36000),
                f"KLM/{day:%Y%m%d}/{person[1][6:]}" if status == "paid" else "",
                str(result["cash_total"]) if status == "paid" else n,
                d(decided) if decided else n,
                ("Kepesertaan tidak aktif pada tanggal kejadian." if not covered else "Dokumen tidak lengkap.")
                if status == "rejected"
                else "",
                user if "submitted" in steps else n,
                ctx.ts(reported, 36000),
            )
        )
        tid = ctx.ids("claims_claimtransition", len(steps))
        previous = ""
        for k, (step, on) in enumerate(zip(steps, dates, strict=True)):
            self.tables["claims_claimtransition"].append(
                (str(tid + k), str(cid), previous, step, d(on), user, "", ctx.ts(on, 39600))
            )
            previous = step
        if status == "paid":
            for entry in result["scholarship"]["children"]:
                if not entry["years"]:
                    continue
                pid = ctx.ids("claims_scholarshipplan", 1)
                self.tables["claims_scholarshipplan"].append(
                    (
                        str(pid),
                        str(cid),
                        str(listed[entry["name"]]),
                        entry["name"],
                        json.dumps(entry["years"], ensure_ascii=False),
                        "active",
                        "",
                        n,
                        "",
                        ctx.ts(decided or ctx.as_of, 39600),
                    )
                )
                ybase = ctx.ids("claims_plannedyear", len(entry["years"]))
                for k, y in enumerate(entry["years"]):
                    self.tables["claims_plannedyear"].append(
                        (str(ybase + k), str(pid), str(y["school_year"]), y["level"], str(y["grade"]), str(y["amount"]))
                    )
