"""Reports from a session's file: gathering the data (reads the store) and writing the four formats.

Both the ``facilitate report`` command and the running app use these. Reading blocks on the store's
thread and rendering grows with the room: call them from a worker thread, never on the event loop.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from facilitator.domain.agenda import Agenda, step_id
from facilitator.domain.agenda_loader import parse_agenda
from facilitator.domain.report import build_report, to_json
from facilitator.domain.report_csv import to_csv
from facilitator.domain.report_html import to_html
from facilitator.domain.report_markdown import to_markdown
from facilitator.domain.saved_state import SavedState
from participant.core.wire import MAX_ROOMS
from participant.io.store import SessionDamaged, Store

RENDERERS: dict[str, tuple[str, Callable[[Mapping[str, Any]], str]]] = {
    "html": (".html", to_html),
    "md": (".md", to_markdown),
    "csv": (".csv", to_csv),
    "json": (".json", to_json),
}
"""Each format's file suffix and renderer (report data to text)."""


def saved_state(store: Store, agenda: Agenda) -> SavedState | None:
    """The trainer's state saved in the session (None if it never ran), checked against its agenda."""
    try:
        saved = SavedState.from_store(store.load_state())
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        problem = f"the saved state cannot be read ({type(error).__name__}: {error})"
        raise SessionDamaged(store.path, f"damaged session file: {problem}") from None
    if saved is None:
        return None
    steps = len(agenda.steps)
    if len(saved.runner.records) != steps or not 0 <= saved.runner.index < steps:
        raise SessionDamaged(store.path, "damaged session file: the saved step is not one of its agenda's")
    if not all(1 <= rooms <= MAX_ROOMS for rooms in saved.rooms.values()):
        problem = f"a breakout's saved number of rooms is not 1 to {MAX_ROOMS}"
        raise SessionDamaged(store.path, f"damaged session file: {problem}")
    return saved


def report_data(
    store: Store,
    min_responses: int,
    saved: SavedState | None = None,
    hidden_mode: Literal["mark", "omit"] = "omit",
) -> dict[str, Any]:
    """The session's report as data (see :func:`facilitator.domain.report.build_report`), with the
    trainer's state as ``saved`` (the running workshop's), else as last stored; the entries the
    trainer hid from the wall are left out, or marked with ``hidden_mode`` "mark".

    Raises :class:`SessionDamaged` for a saved state that does not fit its agenda; other damage
    surfaces as the ``ValueError``/``KeyError``... of whatever does not fit.
    """
    agenda = parse_agenda(store.session.agenda_source)
    if saved is None:
        saved = saved_state(store, agenda)
    hub = store.load_hub(min_responses=min_responses)
    came = store.received()
    return build_report(
        agenda,
        session=store.session.id,
        created=store.session.created,
        results={prompt: hub.results(prompt).to_wire() for prompt in hub.prompt_ids},
        notes=[note for note in store.notes() if not note.deleted],
        groupings=saved.groupings if saved else {},
        rooms=saved.rooms if saved else {},
        min_responses=min_responses,
        answers=[(response.prompt_id, response.value, came.get(seq)) for seq, response in store.responses()],
        timings=None if saved is None else [r.elapsed if r.started else None for r in saved.runner.records],
        started=None if saved is None else [record.started for record in saved.runner.records],
        phones=store.phones_joined(),
        hidden={step_id(index): entries for index, entries in saved.hidden.items()} if saved else {},
        hidden_mode=hidden_mode,
    )


def render(data: Mapping[str, Any], format: str) -> str:
    """The report in one format (a key of :data:`RENDERERS`)."""
    return RENDERERS[format][1](data)


def write_report(text: str, path: Path) -> None:
    """Write ``text`` to ``path`` whole: through a temporary file beside it, then renamed, so a
    reader (or another export at the same moment) never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(data: Mapping[str, Any], folder: Path, stem: str) -> list[Path]:
    """Write the report in every format to ``folder/stem.html``, ``.md``, ``.csv``, ``.json``; the
    paths written. Safe from any thread, and from several at once: it only reads ``data``."""
    paths = []
    for suffix, renderer in RENDERERS.values():
        path = folder / f"{stem}{suffix}"
        write_report(renderer(data), path)
        paths.append(path)
    return paths
