"""The console's API texts: accounts, passwords, OAuth clients. One entry per English template (see `common` for
the format)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "a `{role}` account has no `{name}`": "akun `{role}` tidak memiliki `{name}`",
    "a `{role}` account needs its `{needed}`": "akun `{role}` memerlukan `{needed}`",
    "the `{role}` role may not manage `{other}` accounts": "peran `{role}` tidak boleh mengelola akun `{other}`",
    "cannot be null": "tidak boleh kosong (null)",
    "no account {account_id}": "tidak ada akun {account_id}",
    "the account is at version {version}, not {expected}: read it again": (
        "akun sudah pada versi {version}, bukan {expected}: baca kembali datanya"
    ),
    "the username {username} is taken": "nama pengguna {username} sudah dipakai",
    "you cannot disable your own account": "Anda tidak dapat menonaktifkan akun Anda sendiri",
    "your token names no account of this console": "token Anda tidak menyebut akun mana pun di konsol ini",
    # passwords (domain/passwords.py)
    "a password does not contain the username": "kata sandi tidak boleh memuat nama pengguna",
    "a password has {n} characters at most": "kata sandi paling banyak {n} karakter",
    "a password has {n} characters at least (a few words make a good one)": (
        "kata sandi sekurang-kurangnya {n} karakter (beberapa kata merupakan kata sandi yang baik)"
    ),
    "a password holds no control characters": "kata sandi tidak boleh memuat karakter kontrol",
    "a password of so few different characters is too easy to guess": (
        "kata sandi dengan sedikit karakter yang berbeda terlalu mudah ditebak"
    ),
    "this password is well known; choose another": "kata sandi ini terlalu umum; pilih yang lain",
    "the current password is wrong": "kata sandi saat ini salah",
    "the new password is the current one": "kata sandi baru sama dengan kata sandi saat ini",
    # OAuth clients
    "a client {client_id} exists": "klien {client_id} sudah ada",
    "no client {client_id}": "tidak ada klien {client_id}",
    "the client is at version {version}: read it again": "klien sudah pada versi {version}: baca kembali datanya",
}
