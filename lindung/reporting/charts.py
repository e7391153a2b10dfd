"""The dashboard's charts as data: one spec per chart, drawn by Chart.js in the browser and printed as the table
beneath it (and in the exports), so the picture and the numbers cannot disagree."""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from lindung.reporting.selectors import Dashboard

COUNT, RUPIAH, PERCENT = "count", "rupiah", "percent"


def field_labels() -> dict[str, str]:
    """Indonesian (translated) names of the current figures, for tables and exports."""
    return {
        "villages_desa": _("Desa"),
        "villages_kelurahan": _("Kelurahan"),
        "agreements_desa": _("Desa with a signed agreement"),
        "agreements_kelurahan": _("Kelurahan with a signed agreement"),
        "quota": _("Quota (members)"),
        "members_active": _("Active members (incl. in arrears)"),
        "members_arrears": _("Members in arrears"),
        "members_lapsed": _("Members lapsed"),
        "workers_registered": _("Workers registered"),
        "extreme_registered": _("Extreme-poor workers registered (decile 1)"),
        "extreme_covered": _("Extreme-poor workers covered"),
        "poor_registered": _("Poor workers registered (deciles 1–4)"),  # noqa: RUF001
        "poor_covered": _("Poor workers covered"),
        "contributions_billed": _("Contributions billed (Rp)"),
        "contributions_paid": _("Contributions paid (Rp)"),
        "claims_reported": _("Claims reported"),
        "claims_documents_complete": _("Claims with documents complete"),
        "claims_submitted": _("Claims submitted to BPJS"),
        "claims_paid": _("Claims paid by BPJS"),
        "claims_rejected": _("Claims rejected"),
        "claims_death": _("Claims: death (JKM)"),
        "claims_work_accident_death": _("Claims: work-accident death"),
        "claims_total_permanent_disability": _("Claims: total permanent disability"),
        "claims_partial_disability": _("Claims: partial disability"),
        "claims_temporary_disability": _("Claims: temporary inability to work"),
        "benefits_paid": _("Benefits paid to heirs and workers (Rp)"),
        "scholarships_active": _("Active scholarship plans"),
        "scholarships_owed": _("Scholarship money still owed (Rp)"),
        "training_enrolled": _("Training participants"),
        "training_completed": _("Training completed"),
    }


def _chart(
    chart_id: str, title: str, kind: str, unit: str, labels: list[str], series: list[tuple[str, list[Any]]]
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "title": title,
        "type": kind,
        "unit": unit,
        "labels": labels,
        "series": [{"label": label, "data": data} for label, data in series],
    }


