"""The participant server: the phone page over HTTP and live traffic over a websocket, on one port.

A thin driver around :class:`~participant.core.hub.Hub` (what to answer) and
:class:`~participant.io.store.Store` (what is on disk), in the manner of websockets' tutorial: the
handler registers a connection, replays the session to it (``welcome``), answers each message or
refuses it with an ``error``, and unregisters in ``finally``.

HTTP (``process_request``; the paths are :mod:`participant.core.wire`'s): ``/``, ``/j/<join code>``
and a breakout room's private link ``/r/<room token>`` serve the page (``participant/page/index.html``,
read once at start, with the wire's limits written in: one self-contained file, since every HTTP
response closes its connection); ``/healthz`` answers 200; anything else 404. Only GET and HEAD
(headers only) are answered; other methods get 405. websockets (17 and later) reads no request
body, so a request with one (``Content-Length`` above 0, or ``Transfer-Encoding``) is closed
unanswered before ``process_request`` sees it. The websocket lives at ``/ws?s=<join code>`` for
phones and ``/ws?r=<room token>`` for a room's notes (see :mod:`participant.core.notes`); an
upgrade from a page this server did not serve (:mod:`participant.core.origins`) or with a wrong or
missing code or token is refused with 403 before the handshake. Phones cannot write notes, and a
room link writes only its own room's. The trainer link (``/t/<token>`` serves the phone remote,
``remote.html``; ``/ws?t=<token>`` is its websocket, also the presenter's) is handled by
:class:`~participant.io.trainer_channel.TrainerChannel`; no other link may send it commands.

Limits: each message is checked by :mod:`participant.core.wire` (size, text lengths) and spends
from its connection's, its device's and its network address's budgets
(:mod:`participant.core.budgets`); peer addresses go to the budgets only, in memory: they are never
stored or logged. Frames above ``CLOSE_ABOVE_BYTES`` close that connection with code 1009. A
refusal affects only the connection that sent the message, and no message from a phone can move
the agenda: only the trainer's calls (:meth:`ParticipantServer.open_prompt`,
:meth:`~ParticipantServer.close_prompt`) do, and they must be made on the event loop's thread.

Connections: at start the soft limit on open files is raised to the hard one, and the server holds
at most :func:`~participant.core.budgets.connection_cap` connections (handshakes included), so files
stay free to tell a phone over the cap "This room is full" (503) instead of letting it hang.

Durability: an answer is acked only after the store has committed it; the hub counts it at the same
moment, so the projector never shows an answer the database could lose.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from participant.core.budgets import Allowance, Budgets, Kind, Limits, connection_cap
from participant.core.hub import Hub
from participant.core.hub import Response as StoredResponse
from participant.core.notes import (
    Board,
    Note,
    OpenBreakout,
    RoomState,
    Suggester,
    Timer,
    room_of_token,
    room_path,
)
from participant.core.origins import origin_of, served_origins
from participant.core.tallies import Results
from participant.core.trainer import TRAINER_PREFIX
from participant.core.wire import (
    CLOSE_ABOVE_BYTES,
    DEFAULT_HOST,
    DEFAULT_MIN_RESPONSES,
    DEFAULT_PORT,
    HEALTH_PATH,
    JOIN_PREFIX,
    LISTEN_BACKLOG,
    MAX_SUGGESTIONS,
    ROOM_PREFIX,
    WS_PATH,
    Ack,
    Answer,
    BreakoutNow,
    CurrentPrompt,
    Error,
    ErrorCode,
    Hello,
    NoteMessage,
    PaceNow,
    ProtocolError,
    ServerMessage,
    Suggest,
    Suggestions,
    Welcome,
    join_path,
    page_limits,
    parse_client_message,
    parse_room_message,
    too_fast,
)
from participant.io.fanout import broadcast_text, send_now
from participant.io.store import Store
from participant.io.trainer_channel import TrainerChannel

log = logging.getLogger(__name__)

PAGE = Path(__file__).parent.parent / "page" / "index.html"
REMOTE_PAGE = PAGE.with_name("remote.html")
"""The trainer's phone remote, served at the trainer link (see :mod:`participant.core.trainer`)."""
LIMITS_PLACEHOLDER = b"/*LIMITS*/"
"""Where the page's script gets the wire's limits (:func:`with_limits`), so it keeps no copy."""
METHODS = ("GET", "HEAD")
_MACOS_OPEN_MAX = 10_240

