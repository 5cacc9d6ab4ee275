"""The ``facilitate`` command: check agendas and run workshops."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence

from facilitator.agenda_loader import AgendaError, load_agenda

DEFAULT_PORT = 8765
DEFAULT_HOST = "0.0.0.0"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    return args.command(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facilitate",
        description="Run live workshops from a projector: timed agenda, anonymous answers from phones.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check agenda files and explain any problem")
    check.add_argument("agendas", nargs="+", metavar="AGENDA", help="agenda .toml files")
    check.set_defaults(command=_check)

    run = commands.add_parser("run", help="run a workshop on the projector")
    run.add_argument("agenda", metavar="AGENDA", help="the agenda .toml file to run")
    run.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    run.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    run.add_argument("--public-url", help="the URL phones use, if not this laptop's LAN address")
    run.add_argument("--no-bell", action="store_true", help="no terminal bell when time runs out")
    run.add_argument("--no-flash", action="store_true", help="no screen flash when time runs out")
    run.set_defaults(command=_run)
    return parser


def _check(args: argparse.Namespace) -> int:
    failed = False
    for name in args.agendas:
        try:
            load_agenda(name)
        except AgendaError as error:
            failed = True
            for line in error.lines(name):
                print(line)
    return 1 if failed else 0


def _run(args: argparse.Namespace) -> int:
    try:
        agenda = load_agenda(args.agenda)
    except AgendaError as error:
        print("\n".join(error.lines(args.agenda)), file=sys.stderr)
        print(f"Fix these and try again; `facilitate check {args.agenda}` re-checks.", file=sys.stderr)
        return 1
    # Imported here so `facilitate check` stays quick and needs no terminal UI.
    from facilitator.app import ProjectorOptions, make_app
    from facilitator.join_url import join_url

    url = join_url(secrets.token_urlsafe(6), host=args.host, port=args.port, public_url=args.public_url)
    options = ProjectorOptions(bell=not args.no_bell, flash=not args.no_flash)
    make_app(agenda, join_url=url, options=options).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