def chart_specs(d: Dashboard) -> list[dict[str, Any]]:
    f = d.figures
    charts = [
        _chart(
            "agreements",
            _("Agreements (PKS) signed vs villages"),
            "bar",
            COUNT,
            [_("Desa"), _("Kelurahan")],
            [
                (_("Signed"), [f["agreements_desa"], f["agreements_kelurahan"]]),
                (_("Villages"), [f["villages_desa"], f["villages_kelurahan"]]),
            ],
        ),
        _chart(
            "members",
            _("Members active vs quota"),
            "bar",
            COUNT,
            [_("Active"), _("Quota"), _("In arrears"), _("Lapsed")],
            [(_("Members"), [f["members_active"], f["quota"], f["members_arrears"], f["members_lapsed"]])],
        ),
        _chart(
            "poverty_coverage",
            _("Poor workers covered vs registered"),
            "bar",
            COUNT,
            [_("Extreme poor (decile 1)"), _("Poor (deciles 1–4)")],  # noqa: RUF001
            [
                (_("Covered"), [f["extreme_covered"], f["poor_covered"]]),
                (_("Registered"), [f["extreme_registered"], f["poor_registered"]]),
            ],
        ),
        _chart(
            "contributions",
            _("Contributions billed vs paid"),
            "bar",
            RUPIAH,
            [_("Billed"), _("Paid")],
            [(_("Rupiah"), [f["contributions_billed"], f["contributions_paid"]])],
        ),
        _chart(
            "claims_status",
            _("Claims by status"),
            "bar",
            COUNT,
            [_("Reported"), _("Documents complete"), _("Submitted"), _("Paid"), _("Rejected")],
            [
                (
                    _("Claims"),
                    [
                        f["claims_reported"],
                        f["claims_documents_complete"],
                        f["claims_submitted"],
                        f["claims_paid"],
                        f["claims_rejected"],
                    ],
                )
            ],
        ),
        _chart(
            "claims_type",
            _("Claims by type"),
            "bar",
            COUNT,
            [
                _("Death (JKM)"),
                _("Work-accident death"),
                _("Total permanent disability"),
                _("Partial disability"),
                _("Temporary inability to work"),
            ],
            [
                (
                    _("Claims"),
                    [
                        f["claims_death"],
                        f["claims_work_accident_death"],
                        f["claims_total_permanent_disability"],
                        f["claims_partial_disability"],
                        f["claims_temporary_disability"],
                    ],
                )
            ],
        ),
        _chart(
            "benefits",
            _("Benefits paid and scholarship money still owed"),
            "bar",
            RUPIAH,
            [_("Benefits paid"), _("Scholarships still owed")],
            [(_("Rupiah"), [f["benefits_paid"], f["scholarships_owed"]])],
        ),
        _chart(
            "scholarships_training",
            _("Scholarships and training"),
            "bar",
            COUNT,
            [_("Active scholarship plans"), _("Training participants"), _("Training completed")],
            [(_("People"), [f["scholarships_active"], f["training_enrolled"], f["training_completed"]])],
        ),
    ]
    if d.children:
        charts.append(
            _chart(
                "children",
                _("Members active vs quota by region"),
                "bar",
                COUNT,
                [p.name for p, _figures in d.children],
                [
                    (_("Active"), [c["members_active"] for _p, c in d.children]),
                    (_("Quota"), [c["quota"] for _p, c in d.children]),
                ],
            )
        )
    if d.months:
        months = [m.strftime("%Y-%m") for m in d.months]
        t = d.trend
        charts += [
            _chart(
                "trend_members",
                _("Members per month"),
                "line",
                COUNT,
                months,
                [(_("Members with the month paid"), t["members_paid"]), (_("New members"), t["members_started"])],
            ),
            _chart(
                "trend_contributions",
                _("Contributions per month"),
                "line",
                RUPIAH,
                months,
                [(_("Billed"), t["contributions_billed"]), (_("Paid"), t["contributions_paid"])],
            ),
            _chart(
                "trend_agreements",
                _("Agreements signed and workers registered (cumulative)"),
                "line",
                COUNT,
                months,
                [
                    (_("Agreements signed"), list(accumulate(t["agreements_signed"]))),
                    (_("Workers registered"), list(accumulate(t["workers_registered"]))),
                ],
            ),
            _chart(
                "trend_claims",
                _("Claims reported per month"),
                "line",
                COUNT,
                months,
                [(_("Claims"), t["claims_reported"])],
            ),
            _chart(
                "trend_benefits",
                _("Benefits and scholarships paid per month"),
                "line",
                RUPIAH,
                months,
                [(_("Benefits paid"), t["benefits_paid"]), (_("Scholarships paid"), t["scholarships_paid"])],
            ),
            _chart(
                "trend_training",
                _("Training per month"),
                "line",
                COUNT,
                months,
                [(_("Participants"), t["training_enrolled"]), (_("Completed"), t["training_completed"])],
            ),
        ]
    if d.poverty:
        charts.append(
            _chart(
                "poverty_rate",
                _("Extreme poverty rate against the 0% target"),
                "line",
                PERCENT,
                [p.as_of.isoformat() for p in d.poverty],
                [
                    (_("Poverty rate (%)"), [float(p.poverty_rate) for p in d.poverty]),
                    (_("Extreme poverty rate (%)"), [float(p.extreme_poverty_rate) for p in d.poverty]),
                    (_("Target (%)"), [0.0 for _p in d.poverty]),
                ],
            )
        )
    return charts
