"""Small OpenSID-format population files, built by the tests (the 43 columns of OpenSID's export)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

COLUMNS = (
    "alamat", "dusun", "rw", "rt", "nama", "no_kk", "nik", "sex", "tempatlahir", "tanggallahir", "agama_id",
    "pendidikan_kk_id", "pendidikan_sedang_id", "pekerjaan_id", "status_kawin", "kk_level", "warganegara_id",
    "ayah_nik", "nama_ayah", "ibu_nik", "nama_ibu", "golongan_darah_id", "akta_lahir", "dokumen_pasport",
    "tanggal_akhir_paspor", "dokumen_kitas", "akta_perkawinan", "tanggalperkawinan", "akta_perceraian",
    "tanggalperceraian", "cacat_id", "cara_kb_id", "hamil", "ktp_el", "status_rekam", "alamat_sekarang",
    "status_dasar", "suku", "tag_id_card", "id_asuransi", "no_asuransi", "lat", "lng",
)  # fmt: skip


def nik(born: str, sex: int, serial: int, region: str = "517103") -> str:
    """A structurally valid NIK: region, DDMMYY (+40 on the day for a woman), serial."""
    year, month, day = born.split("-")
    return f"{region}{int(day) + (40 if sex == 2 else 0):02d}{month}{year[2:]}{serial:04d}"


def resident(name: str, kk: str, born: str, sex: int, serial: int, **cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "alamat": "Jl. Contoh", "dusun": "Banjar Tegal", "rw": "002", "rt": "001", "nama": name, "no_kk": kk,
        "nik": nik(born, sex, serial), "sex": str(sex), "tempatlahir": "Denpasar", "tanggallahir": born,
        "agama_id": "4", "pendidikan_sedang_id": "18", "pekerjaan_id": "9", "status_kawin": "2", "kk_level": "1",
        "warganegara_id": "1", "cacat_id": "7", "status_dasar": "1",
    }  # fmt: skip
    row.update(cells)
    return row


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c) for c in COLUMNS])
    book.save(path)
    return path


KK1 = "5171030101200001"
KK2 = "5171030101200002"
KK3 = "5171030101200003"


def household_rows() -> list[dict[str, Any]]:
    """Twelve residents (today = 2026-11-25, school year from 2026-07-01); what each becomes, worked by hand:

    row 2  Made (head, farmer 9, 46)            -> worker
    row 3  Luh (wife, housekeeping 2, 41)       -> worker
    row 4  Kadek (child, 10 on 1 July, SD)      -> child of Made and Luh, SD grade 10-7+1 = 4
    row 5  Komang (child, 15, SMP as a label)   -> child of Made and Luh, SMP grade 15-13+1 = 3
    row 6  Putu (child, 24, driver 81)          -> worker (an adult)
    row 7  Gede (head of KK2, PNS 5)            -> skipped: civil servant
    row 8  Ayu (child of KK2, 8)                -> skipped: no parent who is a candidate
    row 9  Nyoman (KK1, dead: 2)                -> skipped: status
    row 10 Wayan (KK3 head, moved: "PINDAH")    -> skipped: status
    row 11 bad NIK (12 digits)                  -> skipped: error in column nik
    row 12 Ketut (famili lain, 12)              -> skipped: minor, not a child
    row 13 Cucu (grandchild kk 6, 5 on 1 July, TK, mother = Putu) -> child of Putu, TK grade 5-5+1 = 1
    """
    putu = resident("PUTU SOPIR", KK1, "2002-03-03", 1, 5, kk_level="4", pekerjaan_id="81", status_kawin="1")
    return [
        resident("MADE PETANI", KK1, "1980-05-10", 1, 1),
        resident("LUH RUMAH TANGGA", KK1, "1985-06-12", 2, 2, kk_level="3", pekerjaan_id="2"),
        resident("KADEK SD", KK1, "2016-03-15", 1, 3, kk_level="4", pekerjaan_id="3", status_kawin="1",
                 pendidikan_sedang_id="4"),
        resident("KOMANG SMP", KK1, "2011-05-01", 2, 4, kk_level="ANAK", pekerjaan_id="PELAJAR/MAHASISWA",
                 status_kawin="BELUM KAWIN", pendidikan_sedang_id="SEDANG SLTP/SEDERAJAT"),
        putu,
        resident("GEDE PNS", KK2, "1978-01-20", 1, 6, pekerjaan_id="5"),
        resident("AYU ANAK PNS", KK2, "2018-02-02", 2, 7, kk_level="4", pekerjaan_id="1", status_kawin="1"),
        resident("NYOMAN ALM", KK1, "1950-07-07", 1, 8, kk_level="7", status_dasar="2"),
        resident("WAYAN PINDAH", KK3, "1975-04-04", 1, 9, status_dasar="PINDAH"),
        {**resident("SALAH NIK", KK3, "1990-01-01", 1, 10), "nik": "517103010190"},
        resident("KETUT FAMILI", KK1, "2014-09-09", 1, 11, kk_level="9", pekerjaan_id="3", status_kawin="1"),
        resident("CUCU TK", KK1, "2021-02-01", 2, 12, kk_level="6", pekerjaan_id="1", status_kawin="1",
                 pendidikan_sedang_id="2", ibu_nik=putu["nik"]),
    ]  # fmt: skip
