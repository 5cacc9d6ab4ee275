"""The ``facilitate`` command: check agendas, run workshops, list and resume sessions."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.domain.agenda import Agenda
from facilitator.domain.agenda_loader import (
    AgendaError,
    agenda_warnings,
    load_agenda,
    parse_agenda,
    read_agenda_file,
)
from participant.core.budgets import Limits
from participant.core.wire import DEFAULT_HOST, DEFAULT_MIN_RESPONSES, DEFAULT_PORT
from participant.io.places import default_data_dir

# The store (SQLite, its writer thread) and asyncio are imported by the commands that use them, so
# `facilitate --help` and `facilitate check` start fast.
if TYPE_CHECKING:
    from facilitator.domain.saved_state import SavedState
    from participant.io.store import Store


class CommandError(Exception):
    """A command cannot go on; the message says why, in one line, and the exit status is 1."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except CommandError as error:
        print(error, file=sys.stderr)
        return 1
    except Exception as error:
        from participant.io.store import SessionNotFound, StoreError

        if not isinstance(error, SessionNotFound | StoreError):
            raise
        print(error, file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facilitate",
        description="Run live workshops from a projector: timed agenda, anonymous answers from phones.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data", type=Path, metavar="DIR", help=f"where sessions are kept (default {default_data_dir()})"
    )

    check = commands.add_parser("check", help="check agenda files and explain any problem")
    check.add_argument("agendas", nargs="+", metavar="AGENDA", help="agenda .toml files")
    check.set_defaults(command=_check)

    run = commands.add_parser("run", parents=[data], help="run a workshop on the projector")
    run.add_argument("agenda", nargs="?", metavar="AGENDA", help="the agenda .toml file to run")
    run.add_argument(
        "--resume",
        nargs="?",
        const="latest",
        metavar="SESSION",
        help="continue a stored session (an id, a path, or latest; default latest) instead of starting one",
    )
    run.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    run.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    run.add_argument("--public-url", help="the URL phones use, if not this laptop's LAN address")
    run.add_argument(
        "--min-responses",
        type=_at_least_one,
        default=DEFAULT_MIN_RESPONSES,
        metavar="N",
        help=f"never show a prompt's results for fewer answers than this (default {DEFAULT_MIN_RESPONSES})",
    )
    run.add_argument(
        "--per-address-devices",
        type=_at_least_one,
        default=Limits().devices,
        metavar="N",
        help=f"phones one network address may join as; a room behind one router or proxy shares one "
        f"(default {Limits().devices})",
    )
    run.add_argument(
        "--per-address-rate",
        type=_at_least_one,
        default=int(Limits().rate),
        metavar="N",
        help=f"answers, and joins, a second from one network address (default {int(Limits().rate)})",
    )
    run.add_argument("--no-bell", action="store_true", help="no terminal bell when time runs out")
    run.add_argument("--no-flash", action="store_true", help="no screen flash when time runs out")
    run.add_argument(
        "--no-cue", action="store_true", help="no soft cue when a paced reflection moves to its next question"
    )
    run.set_defaults(command=_run)

    sessions = commands.add_parser("sessions", parents=[data], help="list stored sessions, or delete one")
    sessions.add_argument(
        "--delete",
        metavar="SESSION",
        help="delete a session (an id, a path, or latest): its file and its -wal and -shm files",
    )
    sessions.set_defaults(command=_sessions)

    links = commands.add_parser(
        "links", parents=[data], help="print the breakout rooms' private links, one line per room"
    )
    links.add_argument("session", nargs="?", default="latest", metavar="SESSION", help="id, path or latest")
    links.set_defaults(command=_links)

    presenter = commands.add_parser(
        "presenter",
        parents=[data],
        help="the trainer's own view of the running workshop, in a second terminal",
    )
    presenter.add_argument(
        "session", nargs="?", default="latest", metavar="SESSION", help="id, path or latest"
    )
    presenter.set_defaults(command=_presenter)

    remote = commands.add_parser(
        "remote", parents=[data], help="print the phone remote's private link (and its QR code)"
    )
    remote.add_argument("session", nargs="?", default="latest", metavar="SESSION", help="id, path or latest")
    remote.add_argument(
        "--new", action="store_true", help="make a new link: every earlier remote link stops working at once"
    )
    remote.set_defaults(command=_remote)

    report = commands.add_parser("report", parents=[data], help="export a session's results and notes")
    report.add_argument("session", metavar="SESSION", help="id, path or latest")
    report.add_argument(
        "--format",
        choices=["html", "md", "csv", "json"],
        default="json",
        help="html (to read and print), md (Markdown), csv (one row per answer) or json (default)",
    )
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of the screen")
    report.add_argument(
        "--min-responses",
        type=_at_least_one,
        default=DEFAULT_MIN_RESPONSES,
        metavar="N",
        help=f"hide results with fewer answers (default {DEFAULT_MIN_RESPONSES})",
    )
    report.add_argument(
        "--hidden",
        choices=["omit", "mark"],
        default="omit",
        help="answers the trainer hid from the wall: leave them out (default) or list them marked",
    )
    report.set_defaults(command=_report)
    return parser


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("it must be 1 or more")
    return value


