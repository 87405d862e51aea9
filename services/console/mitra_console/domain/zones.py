"""Indonesia's three time zones and the zone of each province. Pure.

Zones: Keputusan Presiden No. 41/1987 (WIB UTC+7, WITA UTC+8, WIT UTC+9). Province codes and names: the BPS region
list of 2018 (the same list registry imports: `shared/data/regions/provinces.csv`); a regency's or city's code (4
digits) starts with its province's. The provinces made since in Papua (codes 92, 93, 95, 96 of Kemendagri 2022) are
all in WIT, as is every code from 81 up.
"""

from __future__ import annotations

from typing import Literal

Zone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
WIB: Zone = "Asia/Jakarta"
WITA: Zone = "Asia/Makassar"
WIT: Zone = "Asia/Jayapura"
ZONES: tuple[Zone, ...] = (WIB, WITA, WIT)
ZONE_ABBREVIATIONS: dict[str, str] = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}

PROVINCES: dict[str, tuple[str, Zone]] = {
    "11": ("Aceh", WIB),
    "12": ("Sumatera Utara", WIB),
    "13": ("Sumatera Barat", WIB),
    "14": ("Riau", WIB),
    "15": ("Jambi", WIB),
    "16": ("Sumatera Selatan", WIB),
    "17": ("Bengkulu", WIB),
    "18": ("Lampung", WIB),
    "19": ("Kepulauan Bangka Belitung", WIB),
    "21": ("Kepulauan Riau", WIB),
    "31": ("DKI Jakarta", WIB),
    "32": ("Jawa Barat", WIB),
    "33": ("Jawa Tengah", WIB),
    "34": ("DI Yogyakarta", WIB),
    "35": ("Jawa Timur", WIB),
    "36": ("Banten", WIB),
    "51": ("Bali", WITA),
    "52": ("Nusa Tenggara Barat", WITA),
    "53": ("Nusa Tenggara Timur", WITA),
    "61": ("Kalimantan Barat", WIB),
    "62": ("Kalimantan Tengah", WIB),
    "63": ("Kalimantan Selatan", WITA),
    "64": ("Kalimantan Timur", WITA),
    "65": ("Kalimantan Utara", WITA),
    "71": ("Sulawesi Utara", WITA),
    "72": ("Sulawesi Tengah", WITA),
    "73": ("Sulawesi Selatan", WITA),
    "74": ("Sulawesi Tenggara", WITA),
    "75": ("Gorontalo", WITA),
    "76": ("Sulawesi Barat", WITA),
    "81": ("Maluku", WIT),
    "82": ("Maluku Utara", WIT),
    "91": ("Papua Barat", WIT),
    "94": ("Papua", WIT),
}


def zone_of_region(region_code: str | None) -> Zone:
    """The zone of a province (2 digits) or of a regency or city (4 digits, in its province); WIB when unknown."""
    if not region_code or len(region_code) < 2 or not region_code[:2].isdigit():
        return WIB
    province = region_code[:2]
    if province in PROVINCES:
        return PROVINCES[province][1]
    return WIT if int(province) >= 81 else WIB


def province_name(region_code: str | None) -> str | None:
    """The name of the province a region code is in, if it is one of the table's."""
    if not region_code:
        return None
    found = PROVINCES.get(region_code[:2])
    return found[0] if found else None


def zone_or_default(chosen: str | None, region_code: str | None) -> Zone:
    """The zone a person chose, else the zone of their region (WIB for everyone else)."""
    for zone in ZONES:
        if chosen == zone:
            return zone
    return zone_of_region(region_code)