# The page is one file with inline CSS and JS; it may talk to this server and nothing else.
PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_BAD_CODE = "This session code is not valid: scan the QR code on the projector again"
_BAD_ROOM_LINK = "This room link is not valid: ask the trainer for your room's link"
_NOT_SAVED = "Your answer could not be saved: try again"
_SERVER_ERROR = "Something went wrong on the trainer's laptop: try again"
ROOM_FULL = "This room is full: too many phones are connected. Try again in a minute, or ask the trainer."
_TOO_MANY_CONNECTIONS = "Too many connections from this network: ask the trainer"
_BAD_TRAINER_LINK = "This trainer link is not valid: run facilitate remote for the current one"
_FOREIGN_PAGE = "Only the workshop's own page may connect: open the address shown on the projector"


@dataclass
class _Link:
    """One websocket connection: what it may still send, the device it joined as (after ``hello``),
    and the breakout room whose link it came by (None: a phone, by the join link)."""

    budget: Allowance
    device: str | None = None
    room: int | None = None


def _respond(connection: ServerConnection, status: HTTPStatus, text: str, **headers: str) -> Response:
    """websockets' plain text response (it closes the connection), with the headers every answer of
    this server carries. ``Headers[...] =`` appends, so a header it set is deleted before it is set."""
    response = connection.respond(status, text)
    fields = {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    } | {name.replace("_", "-"): value for name, value in headers.items()}
    for name, value in fields.items():
        if name in response.headers:
            del response.headers[name]
        response.headers[name] = value
    return response


def _peer(connection: ServerConnection) -> str:
    """The connection's remote address, for its budgets only: never stored, never logged."""
    peer = connection.remote_address
    return str(peer[0]) if isinstance(peer, tuple) and peer else ""


def raise_open_files_limit() -> int | None:
    """Raise this process's soft limit on open files as far as allowed: to the hard limit, or on
    macOS, whose hard limit is "unlimited", to its ceiling ``OPEN_MAX``. Each connection is an open
    file, and many systems start programs with a soft limit of 256 or 1,024.

    Returns the soft limit now (None: no limit, or none this platform has).
    """
    if sys.platform == "win32":
        return None
    import resource

    unlimited = resource.RLIM_INFINITY
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for wanted in (hard, _MACOS_OPEN_MAX):
        if soft == unlimited or (wanted != unlimited and wanted <= soft):
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            continue
        soft = wanted
        break
    return None if soft == unlimited else soft


def with_limits(page: bytes) -> bytes:
    """The page with :func:`~participant.core.wire.page_limits` as ``var LIMITS`` in its script.

    ``<`` is escaped so no value can end the ``<script>`` element; ``ValueError`` if the page has
    no placeholder, since without the limits its script cannot run.
    """
    if LIMITS_PLACEHOLDER not in page:
        raise ValueError(f"the page has no {LIMITS_PLACEHOLDER.decode()} placeholder")
    limits = json.dumps(page_limits(), separators=(",", ":")).replace("<", "\\u003c")
    return page.replace(LIMITS_PLACEHOLDER, f"var LIMITS = {limits};".encode(), 1)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


