"""The texts every service shares: HTTP titles, request validation (pydantic's messages), authentication and
access, versions (If-Match), files and uploads, imported spreadsheets.

One entry per English template: `{name}` carries a value across as it is, `{name!t}` a value translated too;
`{{` and `}}` are literal braces.
"""

from __future__ import annotations

HTTP: dict[str, str] = {
    "Bad Request": "Permintaan tidak valid",
    "Unauthorized": "Tidak terautentikasi",
    "Forbidden": "Tidak diizinkan",
    "Not Found": "Tidak ditemukan",
    "Not found": "Tidak ditemukan",
    "Method Not Allowed": "Metode tidak diizinkan",
    "Not Acceptable": "Format jawaban tidak tersedia",
    "Conflict": "Bertentangan dengan keadaan saat ini",
    "Gone": "Sudah tidak tersedia",
    "Length Required": "Panjang isi permintaan wajib disebutkan",
    "Precondition Failed": "Prasyarat tidak terpenuhi",
    "Content Too Large": "Isi permintaan terlalu besar",
    "Request Entity Too Large": "Isi permintaan terlalu besar",
    "Unsupported Media Type": "Jenis isi tidak didukung",
    "Range Not Satisfiable": "Rentang tidak dapat dipenuhi",
    "Requested Range Not Satisfiable": "Rentang tidak dapat dipenuhi",
    "Unprocessable Entity": "Permintaan tidak dapat diproses",
    "Unprocessable Content": "Permintaan tidak dapat diproses",
    "Precondition Required": "Prasyarat wajib disertakan",
    "Too Many Requests": "Terlalu banyak permintaan",
    "Internal Server Error": "Kesalahan pada server",
    "Service Unavailable": "Layanan tidak tersedia",
    "Error": "Kesalahan",
    # mitra_shared.http
    "Request breaks a rule": "Permintaan melanggar aturan",
    "Conflict with the current state": "Bertentangan dengan keadaan saat ini",
    "Invalid request": "Permintaan tidak valid",
    "Not ready": "Belum siap",
    "see the service log": "lihat log layanan",
    "a text value holds the NUL character (U+0000), which the database cannot store": (
        "sebuah nilai teks memuat karakter NUL (U+0000), yang tidak dapat disimpan oleh basis data"
    ),
    "the stored file failed its integrity check and is not served": (
        "berkas yang tersimpan tidak lolos pemeriksaan keutuhan dan tidak disajikan"
    ),
    "document {document_id}: {title!t}; the operators are told": (
        "dokumen {document_id}: {title}; operator sudah diberi tahu"
    ),
    "a JSON body may be at most {max_bytes} bytes": "isi JSON paling banyak {max_bytes} bita",
    "the database cannot be reached right now; try again shortly": (
        "basis data tidak dapat dijangkau saat ini; coba lagi sebentar lagi"
    ),
    # mitra_shared.api_docs
    "no documentation asset {name}": "tidak ada aset dokumentasi {name}",
    # FileRejected's detail: the first bad line, and how many more
    "{what!t}, line {line}: {reason!t}": "{what}, baris {line}: {reason}",
    "{what!t}, line {line}: {reason!t} (and {more} more)": "{what}, baris {line}: {reason} (dan {more} lainnya)",
    "{what!t}, line {line}, {column}: {reason!t}": "{what}, baris {line}, {column}: {reason}",
    "{what!t}, line {line}, {column}: {reason!t} (and {more} more)": (
        "{what}, baris {line}, {column}: {reason} (dan {more} lainnya)"
    ),
}

