"""The themes of a report-back as the trainer shapes them: merge, move, split, rename, undo.

A :class:`Grouping` is an immutable value: each edit returns a new one, so undo is a stack of
earlier values (:class:`Edits`). Groups keep their places as the trainer edits, so the cursor on
the projector does not jump. Every note is in exactly one group, always.

Notes added after the trainer started editing are placed by :func:`reconcile`: where the automatic
grouping puts a new note with notes the trainer already grouped, it joins the trainer's group that
holds most of them; otherwise it starts a group of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from facilitator.domain.themes import Theme

MAX_LABEL = 60
"""Characters in a theme's label, as the trainer may type it."""


@dataclass(frozen=True)
class Group:
    """One theme of one prompt: a short label and its notes, by id, in the order shown.
    ``suggested``: its notes that rooms left unsorted and the grouping placed in this filed theme,
    until the trainer accepts them (or moves them)."""

    label: str
    note_ids: tuple[str, ...]
    prompt: int = 0
    suggested: tuple[str, ...] = ()

    def without(self, note_id: str) -> Group:
        return replace(
            self,
            note_ids=tuple(n for n in self.note_ids if n != note_id),
            suggested=tuple(n for n in self.suggested if n != note_id),
        )


@dataclass(frozen=True)
class Grouping:
    """Every note of one breakout in exactly one group. ``edited``: the trainer changed it by hand."""

    groups: tuple[Group, ...]
    edited: bool = False

    @classmethod
    def from_themes(cls, themes: Sequence[Theme]) -> Grouping:
        """The automatic grouping, as :func:`facilitator.domain.themes.group_notes` made it."""
        return cls(tuple(Group(t.label, tuple(t.note_ids), t.prompt, tuple(t.suggested)) for t in themes))

    def to_dict(self) -> dict[str, Any]:
        groups = [
            {
                "label": group.label,
                "notes": list(group.note_ids),
                "prompt": group.prompt,
                "suggested": list(group.suggested),
            }
            for group in self.groups
        ]
        return {"edited": self.edited, "groups": groups}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Grouping:
        groups = tuple(
            Group(
                item["label"],
                tuple(item["notes"]),
                int(item.get("prompt", 0)),
                tuple(item.get("suggested", ())),
            )
            for item in data["groups"]
        )
        return cls(groups, bool(data.get("edited", False)))

    @property
    def suggested(self) -> int:
        """How many notes wait for the trainer to accept where the grouping placed them."""
        return sum(len(group.suggested) for group in self.groups)

    def accept(self) -> Grouping:
        """Keep every suggested placement as it is: the notes count as filed there."""
        if not self.suggested:
            return self
        return self._edited([replace(group, suggested=()) for group in self.groups])

    def group_of(self, note_id: str) -> int:
        """The index of the group holding ``note_id``; ``KeyError`` when no group holds it."""
        for index, group in enumerate(self.groups):
            if note_id in group.note_ids:
                return index
        raise KeyError(note_id)

    def _edited(self, groups: list[Group]) -> Grouping:
        return Grouping(tuple(group for group in groups if group.note_ids), edited=True)

    def merge(self, into: int, other: int) -> Grouping:
        """Group ``other``'s notes with ``into``'s, under ``into``'s label, at ``into``'s place."""
        if into == other:
            return self
        groups = list(self.groups)
        into_group, other_group = groups[into], groups[other]
        groups[into] = replace(
            into_group,
            note_ids=into_group.note_ids + other_group.note_ids,
            suggested=into_group.suggested + other_group.suggested,
        )
        groups[other] = replace(groups[other], note_ids=())
        return self._edited(groups)

    def move(self, note_id: str, to: int) -> Grouping:
        """Move a note to the end of group ``to`` (a group left empty disappears)."""
        source = self.group_of(note_id)
        if source == to:
            return self
        groups = list(self.groups)
        groups[source] = groups[source].without(note_id)
        groups[to] = replace(groups[to], note_ids=(*groups[to].note_ids, note_id))
        return self._edited(groups)

    def split(self, note_id: str, label: str) -> Grouping:
        """Take a note out of its group into a new group of its own, right after it."""
        source = self.group_of(note_id)
        if len(self.groups[source].note_ids) == 1:
            return self
        groups = list(self.groups)
        groups[source] = groups[source].without(note_id)
        groups.insert(source + 1, Group(label, (note_id,), groups[source].prompt))
        return self._edited(groups)

    def rename(self, index: int, label: str) -> Grouping:
        """Give group ``index`` a new label (blank keeps the old one)."""
        label = " ".join(label.split())[:MAX_LABEL]
        if not label or label == self.groups[index].label:
            return self
        groups = list(self.groups)
        groups[index] = replace(groups[index], label=label)
        return self._edited(groups)


def reconcile(current: Grouping | None, automatic: Sequence[Theme]) -> Grouping:
    """The grouping to show for the notes the automatic grouping covers now.

    Untouched by the trainer (or new), it is simply the automatic one. Once edited, the trainer's
    groups stay; deleted notes leave them; each new note joins the trainer's group holding most of
    the notes it was automatically grouped with, or else a group of its own at the end.
    """
    auto = Grouping.from_themes(automatic)
    if current is None or not current.edited:
        return auto
    present = {note_id for theme in automatic for note_id in theme.note_ids}
    kept = [
        replace(
            group,
            note_ids=tuple(n for n in group.note_ids if n in present),
            suggested=tuple(n for n in group.suggested if n in present),
        )
        for group in current.groups
    ]
    placed = {note_id for group in kept for note_id in group.note_ids}
    extra: list[Group] = []
    for theme in auto.groups:
        new = [note_id for note_id in theme.note_ids if note_id not in placed]
        if not new:
            continue
        homes = Counter(
            index
            for index, group in enumerate(kept)
            for note_id in theme.note_ids
            if note_id in group.note_ids
        )
        suggested = tuple(note_id for note_id in new if note_id in theme.suggested)
        if homes:
            home = min(homes, key=lambda index: (-homes[index], index))
            group = kept[home]
            kept[home] = replace(
                group, note_ids=group.note_ids + tuple(new), suggested=group.suggested + suggested
            )
        else:
            extra.append(Group(theme.label, tuple(new), theme.prompt, suggested))
    return Grouping(tuple(group for group in [*kept, *extra] if group.note_ids), edited=True)


@dataclass
class Edits:
    """A grouping with its undo history."""

    grouping: Grouping
    history: list[Grouping] = field(default_factory=list)

    def apply(self, edited: Grouping) -> bool:
        """Make ``edited`` current, remembering the one before; whether anything changed."""
        if edited == self.grouping:
            return False
        self.history.append(self.grouping)
        self.grouping = edited
        return True

    def undo(self) -> bool:
        """Go back one edit; False when there is nothing to undo."""
        if not self.history:
            return False
        self.grouping = self.history.pop()
        return True
