"""Notifications' texts: recipients, subscriptions, routing rules, webhooks, the inbox. One entry per English
template (see `common` for the format)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "a ministry subscribes to events about the NGOs of the MSPs it signed: name those organization_ids": (
        "kementerian berlangganan peristiwa tentang ormas asing dari MSP yang ditandatanganinya: sebutkan "
        "organization_id ormas asing tersebut"
    ),
    "a region subscribes to events in its area: name region codes it covers": (
        "wilayah berlangganan peristiwa di wilayahnya: sebutkan kode wilayah yang dicakupnya"
    ),
    "an NGO subscribes to events about itself: name its own organization_id, and only it": (
        "ormas asing berlangganan peristiwa tentang dirinya sendiri: sebutkan organization_id-nya sendiri, dan "
        "hanya itu"
    ),
    "the `{role}` role subscribes nothing": "peran `{role}` tidak berlangganan apa pun",
    "your account has no recipient yet: it is made when notifications hears of the account": (
        "akun Anda belum memiliki penerima: penerima dibuat ketika notifications mendapat kabar tentang akun itu"
    ),
    # "{what} only its owner may": what the caller tried
    "{what!t} only its owner may; this recipient is not yours": (
        "{what} hanya boleh dilakukan pemiliknya; penerima ini bukan milik Anda"
    ),
    "{what!t} only its owner or an administrator may": "{what} hanya boleh dilakukan pemiliknya atau administrator",
    "reading an inbox": "Membaca kotak masuk",
    "marking an inbox read": "Menandai kotak masuk sudah dibaca",
    "subscribing a recipient": "Mendaftarkan langganan penerima",
    "reading a recipient's subscriptions": "Membaca langganan penerima",
    "ending a recipient's subscription": "Mengakhiri langganan penerima",
    "switching a recipient's digest": "Mengubah ringkasan penerima",
    "a routing key is <service>.<aggregate>.<event>": "routing key berbentuk <service>.<aggregate>.<event>",
    "give an e-mail address, a webhook URL, or both": "isi alamat e-mail, URL webhook, atau keduanya",
    "no e-mail or webhook notification {notification_id}": "tidak ada notifikasi e-mail atau webhook {notification_id}",
    "no inbox notification {notification_id} for recipient {recipient_id}": (
        "tidak ada notifikasi {notification_id} di kotak masuk penerima {recipient_id}"
    ),
    "no notification {notification_id} in your inbox": "tidak ada notifikasi {notification_id} di kotak masuk Anda",
    "no recipient {recipient_id}": "tidak ada penerima {recipient_id}",
    "no routing rule {rule_id}": "tidak ada aturan perutean {rule_id}",
    "no subscription {subscription_id} of recipient {recipient_id}": (
        "tidak ada langganan {subscription_id} milik penerima {recipient_id}"
    ),
    # webhook URLs (domain/url_policy.py)
    "a webhook URL must name a host": "URL webhook harus menyebut host",
    "a webhook URL must not carry credentials; the signature authenticates the sender": (
        "URL webhook tidak boleh memuat kredensial; tanda tangan yang mengautentikasi pengirim"
    ),
    "a webhook URL must start with http:// or https://": "URL webhook harus diawali http:// atau https://",
    "not a URL: {error}": "bukan URL: {error}",
    "the host {host} does not resolve: {error}": "host {host} tidak dapat di-resolve: {error}",
    "the host {host} resolves to an internal address ({addresses})": (
        "host {host} mengarah ke alamat internal ({addresses})"
    ),
}