# pydantic v2's messages, as request validation gives them.
VALIDATION: dict[str, str] = {
    "Field required": "Wajib diisi",
    "Extra inputs are not permitted": "Isian ini tidak dikenal di sini",
    "String should have at least {n} character": "Teks harus berisi sekurang-kurangnya {n} karakter",
    "String should have at least {n} characters": "Teks harus berisi sekurang-kurangnya {n} karakter",
    "String should have at most {n} character": "Teks paling banyak berisi {n} karakter",
    "String should have at most {n} characters": "Teks paling banyak berisi {n} karakter",
    "String should match pattern '{pattern}'": "Teks harus sesuai dengan pola '{pattern}'",
    "Input should be a valid string": "Isian harus berupa teks",
    "Input should be a valid integer": "Isian harus berupa bilangan bulat",
    "Input should be a valid integer, unable to parse string as an integer": "Isian harus berupa bilangan bulat",
    "Input should be a valid integer, got a number with a fractional part": (
        "Isian harus berupa bilangan bulat, bukan bilangan pecahan"
    ),
    "Input should be a valid number": "Isian harus berupa angka",
    "Input should be a valid number, unable to parse string as a number": "Isian harus berupa angka",
    "Input should be a finite number": "Isian harus berupa angka yang terhingga",
    "Input should be a valid decimal": "Isian harus berupa angka desimal",
    "Decimal input should be an integer or float": "Isian harus berupa angka",
    "Decimal input should have no more than {n} digits in total": "Angka paling banyak terdiri atas {n} digit",
    "Decimal input should have no more than {n} digit in total": "Angka paling banyak terdiri atas {n} digit",
    "Decimal input should have no more than {n} decimal places": "Angka paling banyak memiliki {n} angka desimal",
    "Decimal input should have no more than {n} decimal place": "Angka paling banyak memiliki {n} angka desimal",
    "Input should be a valid boolean": "Isian harus berupa ya atau tidak (true/false)",
    "Input should be a valid boolean, unable to interpret input": "Isian harus berupa ya atau tidak (true/false)",
    "Input should be a valid date": "Isian harus berupa tanggal (TTTT-BB-HH)",
    "Input should be a valid date or datetime, {error!t}": "Isian harus berupa tanggal (TTTT-BB-HH): {error}",
    "Input should be a valid date in the format YYYY-MM-DD, {error!t}": (
        "Isian harus berupa tanggal dengan format TTTT-BB-HH: {error}"
    ),
    "Input should be a valid datetime": "Isian harus berupa tanggal dan waktu",
    "Input should be a valid datetime, {error!t}": "Isian harus berupa tanggal dan waktu: {error}",
    "Input should be a valid datetime or date, {error!t}": "Isian harus berupa tanggal dan waktu: {error}",
    "Input should have timezone info": "Tanggal dan waktu harus menyebutkan zona waktunya",
    "Input should be a valid time": "Isian harus berupa waktu",
    "input is too short": "isian terlalu pendek",
    "input is too long": "isian terlalu panjang",
    "invalid character in year": "ada karakter yang tidak valid pada tahun",
    "invalid character in month": "ada karakter yang tidak valid pada bulan",
    "invalid character in day": "ada karakter yang tidak valid pada hari",
    "invalid date separator, expected `-`": "pemisah tanggal tidak valid, seharusnya `-`",
    "month value is outside expected range of 1-12": "bulan harus antara 1 dan 12",
    "day value is outside expected range": "hari berada di luar rentang yang mungkin",
    "unexpected extra characters at the end of the input": "ada karakter berlebih di akhir isian",
    "Input should be a valid UUID, {error!t}": "Isian harus berupa UUID: {error}",
    "invalid character: found `{found}` at {position}": "karakter `{found}` pada posisi {position} tidak valid",
    "invalid length: found {n}": "panjangnya {n}, tidak sesuai",
    "invalid group count: expected {expected}, found {n}": "terdapat {n} kelompok, seharusnya {expected}",
    "invalid group length in group {group}: expected {expected}, found {n}": (
        "kelompok {group} panjangnya {n}, seharusnya {expected}"
    ),
    "Input should be a valid UUID": "Isian harus berupa UUID",
    "Datetimes provided to dates should have zero time - e.g. be exact dates": (
        "Isian harus berupa tanggal saja, tanpa waktu"
    ),
    "UUID input should be a string, bytes or UUID object": "Isian harus berupa UUID",
    "Input should be greater than or equal to {n}": "Isian paling sedikit {n}",
    "Input should be greater than {n}": "Isian harus lebih besar dari {n}",
    "Input should be less than or equal to {n}": "Isian paling banyak {n}",
    "Input should be less than {n}": "Isian harus lebih kecil dari {n}",
    "Input should be {a} or {b}": "Isian harus {a} atau {b}",
    "Input should be {a}, {b} or {c}": "Isian harus salah satu dari {a}, {b} atau {c}",
    "List should have at least {n} item after validation, not {m}": (
        "Daftar harus berisi sekurang-kurangnya {n} butir, bukan {m}"
    ),
    "List should have at least {n} items after validation, not {m}": (
        "Daftar harus berisi sekurang-kurangnya {n} butir, bukan {m}"
    ),
    "List should have at most {n} item after validation, not {m}": "Daftar paling banyak berisi {n} butir, bukan {m}",
    "List should have at most {n} items after validation, not {m}": "Daftar paling banyak berisi {n} butir, bukan {m}",
    "Input should be a valid list": "Isian harus berupa daftar",
    "Input should be a valid array": "Isian harus berupa daftar",
    "Input should be a valid dictionary": "Isian harus berupa objek JSON",
    "Input should be a valid dictionary or object to extract fields from": "Isian harus berupa objek JSON",
    "JSON decode error": "Isi permintaan bukan JSON yang valid",
    "Invalid JSON: {error}": "JSON tidak valid: {error}",
    "value is not a valid email address: {reason!t}": "bukan alamat e-mail yang valid: {reason}",
    "An email address must have an @-sign.": "Alamat e-mail harus memuat tanda @.",
    "There must be something before the @-sign.": "Harus ada sesuatu sebelum tanda @.",
    "There must be something after the @-sign.": "Harus ada sesuatu setelah tanda @.",
    "The part after the @-sign is not valid. It should have a period.": (
        "Bagian setelah tanda @ tidak valid. Bagian itu harus memuat titik."
    ),
    "The email address is not valid. It must have exactly one @-sign.": (
        "Alamat e-mail tidak valid. Alamat itu harus memuat tepat satu tanda @."
    ),
    "Input should be a valid URL, {error!t}": "Isian harus berupa URL: {error}",
    "relative URL without a base": "URL relatif tanpa alamat dasar",
    "input is empty": "isian kosong",
    "URL should have at most {n} characters": "URL paling banyak berisi {n} karakter",
}

