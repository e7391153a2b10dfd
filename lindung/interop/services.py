"""OpenSID population in: plan, preview through the registry's staged import, apply all-or-nothing.

Workers go through the registry's own import (`import_batch_create` → `import_batch_validate` →
`import_batch_apply`) from a file of its canonical columns written here; children, life events and the
summary are this app's, written set-based after the registry's merge, inside the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from lindung.accounts.access import require_village_change, villages_changeable
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.interop.models import LifeEventReview, OpensidImport
from lindung.interop.opensid_population import (
    CANONICAL_HEADERS,
    OPENSID_COLUMN,
    PopulationFileProblem,
    PopulationPlan,
    plan_population,
)
from lindung.membership.models import Membership
from lindung.regions.models import Region
from lindung.registry.importing.pipeline import ValidationSummary
from lindung.registry.importing.reading import FileProblem, check_upload
from lindung.registry.importing.rows import COLUMN_LABELS
from lindung.registry.models import Child, ImportBatch, Worker
from lindung.registry.occupations import normalise
from lindung.registry.services import (
    import_batch_apply,
    import_batch_cancel,
    import_batch_create,
    import_batch_validate,
)

OPEN_MEMBERSHIP = ("pending", "active", "arrears")
CHILD_FIELDS = ("name", "nik", "birth_date", "school_level", "grade", "grade_estimated", "married", "working")
_LABEL_TO_COLUMN = {label: column for column, label in COLUMN_LABELS.items()}


def _folder(pk: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "interop" / "opensid" / str(pk)


def _actor(user: User | None) -> dict[str, Any]:
    return {"actor": user, "actor_username": "" if user else "cli"}


def changeable_village(user: User | None, code: str) -> Region:
    villages = villages_changeable(user) if user else Region.objects.filter(level=Region.Level.VILLAGE)
    village = villages.filter(code=code).first()
    if village is None:
        raise ApplicationError(_("Village %(code)s is unknown or outside your area.") % {"code": code}, code="village")
    return village


def _write_canonical(plan: PopulationPlan, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANONICAL_HEADERS)
        writer.writerows(w.values for w in plan.workers)


def _registry_problems(batch: ImportBatch, plan: PopulationPlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The registry's rejected and warned rows, as OpenSID rows with an OpenSID column name."""
    if not batch.errors_path:
        return [], []
    by_canonical_row = dict(enumerate(plan.workers, start=2))  # row 1 is the header
    rejected: list[dict[str, Any]] = []
    warned: list[dict[str, Any]] = []
    book = load_workbook(batch.errors_path, read_only=True)
    try:
        for cells in book.worksheets[0].iter_rows(min_row=2, values_only=True):
            worker = by_canonical_row.get(int(cells[0])) if cells and cells[0] is not None else None
            if worker is None:
                continue
            status, reason = str(cells[-2] or ""), str(cells[-1] or "")
            label = reason.split(":", 1)[0]
            column = OPENSID_COLUMN.get(_LABEL_TO_COLUMN.get(label, ""), "nik")
            values = dict(zip(CANONICAL_HEADERS, worker.values, strict=True))
            item = {"row": worker.row, "column": column, "reason": reason, "nik": worker.nik,
                    "name": values["Nama Lengkap"]}  # fmt: skip
            (warned if status.startswith("Peringatan") else rejected).append(item)
    finally:
        book.close()
    return rejected, warned


def _child_key_name(name: str, born: Any) -> tuple[str, str]:
    return normalise(name), born.isoformat() if isinstance(born, dt.date) else str(born)


