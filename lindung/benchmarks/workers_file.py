"""Write a realistic worker file for the import benchmark: deterministic for a seed, with known defects.

Rows look like what a regency office sends after collecting its villages' lists: the template's Indonesian
headers, about a hundred workers per village ("1 Desa 100 Pekerja"), real Kemendagri village codes, NIKs that
encode the row's district, birth date and sex, everyday occupation words and "Rp 750.000" amounts.

Into that, 2 % bad rows of known kinds (each with exactly one defect, spread evenly, kinds in turn) and 1 %
duplicates (a later row repeating an earlier valid row) are injected, so the benchmark can check that the
importer rejected exactly those rows and found exactly those duplicates.

Faker is slow per call (~8 µs a name), so pools of names and places are drawn once and combined with a seeded
`random.Random`; a million rows take about half a minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import random
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from lindung.registry.importing.reading import COLUMNS

Format = Literal["csv", "xlsx"]

HEADERS: Final = tuple(column.header for column in COLUMNS)
DEFAULT_SEED: Final = 3  # issue 3
DEFAULT_PROVINCES: Final = ("51", "52", "53", "33")  # Bali, NTB, NTT, Jawa Tengah: 13,887 villages
WORKERS_PER_VILLAGE: Final = 100

BAD_PERCENT: Final = 2
DUPLICATE_PERCENT: Final = 1
BAD_KINDS: Final = ("nik_15_digits", "impossible_date", "sex_x", "unknown_village", "amount_abc")
#: The column (template header) each kind of defect breaks; the importer's error report must name it.
BAD_COLUMN: Final = {
    "nik_15_digits": "NIK",
    "impossible_date": "Tanggal Lahir",
    "sex_x": "Jenis Kelamin",
    "unknown_village": "Kode Desa",
    "amount_abc": "Penghasilan per Bulan",
}

_I = {column.name: index for index, column in enumerate(COLUMNS)}
_BIRTH_FIRST: Final = dt.date(1961, 1, 1).toordinal()  # working age in 2026: 20 to 65
_BIRTH_LAST: Final = dt.date(2006, 12, 31).toordinal()
_KK_FIRST: Final = dt.date(2005, 1, 1).toordinal()
_KK_LAST: Final = dt.date(2024, 12, 31).toordinal()
_CONSENT_FIRST: Final = dt.date(2025, 1, 6).toordinal()
_CONSENT_LAST: Final = dt.date(2025, 10, 31).toordinal()

# Everyday words a village office writes; a few are unknown to the Dukcapil list (kept as a specialisation,
# with a warning), as in real files.
_OCCUPATIONS: Final = (
    *("petani",) * 6,
    *("Petani/Pekebun",) * 3,
    *("Buruh harian lepas",) * 4,
    *("buruh tani",) * 3,
    *("pedagang",) * 3,
    *("nelayan",) * 2,
    "Pedagang keliling",
    "Tukang cukur",
    "Tukang batu",
    "Tukang kayu",
    "tukang ojek",
    "Pembantu rumah tangga",
    "peternak",
    "penjahit",
    "sopir",
    "Buruh bangunan",
    "Pengrajin",
    "Tukang Las/Pandai Besi",
    "penjual bakso",
    "pemulung",
)
_SPECIALISATIONS: Final = (
    "Menenun endek",
    "Membuat anyaman bambu",
    "Memperbaiki sepeda motor",
    "Membuat tahu tempe",
    "Memanjat kelapa",
    "Membatik",
    "Mengukir kayu",
    "Menjahit kebaya",
)
_EMPLOYMENT: Final = (
    *("Buruh harian lepas",) * 3,
    *("Usaha sendiri",) * 2,
    "Informal",
    "Tidak tetap",
    "Serabutan",
    "",
)
_DECILES: Final = (*("1",) * 4, *("2",) * 4, *("3",) * 3, *("4",) * 2, "5", "6", "7", "8", "9", "10")
_BALI_ORDER: Final = ("Wayan", "Putu", "Gede", "Made", "Kadek", "Nyoman", "Komang", "Ketut")
_HAMLETS: Final = (
    "Krajan", "Kauman", "Karanganyar", "Sukamaju", "Sidomulyo", "Tegal", "Kaja", "Kelod", "Kangin", "Kauh",
    "Tengah", "Mekar Sari", "Sumber Rejo", "Wringin Anom", "Ngasem", "Gunung Sari", "Pule", "Margo Rahayu",
    "Tanjung", "Lebak", "Dauh Peken", "Kebon", "Sawah", "Pasar", "Cempaka", "Melati",
)  # fmt: skip
_PHONE_PREFIXES: Final = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877", "0878", "0819")


@dataclass(frozen=True)
class GeneratedFile:
    """The written file and what was injected into it, by spreadsheet row number (the header is row 1)."""

    path: Path
    format: Format
    rows: int
    seed: int
    bad: dict[int, str]  # row number -> kind of defect
    duplicates: dict[int, int]  # row number -> the earlier row it repeats
    villages: int
    bytes: int
    sha256: str
    seconds: float
    copy_path: Path | None = None
    copy_rows: int = 0

    @property
    def valid_rows(self) -> int:
        return self.rows - len(self.bad) - len(self.duplicates)

    def as_dict(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for kind in self.bad.values():
            kinds[kind] = kinds.get(kind, 0) + 1
        return {
            "format": self.format,
            "rows": self.rows,
            "seed": self.seed,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "villages": self.villages,
            "bad_rows": len(self.bad),
            "bad_kinds": kinds,
            "duplicates": len(self.duplicates),
            "valid_rows": self.valid_rows,
            "copy_rows": self.copy_rows,
            "generate_seconds": round(self.seconds, 2),
        }


def defect_counts(rows: int) -> tuple[int, int]:
    """(bad rows, duplicates) injected into a file of `rows` rows."""
    return rows * BAD_PERCENT // 100, rows * DUPLICATE_PERCENT // 100


def plan_defects(rows: int, seed: int) -> tuple[dict[int, str], dict[int, int]]:
    """0-based positions: bad rows evenly spaced with the kinds in turn; duplicates evenly spaced, each
    repeating a random earlier row that is neither bad nor itself a duplicate nor already repeated."""
    n_bad, n_dup = defect_counts(rows)
    bad = {(2 * k + 1) * rows // (2 * n_bad): BAD_KINDS[k % len(BAD_KINDS)] for k in range(n_bad)}
    positions: list[int] = []
    taken = set(bad)
    for k in range(n_dup):
        index = (2 * k + 1) * rows // (2 * n_dup) + 1
        while index in taken:
            index += 1
        if index >= rows:
            raise ValueError(f"no room for {n_dup} duplicates in {rows} rows")
        taken.add(index)
        positions.append(index)
    rng = random.Random(seed * 7_919 + 1)  # noqa: S311 - reproducible test data, not secrets
    duplicates: dict[int, int] = {}
    sources: set[int] = set()
    for index in positions:
        source = rng.randrange(index)
        while source in taken or source in sources:
            source = rng.randrange(index)
        sources.add(source)
        duplicates[index] = source
    return bad, duplicates


class _Pools:
    """Names and places drawn once from Faker (id_ID), then combined per row."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.male = [fake.first_name_male() for _ in range(400)]
        self.female = [fake.first_name_female() for _ in range(400)]
        self.last = [fake.last_name() for _ in range(400)]
        self.streets = [fake.street_name() for _ in range(600)]
        self.cities = [fake.city_name() for _ in range(100)]