AUTH: dict[str, str] = {
    "a bearer token is required": "diperlukan token bearer",
    "invalid token: {error!t}": "token tidak valid: {error}",
    "Signature has expired": "masa berlaku token sudah habis",
    "Signature verification failed": "tanda tangan token tidak cocok",
    "Not enough segments": "token tidak lengkap",
    "Invalid audience": "audiens token tidak valid",
    "Invalid issuer": "penerbit token tidak valid",
    "The token is not yet valid (nbf)": "token belum berlaku (nbf)",
    "The token is not yet valid (iat)": "token belum berlaku (iat)",
    'Token is missing the "{claim}" claim': 'token tidak memuat klaim "{claim}"',
    "a token must say when it was issued (iat) and live at most {hours} hours": (
        "token harus menyebutkan waktu terbitnya (iat) dan berlaku paling lama {hours} jam"
    ),
    "algorithm {alg} is not accepted from {issuer}": "algoritme {alg} tidak diterima dari {issuer}",
    "no key {kid} among the published keys of {issuer}": "tidak ada kunci {kid} di antara kunci terbitan {issuer}",
    "the keys of {issuer} are not loaded yet": "kunci {issuer} belum dimuat",
    "the token's issuer is not one this service trusts": "penerbit token tidak dipercaya oleh layanan ini",
    "the token must name exactly one role of {roles} in `roles`": (
        "token harus menyebutkan tepat satu peran dari {roles} dalam `roles`"
    ),
    "a `{role}` token needs its `{claim}`": "token peran `{role}` harus memuat `{claim}`",
    "`organization_id` is not a UUID": "`organization_id` bukan UUID",
    "`{claim}` is not a code": "`{claim}` bukan kode",
    "the `{role}` role may not do this; it is for: {roles}": (
        "peran `{role}` tidak boleh melakukan ini; ini hanya untuk: {roles}"
    ),
    "this operation declares no access policy, so it is refused to everyone": (
        "operasi ini tidak menyatakan kebijakan akses, sehingga ditolak bagi siapa pun"
    ),
    "you {what!t} this yourself; someone else must decide it (four eyes)": (
        "Anda sendiri yang {what} ini; orang lain yang harus memutuskannya (prinsip empat mata)"
    ),
    "drafted": "menyusun",
    "submitted": "mengajukan",
    "requested": "meminta",
}

VERSIONS: dict[str, str] = {
    'send If-Match with the ETag of the version you read (e.g. "3"), so that no change is overwritten unseen': (
        'kirim If-Match dengan ETag versi yang Anda baca (mis. "3"), agar tidak ada perubahan yang tertimpa '
        "tanpa terlihat"
    ),
    'If-Match: * would overwrite whatever is there; name the version you read (e.g. "3")': (
        'If-Match: * akan menimpa apa pun yang ada; sebutkan versi yang Anda baca (mis. "3")'
    ),
    "If-Match {value} names no version of {what!t}": "If-Match {value} tidak menyebutkan versi {what}",
    "this record": "catatan ini",
    "this partner": "mitra ini",
}

