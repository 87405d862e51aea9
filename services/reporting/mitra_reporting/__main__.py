import sys

from mitra_reporting.bootstrap import build_spec
from mitra_shared.cli import main as run_cli


def main() -> None:
    sys.exit(run_cli(build_spec))


if __name__ == "__main__":
    main()
