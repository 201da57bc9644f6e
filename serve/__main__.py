"""`python -m serve [--workers N] [--port PORT] [--address ADDRESS]`: ILS Coach for a team (see serve/__init__.py).

Defaults come from the settings: ILS_COACH_WORKERS (the number of cores), ILS_COACH_PORT (8501) and
ILS_COACH_ADDRESS (127.0.0.1, this computer only). `make serve` builds the index first and then runs this.
"""

from __future__ import annotations

import argparse
import sys

import settings
from serve import serve


def main(argv: list[str] | None = None) -> int:
    try:
        config = settings.get()
    except settings.SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m serve", description="Run ILS Coach for a team: several "
                                     "Streamlit workers behind HAProxy, with sticky sessions, on one port.")
    parser.add_argument("--workers", type=int, default=config.workers,
                        help=f"Streamlit processes to run (default {config.workers}: ILS_COACH_WORKERS or the cores)")
    parser.add_argument("--port", type=int, default=config.port, help=f"the public port (default {config.port})")
    parser.add_argument("--address", default=config.address,
                        help=f"where the proxy listens (default {config.address}; 0.0.0.0 for every interface)")
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be from 1 to 64")
    if not 1 <= args.port <= 65535:
        parser.error("--port must be from 1 to 65535")
    return serve(args.workers, args.port, args.address, config.haproxy)


if __name__ == "__main__":
    sys.exit(main())