FILES: dict[str, str] = {
    "a PATCH of an upload is {content_type}": "PATCH sebuah unggahan harus berjenis {content_type}",
    "a body may have at most {n} fields besides `upload_id`": "isi paling banyak memuat {n} isian selain `upload_id`",
    "a body naming an upload may be at most {n} bytes": "isi yang menyebut sebuah unggahan paling banyak {n} bita",
    "a file may be at most {size}": "berkas paling besar {size}",
    "a form may have at most {n} text fields besides `{field}`": (
        "formulir paling banyak memuat {n} isian teks selain `{field}`"
    ),
    "a text field may be at most {n} bytes": "isian teks paling banyak {n} bita",
    "an empty file cannot be uploaded": "berkas kosong tidak dapat diunggah",
    "attach the file in the form field `{field}`": "lampirkan berkas pada isian formulir `{field}`",
    "each part of the form needs `Content-Disposition: form-data` with a name": (
        "setiap bagian formulir memerlukan `Content-Disposition: form-data` beserta nama"
    ),
    "holds the NUL character": "memuat karakter NUL",
    "is not UTF-8 text": "bukan teks UTF-8",
    "is not a UUID": "bukan UUID",
    "is text": "berupa teks",
    "multipart/form-data needs its `boundary` parameter": "multipart/form-data memerlukan parameter `boundary`",
    "name the finished upload to attach (its id, a UUID)": (
        "sebutkan unggahan selesai yang akan dilampirkan (id-nya, sebuah UUID)"
    ),
    "no thumbnail is made of {content_type}": "tidak dibuat gambar mini untuk {content_type}",
    "no upload {upload_id} of yours": "tidak ada unggahan {upload_id} milik Anda",
    "no upload {upload_id} of yours (or it expired)": (
        "tidak ada unggahan {upload_id} milik Anda (atau sudah kedaluwarsa)"
    ),
    "no upload {upload_id} of yours is waiting to be attached": (
        "tidak ada unggahan {upload_id} milik Anda yang menunggu untuk dilampirkan"
    ),
    "only the field `{field}` may hold a file": "hanya isian `{field}` yang boleh memuat berkas",
    "send multipart/form-data with the field `{field}`, or application/json naming a finished resumable upload "
    "(`upload_id`)": (
        "kirim multipart/form-data dengan isian `{field}`, atau application/json yang menyebut unggahan bertahap "
        "yang sudah selesai (`upload_id`)"
    ),
    "send one file per request": "kirim satu berkas per permintaan",
    "state the file's size in bytes (a deferred length is not supported)": (
        "sebutkan ukuran berkas dalam bita (panjang yang ditunda tidak didukung)"
    ),
    "state where this body starts in the file (HEAD tells the offset)": (
        "sebutkan posisi awal isi ini di dalam berkas (HEAD memberitahukan offset-nya)"
    ),
    'the body is a JSON object: {{"upload_id": "...", ...}}': (
        'isi harus berupa objek JSON: {{"upload_id": "...", ...}}'
    ),
    "the body is not JSON": "isi bukan JSON",
    "the connection closed before the body was complete": "sambungan terputus sebelum isi lengkap diterima",
    "the connection closed before the form was complete": "sambungan terputus sebelum formulir lengkap diterima",
    "the field is given twice": "isian ini diberikan dua kali",
    "the file is empty": "berkas kosong",
    "the file's content is not of a type allowed: {allowed}": "isi berkas bukan jenis yang diizinkan: {allowed}",
    "the form ends before its closing boundary": "formulir berakhir sebelum batas penutupnya",
    "the image cannot be read (damaged or not what it claims)": (
        "gambar tidak dapat dibaca (rusak atau bukan jenis yang disebutkan)"
    ),
    "the image has too many pixels to be accepted": "gambar memiliki terlalu banyak piksel untuk diterima",
    "the image has {width}×{height} pixels; at most {n} are accepted": (
        "gambar berukuran {width}×{height} piksel; paling banyak {n} piksel yang diterima"
    ),
    "the key {key} is not an ASCII name, or comes twice": "kunci {key} bukan nama ASCII, atau muncul dua kali",
    "the multipart boundary cannot be used: {error}": "batas multipart tidak dapat digunakan: {error}",
    "the multipart form cannot be read: {error}": "formulir multipart tidak dapat dibaca: {error}",
    "the stored parts of the upload are incomplete: upload the file again": (
        "bagian unggahan yang tersimpan tidak lengkap: unggah berkas itu lagi"
    ),
    "the upload has {remaining} bytes left of its {length}; this body is longer": (
        "unggahan tinggal {remaining} bita dari {length}; isi ini lebih panjang"
    ),
    "the upload has {received} of its {length} bytes: send the rest first": (
        "unggahan baru menerima {received} dari {length} bita: kirim sisanya terlebih dahulu"
    ),
    "the upload holds {received} bytes: continue from there": (
        "unggahan sudah memuat {received} bita: lanjutkan dari situ"
    ),
    "the value of {key} holds the NUL character": "nilai {key} memuat karakter NUL",
    "the value of {key} is not base64 of UTF-8 text": "nilai {key} bukan base64 dari teks UTF-8",
    "there is no document {document_id}": "tidak ada dokumen {document_id}",
    "this document has no thumbnail": "dokumen ini tidak memiliki gambar mini",
    "this server speaks tus {version}: send Tus-Resumable: 1.0.0": (
        "server ini menggunakan tus {version}: kirim Tus-Resumable: 1.0.0"
    ),
    "you have {n} uploads in progress: attach, finish or delete one (DELETE) first": (
        "Anda memiliki {n} unggahan yang sedang berjalan: lampirkan, selesaikan, atau hapus salah satunya (DELETE) "
        "terlebih dahulu"
    ),
}

