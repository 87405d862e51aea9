"""`python -m mitra_console serve | migrate | asyncapi | create-account ...`.

`create-account` makes an account from the command line: the first `admin` of a new installation, who then makes
the others over the API. The password is read from `MITRA_CONSOLE_NEW_PASSWORD` or asked for.
"""

import argparse
import asyncio
import getpass
import os
import sys

from pydantic import ValidationError

from mitra_console.bootstrap import build_spec
from mitra_console.domain.accounts import NewAccount
from mitra_console.settings import ConsoleSettings
from mitra_console.usecases import accounts
from mitra_console.usecases.config import ConsoleConfig
from mitra_shared import db
from mitra_shared.cli import main as run_cli
from mitra_shared.clock import system_clock
from mitra_shared.context import Context, Principal
from mitra_shared.errors import Refused
from mitra_shared.service import ServiceRuntime
from mitra_shared.uow import UnitOfWork


async def create_account(settings: ConsoleSettings, command: NewAccount) -> str:
    await ServiceRuntime(build_spec(settings)).migrate()
    pool = await db.create_pool(settings.database_url.get_secret_value(), min_size=1, max_size=2)
    try:
        operator = Principal(subject=f"cli:{getpass.getuser()}", roles=("admin",), name="command line")
        context = Context(principal=operator, now=system_clock(), request_id="create-account")
        account = await accounts.create_account(
            UnitOfWork(pool, service="console"), context, ConsoleConfig.from_settings(settings), command
        )
    finally:
        await pool.close()
    return f"account {account.username} ({account.role}) created: {account.id}"


def create_account_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mitra_console create-account", description=__doc__)
    parser.add_argument("--username", required=True)
    parser.add_argument("--display-name", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=["tpoa", "ministry", "region", "ngo", "auditor", "admin"])
    parser.add_argument("--ministry-code")
    parser.add_argument("--region-code")
    parser.add_argument("--organization-id")
    args = parser.parse_args(argv)
    password = os.environ.get("MITRA_CONSOLE_NEW_PASSWORD") or getpass.getpass("password: ")
    try:
        command = NewAccount(
            username=args.username,
            display_name=args.display_name,
            email=args.email,
            role=args.role,
            ministry_code=args.ministry_code,
            region_code=args.region_code,
            organization_id=args.organization_id,
            password=password,
        )
        print(asyncio.run(create_account(ConsoleSettings(), command)))
    except ValidationError as error:  # only where and why: never the values, which include the password
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"create-account: {reasons}", file=sys.stderr)
        return 2
    except Refused as error:
        print(f"create-account: {error.describe()}", file=sys.stderr)
        return 2
    return 0


def main() -> None:
    if sys.argv[1:2] == ["create-account"]:
        sys.exit(create_account_command(sys.argv[2:]))
    sys.exit(run_cli(build_spec))


if __name__ == "__main__":
    main()
