"""Mint a bearer token the local system accepts (HS256 with MITRA_JWT_SECRET, or the development secret).

python -m mitra_devtools.token                                   # TPOA secretariat
python -m mitra_devtools.token --role ngo --organization-id 6f1c...
python -m mitra_devtools.token --role ministry --ministry-code KEMENSOS --subject analyst@kemensos
python -m mitra_devtools.token --role region --region-code 3374
"""

from __future__ import annotations

import argparse
import os

from mitra_shared.access import ROLES, SCOPE_CLAIM
from mitra_shared.auth import MAX_TOKEN_HOURS, issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET


def local_token(
    subject: str = "demo-user",
    role: str = "tpoa",
    *,
    hours: int = MAX_TOKEN_HOURS,
    name: str | None = None,
    scope: dict[str, str] | None = None,
) -> str:
    return issue_token(
        secret=os.environ.get("MITRA_JWT_SECRET") or DEVELOPMENT_JWT_SECRET,
        subject=subject,
        issuer=os.environ.get("MITRA_JWT_ISSUER", "mitra-local"),
        audience=os.environ.get("MITRA_JWT_AUDIENCE", "mitra"),
        roles=[role],
        lifetime_seconds=hours * 3600,
        name=name,
        scope=scope,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subject", default="demo-user")
    parser.add_argument("--name", default=None)
    parser.add_argument("--role", choices=ROLES, default="tpoa")
    parser.add_argument("--organization-id", help="the NGO of an `ngo` token")
    parser.add_argument("--ministry-code", help="the ministry of a `ministry` token, e.g. KEMENSOS")
    parser.add_argument("--region-code", help="the province or regency of a `region` token, e.g. 33 or 3374")
    parser.add_argument("--hours", type=int, default=MAX_TOKEN_HOURS, choices=range(1, MAX_TOKEN_HOURS + 1))
    args = parser.parse_args(argv)
    scope = {
        claim: value
        for claim, value in (
            ("organization_id", args.organization_id),
            ("ministry_code", args.ministry_code),
            ("region_code", args.region_code),
        )
        if value
    }
    needed = SCOPE_CLAIM.get(args.role)
    if needed and needed not in scope:
        parser.error(f"a {args.role} token needs --{needed.replace('_', '-')}")
    print(local_token(args.subject, args.role, hours=args.hours, name=args.name, scope=scope))


if __name__ == "__main__":
    main()