def _check(args: argparse.Namespace) -> int:
    failed = False
    for name in args.agendas:
        try:
            lines = [warning.format(name) for warning in agenda_warnings(load_agenda(name))]
        except AgendaError as error:
            failed = True
            lines = error.lines(name)
        for line in lines:
            print(line)
    return 1 if failed else 0


def _sessions(args: argparse.Namespace) -> int:
    from participant.io.store import delete_session, scan_sessions

    if args.delete is not None:
        deleted = delete_session(args.delete, args.data)
        print(f"Deleted {', '.join(map(str, deleted))}")
        return 0
    sessions, unreadable = scan_sessions(args.data)
    for problem in unreadable:
        print(problem, file=sys.stderr)
    if not sessions and not unreadable:
        print(f"No sessions yet in {args.data or default_data_dir()}")
    for session in sessions:
        when = f"{session.created:%Y-%m-%d %H:%M}"
        print(f"{session.id}  {when}  {session.responses:>4} answers  {session.title}")
    return 0


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Making sense of a stored session: what its data cannot give is one line naming the file."""
    from participant.io.store import SessionDamaged

    try:
        yield
    except AgendaError as error:
        first, *more = error.lines("") or [""]
        others = f" (and {len(more)} more problems)" if more else ""
        raise SessionDamaged(path, f"its stored agenda does not load: {first}{others}") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        problem = f"its stored data does not fit together ({type(error).__name__}: {error})"
        raise SessionDamaged(path, f"damaged session file: {problem}") from None


def _saved_state(store: Store, agenda: Agenda) -> SavedState | None:
    """The trainer's state saved in the session (None if it never ran), checked against its agenda."""
    from facilitator.live.reports import saved_state

    return saved_state(store, agenda)


def _checked_agenda(store: Store, min_responses: int) -> Agenda:
    """The session's agenda as it was run, once everything else the session holds has been read and
    tallied, so that ``run --resume`` refuses a damaged file in one line before the projector starts.
    Call it inside :func:`_reading`."""
    agenda = parse_agenda(store.session.agenda_source)
    hub = store.load_hub(min_responses=min_responses)
    for prompt in hub.prompt_ids:
        hub.results(prompt)
    store.notes()
    _saved_state(store, agenda)
    return agenda


def _links(args: argparse.Namespace) -> int:
    from facilitator.domain.workshop import rooms_of
    from participant.core.notes import room_path
    from participant.io.store import open_session

    with open_session(args.session, data_dir=args.data) as store, _reading(store.path):
        agenda = parse_agenda(store.session.agenda_source)
        saved = _saved_state(store, agenda)
        breakout = None if saved is None else agenda.next_breakout(saved.runner.index)
        rooms = 0 if saved is None or breakout is None else rooms_of(agenda, breakout, saved.rooms)
        secret = store.session.secret
    if saved is None or not saved.base_url:
        raise CommandError(
            "This session has not run yet, so its address is unknown: start it with facilitate run"
        )
    if breakout is None:
        raise CommandError("No breakout ahead in this session's agenda")
    for room in range(1, rooms + 1):
        print(f"room {room} {saved.base_url}{room_path(secret, room)}")
    return 0


def _remote(args: argparse.Namespace) -> int:
    from facilitator.live.remote_link import print_remote
    from participant.io.store import open_session

    with open_session(args.session, data_dir=args.data) as store, _reading(store.path):
        saved = _saved_state(store, parse_agenda(store.session.agenda_source))
    if saved is None or not saved.base_url:
        raise CommandError(
            "This session has not run yet, so its address is unknown: start it with facilitate run"
        )
    print_remote(store.path, saved.base_url, new=args.new)
    return 0


def _presenter(args: argparse.Namespace) -> int:
    from facilitator.app.presenter import make_presenter
    from facilitator.live.trainer_client import TrainerClient
    from participant.io.store import find_session

    make_presenter(TrainerClient(find_session(args.session, args.data))).run()
    return 0