def children_changes(
    children: list[dict[str, Any]], parent_ids: dict[str, int]
) -> tuple[list[Child], list[Child], int, int]:
    """(children to create, children to update, unchanged, children whose parents are not workers), in one query.

    A child already recorded under a worker is found by NIK, else by name and birth date (an earlier entry typed by
    hand). A grade typed by hand is kept while the level stays the same; otherwise the estimate replaces it.
    """
    existing: dict[int, list[Child]] = {}
    for child in Child.objects.filter(worker_id__in=set(parent_ids.values())).only("worker_id", *CHILD_FIELDS):
        existing.setdefault(child.worker_id, []).append(child)
    creates: list[Child] = []
    updates: list[Child] = []
    unchanged = orphans = 0
    for row in children:
        born = dt.date.fromisoformat(row["birth_date"])
        parents = [parent_ids[n] for n in row["parents"] if n in parent_ids]
        if not parents:
            orphans += 1
            continue
        for worker_id in parents:
            known = existing.get(worker_id, [])
            match = next((c for c in known if c.nik and c.nik == row["nik"]), None) or next(
                (c for c in known if _child_key_name(c.name, c.birth_date) == _child_key_name(row["name"], born)),
                None,
            )
            grade, estimated = row["grade"], row["grade"] is not None
            if match is None:
                creates.append(
                    Child(
                        worker_id=worker_id,
                        name=row["name"],
                        nik=row["nik"],
                        birth_date=born,
                        school_level=row["school_level"],
                        grade=grade,
                        grade_estimated=estimated,
                        married=row["married"],
                        working=row["working"],
                    )
                )
                continue
            if match.school_level == row["school_level"] and not match.grade_estimated and match.grade is not None:
                grade, estimated = match.grade, False  # typed by hand for this level
            wanted = {"name": row["name"], "nik": row["nik"], "birth_date": born, "school_level": row["school_level"],
                      "grade": grade, "grade_estimated": estimated, "married": row["married"],
                      "working": row["working"]}  # fmt: skip
            if all(getattr(match, f) == v for f, v in wanted.items()):
                unchanged += 1
                continue
            for f, v in wanted.items():
                setattr(match, f, v)
            updates.append(match)
    return creates, updates, unchanged, orphans


def _member_deaths(village: str, plan: dict[str, Any]) -> list[tuple[int, int]]:
    """(worker id, row) of the residents marked dead who hold an open membership."""
    rows = {d["nik"]: d["row"] for d in plan.get("deaths", [])}
    if not rows:
        return []
    members = (
        Membership.objects.filter(worker__village_id=village, worker__nik__in=list(rows), status__in=OPEN_MEMBERSHIP)
        .values_list("worker_id", "worker__nik")
        .distinct()
    )
    return sorted((worker_id, rows[nik]) for worker_id, nik in members)


def _parent_ids(village: str, plan: dict[str, Any]) -> dict[str, int]:
    niks = {n for c in plan["children"] for n in c["parents"]}
    return dict(Worker.objects.filter(village_id=village, nik__in=list(niks)).values_list("nik", "pk"))


def _registry_check(
    acting_user: User | None, plan: PopulationPlan, canonical: Path, original_name: str, village: Region
) -> tuple[ImportBatch, ValidationSummary]:
    """Open and validate the registry's batch of the candidate workers (nothing is written to the registry)."""
    batch = import_batch_create(
        acting_user=acting_user,
        source=canonical,
        original_name=f"OpenSID {Path(original_name).stem}.csv",
        village_code=village.code,
    )
    return batch, import_batch_validate(batch=batch)


