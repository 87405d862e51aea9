"""Mint a bearer token for the local system (HS256 with MITRA_JWT_SECRET, or the development secret).

python -m mitra_devtools.token --subject analyst@kemensos --roles ministry
"""

from __future__ import annotations

import argparse
import os

from mitra_shared.auth import issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET


def local_token(subject: str = "demo-user", roles: list[str] | None = None, hours: int = 12) -> str:
    return issue_token(
        secret=os.environ.get("MITRA_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
        subject=subject,
        issuer=os.environ.get("MITRA_JWT_ISSUER", "mitra-local"),
        audience=os.environ.get("MITRA_JWT_AUDIENCE", "mitra"),
        roles=roles or ["admin"],
        lifetime_seconds=hours * 3600,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subject", default="demo-user")
    parser.add_argument("--roles", nargs="*", default=["admin"])
    parser.add_argument("--hours", type=int, default=12)
    args = parser.parse_args(argv)
    print(local_token(args.subject, args.roles, args.hours))


if __name__ == "__main__":
    main()
