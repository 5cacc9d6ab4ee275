"""What the workshop controller keeps in the session besides answers and notes, for ``--resume``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from facilitator.domain.grouping import Grouping
from facilitator.domain.runner import RunnerState


@dataclass(frozen=True)
class SavedState:
    """The runner, the trainer's reveals, room counts and report-back themes, and the join address."""

    runner: RunnerState
    revealed: frozenset[int] = frozenset()
    """Steps whose results the trainer revealed."""
    rooms: Mapping[int, int] = field(default_factory=dict)
    """Rooms per breakout step, where the trainer changed the agenda's number live."""
    groupings: Mapping[str, Grouping] = field(default_factory=dict)
    """Themes per breakout id, as the trainer left them at the report-back."""
    base_url: str | None = None
    """Where phones reach this laptop, for ``facilitate links``."""
    hidden: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    """Entries the trainer hid per step (as shown on the wall), in the order they were hidden."""
    kept_open: tuple[int, ...] = ()
    """Steps whose walls stay open (``stay_open``) beside the current step, until the trainer closes them."""
    pacing: Mapping[int, tuple[int, float]] = field(default_factory=dict)
    """Per paced reflection visited: its current question, and the step's running time when it came on."""

    def to_store(self) -> dict[str, Any]:
        return {
            "runner": self.runner.to_dict(),
            "revealed": sorted(self.revealed),
            "rooms": {str(index): rooms for index, rooms in self.rooms.items()},
            "groupings": {breakout: grouping.to_dict() for breakout, grouping in self.groupings.items()},
            "base_url": self.base_url,
            "hidden": {str(index): list(entries) for index, entries in self.hidden.items() if entries},
            "kept_open": list(self.kept_open),
            "pacing": {str(index): list(place) for index, place in self.pacing.items()},
        }

    @classmethod
    def from_store(cls, data: Mapping[str, Any]) -> SavedState | None:
        """The state as stored, or None for a session that never ran."""
        if "runner" not in data:
            return None
        return cls(
            RunnerState.from_dict(data["runner"]),
            frozenset(data.get("revealed", ())),
            {int(index): int(rooms) for index, rooms in data.get("rooms", {}).items()},
            {key: Grouping.from_dict(value) for key, value in data.get("groupings", {}).items()},
            data.get("base_url"),
            {
                int(index): tuple(str(entry) for entry in entries)
                for index, entries in data.get("hidden", {}).items()
                if entries
            },
            tuple(int(index) for index in data.get("kept_open", ())),
            {
                int(index): (int(question), float(began))
                for index, (question, began) in data.get("pacing", {}).items()
            },
        )