class ParticipantServer:
    """Serves one session to phones. ``on_change()`` is called (with no arguments) after anything the
    projector shows changed: a phone joined or left, an answer was stored, a prompt opened or closed.
    Coalescing these calls is the caller's business. ``limits``: the budgets of each network address.

    Every method runs on the server's event loop, except :meth:`results`, :meth:`notes` and
    :attr:`connected`, which any thread may call: the answers and notes they read change only
    under :attr:`lock` (``facilitate run`` reads them from the projector's thread).
    """

    def __init__(
        self,
        store: Store,
        *,
        hub: Hub | None = None,
        min_responses: int = DEFAULT_MIN_RESPONSES,
        on_change: Callable[[], None] | None = None,
        page: Path = PAGE,
        clock: Callable[[], float] = time.monotonic,
        limits: Limits | None = None,
        suggest: Suggester | None = None,
        trainer_token: Callable[[], str | None] | None = None,
    ) -> None:
        self.store = store
        self._suggest = suggest
        """Which filed themes a note being typed resembles (the trainer's side knows how)."""
        self.hub = hub if hub is not None else store.load_hub(min_responses=min_responses)
        self.board = Board.restore(store.notes())
        self.join_code = store.session.join_code
        self.on_change = on_change
        self._page_path = page
        self._clock = clock
        self._links: dict[ServerConnection, _Link] = {}
        self._budgets = Budgets(limits)
        self._room_locks: dict[int, asyncio.Lock] = {}
        self._pace: tuple[str, int, Timer] | None = None
        """The open prompt's paced question and its timer (stamped with this server's clock)."""
        self.lock = threading.RLock()
        """Held while the answers or notes other threads read change (and while they read them)."""
        self._counted: set[str] = set()  # the phones (keyed hashes) stored as joined by this process
        self._server: Server | None = None
        self._page: str | None = None
        self._remote_page: str | None = None
        self.trainer = TrainerChannel(trainer_token or (lambda: None), clock)
        """The trainer link: ``trainer_token()`` gives its token now (None: no link), read off the loop."""
        self._urls: tuple[str, ...] = ()
        self._origins: frozenset[str] = frozenset()
        self.max_connections = 0
        """How many connections are held at once (set at start, from the open files limit)."""
        self._answers_told = True
        """Whether ``on_change`` has heard of every answer recorded (see :meth:`_commit`)."""

    # --- Life cycle ------------------------------------------------------------------------------

    async def start(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        """Listen on ``host``:``port`` (port 0: any free port; see :attr:`port`)."""
        self.max_connections = connection_cap(raise_open_files_limit())
        self._page = await asyncio.to_thread(self._load_page)
        self._remote_page = await asyncio.to_thread(self._load_page, REMOTE_PAGE)
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            max_size=CLOSE_ABOVE_BYTES,
            compression=None,
            backlog=LISTEN_BACKLOG,
        )
        self.serve_at(*self._urls)

    def serve_at(self, *urls: str) -> None:
        """The page is served at these URLs too (the join URL, a ``--public-url``): pages from their
        origins may open the websocket, as may this machine's (``localhost``, ``127.0.0.1``)."""
        self._urls = urls
        if self._server is not None:
            self._origins = served_origins(self.port, urls)

    async def close(self) -> None:
        """Close every connection and stop listening; answers being committed still get their ack.

        The store stays open: whoever opened it closes it.
        """
        self.trainer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> ParticipantServer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The port the server listens on (the first socket's, when bound to several addresses)."""
        if self._server is None:
            raise RuntimeError("the server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def join_path(self) -> str:
        """The path of the join URL (the caller knows the host phones can reach)."""
        return join_path(self.join_code)

    # --- The trainer's side ----------------------------------------------------------------------

    @property
    def connected(self) -> int:
        """How many distinct phones are connected."""
        return self.hub.connected

    def open_prompt(self, prompt_id: str, wire: Mapping[str, Any], *, step: int | None = None) -> None:
        """Open a prompt for every phone (closing any other); ``ValueError`` if phones could not answer it."""
        with self.lock:
            prompt = self.hub.open_prompt(prompt_id, wire)
        self._pace = None
        self._report_failure(self.store.prompt_opened(prompt, step))
        self._send_prompt()
        self._changed()

    def close_prompt(self) -> None:
        """Close the open prompt, if any: phones stop answering it."""
        closed = self.hub.close_prompt()
        self._pace = None
        if closed is None:
            return
        self._report_failure(self.store.prompt_closed(closed.id))
        self._send_prompt()
        self._changed()

    def pace(self, prompt_id: str, question: int, timer: Timer) -> None:
        """The open prompt, a paced reflection, shows question ``question`` (from 0) with ``timer``
        (its time left as the trainer's runner has it) on every phone."""
        current = self.hub.current
        if current is None or current.id != prompt_id:
            raise ValueError(f"prompt {prompt_id} is not open")
        if self._pace is None or self._pace[1:] != (question, timer):
            self._pace = (prompt_id, question, replace(timer, at=self._clock()))
            self._broadcast_to_phones(self._pace_now())

    def _pace_now(self) -> PaceNow | None:
        if self._pace is None:
            return None
        prompt_id, question, timer = self._pace
        return PaceNow(prompt_id, question, round(timer.left(self._clock())), timer.running)

    def keep_open(self, prompts: Mapping[str, Mapping[str, Any]]) -> None:
        """Keep these walls (prompt id -> prompt data, each opened before) answerable on every phone
        beside the open prompt, and close any other kept open; ``ValueError`` for a prompt phones
        could not answer."""
        with self.lock:
            changed = self.hub.keep_open(prompts)
        if changed:
            self._send_prompt()
            self._changed()

    def show_closing(
        self, shared: Sequence[str] | None, hidden: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        """The workshop is over: every phone shows the results of the ``shared`` prompts (those the
        trainer revealed, if the agenda shares them), without the entries the trainer ``hidden``
        (per prompt id). ``None``: it goes on again (the phones then follow the prompts as before)."""
        if shared is None and self.hub.closing is None:
            return
        with self.lock:
            closing = self.hub.finish(shared, hidden)
        if closing is not None:
            phones = [c for c, link in self._links.items() if link.device is not None and link.room is None]
            broadcast_text(phones, closing.encode())

    def results(self, prompt_id: str | None = None) -> Results | None:
        """The results of a prompt (by default the open one; ``None`` when no prompt is open)."""
        if prompt_id is None:
            if self.hub.current is None:
                return None
            prompt_id = self.hub.current.id
        with self.lock:
            return self.hub.results(prompt_id)

    def room_path(self, room: int) -> str:
        """The path of room ``room``'s private notes link (only its holder may write its notes)."""
        return room_path(self.store.session.secret, room)

    def open_breakout(
        self, breakout_id: str, title: str, prompts: Sequence[str], rooms: int, timer: Timer | None
    ) -> None:
        """Open (or update) the breakout rooms write notes for; every room link is told at once.

        ``timer`` is the breakout's time left as the trainer's runner has it (None: not timed now,
        as during its report-back).
        """
        breakout = OpenBreakout(breakout_id, title, tuple(prompts), rooms)
        if breakout != self.board.open or timer != self.board.timer:
            stamped = None if timer is None else replace(timer, at=self._clock())
            with self.lock:
                self.board.open_breakout(breakout, stamped)
            self._send_rooms()
            self._send_breakout()

    def close_breakout(self) -> None:
        """No breakout is running: room links show their notes no more and cannot write."""
        if self.board.open is not None:
            with self.lock:
                self.board.close_breakout()
            self._send_rooms()
            self._send_breakout()

    def notes(self, breakout_id: str) -> tuple[Note, ...]:
        """The live notes of a breakout, every room, in the order they were added."""
        with self.lock:
            return self.board.notes(breakout_id)

    def _send_rooms(self, only: int | None = None) -> None:
        """Tell every device on a room link (or on one room's) what its room shows now."""
        by_room: dict[int, list[ServerConnection]] = {}
        for connection, link in self._links.items():
            if link.room is not None and link.device is not None and only in (None, link.room):
                by_room.setdefault(link.room, []).append(connection)
        for room, connections in by_room.items():
            broadcast_text(connections, self.board.state(room, self._clock()).encode())

    def _breakout_now(self) -> BreakoutNow:
        """The breakout as phones see it while it runs (its own step, timed): title, prompts, time
        left; no notes, no links. Open but untimed (its report-back): none, for the phones."""
        breakout, timer = self.board.open, self.board.timer
        if breakout is None or timer is None:
            return BreakoutNow(None)
        remaining = round(timer.left(self._clock()))
        return BreakoutNow(breakout.title, breakout.prompts, remaining, timer.running)

    def _send_breakout(self) -> None:
        """Tell every joined phone (not room links) the breakout running now, or that none is."""
        self._broadcast_to_phones(self._breakout_now())

    def _broadcast_to_phones(self, message: BreakoutNow | PaceNow | None) -> None:
        """One message to every joined phone (not room links)."""
        if message is not None:
            phones = [c for c, link in self._links.items() if link.device is not None and link.room is None]
            broadcast_text(phones, message.encode())

    def _send_prompt(self) -> None:
        """Tell every joined phone the open prompt; a phone that answered it before also gets its answer."""
        plain: list[ServerConnection] = []
        for connection, link in self._links.items():
            if link.device is None or link.room is not None:  # room links get no prompts
                continue
            message = self.hub.current_prompt(link.device)
            if message.personal:
                broadcast([connection], message.encode())
            else:
                plain.append(connection)
        if plain:
            staying = tuple((prompt, None) for prompt in self.hub.staying)
            broadcast_text(plain, CurrentPrompt(self.hub.current, None, staying).encode())

    def _changed(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception:
            log.exception("on_change failed")

    @staticmethod
    def _report_failure(future: Future[Any]) -> None:
        def report(done: Future[Any]) -> None:
            if done.exception() is not None:
                log.error("could not record a prompt: %s", done.exception())

        future.add_done_callback(report)

    # --- HTTP ------------------------------------------------------------------------------------

    def _load_page(self, path: Path | None = None) -> str | None:
        path = path or self._page_path
        try:
            return with_limits(path.read_bytes()).decode()
        except (OSError, ValueError):
            log.exception("no usable page at %s", path)
            return None

    def _page_response(self, connection: ServerConnection, page: str | None = None) -> Response:
        page = page or self._page
        if page is None:
            return _respond(
                connection, HTTPStatus.SERVICE_UNAVAILABLE, "The page is missing from this installation"
            )
        return _respond(
            connection,
            HTTPStatus.OK,
            page,
            Content_Type="text/html; charset=utf-8",
            Content_Security_Policy=PAGE_POLICY,
        )

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        response: Response | None
        url = urlsplit(request.path)
        if url.path.startswith(TRAINER_PREFIX) or "t" in parse_qs(url.query):
            await self.trainer.refresh()  # a link replaced a moment ago is refused already
        if len(connection.server.handler_tasks) > self.max_connections:  # a task per open connection
            response = _respond(connection, HTTPStatus.SERVICE_UNAVAILABLE, ROOM_FULL)
        elif request.method not in METHODS:
            response = _respond(
                connection,
                HTTPStatus.METHOD_NOT_ALLOWED,
                "Only GET and HEAD requests are answered here",
                Allow=", ".join(METHODS),
            )
        else:
            response = self._route(connection, request)
        if response is not None and request.method == "HEAD":
            response.body = b""  # and the headers, Content-Length too, as for GET
        return response

    def _route(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        if url.path == WS_PATH:
            return self._upgrade(connection, request, parse_qs(url.query))
        if url.path.startswith(TRAINER_PREFIX):
            if self.trainer.accepts(url.path[len(TRAINER_PREFIX) :]):
                return self._page_response(connection, self._remote_page)
            return _respond(connection, HTTPStatus.NOT_FOUND, _BAD_TRAINER_LINK)
        if url.path.startswith(ROOM_PREFIX):
            if self._room_of(url.path[len(ROOM_PREFIX) :]) is not None:
                return self._page_response(connection)
            return _respond(connection, HTTPStatus.NOT_FOUND, _BAD_ROOM_LINK)
        if url.path == "/" or (
            url.path.startswith(JOIN_PREFIX) and _same(url.path[len(JOIN_PREFIX) :], self.join_code)
        ):
            return self._page_response(connection)
        if url.path == HEALTH_PATH:
            return _respond(connection, HTTPStatus.OK, "ok")
        if url.path.startswith(JOIN_PREFIX):
            return _respond(
                connection, HTTPStatus.NOT_FOUND, "No session here: check the address on the projector"
            )
        return _respond(connection, HTTPStatus.NOT_FOUND, "Not found")

    def _upgrade(
        self, connection: ServerConnection, request: Request, query: Mapping[str, Sequence[str]]
    ) -> Response | None:
        """None (go on with the handshake) for a websocket this page, code or link may open."""
        if request.method != "GET":
            return _respond(
                connection, HTTPStatus.METHOD_NOT_ALLOWED, "The websocket opens with GET", Allow="GET"
            )
        origins = request.headers.get_all("Origin")
        if len(origins) != 1 or origin_of(origins[0]) not in self._origins:
            return _respond(connection, HTTPStatus.FORBIDDEN, _FOREIGN_PAGE)
        codes, rooms, trainers = query.get("s", []), query.get("r", []), query.get("t", [])
        if trainers:
            if len(trainers) == 1 and not codes and not rooms and self.trainer.accepts(trainers[0]):
                return None
            return _respond(connection, HTTPStatus.FORBIDDEN, _BAD_TRAINER_LINK)
        if not (len(codes) == 1 and not rooms and _same(codes[0], self.join_code)) and not (
            len(rooms) == 1 and not codes and self._room_of(rooms[0]) is not None
        ):
            return _respond(connection, HTTPStatus.FORBIDDEN, _BAD_ROOM_LINK if rooms else _BAD_CODE)
        if not self._budgets.may_connect(_peer(connection)):
            return _respond(connection, HTTPStatus.TOO_MANY_REQUESTS, _TOO_MANY_CONNECTIONS)
        return None

    def _room_of(self, token: str) -> int | None:
        return room_of_token(self.store.session.secret, token)

    # --- Websocket -------------------------------------------------------------------------------

    async def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query) if connection.request else {}
        if "t" in query:  # the upgrade checked the token
            await self.trainer.serve(connection, query["t"][0])
            return
        link = self._links[connection] = _Link(self._budgets.connect(_peer(connection), self._clock()))
        rooms = query.get("r")
        link.room = self._room_of(rooms[0]) if rooms else None
        try:
            async for frame in connection:
                reply = await self._reply(link, frame)
                text = reply.encode()
                if not send_now(connection, text):
                    await connection.send(text)
                if isinstance(reply, Welcome) and self.board.timer is not None:  # a breakout runs
                    await connection.send(self._breakout_now().encode())
                pace = self._pace_now() if isinstance(reply, Welcome) else None
                if pace is not None:  # a paced reflection is on one of its questions
                    await connection.send(pace.encode())
        except ConnectionClosed:
            pass
        finally:
            link.budget.close()
            del self._links[connection]
            if link.device is not None and self.hub.disconnect(link.device):
                self._changed()

    async def _reply(self, link: _Link, frame: str | bytes) -> ServerMessage | RoomState | Suggestions:
        now = self._clock()
        allowed = link.budget.take(now)
        if link.room is not None:
            return await self._room_reply(link, link.room, frame, allowed, now)
        try:
            message = parse_client_message(frame)
            message_id = message.id if isinstance(message, Answer) else None
            if not allowed:
                raise too_fast(message_id)
            link.budget.spend(Kind.HELLO if isinstance(message, Hello) else Kind.ANSWER, now, message_id)
            if isinstance(message, Hello):
                return self._hello(link, message)
            if link.device is None:
                raise ProtocolError(
                    ErrorCode.NOT_JOINED, "Not connected to the session yet: reload the page", message.id
                )
            return await self._answer(link.device, message)
        except ProtocolError as refusal:
            return refusal.to_message()
        except Exception:
            log.exception("could not handle a message")
            return Error(ErrorCode.SERVER_ERROR, _SERVER_ERROR)

    async def _room_reply(
        self, link: _Link, room: int, frame: str | bytes, allowed: bool, now: float
    ) -> ServerMessage | RoomState | Suggestions:
        """A room link's message: ``hello`` gets the room's state; a note change is stored, then acked."""
        try:
            message = parse_room_message(frame)
            if isinstance(message, Suggest):  # stores nothing: the connection's own rate bounds it
                if link.device is None:
                    raise ProtocolError(ErrorCode.NOT_JOINED, "Not connected yet: reload the page")
                # Too fast: no buttons this time, rather than an error the page would have to place.
                return self._suggestions(message) if allowed else Suggestions(message.text, ())
            message_id = None if isinstance(message, Hello) else message.id
            if not allowed:
                raise too_fast(message_id)
            link.budget.spend(Kind.HELLO if isinstance(message, Hello) else Kind.NOTE, now, message_id)
            if isinstance(message, Hello):
                if link.device is None:
                    link.budget.join(message.device)
                    link.device = message.device
                return self.board.state(room, now)
            if link.device is None:
                raise ProtocolError(ErrorCode.NOT_JOINED, "Not connected yet: reload the page", message.id)
            return await self._note(room, message)
        except ProtocolError as refusal:
            if refusal.code is ErrorCode.CONFLICT:
                self._send_rooms(only=room)  # the refused device gets the latest notes too
            return refusal.to_message()
        except Exception:
            log.exception("could not handle a room's message")
            return Error(ErrorCode.SERVER_ERROR, _SERVER_ERROR)

    async def _note(self, room: int, message: NoteMessage) -> ServerMessage:
        # One change at a time per room: two devices editing a note at once must not both pass the
        # revision check while the first change is still being committed.
        async with self._room_locks.setdefault(room, asyncio.Lock()):
            note = self.board.check(room, message)
            if note is not None:
                try:
                    await asyncio.wrap_future(self.store.save_note(note))
                except Exception:
                    log.exception("could not store a note")
                    return Error(ErrorCode.NOT_SAVED, "Your note could not be saved: try again", message.id)
                themes = self.board.themes()
                with self.lock:
                    self.board.apply(note)
                # A theme filed (or gone) in one room is offered in every room at once.
                self._send_rooms(only=None if self.board.themes() != themes else room)
                self._changed()
        return Ack(message.id)

    def _suggestions(self, message: Suggest) -> Suggestions:
        """The breakout's themes (every room's, for the note's prompt) the text being typed resembles."""
        breakout = self.board.open
        themes = [theme for theme in self.board.themes() if theme.prompt == message.prompt]
        if breakout is None or self._suggest is None or not themes:
            return Suggestions(message.text, ())
        found = self._suggest(message.text, themes, breakout.prompts)
        return Suggestions(message.text, tuple(found)[:MAX_SUGGESTIONS])

    def _hello(self, link: _Link, hello: Hello) -> ServerMessage:
        if link.device is None:
            link.budget.join(hello.device)
            link.device = hello.device
            self._count_phone(hello.device)
            if self.hub.connect(hello.device):
                self._changed()
        elif link.device != hello.device:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "This page joined as another browser: reload the page")
        return self.hub.welcome(hello.device)

    def _count_phone(self, device: str) -> None:
        """Store that this phone joined (once a process; the store keeps each phone once anyway)."""
        key = self.hub.keys.joined(device)
        if key not in self._counted:
            self._counted.add(key)
            self._report_failure(self.store.phone_joined(key))

    async def _answer(self, device: str, answer: Answer) -> ServerMessage:
        response = self.hub.receive(device, answer)
        if response is not None:
            try:
                await self._commit(response)
            except Exception:
                log.exception("could not store an answer")
                return Error(ErrorCode.NOT_SAVED, _NOT_SAVED, answer.id)
        return Ack(answer.id)

    def _commit(self, response: StoredResponse) -> asyncio.Future[int]:
        """Store a response; the hub counts it once committed, even if the phone is gone by then."""

        def committed(seq: int) -> None:
            with self.lock:
                new = self.hub.record(response, seq)
            if new and self._answers_told:
                # One commit records hundreds of answers in a row: the news is told once, after them.
                self._answers_told = False
                asyncio.get_running_loop().call_soon(self._tell_answers)

        return self.store.commit_response(response, committed)

    def _tell_answers(self) -> None:
        self._answers_told = True
        self._changed()