def _report(args: argparse.Namespace) -> int:
    from facilitator.live.reports import render, report_data, write_report
    from participant.io.store import open_session

    with open_session(args.session, data_dir=args.data) as store, _reading(store.path):
        text = render(report_data(store, args.min_responses, hidden_mode=args.hidden), args.format)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_report(text, args.output)
        print(f"Wrote {args.output}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    if (args.agenda is None) == (args.resume is None):
        print("facilitate run: give an AGENDA file, or --resume to continue a session", file=sys.stderr)
        return 2
    try:
        store, agenda = _resume(args) if args.resume else _start(args)
    except AgendaError as error:
        print("\n".join(error.lines(args.agenda)), file=sys.stderr)
        print(f"Fix these and try again; `facilitate check {args.agenda}` re-checks.", file=sys.stderr)
        return 1
    import asyncio

    from facilitator.live.event_loop import loop_factory

    with store, asyncio.Runner(loop_factory=loop_factory()) as runner:
        try:
            status = runner.run(_serve(args, store, agenda))
        except _CannotListen as error:
            print(error, file=sys.stderr)
            status = None
        if status == 0:
            session = store.session.id
            print(f"Session {session} is saved. To continue it: facilitate run --resume {session}")
    if status is None:
        if args.resume is None:  # the session this run made holds nothing: no empty one is left behind
            from participant.io.store import delete_session

            delete_session(store.path, store.path.parent)
        return 1
    return status


class _CannotListen(Exception):
    """The server could not listen: the message says where and what to try."""


def _start(args: argparse.Namespace) -> tuple[Store, Agenda]:
    from participant.io.store import create_session

    source = read_agenda_file(args.agenda)
    agenda = parse_agenda(source)
    return create_session(agenda.title, source, Path(args.agenda).resolve(), data_dir=args.data), agenda


def _resume(args: argparse.Namespace) -> tuple[Store, Agenda]:
    from participant.io.store import open_session

    store = open_session(args.resume, data_dir=args.data)
    try:
        # Everything is read once before the projector starts: a damaged file is refused in one line.
        with _reading(store.path):
            # The agenda as it was run, not the file as it may be now.
            return store, _checked_agenda(store, args.min_responses)
    except BaseException:
        store.close()
        raise


async def _serve(args: argparse.Namespace, store: Store, agenda: Agenda) -> int:
    """Listen for phones on a thread of their own, then run the projector until the trainer quits."""
    # Imported here so `facilitate check` and `sessions` stay quick and need no terminal UI.
    from asyncio import create_task

    from facilitator.app import ProjectorOptions, make_app
    from facilitator.domain.clock import SystemClock
    from facilitator.domain.saved_state import SavedState
    from facilitator.domain.themes import suggest
    from facilitator.domain.workshop import Workshop
    from facilitator.live.join_url import join_url, local_url
    from facilitator.live.memory import freeze_when_settled
    from facilitator.live.participants import ServerParticipants
    from facilitator.live.room_thread import ServerThread
    from facilitator.live.trainer_desk import WorkshopDesk
    from participant.core.wire import split_join_url
    from participant.io.server import ParticipantServer
    from participant.io.store import log_path
    from participant.io.trainer_link import TokenFile, save_address, trainer_token

    limits = Limits(devices=args.per_address_devices, rate=args.per_address_rate)
    _log_to(log_path(store.path))
    trainer_token(store.path)  # the trainer link exists before anyone asks for it
    tokens = TokenFile(store.path)

    def make() -> ParticipantServer:
        return ParticipantServer(
            store,
            min_responses=args.min_responses,
            limits=limits,
            trainer_token=tokens.current,
            suggest=suggest,  # which rooms' themes a note being typed resembles
        )

    def urls(server: ParticipantServer) -> tuple[str, str]:
        """The join URL phones are shown, and this machine's own."""
        join = join_url(server.join_code, host=args.host, port=server.port, public_url=args.public_url)
        return join, join_url(server.join_code, host=args.host, port=server.port)

    try:
        threaded = await ServerThread.start(make, args.host, args.port, urls)
    except OSError as error:
        raise _CannotListen(
            f"Cannot listen on {args.host}:{args.port}: {error.strerror or error}. "
            f"Is another facilitate running? Try --port {args.port + 1}."
        ) from None
    server, url = threaded.server, urls(threaded.server)[0]
    participants = ServerParticipants(server, store, split_join_url(url)[0], server_door=threaded.door)
    workshop = Workshop(agenda, SystemClock(), participants, SavedState.from_store(store.load_state()))
    options = ProjectorOptions(bell=not args.no_bell, flash=not args.no_flash, cue=not args.no_cue)
    app = make_app(workshop, join_url=url, options=options)
    save_address(store.path, local_url(args.host, server.port))
    desk = WorkshopDesk(workshop, server.trainer, export=app.action_export, server_door=threaded.door)
    freezer = create_task(freeze_when_settled(lambda: server.connected))
    try:
        await app.run_async()
    finally:
        freezer.cancel()
        desk.close()
        await threaded.close()
    return app.return_code or 0


def _log_to(path: Path) -> None:
    """Problems of the running session go to its log file: the projector owns the terminal."""
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
