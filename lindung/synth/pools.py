"""Name, street and place pools drawn from Faker `id_ID` once per seed, and the fixed mixes the generator draws from.

Calling Faker per person costs ~50 µs; at 12.6 million candidates that is ten minutes for names alone. The pools
are drawn once (a few thousand values each) and combined per person with `random.Random`, which is deterministic
for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from faker import Faker

POOL_SIZE = 600

#: Balinese birth-order names (first, second, third, fourth child and their variants), used in province 51.
BALI_ORDER = ("Wayan", "Putu", "Gede", "Made", "Kadek", "Nengah", "Nyoman", "Komang", "Ketut")

#: Informal-sector occupation mix (Dukcapil codes, lindung/registry/data/occupations.csv) and weights in per mille,
#: shaped on BPS Sakernas informal employment: agriculture first, then trade, labour, construction, transport.
OCCUPATION_MIX: tuple[tuple[int, int], ...] = (
    (9, 230),  # PETANI/PEKEBUN
    (20, 95),  # BURUH TANI/PERKEBUNAN
    (19, 120),  # BURUH HARIAN LEPAS
    (84, 85),  # PEDAGANG
    (8, 45),  # PERDAGANGAN
    (11, 40),  # NELAYAN/PERIKANAN
    (21, 20),  # BURUH NELAYAN/PERIKANAN
    (10, 30),  # PETERNAK
    (13, 40),  # KONSTRUKSI
    (26, 40),  # TUKANG BATU
    (27, 20),  # TUKANG KAYU
    (14, 30),  # TRANSPORTASI (ojek)
    (81, 30),  # SOPIR
    (24, 10),  # TUKANG CUKUR
    (30, 20),  # TUKANG JAHIT
    (35, 15),  # MEKANIK
    (29, 10),  # TUKANG LAS/PANDAI BESI
    (25, 5),  # TUKANG LISTRIK
    (23, 20),  # PEMBANTU RUMAH TANGGA
    (46, 10),  # JURU MASAK
    (12, 10),  # INDUSTRI
    (34, 5),  # PENATA RAMBUT
    (88, 30),  # WIRASWASTA
    (2, 30),  # MENGURUS RUMAH TANGGA
    (89, 10),  # LAINNYA
)

SPECIALISATIONS: dict[int, tuple[str, ...]] = {
    9: ("padi sawah", "sayur-mayur", "kelapa", "kopi", "cengkeh", "jagung"),
    84: ("pedagang bakso keliling", "warung kelontong", "pedagang sayur pasar", "pedagang canang", "jualan nasi"),
    8: ("pedagang pasar", "penjual pulsa", "kios buah"),
    14: ("ojek pangkalan", "ojek daring", "kusir"),
    81: ("sopir angkot", "sopir truk", "sopir travel"),
    13: ("kuli bangunan", "tukang cat"),
    19: ("buruh angkut pasar", "buruh harian"),
    11: ("nelayan jukung", "nelayan tangkap"),
    30: ("penjahit rumahan",),
    35: ("bengkel motor",),
    88: ("usaha laundry", "usaha sablon", "pengrajin"),
}

#: DTSEN decile shares in per mille among registered vulnerable workers: strongly skewed to the poorest.
DECILE_WEIGHTS = (220, 190, 160, 120, 90, 70, 55, 45, 30, 20)

#: Employment status by occupation code (default: informal).
SELF_EMPLOYED = frozenset({9, 84, 8, 10, 11, 88, 30, 35, 24, 34})
DAILY_LABOURER = frozenset({19, 20, 21, 22, 26, 27, 13})
NOT_WORKING = frozenset({2})


@dataclass(frozen=True)
class Pools:
    male_first: tuple[str, ...]
    female_first: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    hamlets: tuple[str, ...]


def _clean(text: str) -> str:
    return " ".join(text.replace("\\", " ").replace("\t", " ").split())


@cache
def pools(seed: int) -> Pools:
    """The pools for a seed (Faker seeded once; same Faker version → same pools)."""
    fake = Faker("id_ID")
    fake.seed_instance(seed)

    def draw(method: str, n: int = POOL_SIZE) -> tuple[str, ...]:
        values = sorted({_clean(getattr(fake, method)()) for _ in range(n)})
        return tuple(v for v in values if v)

    return Pools(
        male_first=draw("first_name_male"),
        female_first=draw("first_name_female"),
        last=draw("last_name"),
        streets=draw("street_name"),
        cities=draw("city_name", 200),
        hamlets=tuple(sorted({_clean(fake.last_name()) for _ in range(300)})),
    )
