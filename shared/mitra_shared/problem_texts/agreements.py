"""Agreements' texts: MSPs, their review, obligations and submissions, documents, recommendations, visits,
monitoring, and the MSP import. One entry per English template (see `common` for the format)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # who may (domain/access.py, monitoring_access.py)
    "the `{role}` role reads nothing of agreements": "peran `{role}` tidak membaca apa pun dari agreements",
    "only TPOA decides an extension": "hanya TPOA yang memutuskan perpanjangan",
    "only TPOA reviews an MSP": "hanya TPOA yang meninjau MSP",
    "only a TPOA member ministry asked by this review answers it": (
        "hanya kementerian anggota TPOA yang diminta dalam peninjauan ini yang menjawabnya"
    ),
    "only the MSP's Mitra Utama ministry accepts or returns this submission": (
        "hanya kementerian Mitra Utama MSP ini yang menerima atau mengembalikan pengajuan ini"
    ),
    "only the MSP's Mitra Utama ministry does this": "hanya kementerian Mitra Utama MSP ini yang melakukan ini",
    "only the MSP's Mitra Utama ministry or a region's office comments on its submissions": (
        "hanya kementerian Mitra Utama MSP ini atau kantor wilayah yang memberi catatan pada pengajuannya"
    ),
    "only the MSP's Mitra Utama ministry or the office of a region it works in records its monitoring": (
        "hanya kementerian Mitra Utama MSP ini atau kantor wilayah dalam wilayah kerja MSP yang mencatat pemantauannya"
    ),
    "only the NGO itself does this, for its own organization": (
        "hanya ormas asing itu sendiri yang melakukan ini, untuk organisasinya sendiri"
    ),
    "only the action's owner moves it on; the MSP's Mitra Utama ministry may also cancel it": (
        "hanya penanggung jawab tindakan yang mengubah status tindakan; kementerian Mitra Utama MSP ini juga boleh "
        "membatalkannya"
    ),
    "only the office of region {region_code} accepts or returns this work plan; the ministry may comment": (
        "hanya kantor wilayah {region_code} yang menerima atau mengembalikan rencana kerja ini; kementerian boleh "
        "memberi catatan"
    ),
    "{region_code} is outside your area": "{region_code} berada di luar wilayah Anda",
    # MSPs
    "agreements knows no organization {organization_id} (it learns of NGOs from registry's events)": (
        "agreements tidak mengenal organisasi {organization_id} (agreements mengenal ormas asing dari peristiwa "
        "registry)"
    ),
    "agreements has not learned of organization {organization_id}": (
        "agreements belum mengenal organisasi {organization_id}"
    ),
    "an MSP that is {status!c} cannot be {result!c} (only from: {allowed!c})": (
        "MSP berstatus {status} tidak dapat beralih ke status {result} (hanya dari status: {allowed})"
    ),
    "another MSP has the number {number}": "MSP lain sudah memakai nomor {number}",
    "no MSP {msp_id:w}": "tidak ada MSP {msp_id}",
    "regency {code} has no province in the register": "kabupaten/kota {code} tidak memiliki provinsi dalam register",
    "the end date {ends_on} must be after the start date {starts_on}": (
        "tanggal berakhir {ends_on} harus setelah tanggal mulai {starts_on}"
    ),
    "the MSP would end on {ends_on}, after the principle permit {number} (valid until {valid_until}); an operating "
    "permit cannot outlast the principle permit": (
        "MSP akan berakhir pada {ends_on}, setelah izin prinsip {number} (berlaku sampai {valid_until}); izin "
        "operasional tidak dapat berlaku lebih lama dari izin prinsip"
    ),
    "the new end date must be after the current one ({ends_on})": (
        "tanggal berakhir yang baru harus setelah tanggal berakhir saat ini ({ends_on})"
    ),
    "{code} is not a province or regency agreements knows (from registry's partners)": (
        "{code} bukan provinsi atau kabupaten/kota yang dikenal agreements (dari data mitra registry)"
    ),
    "{legal_name} is {status!c} in the register and cannot get a new MSP": (
        "{legal_name} berstatus {status} dalam register dan tidak dapat memperoleh MSP baru"
    ),
    "{name} has no principle permit (izin prinsip) valid on {day}: an MSP cannot be signed without one": (
        "{name} tidak memiliki izin prinsip yang berlaku pada {day}: MSP tidak dapat ditandatangani tanpa izin prinsip"
    ),
    "{name} has no principle permit valid today: an MSP cannot be extended without one": (
        "{name} tidak memiliki izin prinsip yang berlaku hari ini: MSP tidak dapat diperpanjang tanpa izin prinsip"
    ),
    "{name} is frozen by a sanction ({reasons}): no new MSP, submission, extension or visit while it lasts": (
        "{name} dibekukan oleh sanksi ({reasons}): tidak ada MSP, pengajuan, perpanjangan, atau kunjungan baru "
        "selama pembekuan berlaku"
    ),
    "{partner_id} is not a ministry agreements knows (from registry's partners)": (
        "{partner_id} bukan kementerian yang dikenal agreements (dari data mitra registry)"
    ),
    "{day} is in the future": "{day} berada di masa depan",
    # the TPOA team's review
    "MSP {msp_id} has not been under TPOA's review": "MSP {msp_id} belum pernah ditinjau oleh TPOA",
    "an extension of this MSP already waits for TPOA": "perpanjangan MSP ini sudah menunggu keputusan TPOA",
    "no extension of this MSP waits for TPOA": "tidak ada perpanjangan MSP ini yang menunggu keputusan TPOA",
    "awaiting the answers of {codes} until {day}; TPOA may decide without them after that day": (
        "menunggu jawaban {codes} sampai {day}; setelah hari itu TPOA boleh memutuskan tanpa jawaban mereka"
    ),
    "the MSP has no open review to answer": "MSP ini tidak memiliki peninjauan terbuka untuk dijawab",
    "the MSP is {status!c}, no longer in force: nothing left to extend": (
        "MSP berstatus {status}, tidak lagi berlaku: tidak ada yang dapat diperpanjang"
    ),
    "the MSP is {status!c}, no longer submitted for TPOA's review": (
        "MSP berstatus {status}, tidak lagi diajukan untuk ditinjau TPOA"
    ),
    "{code} has already answered this review": "{code} sudah menjawab peninjauan ini",
    "{code} is not among the members asked ({codes})": "{code} tidak termasuk anggota yang diminta ({codes})",
    "{codes} objected; TPOA cannot approve while an objection stands": (
        "anggota TPOA {codes} menyatakan keberatan; TPOA tidak dapat menyetujui selama keberatan itu berlaku"
    ),
    # obligations and submissions
    "an extension decision is made by extending the MSP or letting it end": (
        "keputusan perpanjangan dibuat dengan memperpanjang MSP atau membiarkannya berakhir"
    ),
    "no obligation {obligation_id}": "tidak ada kewajiban {obligation_id}",
    "no submission {submission_id}": "tidak ada pengajuan {submission_id}",
    "the MSP is {status!c}": "MSP berstatus {status}",
    "the obligation is closed (its MSP ended)": "kewajiban sudah ditutup (MSP-nya sudah berakhir)",
    "the submission was already {status!c:w}": "pengajuan sudah berstatus {status}",
    "the {kind!c:w} is already {status!c:w}": "{kind} sudah berstatus {status}",
    "must be after {day}": "harus setelah {day}",
    "must be on or after {day}": "harus pada atau setelah {day}",
    # documents
    "a document of {what!t} is one of: {allowed!q}": "dokumen {what} adalah salah satu dari: {allowed}",
    "a submission": "pengajuan",
    "an MSP": "MSP",
    "a recommendation": "rekomendasi",
    "documents are attached while the submission awaits review; it is {status!c}": (
        "dokumen dilampirkan selama pengajuan menunggu peninjauan; pengajuan ini berstatus {status}"
    ),
    "no document {document_id}": "tidak ada dokumen {document_id}",
    "no public document {document_id}": "tidak ada dokumen publik {document_id}",
    "no recommendation {recommendation_id}": "tidak ada rekomendasi {recommendation_id}",
    # "no {what} {id}" with the owner's kind as its routes name it
    "no {what!t:w} {owner_id:w}": "tidak ada {what} {owner_id}",
    "MSP": "MSP",
    "submission": "pengajuan",
    "recommendation": "rekomendasi",
    "only an MSP's documents (IATI A09) and an annual report's (B01) are made public, not those of {what}": (
        "hanya dokumen MSP (IATI A09) dan dokumen laporan tahunan (B01) yang dipublikasikan, bukan dokumen {what}"
    ),
    "say what the document is: one of {purposes!q}": "sebutkan jenis dokumennya: salah satu dari {purposes}",
    "supporting documents are attached before the decision": "dokumen pendukung dilampirkan sebelum keputusan",
    "the MSP is {status!c}: it takes no more documents": "MSP berstatus {status}: tidak menerima dokumen lagi",
    "the MSP's Mitra Utama ministry or TPOA publish its documents": (
        "kementerian Mitra Utama MSP ini atau TPOA yang memublikasikan dokumennya"
    ),
    "the MSP's NGO, its Mitra Utama ministry or TPOA attach its documents": (
        "ormas asing pemilik MSP, kementerian Mitra Utama-nya, atau TPOA yang melampirkan dokumennya"
    ),
    "the letter is attached once the recommendation is decided": "surat dilampirkan setelah rekomendasi diputuskan",
    "the requesting NGO attaches `supporting` documents, the deciding ministry the `letter`": (
        "ormas asing pemohon melampirkan dokumen `supporting`, kementerian yang memutuskan melampirkan `letter`"
    ),
    "the requesting NGO attaches supporting documents, the deciding ministry the letter": (
        "ormas asing pemohon melampirkan dokumen pendukung, kementerian yang memutuskan melampirkan suratnya"
    ),
    # recommendations
    "a visa recommendation names the expert's assignment in the foreign-staff register": (
        "rekomendasi visa menyebut penugasan tenaga ahli itu dalam register tenaga kerja asing"
    ),
    "agreements knows no foreign-staff assignment {assignment_id} of the MSP's NGO (it learns them from "
    "registry's events)": (
        "agreements tidak mengenal penugasan tenaga kerja asing {assignment_id} dari ormas asing pemilik MSP "
        "(agreements mengenalnya dari peristiwa registry)"
    ),
    "already issued as {reference_number}": "sudah diterbitkan dengan nomor {reference_number}",
    "only a visa recommendation names a foreign-staff assignment": (
        "hanya rekomendasi visa yang menyebut penugasan tenaga kerja asing"
    ),
    "the assignment of {full_name} is over (last day {day})": (
        "penugasan {full_name} sudah selesai (hari terakhir {day})"
    ),
    "the reference number {reference} is already used": "nomor surat {reference} sudah dipakai",
    # visits and monitoring
    "arrival {arrives_on} is in the past": "kedatangan {arrives_on} sudah lewat",
    "departure {departs_on} is before arrival {arrives_on}": (
        "keberangkatan {departs_on} sebelum kedatangan {arrives_on}"
    ),
    "no visit {visit_id}": "tidak ada kunjungan {visit_id}",
    "the visit is {status!c}": "kunjungan berstatus {status}",
    "a region's office as owner is named by its region code": (
        "kantor wilayah sebagai penanggung jawab disebut dengan kode wilayahnya"
    ),
    "a visit is recorded once made; {visited_on} is after today ({today})": (
        "kunjungan dicatat setelah dilakukan; {visited_on} setelah hari ini ({today})"
    ),
    "no monitoring visit {visit_id} of this MSP": "tidak ada kunjungan pemantauan {visit_id} untuk MSP ini",
    "only a region's office as owner has a region code": (
        "hanya kantor wilayah sebagai penanggung jawab yang memiliki kode wilayah"
    ),
    "the MSP does not work in {code}": "wilayah kerja MSP ini tidak mencakup {code}",
    "the MSP is {status!c}, not in force": "MSP berstatus {status}, tidak sedang berlaku",
    # UpdateVisit's rules (usecases/commands.py, a pydantic validator: after "Value error, " in a 422)
    "give at least one field to change": "sebutkan sekurang-kurangnya satu isian yang diubah",
    "{fields} may be changed but not removed (null)": "{fields} boleh diubah tetapi tidak dapat dihapus (null)",
    "the action is {current!c}; it may move to: {allowed!q}": (
        "tindakan berstatus {current}; status yang dapat dipilih: {allowed}"
    ),
    "{due_on} is in the past (today is {today})": "{due_on} sudah lewat (hari ini {today})",
    # the MSP import (domain/imports.py): each bad row's reason
    '"{given}" is not one of {kinds!q}': '"{given}" bukan salah satu dari {kinds}',
    '"{value}" is not a date (YYYY-MM-DD)': '"{value}" bukan tanggal (TTTT-BB-HH)',
    '"{value}" is not an id (a UUID)': '"{value}" bukan id (sebuah UUID)',
    "a signatory needs a name and a title": "penanda tangan memerlukan nama dan jabatan",
    "at least 3 characters": "sekurang-kurangnya 3 karakter",
    "at most {n} characters": "paling banyak {n} karakter",
    "give organization_id, or the legal name and the country": "isi organization_id, atau nama resmi dan negaranya",
    "required": "wajib diisi",
    "MSP file": "berkas MSP",
    "MSP {number:w} is in the file more than once": "MSP {number} muncul lebih dari sekali dalam berkas",
    "MSP {number:w} is not of your ministry": "MSP {number} bukan milik kementerian Anda",
    "no MSP {number:w} in this file or in Mitra": "tidak ada MSP {number} dalam berkas ini maupun di Mitra",
    "this obligation is already on line {line}": "kewajiban ini sudah ada pada baris {line}",
    "a ministry imports only its own MSPs ({code})": "kementerian hanya mengimpor MSP miliknya sendiri ({code})",
    "{code} is not a ministry agreements knows (registry's partners)": (
        "{code} bukan kementerian yang dikenal agreements (dari data mitra registry)"
    ),
    "{day} is after the MSP's end ({ends_on})": "{day} jatuh setelah tanggal berakhir MSP ({ends_on})",
    "must be between the signing date and today ({today})": (
        "harus di antara tanggal penandatanganan dan hari ini ({today})"
    ),
    "several NGOs have this name and country: give organization_id": (
        "beberapa ormas asing memiliki nama dan negara ini: isi organization_id"
    ),
    "agreements knows no such NGO (it learns of NGOs from registry's events: import the NGOs on registry first)": (
        "agreements tidak mengenal ormas asing ini (agreements mengenal ormas asing dari peristiwa registry: impor "
        "data ormas asing di registry terlebih dahulu)"
    ),
    "{name} has no principle permit {number:w}": "{name} tidak memiliki izin prinsip {number}",
    "principle permit {number} was not valid on {day}": "izin prinsip {number} tidak berlaku pada {day}",
    "the MSP would end on {ends_on}, after the principle permit {number} (valid until {valid_until})": (
        "MSP akan berakhir pada {ends_on}, setelah izin prinsip {number} (berlaku sampai {valid_until})"
    ),
    "MSP {number:w} is already recorded in Mitra; change it there": (
        "MSP {number} sudah tercatat di Mitra; ubah data itu di Mitra"
    ),
    # an obligation as the import names it: "{kind} [{period}] [for region {region}]" (`!o`)
    "MSP {number:w} creates no {obligation!o}": "MSP {number} tidak menimbulkan kewajiban {obligation}",
    "MSP {number:w} has no {obligation!o}": "MSP {number} tidak memiliki kewajiban {obligation}",
    "{day:w} is too early for the {obligation!o}: {why!t}": "{day} terlalu awal untuk {obligation}: {why}",
    "a report cannot be received before its period ends ({day})": (
        "laporan tidak dapat diterima sebelum periodenya berakhir ({day})"
    ),
    "it cannot be received before the MSP was signed ({day})": (
        "kewajiban ini tidak dapat diterima sebelum MSP ditandatangani ({day})"
    ),
    "obligations sheet, line {line}: {reason!t}": "lembar kewajiban, baris {line}: {reason}",
    "a ministry imports only MSPs signed before {day}, when Mitra began recording MSPs: a later MSP goes through "
    "TPOA's review (draft, submit, approval, signing), or TPOA imports it": (
        "kementerian hanya mengimpor MSP yang ditandatangani sebelum {day}, saat Mitra mulai mencatat MSP: MSP yang "
        "lebih baru melalui peninjauan TPOA (draf, pengajuan, persetujuan, penandatanganan), atau diimpor oleh TPOA"
    ),
    "at least one signatory (name and title), as signing requires": (
        "sekurang-kurangnya satu penanda tangan (nama dan jabatan), sebagaimana disyaratkan penandatanganan"
    ),
    "at most {n} items ({given} given)": "paling banyak {n} butir ({given} diberikan)",
    "MSP {number:w} was recorded in Mitra meanwhile (signed there while this file was imported): nothing was "
    "imported; import the file again": (
        "MSP {number} sudah tercatat di Mitra sementara itu (ditandatangani di sana selama berkas ini diimpor): tidak "
        "ada yang diimpor; impor kembali berkas itu"
    ),
}