# mitra_shared.tabular: imported spreadsheets (the header is line 1)
TABLES: dict[str, str] = {
    "not valid CSV: {error}": "bukan CSV yang valid: {error}",
    "send the file as text/csv or {xlsx_type} (XLSX), not {content_type}": (
        "kirim berkas sebagai text/csv atau {xlsx_type} (XLSX), bukan {content_type}"
    ),
    "no content type": "tanpa jenis isi",
    "a file to import may be at most {n} MiB": "berkas yang diimpor paling besar {n} MiB",
    "a file to import is at most {n} MiB": "berkas yang diimpor paling besar {n} MiB",
    'the column "{cell}" is given more than once': 'kolom "{cell}" diberikan lebih dari sekali',
    "the file has more than {n} rows; split it": "berkas memuat lebih dari {n} baris; bagi menjadi beberapa berkas",
    "the file is empty; expected a header row naming the columns {expected}": (
        "berkas kosong; seharusnya ada baris judul yang menyebut kolom {expected}"
    ),
    "the file is not UTF-8 text (save it as CSV UTF-8)": "berkas bukan teks UTF-8 (simpan sebagai CSV UTF-8)",
    "the file is not a readable XLSX workbook": "berkas bukan buku kerja XLSX yang dapat dibaca",
    'the required column "{key}" ({header_id}) is missing': 'kolom wajib "{header_id}" ({key}) tidak ada',
    "the workbook cannot be read (damaged or not XLSX)": "buku kerja tidak dapat dibaca (rusak atau bukan XLSX)",
    "the workbook has no sheet named {names}": "buku kerja tidak memiliki lembar bernama {names}",
    'unknown column "{cell}" (column {n})': 'kolom "{cell}" tidak dikenal (kolom ke-{n})',
    "{n} value(s) outside the named columns (column {column})": (
        "{n} nilai berada di luar kolom yang bernama (kolom ke-{column})"
    ),
    "the file goes on past line {line}: it may hold at most {n} rows; split it, and delete what lies below the data "
    "(even empty rows that only hold formatting)": (
        "berkas berlanjut melewati baris {line}: berkas paling banyak memuat {n} baris; bagi berkas itu, dan hapus apa "
        "pun di bawah data (termasuk baris kosong yang hanya memuat format)"
    ),
    "the row is hidden (by a filter or by hand): unhide it or delete it": (
        "baris ini tersembunyi (oleh filter atau secara manual): tampilkan atau hapus baris itu"
    ),
    "the cell holds {n} characters; at most {most}": "sel memuat {n} karakter; paling banyak {most}",
    "the workbook has {n} parts; a spreadsheet has far fewer": (
        "buku kerja terdiri atas {n} bagian; lembar kerja biasa jauh lebih sedikit"
    ),
    "the workbook unpacks to {size} MiB; at most {most} MiB: split it or remove what it need not hold": (
        "buku kerja setelah diekstrak berukuran {size} MiB; paling besar {most} MiB: bagi berkas itu atau hapus isi "
        "yang tidak perlu"
    ),
    "the workbook's part {part} is packed suspiciously tightly; save it again": (
        "bagian {part} dari buku kerja dimampatkan secara mencurigakan; simpan ulang berkas itu"
    ),
}

TEXTS: dict[str, str] = {**HTTP, **VALIDATION, **AUTH, **VERSIONS, **FILES, **TABLES}
