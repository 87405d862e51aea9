"""Write RabbitMQ's definitions with the users' password hashes, from definitions.json and passwords in the env.

definitions.json (committed) holds the users, their permissions and topic permissions, but no password: a password
cannot be in a committed file. Compose runs this once before RabbitMQ starts (the `rabbitmq-definitions` service):

    python render_definitions.py definitions.json /etc/rabbitmq/definitions/definitions.json

Each user's password comes from `RABBITMQ_<NAME>_PASS`, NAME being the user name without `mitra-`, upper case, dashes
as underscores (`mitra-registry`: RABBITMQ_REGISTRY_PASS). A user whose variable is unset or empty keeps no password
and cannot log in. RabbitMQ imports the result on every boot (`load_definitions` in rabbitmq.conf), so a password
changed in .env takes effect at the next `docker compose up`. Standard library only: it runs in any Python image.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HASHING = "rabbit_password_hashing_sha256"
DEFAULT_NAMESPACE = "mitra"


def password_variable(user: str) -> str:
    return f"RABBITMQ_{user.removeprefix('mitra-').upper().replace('-', '_')}_PASS"


def password_hash(password: str) -> str:
    """RabbitMQ's salted SHA-256: base64(salt + sha256(salt + password)), with a 4-byte random salt."""
    salt = secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def render(
    template: Mapping[str, Any],
    passwords: Mapping[str, str],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    vhost: str = "/",
    user_prefix: str = "",
) -> dict[str, Any]:
    """The definitions with password hashes; `namespace`, `vhost` and `user_prefix` move them elsewhere (tests)."""

    def user(name: str) -> str:
        return f"{user_prefix}{name}"

    def pattern(regex: str) -> str:
        return regex.replace(f"{re.escape(DEFAULT_NAMESPACE)}\\.", f"{re.escape(namespace)}\\.")

    def exchange(name: str) -> str:
        return f"{namespace}.{name.removeprefix(DEFAULT_NAMESPACE + '.')}"

    users = []
    for entry in template["users"]:
        password = passwords.get(password_variable(entry["name"]), "")
        users.append(
            {
                **entry,
                "name": user(entry["name"]),
                "password_hash": password_hash(password) if password else "",
                "hashing_algorithm": HASHING,
            }
        )
    permissions = [
        {
            **entry,
            "user": user(entry["user"]),
            "vhost": vhost,
            **{kind: pattern(entry[kind]) for kind in ("configure", "write", "read")},
        }
        for entry in template["permissions"]
    ]
    topic_permissions = [
        {
            **entry,
            "user": user(entry["user"]),
            "vhost": vhost,
            "exchange": exchange(entry["exchange"]),
            "write": pattern(entry["write"]),
            "read": pattern(entry["read"]),
        }
        for entry in template["topic_permissions"]
    ]
    return {
        **template,
        "users": users,
        "vhosts": [{"name": vhost}],
        "permissions": permissions,
        "topic_permissions": topic_permissions,
    }


def main(arguments: list[str]) -> int:
    if len(arguments) != 2:
        print("usage: render_definitions.py TEMPLATE OUTPUT", file=sys.stderr)
        return 2
    template = json.loads(Path(arguments[0]).read_text())
    namespace = os.environ.get("MITRA_AMQP_NAMESPACE") or DEFAULT_NAMESPACE
    rendered = render(template, os.environ, namespace=namespace)
    for entry in rendered["users"]:
        if not entry["password_hash"]:
            print(f"{entry['name']}: no {password_variable(entry['name'])}, so no password (cannot log in)")
    output = Path(arguments[1])
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_suffix(".tmp")
    temporary.write_text(json.dumps(rendered, indent=2) + "\n")
    temporary.chmod(0o644)  # read by the rabbitmq user of the broker's container; hashes only, salted
    temporary.replace(output)
    print(f"wrote {output}: {len(rendered['users'])} users")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
