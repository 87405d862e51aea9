"""The Indonesian of the codes problem texts carry: statuses and kinds, as the console's pages name them, so that
"MSP berstatus draf" reads as a sentence and not as "MSP berstatus draft". A code the caller sends stays a code
(`{name!q}` quotes it); a status or kind the caller only reads is translated (`{name!c}`)."""

from __future__ import annotations

STATUSES: dict[str, str] = {
    # organizations (registry)
    "applicant": "pemohon",
    "registered": "terdaftar",
    "active": "aktif",
    "suspended": "dibekukan",
    "revoked": "dicabut",
    "closed": "ditutup",
    # MSPs
    "draft": "draf",
    "submitted": "diajukan",
    "approved": "disetujui",
    "rejected": "ditolak",
    "signed": "ditandatangani",
    "extended": "diperpanjang",
    "ended": "berakhir",
    "terminated": "diakhiri",
    # obligations and submissions
    "pending": "menunggu",
    "accepted": "diterima",
    "returned": "dikembalikan",
    "overdue": "terlambat",
    "received_outside": "diterima di luar Mitra",
    # mitigation actions, visits, recommendations
    "open": "terbuka",
    "in_progress": "sedang dikerjakan",
    "done": "selesai",
    "cancelled": "dibatalkan",
    "announced": "diumumkan",
    "requested": "diminta",
    "issued": "diterbitkan",
    # permits, sanctions, staff, reviews
    "valid": "berlaku",
    "expired": "kedaluwarsa",
    "lifted": "diakhiri",
    "upcoming": "akan dimulai",
    "cleared": "tidak keberatan",
    "objected": "keberatan",
}

KINDS: dict[str, str] = {
    # obligations
    "action_plan": "Rencana Aksi",
    "work_plan": "RKT",
    "semester_report": "laporan semester",
    "annual_report": "laporan tahunan",
    "extension_decision": "keputusan perpanjangan",
    # sanctions, recommendations, permits
    "warning": "peringatan",
    "freeze": "pembekuan",
    "revocation": "pencabutan izin",
    "visa": "visa",
    "tax_exemption": "pembebasan pajak",
    "principle": "prinsip",
    "operating": "operasional",
    # partners and regions
    "ministry": "kementerian",
    "tpoa": "TPOA",
    "province": "provinsi",
    "regency": "kabupaten/kota",
    # what a review or a document is about
    "application": "permohonan",
    "msp": "MSP",
    "extension": "perpanjangan",
    "submission": "pengajuan",
    "recommendation": "rekomendasi",
}

GLOSSARY: dict[str, str] = {**STATUSES, **KINDS}
"""Every code → its Indonesian."""

NONE = "none"  # what an empty list of codes reads as ("it may move to: none")


def translated_codes(value: str) -> str | None:
    """A code, or codes joined by ", ", in Indonesian; None when one is not in the glossary (the text then stays
    English whole)."""
    if value == NONE:
        return "tidak ada"
    codes = value.split(", ")
    if not all(code in GLOSSARY for code in codes):
        return None
    return ", ".join(GLOSSARY[code] for code in codes)


def quoted_codes(value: str) -> str:
    """A code the caller sends, or codes joined by ", ", each quoted as a code (`draft`) so that it reads as a value
    inside an Indonesian sentence."""
    if value == NONE:
        return "tidak ada"
    return ", ".join(f"`{code}`" if code.isidentifier() and code.islower() else code for code in value.split(", "))


OBLIGATIONS = ("action_plan", "work_plan", "semester_report", "annual_report", "extension_decision")


def obligation_described(value: str) -> str | None:
    """An obligation as an import names it, "{kind} [{period}] [for region {region}]", in Indonesian; None when it
    does not start with an obligation's kind."""
    head, _, region = value.partition(" for region ")
    kind, _, period = head.partition(" ")
    if kind not in OBLIGATIONS:
        return None
    return " ".join(part for part in (KINDS[kind], period, f"untuk wilayah {region}" if region else "") if part)
