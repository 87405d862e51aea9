"""Reporting's texts: dashboards and their filters, the annual summary, stories, the audit trail, the open
register. One entry per English template (see `common` for the format)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "the `{role}` role reads no reporting data": "peran `{role}` tidak membaca data pelaporan",
    "a ministry reads its own annual summary only": "kementerian hanya membaca ringkasan tahunannya sendiri",
    "an NGO names only its own MSPs": "ormas asing hanya menyebut MSP miliknya sendiri",
    "no MSP of {ministry} runs in {year}": "tidak ada MSP {ministry} yang berjalan pada {year}",
    "the period ends before it starts": "periode berakhir sebelum dimulai",
    "the time is out of range": "waktu berada di luar rentang",
    "an entry of `{entry_service}` cannot arrive as `audit.{routing_service}.recorded`": (
        "entri dari `{entry_service}` tidak dapat datang sebagai `audit.{routing_service}.recorded`"
    ),
    # stories
    "a ministry writes stories of its own MSPs": "kementerian menulis cerita tentang MSP-nya sendiri",
    "a region writes stories of its own area (region_code within it)": (
        "wilayah menulis cerita tentang wilayahnya sendiri (region_code di dalamnya)"
    ),
    "an NGO writes stories of its own organization (organization_id)": (
        "ormas asing menulis cerita tentang organisasinya sendiri (organization_id)"
    ),
    "the `{role}` role does not publish stories": "peran `{role}` tidak memublikasikan cerita",
    "the `{role}` role does not write stories": "peran `{role}` tidak menulis cerita",
    "this story is not within your ministry's MSPs or your area": (
        "cerita ini tidak termasuk MSP kementerian Anda atau wilayah Anda"
    ),
    "a photo is JPEG or PNG": "foto harus berformat JPEG atau PNG",
    "a published story is not changed; write a new one": (
        "cerita yang sudah dipublikasikan tidak diubah; tulis yang baru"
    ),
    "a story's file is a photo: purpose must be `photo`, not {purpose}": (
        "berkas cerita adalah foto: purpose harus `photo`, bukan {purpose}"
    ),
    "no story {story_id}": "tidak ada cerita {story_id}",
    "the story is at version {version}, not {expected}": "cerita sudah pada versi {version}, bukan {expected}",
    "the story is published already": "cerita sudah dipublikasikan",
    "document {document_id} has no thumbnail (only photos have one)": (
        "dokumen {document_id} tidak memiliki gambar mini (hanya foto yang memilikinya)"
    ),
    # the open register
    "more than {per_minute} requests a minute from {client}; retry in {wait} s": (
        "lebih dari {per_minute} permintaan per menit dari {client}; coba lagi dalam {wait} detik"
    ),
    "no organization {organization_id} in the register": "tidak ada organisasi {organization_id} dalam register",
}
