"""The channels notifications leave by (I/O adapters): e-mail over SMTP and signed webhooks over HTTP."""