def opensid_import_create(
    *,
    acting_user: User | None,
    source: Path,
    original_name: str,
    village_code: str,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> OpensidImport:
    """Keep the export, plan every row, check the workers through the registry's import, summarise.

    Nothing in the registry changes here; the summary says what `opensid_import_apply` will create, update and
    skip (with each skipped row's number, column and reason).
    """
    village = changeable_village(acting_user, village_code)
    try:
        check_upload(source, max_bytes=max_bytes)
        plan = plan_population(source, today=today or timezone.localdate())
    except (FileProblem, PopulationFileProblem) as exc:
        raise ApplicationError(str(exc), code="file") from exc
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    imp = OpensidImport.objects.create(
        village=village,
        created_by=acting_user,
        original_name=original_name[:255],
        stored_path="",
        file_sha256=digest,
        reference_date=today or timezone.localdate(),
    )
    folder = _folder(imp.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / ("original" + (Path(original_name).suffix.lower()[:6] or ".xlsx"))
    shutil.copyfile(source, stored)
    canonical = folder / "pekerja.csv"
    _write_canonical(plan, canonical)

    plan_json = plan.as_json()
    summary: Counter[str] = Counter()
    rejected: list[dict[str, Any]] = []
    warned: list[dict[str, Any]] = []
    batch = None
    try:
        batch, registry = (
            _registry_check(acting_user, plan, canonical, original_name, village) if plan.workers else (None, None)
        )
    except ApplicationError as exc:
        OpensidImport.objects.filter(pk=imp.pk).update(status=OpensidImport.Status.FAILED, message=exc.message)
        raise
    if batch is not None and registry is not None:
        summary.update(workers_create=registry.created, workers_update=registry.updated,
                       workers_unchanged=registry.unchanged)  # fmt: skip
        rejected, warned = _registry_problems(batch, plan)
    refused = {r["nik"] for r in rejected}
    for item in rejected:
        plan_json["skipped"].append({**item, "nik": _mask(item["nik"]), "kind": "registry"})
    plan_json["warnings"] = [{**w, "nik": _mask(w["nik"])} for w in warned]
    # A child whose every parent was refused by the registry has no worker to belong to.
    kept = []
    for child in plan_json["children"]:
        child["parents"] = [n for n in child["parents"] if n not in refused]
        if child["parents"]:
            kept.append(child)
        else:
            plan_json["skipped"].append({"row": child["row"], "column": "kk_level", "nik": _mask(child["nik"]),
                                         "name": child["name"], "kind": "no_parent",
                                         "reason": "Orang tua calon pekerja ditolak (lihat barisnya); anak tidak "
                                                   "dapat dicatat."})  # fmt: skip
    plan_json["children"] = kept
    plan_json["skipped"].sort(key=lambda s: s["row"])
    # Preview of the children against the registry as it is now (a parent not yet registered: all new).
    known = _parent_ids(village.code, plan_json)
    new_parents = {n for c in kept for n in c["parents"]} - set(known)
    creates, updates, unchanged, _orphans = children_changes(kept, known)
    new_children = sum(1 for c in kept for n in c["parents"] if n in new_parents)
    summary.update(
        rows=plan.rows,
        families=plan.families,
        worker_rows=len(plan.workers) - len(refused),
        child_rows=len(kept),
        children_create=len(creates) + new_children,
        children_update=len(updates),
        children_unchanged=unchanged,
        skipped=len(plan_json["skipped"]),
        warnings=len(warned),
        possible_claims=len(_member_deaths(village.code, plan_json)),
    )
    summary.update({f"skipped_{k}": v for k, v in Counter(s["kind"] for s in plan_json["skipped"]).items()})
    imp.stored_path = str(stored)
    imp.batch = batch
    imp.plan = plan_json
    imp.summary = dict(summary)
    imp.save(update_fields=["stored_path", "batch", "plan", "summary"])
    audit_record(**_actor(acting_user), action="interop.opensid.upload", target_type="opensid_import",
                 target_id=imp.pk, region_code=village.code,
                 changes={"file": original_name, "sha256": digest, **imp.summary})  # fmt: skip
    return imp


def _mask(nik: str) -> str:
    from lindung.registry.identity import mask_nik

    return mask_nik(nik)


def opensid_import_apply(*, imp: OpensidImport, acting_user: User | None) -> OpensidImport:
    """Save the workers, their children and the life-event reviews all-or-nothing; a re-run changes nothing."""
    if acting_user is not None:
        require_village_change(acting_user, imp.village_id)
    if imp.status != OpensidImport.Status.VALIDATED:
        raise ApplicationError(_("This import has already been processed or cancelled."), code="state")
    try:
        with transaction.atomic():
            counts: dict[str, int] = {"workers_create": 0, "workers_update": 0, "workers_unchanged": 0}
            if imp.batch is not None:
                batch = ImportBatch.objects.select_for_update().get(pk=imp.batch.pk)
                if batch.valid:
                    import_batch_apply(batch=batch, acting_user=acting_user)
                    counts.update(workers_create=batch.created, workers_update=batch.updated,
                                  workers_unchanged=batch.unchanged)  # fmt: skip
            parent_ids = _parent_ids(imp.village_id, imp.plan)
            creates, updates, unchanged, orphans = children_changes(imp.plan["children"], parent_ids)
            Child.objects.bulk_create(creates, batch_size=1000)
            Child.objects.bulk_update(updates, list(CHILD_FIELDS), batch_size=1000)
            deaths = _member_deaths(imp.village_id, imp.plan)
            already = set(
                LifeEventReview.objects.filter(
                    worker_id__in=[w for w, _r in deaths], kind=LifeEventReview.Kind.DEATH
                ).values_list("worker_id", flat=True)
            )
            reviews = LifeEventReview.objects.bulk_create(
                [
                    LifeEventReview(
                        worker_id=w,
                        village_id=imp.village_id,
                        kind=LifeEventReview.Kind.DEATH,
                        source=imp,
                        source_row=row,
                    )
                    for w, row in deaths
                    if w not in already
                ]
            )
            counts.update(children_create=len(creates), children_update=len(updates),
                          children_unchanged=unchanged, children_orphaned=orphans,
                          possible_claims=len(reviews))  # fmt: skip
            imp.status = OpensidImport.Status.APPLIED
            imp.finished_at = timezone.now()
            imp.summary = {**imp.summary, "applied": counts}
            imp.save(update_fields=["status", "finished_at", "summary"])
            audit_record(**_actor(acting_user), action="interop.opensid.apply", target_type="opensid_import",
                         target_id=imp.pk, region_code=imp.village_id,
                         changes={**counts, "sha256": imp.file_sha256,
                                  "reviews": [r.worker_id for r in reviews][:100]})  # fmt: skip
    except ApplicationError as exc:
        OpensidImport.objects.filter(pk=imp.pk).update(status=OpensidImport.Status.FAILED, message=exc.message,
                                                       finished_at=timezone.now())  # fmt: skip
        imp.refresh_from_db()
        raise
    except Exception as exc:
        message = f"Gagal menyimpan; tidak ada data yang berubah. ({exc.__class__.__name__})"
        OpensidImport.objects.filter(pk=imp.pk).update(status=OpensidImport.Status.FAILED, message=message,
                                                       finished_at=timezone.now())  # fmt: skip
        imp.refresh_from_db()
        raise
    return imp


def opensid_import_cancel(*, imp: OpensidImport, acting_user: User) -> OpensidImport:
    require_village_change(acting_user, imp.village_id)
    if imp.status != OpensidImport.Status.VALIDATED:
        raise ApplicationError(_("This import can no longer be cancelled."), code="state")
    with transaction.atomic():
        if imp.batch is not None and imp.batch.status == ImportBatch.Status.VALIDATED:
            import_batch_cancel(batch=imp.batch, acting_user=acting_user)
        imp.status = OpensidImport.Status.CANCELLED
        imp.finished_at = timezone.now()
        imp.save(update_fields=["status", "finished_at"])
        audit_record(actor=acting_user, action="interop.opensid.cancel", target_type="opensid_import",
                     target_id=imp.pk, region_code=imp.village_id)  # fmt: skip
    return imp


def life_event_review_close(*, review: LifeEventReview, acting_user: User) -> LifeEventReview:
    """Mark a review item handled (the incident was reported through the claims pages, or it was a mistake)."""
    require_village_change(acting_user, review.village_id)
    with transaction.atomic():
        review.status = LifeEventReview.Status.DONE
        review.handled_by = acting_user
        review.handled_at = timezone.now()
        review.save(update_fields=["status", "handled_by", "handled_at"])
        audit_record(actor=acting_user, action="interop.life_event.close", target_type="life_event_review",
                     target_id=review.pk, region_code=review.village_id)  # fmt: skip
    return review