def _district_place(regency_name: str) -> str:
    for prefix in ("Kabupaten ", "Kota "):
        if regency_name.startswith(prefix):
            return regency_name[len(prefix) :]
    return regency_name


def _village_plan(rows: int, provinces: tuple[str, ...], rng: random.Random) -> tuple[list[str], dict[str, str]]:
    from lokal import wilayah

    villages = sorted(code for code in wilayah._desa() if code[:2] in provinces)
    if not villages:
        raise ValueError(f"no villages in provinces {provinces}")
    wanted = min(len(villages), max(1, math.ceil(rows / WORKERS_PER_VILLAGE)))
    chosen = rng.sample(villages, wanted)
    base = wilayah._base()
    places = {code: _district_place(base.get(code[:5], "")) or "Denpasar" for code in chosen}
    return chosen, places


def _unknown_village(code: str, known: dict[str, str], rng: random.Random) -> str:
    district = code[:8]
    while True:
        candidate = f"{district}.{rng.randint(9000, 9999)}"
        if candidate not in known:
            return candidate


def _rows(
    rows: int, seed: int, provinces: tuple[str, ...], bad: dict[int, str], duplicates: dict[int, int]
) -> Iterator[tuple[int, list[str]]]:
    from lokal import wilayah

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    pools = _Pools(seed)
    villages, places = _village_plan(rows, provinces, rng)
    known = wilayah._desa()
    sources = set(duplicates.values())
    stash: dict[int, list[str]] = {}
    serials: dict[tuple[str, int], int] = {}
    dates: dict[int, tuple[dt.date, str]] = {}
    male, female, last, streets, cities = pools.male, pools.female, pools.last, pools.streets, pools.cities
    randint, choice, uniform = rng.randint, rng.choice, rng.random

    def date_text(ordinal: int) -> tuple[dt.date, str]:
        known_date = dates.get(ordinal)
        if known_date is None:
            day = dt.date.fromordinal(ordinal)
            known_date = dates[ordinal] = (day, f"{day.day:02d}-{day.month:02d}-{day.year}")
        return known_date

    for index in range(rows):
        source = duplicates.get(index)
        if source is not None:
            yield index, stash.pop(source)
            continue
        village = villages[(index // WORKERS_PER_VILLAGE) % len(villages)]
        district = village[:2] + village[3:5] + village[6:8]
        bali = village[:2] == "51"
        female_row = uniform() < 0.5
        if bali:
            order = choice(_BALI_ORDER)
            name = f"{'Ni' if female_row else 'I'} {order} {choice(female if female_row else male)}"
        elif uniform() < 0.7:
            name = f"{choice(female if female_row else male)} {choice(last)}"
        else:
            name = choice(female if female_row else male)
        roll = uniform()
        if roll < 0.85:
            sex = "P" if female_row else "L"
        elif roll < 0.97:
            sex = "Perempuan" if female_row else "Laki-laki"
        else:
            sex = "2" if female_row else "1"
        birth, birth_text = date_text(randint(_BIRTH_FIRST, _BIRTH_LAST))
        key = (district, birth.year)
        serial = serials[key] = serials.get(key, 0) + 1
        if serial > 9999:
            raise ValueError("more than 9,999 workers of one district born in one year")
        day = birth.day + 40 if female_row else birth.day
        nik = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
        kk_day = dt.date.fromordinal(randint(_KK_FIRST, _KK_LAST))
        kk = f"{district}{kk_day.day:02d}{kk_day.month:02d}{kk_day.year % 100:02d}{randint(1, 9999):04d}"
        decile = choice(_DECILES)
        extreme = decile == "1" or uniform() < 0.02
        note = f"Disepakati Musdes {date_text(randint(_CONSENT_FIRST, _CONSENT_LAST))[1]}" if extreme else ""
        amount = randint(6, 70) * 50_000
        roll = uniform()
        if roll < 0.6:
            income = "Rp " + f"{amount:,}".replace(",", ".")
        elif roll < 0.9:
            income = f"{amount:,}".replace(",", ".")
        else:
            income = str(amount)
        consent = uniform() < 0.97
        row = [
            village,
            nik,
            kk,
            name,
            sex,
            places[village] if uniform() < 0.8 else choice(cities),
            birth_text,
            f"{choice(streets)} No. {randint(1, 200)}",
            f"{randint(1, 15):03d}",
            f"{randint(1, 8):03d}",
            f"{'Banjar' if bali else 'Dusun'} {choice(_HAMLETS)}",
            f"{choice(_PHONE_PREFIXES)}{randint(1_000_000, 99_999_999)}" if uniform() < 0.9 else "",
            choice(_OCCUPATIONS),
            choice(_SPECIALISATIONS) if uniform() < 0.15 else "",
            income,
            choice(_EMPLOYMENT),
            decile,
            "Ya" if extreme else "Tidak",
            note,
            "Ya" if uniform() < 0.03 else "Tidak",
            "Ya" if uniform() < 0.02 else "Tidak",
            "Ya" if consent else "Tidak",
            date_text(randint(_CONSENT_FIRST, _CONSENT_LAST))[1] if consent else "",
        ]
        kind = bad.get(index)
        if kind == "nik_15_digits":
            row[_I["nik"]] = nik[:15]
        elif kind == "impossible_date":
            row[_I["tanggal_lahir"]] = f"31-02-{birth.year}"
        elif kind == "sex_x":
            row[_I["jenis_kelamin"]] = "X"
        elif kind == "unknown_village":
            row[_I["kode_desa"]] = _unknown_village(village, known, rng)
        elif kind == "amount_abc":
            row[_I["penghasilan"]] = "abc"
        if index in sources:
            stash[index] = row
        yield index, row


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def generate_workers_file(
    path: Path,
    *,
    rows: int,
    seed: int = DEFAULT_SEED,
    format: Format = "csv",
    provinces: tuple[str, ...] = DEFAULT_PROVINCES,
    copy_path: Path | None = None,
) -> GeneratedFile:
    """Write `rows` worker rows to `path` (CSV: `;`, UTF-8 with BOM, as Indonesian Excel saves; or XLSX).

    `copy_path`, when given, receives the same rows as a `;` CSV without the duplicate rows: what a plain
    COPY into a table with a unique NIK index can load.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    started = time.perf_counter()
    bad_at, duplicate_at = plan_defects(rows, seed)
    generated = _rows(rows, seed, provinces, bad_at, duplicate_at)
    copy_rows = 0
    with ExitStack() as stack:
        copy_write = None
        if copy_path is not None:
            copy_writer = csv.writer(
                stack.enter_context(copy_path.open("w", encoding="utf-8-sig", newline="")), delimiter=";"
            )
            copy_writer.writerow(HEADERS)
            copy_write = copy_writer.writerow
        if format == "csv":
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, delimiter=";")
                writer.writerow(HEADERS)
                for index, row in generated:
                    writer.writerow(row)
                    if copy_write is not None and index not in duplicate_at:
                        copy_write(row)
                        copy_rows += 1
        elif format == "xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("Data Pekerja")
            sheet.append(HEADERS)
            for index, row in generated:
                sheet.append(row)
                if copy_write is not None and index not in duplicate_at:
                    copy_write(row)
                    copy_rows += 1
            book.save(path)
        else:
            raise ValueError(f"unknown format {format!r}")
    villages = min(len(_village_codes(provinces)), max(1, math.ceil(rows / WORKERS_PER_VILLAGE)))
    return GeneratedFile(
        path=path,
        format=format,
        rows=rows,
        seed=seed,
        bad={index + 2: kind for index, kind in sorted(bad_at.items())},
        duplicates={index + 2: source + 2 for index, source in sorted(duplicate_at.items())},
        villages=villages,
        bytes=path.stat().st_size,
        sha256=_sha256(path),
        seconds=time.perf_counter() - started,
        copy_path=copy_path,
        copy_rows=copy_rows,
    )


def _village_codes(provinces: tuple[str, ...]) -> list[str]:
    from lokal import wilayah

    return [code for code in wilayah._desa() if code[:2] in provinces]
