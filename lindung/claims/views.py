"""Pages of the claims app: thin views over `services` and `selectors`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lindung.benefits.engine.scholarship import school_year_of
from lindung.claims import services
from lindung.claims.forms import (
    CauseForm,
    DisbursementForm,
    DocumentForm,
    IncidentForm,
    PaidOnForm,
    PaymentForm,
    PayoutForm,
    RecomputeForm,
    RejectForm,
    StopForm,
    SubmitForm,
)
from lindung.claims.models import Claim, ScholarshipPlan
from lindung.claims.permissions import can_approve, can_disburse, can_prepare, can_record_bpjs
from lindung.claims.quoting import BENEFIT_LABELS
from lindung.claims.selectors import (
    access_claim_by_id,
    access_plan_by_id,
    claim_list,
    plan_years,
    scholarship_due,
    scholarship_liabilities,
)
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.registry.selectors import access_worker_by_id


def _serve(file: FieldFile, name: str) -> FileResponse:
    if not file or not file.name:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / file.name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=Path(name).name or path.name)


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


# --- Reporting ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: AuthedRequest, worker_id: int) -> HttpResponse:
    worker = access_worker_by_id(request.user, worker_id)
    if not can_prepare(request.user, worker.village_id):
        raise PermissionDenied
    children = list(worker.children.all())
    form = IncidentForm(request.POST or None, children=children, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.IncidentDetails(
            months_unable=data.get("months_unable"),
            disability_percent=data.get("disability_percent"),
            function_loss_percent=data.get("function_loss_percent"),
            medical_cost=data.get("medical_cost") or 0,
            transport_land=data.get("transport_land") or 0,
            transport_sea=data.get("transport_sea") or 0,
            transport_air=data.get("transport_air") or 0,
        )
        try:
            claim = services.incident_report(
                actor=request.user,
                worker=worker,
                date=data["date"],
                type=data["type"],
                place=data["place"],
                description=data["description"],
                reporter_name=data["reporter_name"],
                reporter_role=data["reporter_role"],
                cause_under_assessment=data.get("cause_under_assessment", False),
                details=details,
                chosen_children=_int_list(data.get("chosen_children", [])),
                request=request,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Incident reported; the claim is open."))
            return redirect("claims:claim_detail", claim_id=claim.pk)
    claims = Claim.objects.filter(incident__worker=worker).select_related("incident")
    return render(request, "claims/incident_form.html", {"worker": worker, "form": form, "claims": claims})


# --- Claims ------------------------------------------------------------------------------------------------------


@login_required
def claims(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = claim_list(viewer=request.user, status=status if status in Claim.Status.values else "")[:200]
    return render(request, "claims/claim_list.html", {"claims": rows, "status": status, "statuses": Claim.Status})


def _quote_lines(quote: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not quote:
        return []
    return [{**line, "label": BENEFIT_LABELS.get(line["code"], line["code"])} for line in quote["benefits"]]


@login_required
def claim_detail(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    incident = claim.incident
    village = incident.village_id
    user = request.user
    documents = list(claim.documents.select_related("uploaded_by"))
    required = services.claim_checklist(claim)
    checklist_rows = [
        {
            "item": item,
            "documents": [d for d in documents if d.kind == item.code],
            "form": DocumentForm(initial={"kind": item.code}, prefix=item.code),
        }
        for item in required
    ]
    may_prepare = can_prepare(user, village) and claim.status in (
        Claim.Status.REPORTED,
        Claim.Status.DOCUMENTS_COMPLETE,
    )
    makers = services.claim_makers(claim)
    plans = [(plan, plan_years(plan)) for plan in claim.plans.all()]
    payouts = list(claim.payouts.all())
    return render(request, "claims/claim_detail.html", {
        "claim": claim, "incident": incident, "worker": incident.worker, "membership": incident.membership,
        "lines": _quote_lines(claim.quote), "alt_lines": _quote_lines(claim.alternative_quote),
        "checklist": checklist_rows, "missing": [r for r in checklist_rows if not r["documents"]],
        "transitions": claim.transitions.select_related("by"),
        "can_prepare": may_prepare,
        "recompute_form": RecomputeForm(
            children=list(incident.worker.children.all()),
            initial={"chosen_children": [str(pk) for pk in claim.chosen_children]},
        ) if may_prepare else None,
        "can_submit": claim.status == Claim.Status.DOCUMENTS_COMPLETE and can_approve(user, village),
        "is_maker": user.pk in makers,
        "can_decide": claim.status == Claim.Status.SUBMITTED and can_record_bpjs(user, village),
        "can_decide_cause": claim.cause_under_assessment and can_record_bpjs(user, village)
        and claim.status not in (Claim.Status.PAID, Claim.Status.REJECTED),
        "cause_form": CauseForm(),
        "can_payout": claim.status == Claim.Status.PAID and not payouts and can_record_bpjs(user, village),
        "payouts": payouts, "payout_total": sum(p.amount for p in payouts), "plans": plans,
    })  # fmt: skip


@login_required
@require_POST
def claim_recompute(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_prepare(request.user, claim.incident.village_id):
        raise PermissionDenied
    form = RecomputeForm(request.POST, children=list(claim.incident.worker.children.all()))
    chosen = _int_list(form.cleaned_data["chosen_children"]) if form.is_valid() else None
    try:
        services.claim_recompute(actor=request.user, claim=claim, chosen_children=chosen, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The quote was computed again."))
    return redirect("claims:claim_detail", claim_id=claim.pk)


@login_required
@require_POST
def claim_document_upload(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_prepare(request.user, claim.incident.village_id):
        raise PermissionDenied
    kind = request.POST.get("kind", "")
    form = DocumentForm(request.POST, request.FILES, prefix=kind or None)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            services.claim_document_upload(
                actor=request.user,
                claim=claim,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                request=request,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Document uploaded."))
    return redirect(reverse("claims:claim_detail", args=[claim.pk]) + "#dokumen")


@login_required
def claim_document_download(request: AuthedRequest, claim_id: int, document_id: int) -> FileResponse:
    claim = access_claim_by_id(request.user, claim_id)
    document = claim.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    return _serve(document.file, document.original_name)


def _action_page(request: AuthedRequest, claim: Claim, **context: Any) -> HttpResponse:
    return render(request, "claims/claim_action.html", {"claim": claim, **context})


@login_required
@require_http_methods(["GET", "POST"])
def claim_submit(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_approve(request.user, claim.incident.village_id):
        raise PermissionDenied
    form = SubmitForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_submit(
                actor=request.user, claim=claim, on=form.cleaned_data["on"], note=form.cleaned_data["note"],
                request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The claim was approved and submitted to BPJS."))
            return redirect("claims:claim_detail", claim_id=claim.pk)
    return _action_page(
        request, claim, form=form, title=_("Approve the submission to BPJS"),
        question=_("Submit this claim to BPJS Ketenagakerjaan? You approve it as the second person: the claim was "
                   "reported and prepared by someone else."),
        button=_("Yes, submit to BPJS"), danger=False,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def claim_paid(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_record_bpjs(request.user, claim.incident.village_id):
        raise PermissionDenied
    form = PaymentForm(
        request.POST or None,
        needs_cause=claim.cause_under_assessment,
        initial={"on": timezone.localdate(), "amount": claim.cash_total},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cause = data.get("cause") or ""
        try:
            services.claim_record_payment(
                actor=request.user, claim=claim, on=data["on"], reference=data["reference"], amount=data["amount"],
                note=data["note"], work_accident={"work": True, "not_work": False}.get(cause), request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("BPJS payment recorded."))
            return redirect("claims:claim_detail", claim_id=claim.pk)
    return _action_page(
        request, claim, form=form, title=_("Record the BPJS payment"),
        question=_("Record that BPJS paid this claim? Scholarship plans are created for the children in the quote."),
        button=_("Yes, record the payment"), danger=False,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def claim_reject(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_record_bpjs(request.user, claim.incident.village_id):
        raise PermissionDenied
    form = RejectForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_reject(
                actor=request.user, claim=claim, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"],
                request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("BPJS rejection recorded."))
            return redirect("claims:claim_detail", claim_id=claim.pk)
    return _action_page(
        request, claim, form=form, title=_("Record the BPJS rejection"),
        question=_("Record that BPJS rejected this claim? This is final."),
        button=_("Yes, record the rejection"), danger=True,
    )  # fmt: skip


@login_required
@require_POST
def claim_cause(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_record_bpjs(request.user, claim.incident.village_id):
        raise PermissionDenied
    form = CauseForm(request.POST)
    if form.is_valid():
        try:
            services.claim_decide_cause(
                actor=request.user, claim=claim, work_accident=form.cleaned_data["cause"] == "work", request=request
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The cause of death was decided; the claim now has one quote."))
    return redirect("claims:claim_detail", claim_id=claim.pk)


@login_required
@require_http_methods(["GET", "POST"])
def claim_payouts(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = access_claim_by_id(request.user, claim_id)
    if not can_record_bpjs(request.user, claim.incident.village_id):
        raise PermissionDenied
    if claim.status != Claim.Status.PAID or claim.payouts.exists():
        messages.error(request, _("Payouts are recorded once, after BPJS has paid the claim."))
        return redirect("claims:claim_detail", claim_id=claim.pk)
    data = request.POST if request.method == "POST" else None
    error = ""
    try:
        payees, basis = services.expected_payees(claim)
    except ApplicationError as exc:
        payees, basis, error = [], "", exc.message
    rows = []
    for index, payee in enumerate(payees):
        rows.append((payee, PayoutForm(data, prefix=f"p{index}", initial={"amount": payee.share})))
    paid_on_form = PaidOnForm(data, initial={"paid_on": timezone.localdate()})
    if data is not None and paid_on_form.is_valid() and all(form.is_valid() for _payee, form in rows):
        entries = []
        for payee, form in rows:
            f = form.cleaned_data
            entries.append(
                services.PayoutEntry(
                    heir_id=payee.heir.pk if payee.heir else None,
                    amount=f["amount"],
                    bank=f["bank"],
                    account_number=f["account_number"],
                    is_minor=f["is_minor"],
                    guardian_name=f["guardian_name"],
                    guardian_account=f["guardian_account"],
                    difference_reason=f["difference_reason"],
                )
            )
        try:
            services.payouts_record(
                actor=request.user, claim=claim, paid_on=paid_on_form.cleaned_data["paid_on"], entries=entries,
                request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Payouts recorded."))
            return redirect("claims:claim_detail", claim_id=claim.pk)
    return render(request, "claims/payouts.html", {
        "claim": claim, "rows": rows, "basis": basis, "error": error, "paid_on_form": paid_on_form,
    })  # fmt: skip


# --- Scholarship plans -------------------------------------------------------------------------------------------


@login_required
def plan_detail(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id)
    years = plan_years(plan)
    open_years = [row.school_year for row in years if row.paid is None]
    may = plan.status == ScholarshipPlan.Status.ACTIVE and can_disburse(request.user, plan.claim.incident.village_id)
    current = school_year_of(timezone.localdate())
    initial_year = current if current in open_years else (open_years[0] if open_years else None)
    planned = {row.school_year: row.projected for row in years}
    form = (
        DisbursementForm(
            years=open_years,
            initial={
                "school_year": initial_year,
                "amount": planned.get(initial_year or 0),
                "paid_on": timezone.localdate(),
            },
        )
        if may and open_years
        else None
    )
    return render(request, "claims/plan_detail.html", {
        "plan": plan, "years": years, "form": form, "can_change": may,
        "projected_total": sum(r.projected for r in years), "paid_total": sum(r.paid or 0 for r in years),
    })  # fmt: skip


@login_required
@require_POST
def plan_disburse(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id)
    if not can_disburse(request.user, plan.claim.incident.village_id):
        raise PermissionDenied
    years = [row.school_year for row in plan_years(plan) if row.paid is None]
    form = DisbursementForm(request.POST, request.FILES, years=years)
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(map(str, e)) for e in form.errors.values()))
    else:
        data = form.cleaned_data
        try:
            services.disbursement_record(
                actor=request.user, plan=plan, school_year=data["school_year"], amount=data["amount"],
                proof=data["proof"], paid_on=data["paid_on"], difference_reason=data["difference_reason"],
                request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Scholarship disbursement recorded."))
    return redirect("claims:plan_detail", plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_stop(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id)
    if not can_disburse(request.user, plan.claim.incident.village_id):
        raise PermissionDenied
    form = StopForm(request.POST or None, initial={"from_year": school_year_of(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_stop(
                actor=request.user, plan=plan, reason=data["reason"], from_year=data["from_year"], note=data["note"],
                request=request,
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The scholarship plan was stopped."))
            return redirect("claims:plan_detail", plan_id=plan.pk)
    return render(request, "claims/plan_stop.html", {"plan": plan, "form": form})


@login_required
def disbursement_proof(request: AuthedRequest, plan_id: int, disbursement_id: int) -> FileResponse:
    plan = access_plan_by_id(request.user, plan_id)
    disbursement = plan.disbursements.filter(pk=disbursement_id).first()
    if disbursement is None:
        raise Http404
    return _serve(disbursement.proof, disbursement.proof_name)


@login_required
def liabilities(request: AuthedRequest) -> HttpResponse:
    result = scholarship_liabilities(viewer=request.user)
    return render(request, "claims/liabilities.html", {"result": result})


@login_required
def reminders(request: AuthedRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        year = school_year_of(timezone.localdate())
    rows = scholarship_due(viewer=request.user, school_year=year)
    return render(request, "claims/reminders.html", {"rows": rows, "year": year})
