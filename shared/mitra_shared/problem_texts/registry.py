"""Registry's texts: the register of foreign NGOs (ormas asing), their permits, foreign staff, sanctions, the
application review, partners and regions. One entry per English template (see `common` for the format)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # who may (domain/access.py); "only TPOA {what}" names the change
    "only TPOA {what!t}; the `{role}` role may not": "hanya TPOA yang {what}; peran `{role}` tidak boleh",
    "adds focus areas": "menambahkan bidang fokus",
    "changes partners": "mengubah data mitra",
    "enters NGOs in the register": "mencatat ormas asing dalam register",
    "extends permits": "memperpanjang izin",
    "imports regions": "mengimpor data wilayah",
    "imports records into the register": "mengimpor data ke dalam register",
    "imposes sanctions": "menjatuhkan sanksi",
    "lifts sanctions": "mengakhiri sanksi",
    "moves an NGO in its lifecycle": "mengubah status ormas asing",
    "records permits": "mencatat izin",
    "registers partners": "mendaftarkan mitra",
    "only TPOA and the NGO holding the permit attach its files; the `{role}` role may not": (
        "hanya TPOA dan ormas asing pemegang izin yang melampirkan berkasnya; peran `{role}` tidak boleh"
    ),
    "the `{role}` role does not change NGOs' records": "peran `{role}` tidak mengubah data ormas asing",
    "the `{role}` role does not read the register's NGOs": (
        "peran `{role}` tidak membaca data ormas asing dalam register"
    ),
    # organizations and their lifecycle
    "If-Match names version {expected}, but the organization is at version {version}: read it again and reapply "
    "your change": (
        "If-Match menyebut versi {expected}, tetapi organisasi sudah pada versi {version}: baca kembali datanya dan "
        "ulangi perubahan Anda"
    ),
    "an organization that is {current!c} cannot become {target!q} (allowed: {allowed!q})": (
        "organisasi berstatus {current} tidak dapat diubah menjadi {target} (yang diizinkan: {allowed})"
    ),
    "the organization is already {current!c}": "organisasi sudah berstatus {current}",
    "the organization is {current!c}, which is final": "organisasi berstatus {current}, yang merupakan status akhir",
    "another organization from the same country has this legal name": (
        "organisasi lain dari negara yang sama sudah memakai nama resmi ini"
    ),
    "{legal_name} from {country} is already in the register": (
        "{legal_name} dari {country} sudah tercatat dalam register"
    ),
    "focus area {code} already exists": "bidang fokus {code} sudah ada",
    "unknown focus area code(s): {codes}": "kode bidang fokus tidak dikenal: {codes}",
    "no organization {organization_id}": "tidak ada organisasi {organization_id}",
    "no document {document_id}": "tidak ada dokumen {document_id}",
    # the application review by the TPOA member ministries
    "a ministry account without a ministry code answers no review": (
        "akun kementerian tanpa kode kementerian tidak dapat menjawab peninjauan"
    ),
    "awaiting the TPOA member(s) {codes} until {day}": "menunggu jawaban anggota TPOA {codes} sampai {day}",
    "objected by the TPOA member(s) {codes}": "anggota TPOA {codes} menyatakan keberatan",
    "only the TPOA member ministries asked answer this review": (
        "hanya kementerian anggota TPOA yang diminta yang menjawab peninjauan ini"
    ),
    "the application was decided: the NGO is {status!c}": (
        "permohonan sudah diputuskan: ormas asing berstatus {status}"
    ),
    "{code} already answered this review": "{code} sudah menjawab peninjauan ini",
    "no application review of organization {organization_id}": (
        "tidak ada peninjauan permohonan untuk organisasi {organization_id}"
    ),
    # permits
    "a permit's file is its scan: purpose must be `scan`, not {chosen}": (
        "berkas izin adalah pindaiannya: purpose harus `scan`, bukan {chosen}"
    ),
    "a {permit_type!c} permit numbered {number} is already recorded": (
        "izin {permit_type} bernomor {number} sudah tercatat"
    ),
    "an extension is a new term of at most {years} years: at the latest {day}": (
        "perpanjangan adalah masa berlaku baru paling lama {years} tahun: paling lambat {day}"
    ),
    "an operating permit cannot be issued before its principle permit ({day})": (
        "izin operasional tidak dapat diterbitkan sebelum izin prinsipnya ({day})"
    ),
    "an operating permit is never valid past its principle permit ({day})": (
        "izin operasional tidak pernah berlaku melewati izin prinsipnya ({day})"
    ),
    "cannot be in the future": "tidak boleh di masa depan",
    "its principle permit is {status!c}": "izin prinsipnya berstatus {status}",
    "must be after the current valid_until {day}": "harus setelah valid_until saat ini, {day}",
    "no permit {permit_id}": "tidak ada izin {permit_id}",
    "no principle permit {permit_id:w}": "tidak ada izin prinsip {permit_id}",
    "the NGO is {status!c}: it gets no new permit or extension": (
        "ormas asing berstatus {status}: tidak mendapat izin baru maupun perpanjangan"
    ),
    "the permit expired after {day}: an expired permit is not extended": (
        "izin sudah berakhir setelah {day}: izin yang sudah berakhir tidak diperpanjang"
    ),
    "the permit was revoked: it is not extended": "izin sudah dicabut: izin itu tidak diperpanjang",
    "the principle permit belongs to another NGO": "izin prinsip itu milik ormas asing lain",
    "the principle permit is {status!c}": "izin prinsip berstatus {status}",
    # foreign staff
    "a foreign expert works at most {years} years in all, across their assignments: with this one this expert "
    "would reach {total} days, over the {limit} allowed; end it earlier": (
        "tenaga ahli asing bekerja paling lama {years} tahun seluruhnya, dari semua penugasannya: dengan penugasan "
        "ini tenaga ahli tersebut mencapai {total} hari, melebihi {limit} hari yang diizinkan; akhiri lebih awal"
    ),
    "an NGO may have at most {n} active foreign staff; it already has {busiest} on {day}": (
        "ormas asing paling banyak memiliki {n} tenaga kerja asing yang aktif; pada {day} sudah ada {busiest}"
    ),
    "must not be after the planned end ({day})": "tidak boleh setelah rencana berakhirnya ({day})",
    "must not be before the assignment starts ({day})": "tidak boleh sebelum penugasan dimulai ({day})",
    "no foreign-staff assignment {assignment_id}": "tidak ada penugasan tenaga kerja asing {assignment_id}",
    "only a registered or active NGO may have foreign staff; this one is {status!c}": (
        "hanya ormas asing yang terdaftar atau aktif yang boleh memiliki tenaga kerja asing; ormas asing ini "
        "berstatus {status}"
    ),
    "the assignment already ended on {day}": "penugasan sudah berakhir pada {day}",
    "the assignment is already over: its last day was {day}": "penugasan sudah selesai: hari terakhirnya {day}",
    "the assignment would already be over (today is {day})": "penugasan itu sudah akan selesai (hari ini {day})",
    "this expert already has an assignment with the NGO in that period": (
        "tenaga ahli ini sudah memiliki penugasan dengan ormas asing tersebut pada periode itu"
    ),
    # sanctions
    "a revocation is a sanction: POST /organizations/{organization_id}/sanctions": (
        "pencabutan izin adalah sanksi: POST /organizations/{organization_id}/sanctions"
    ),
    "a revocation is final: it cannot be lifted": "pencabutan bersifat final: tidak dapat dibatalkan",
    "an applicant is warned, not subject to a {kind!q}: close its application instead": (
        "pemohon hanya dapat diberi peringatan, bukan sanksi {kind}: tutup permohonannya saja"
    ),
    "must not be before today ({day})": "tidak boleh sebelum hari ini ({day})",
    "no sanction {sanction_id}": "tidak ada sanksi {sanction_id}",
    "the NGO is already frozen (suspended): lift that first, or revoke": (
        "ormas asing sudah dibekukan: akhiri pembekuan itu terlebih dahulu, atau cabut izinnya"
    ),
    "the NGO is frozen by a sanction: lift the freeze: POST /sanctions/{sanction_id}/lift": (
        "ormas asing dibekukan oleh sanksi: akhiri pembekuannya: POST /sanctions/{sanction_id}/lift"
    ),
    "the NGO is {status!c}: it takes no further sanction": (
        "ormas asing berstatus {status}: tidak dapat dikenai sanksi lagi"
    ),
    "the sanction is already {status!c}": "sanksi sudah berstatus {status}",
    # partners
    "a {kind!c} with code {code} is already registered": "{kind} dengan kode {code} sudah terdaftar",
    "no partner {partner_id}": "tidak ada mitra {partner_id}",
    "no province with code {code:w}": "tidak ada provinsi dengan kode {code}",
    "the partner changed since version {expected}: it is at version {version}; read it again": (
        "data mitra berubah sejak versi {expected}: kini pada versi {version}; baca kembali datanya"
    ),
    # the regions CSV (domain/regions.py): "{level} file, line N: reason"
    "province file, line {line}: {reason!t}": "berkas provinsi, baris {line}: {reason}",
    "province file, line {line}: {reason!t} (and {more} more)": (
        "berkas provinsi, baris {line}: {reason} (dan {more} lainnya)"
    ),
    "regency file, line {line}: {reason!t}": "berkas kabupaten/kota, baris {line}: {reason}",
    "regency file, line {line}: {reason!t} (and {more} more)": (
        "berkas kabupaten/kota, baris {line}: {reason} (dan {more} lainnya)"
    ),
    "code {code} already on line {line}": "kode {code} sudah ada pada baris {line}",
    "line {line}: {kind!c} {code} was registered meanwhile; import again": (
        "baris {line}: {kind} {code} sudah didaftarkan sementara itu; impor kembali"
    ),
    "more than {n} rows": "lebih dari {n} baris",
    # the register's imports (domain/imports*.py, usecases/imports.py): "{kind} file, line N: reason"
    "organizations file": "berkas ormas asing",
    "permits file": "berkas izin",
    "staff file": "berkas tenaga kerja asing",
    "partners file": "berkas mitra",
    "{value} is not a date as YYYY-MM-DD, e.g. 2024-01-15": (
        "{value} bukan tanggal dengan format TTTT-BB-HH, mis. 2024-01-15"
    ),
    "an import enters NGOs as {statuses!q}, not {given}": (
        "impor mencatat ormas asing dengan status {statuses}, bukan {given}"
    ),
    "the same NGO (legal name and country) as line {line}": (
        "ormas asing yang sama (nama resmi dan negara) dengan baris {line}"
    ),
    "the NGO is {status!c} in the register; its status changes through Mitra (POST /organizations/{{id}}/status), "
    "not by an import": (
        "ormas asing berstatus {status} dalam register; statusnya diubah melalui Mitra "
        "(POST /organizations/{{id}}/status), bukan melalui impor"
    ),
    "must be ministry, tpoa, province or regency (kementerian, provinsi, ...)": (
        "harus `ministry`, `tpoa`, `province`, atau `regency` (kementerian, provinsi, ...)"
    ),
    "line {line} names this partner otherwise (name or parent_code)": (
        "baris {line} menyebut mitra ini secara lain (nama atau parent_code)"
    ),
    "no province with code {code:w} in the register or this file": (
        "tidak ada provinsi dengan kode {code} dalam register maupun dalam berkas ini"
    ),
    "the partner is recorded under {parent}; a partner's parent does not change": (
        "mitra ini tercatat di bawah {parent}; induk sebuah mitra tidak berubah"
    ),
    "none": "tidak ada",
    "no NGO of this legal name and country in the register: import the NGOs first": (
        "tidak ada ormas asing dengan nama resmi dan negara ini dalam register: impor data ormas asing terlebih dahulu"
    ),
    "must be principle (prinsip) or operating (operasional)": (
        "harus `principle` (prinsip) atau `operating` (operasional)"
    ),
    "the same permit (type and number) as line {line}": "izin yang sama (jenis dan nomor) dengan baris {line}",
    "no principle permit {permit_id:w} in the register or in this file": (
        "tidak ada izin prinsip {permit_id} dalam register maupun dalam berkas ini"
    ),
    "the permit is recorded on another principle permit": "izin ini tercatat pada izin prinsip yang lain",
    "the file gives this partner {n} contacts; a partner has at most {most}": (
        "berkas memberi mitra ini {n} kontak; satu mitra paling banyak memiliki {most} kontak"
    ),
    "the same assignment (NGO, passport, start) as line {line}": (
        "penugasan yang sama (ormas asing, paspor, tanggal mulai) dengan baris {line}"
    ),
    "this assignment is recorded with other particulars; a recorded assignment is not rewritten by an import (end "
    "it in Mitra)": (
        "penugasan ini tercatat dengan rincian lain; penugasan yang sudah tercatat tidak ditulis ulang oleh impor "
        "(akhiri penugasan itu di Mitra)"
    ),
    "line {line}: {what} was entered in the register meanwhile; import the file again": (
        "baris {line}: {what} sudah dicatat dalam register sementara itu; impor kembali berkas itu"
    ),
    "not UTF-8 text": "bukan teks UTF-8",
    "send the file as text/csv, not {content_type}": "kirim berkas sebagai text/csv, bukan {content_type}",
    "the file is empty; expected the header {expected}": "berkas kosong; seharusnya ada baris judul {expected}",
    "the file is larger than {n} bytes": "berkas lebih besar dari {n} bita",
    "the header must be {expected}, got {header}": "baris judul harus {expected}, bukan {header}",
    # the commands' field rules (pydantic validators in domain/*.py): bare in an import's line problem, after
    # pydantic's "Value error, " (which the engine drops) in a request's 422
    "must be an ISO 3166-1 alpha-2 code of two letters, e.g. GB": (
        "harus berupa kode ISO 3166-1 alpha-2 dua huruf, mis. GB"
    ),
    "must be an ISO 3166-1 alpha-2 code of two letters, e.g. NL": (
        "harus berupa kode ISO 3166-1 alpha-2 dua huruf, mis. NL"
    ),
    "a foreign NGO cannot have Indonesia as its country of origin": "negara asal ormas asing tidak boleh Indonesia",
    "cannot be cleared (null); leave it out to keep it": (
        "tidak dapat dikosongkan (null); hilangkan isian ini untuk mempertahankan nilainya"
    ),
    "{field:w} cannot be null; leave it out to keep it": (
        "{field} tidak dapat dikosongkan (null); hilangkan isian ini untuk mempertahankan nilainya"
    ),
    "name at least one field to change": "sebutkan sekurang-kurangnya satu isian yang diubah",
    # the regions CSV (domain/regions.py): a region's name with a control character
    "name must not hold control characters (U+0000 to U+001F, U+007F to U+009F); found U+{code:w} at position "
    "{position}": (
        "nama tidak boleh memuat karakter kontrol (U+0000 sampai U+001F, U+007F sampai U+009F); ditemukan U+{code} "
        "pada posisi {position}"
    ),
    "must not hold control characters (U+0000 to U+001F, U+007F to U+009F); found U+{code:w} at position {position}": (
        "tidak boleh memuat karakter kontrol (U+0000 sampai U+001F, U+007F sampai U+009F); ditemukan U+{code} pada "
        "posisi {position}"
    ),
    "a contact needs an email, a webhook_url, or both": "kontak memerlukan email, webhook_url, atau keduanya",
    "a province code has two digits, e.g. 33": "kode provinsi terdiri atas dua digit, mis. 33",
    "a regency or city code has four digits, e.g. 3374": "kode kabupaten/kota terdiri atas empat digit, mis. 3374",
    "a regency or city code starts with its province's code {parent_code}": (
        "kode kabupaten/kota diawali dengan kode provinsinya, {parent_code}"
    ),
    "a ministry's or TPOA's code is its short name: 2-40 letters, digits, '.', '_' or '-', e.g. KEMENSOS": (
        "kode kementerian atau TPOA adalah nama singkatnya: 2-40 huruf, angka, '.', '_' atau '-', mis. KEMENSOS"
    ),
    "only a regency or city has a parent (its province)": "hanya kabupaten/kota yang memiliki induk (provinsinya)",
    "a regency or city needs its province's code": "kabupaten/kota memerlukan kode provinsinya",
    "the regency or city code {code} does not start with it": (
        "kode kabupaten/kota {code} tidak diawali dengan kode provinsi tersebut"
    ),
    "an Indonesian citizen is not foreign staff": "warga negara Indonesia bukan tenaga kerja asing",
    "must not be before starts_on": "tidak boleh sebelum starts_on",
    "an assignment lasts at most {years} years: ends_on must be on or before {day}": (
        "penugasan berlangsung paling lama {years} tahun: ends_on harus pada atau sebelum {day}"
    ),
    "must be 5 to 20 letters and digits": "harus terdiri atas 5 sampai 20 huruf dan angka",
    "a revocation is final: it has no end date": "pencabutan bersifat final: tidak memiliki tanggal berakhir",
    "must not be before issued_on": "tidak boleh sebelum issued_on",
    "a principle permit is valid at most {years} years: at the latest {day} for issued_on {issued_on}": (
        "izin prinsip berlaku paling lama {years} tahun: paling lambat {day} untuk issued_on {issued_on}"
    ),
    "an operating permit needs the principle permit it rests on": (
        "izin operasional memerlukan izin prinsip yang menjadi dasarnya"
    ),
    "only an operating permit rests on a principle permit": "hanya izin operasional yang didasarkan pada izin prinsip",
    "only an operating permit rests on an MSP": "hanya izin operasional yang didasarkan pada MSP",
}
