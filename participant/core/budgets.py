"""Budgets: how much one connection, one device and one network address may send. Pure.

A phone chooses its own device id, so a budget per device alone bounds nothing: one script can be
any number of devices. What a client cannot choose is its connection and its network address, so
every message spends from its connection's allowance and, once it joined, its device's
(:class:`~participant.core.wire.TokenBucket`); hellos, answers and notes also spend from their
address's, one allowance per kind; and an address may join as at most ``devices`` devices and hold
:data:`~participant.core.wire.CONNECTIONS_PER_DEVICE` connections per device. The limits are in
:mod:`participant.core.wire`.

Addresses live in memory only: never stored, never logged (invariant 1). IPv6 addresses count by
their /64 network, the block one host can pick addresses from. Times are passed in, so tests move
them by hand.
"""

from __future__ import annotations

import copy
import ipaddress
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum

from participant.core.wire import (
    BURST_SECONDS,
    CONNECTIONS_PER_DEVICE,
    FILES_HEADROOM,
    MAX_CONNECTIONS,
    PER_ADDRESS_DEVICES,
    PER_ADDRESS_NOTE_RATE,
    PER_ADDRESS_RATE,
    REMEMBERED_ADDRESSES,
    REMEMBERED_DEVICES,
    ErrorCode,
    ProtocolError,
    TokenBucket,
)

TOO_MANY_PHONES = "Too many phones from this network: ask the trainer"


class Kind(Enum):
    """What a message spends from its address's budget."""

    HELLO = "phones joining"
    ANSWER = "answers"
    NOTE = "notes"


@dataclass(frozen=True)
class Limits:
    """The budgets of one network address (the defaults are :mod:`participant.core.wire`'s)."""

    devices: int = PER_ADDRESS_DEVICES
    rate: float = PER_ADDRESS_RATE
    """Hellos a second, and answers a second."""
    note_rate: float = PER_ADDRESS_NOTE_RATE

    def __post_init__(self) -> None:
        if self.devices < 1 or self.rate <= 0 or self.note_rate <= 0:
            raise ValueError("budgets must be positive")

    @property
    def connections(self) -> int:
        return self.devices * CONNECTIONS_PER_DEVICE

    def bucket(self, kind: Kind, now: float) -> TokenBucket:
        rate = self.note_rate if kind is Kind.NOTE else self.rate
        return TokenBucket(now, rate=rate, burst=rate * BURST_SECONDS)


@dataclass
class _Address:
    buckets: dict[Kind, TokenBucket]
    devices: set[str] = field(default_factory=set)
    connections: int = 0


def network_of(address: str) -> str:
    """The key an address's budgets are kept by: an IPv4 address, or an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def connection_cap(open_files: int | None) -> int:
    """How many connections the server holds at once, given the process's open files limit.

    :data:`~participant.core.wire.FILES_HEADROOM` files stay free (half the limit, if it is tiny),
    so a phone over the cap can still be told the room is full instead of waiting on a refused
    ``accept()``; ``None``, no limit, gives :data:`~participant.core.wire.MAX_CONNECTIONS`.
    """
    if open_files is None:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, max(open_files - FILES_HEADROOM, open_files // 2)))


class Budgets:
    """Every address's budgets and every device's rate limit, in memory, bounded in size."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._addresses: OrderedDict[str, _Address] = OrderedDict()
        self._devices: OrderedDict[str, TokenBucket] = OrderedDict()

    def may_connect(self, address: str) -> bool:
        """Whether ``address`` may open one more connection."""
        known = self._addresses.get(network_of(address))
        return known is None or known.connections < self.limits.connections

    def connect(self, address: str, now: float) -> Allowance:
        """A new connection from ``address``: its allowance, to be closed when it ends."""
        key = network_of(address)
        found = self._addresses.pop(key, None)
        if found is None:
            found = _Address({kind: self.limits.bucket(kind, now) for kind in Kind})
        self._addresses[key] = found  # the most recently seen last
        if len(self._addresses) > REMEMBERED_ADDRESSES:
            self._addresses.popitem(last=False)
        found.connections += 1
        return Allowance(self, found, TokenBucket(now))

    def device_bucket(self, device: str, fresh: TokenBucket) -> TokenBucket:
        """The device's rate limit (``fresh`` if it has none yet), shared by its connections and
        kept across reconnects."""
        bucket = self._devices.setdefault(device, fresh)
        self._devices.move_to_end(device)
        if len(self._devices) > REMEMBERED_DEVICES:
            self._devices.popitem(last=False)
        return bucket


class Allowance:
    """What one connection may still send: its own allowance, its device's and its address's."""

    def __init__(self, budgets: Budgets, address: _Address, own: TokenBucket) -> None:
        self._budgets = budgets
        self._address = address
        self._own = own
        self._device: TokenBucket | None = None
        self._closed = False

    def take(self, now: float) -> bool:
        """Count one frame, whatever it holds, against the connection and its device."""
        return self._own.take(now) and (self._device is None or self._device.take(now))

    def spend(self, kind: Kind, now: float, message_id: str | None = None) -> None:
        """Count one message of ``kind`` against the address; a ``too_fast`` refusal if it is spent."""
        if not self._address.buckets[kind].take(now):
            raise ProtocolError(
                ErrorCode.TOO_FAST,
                f"Too many {kind.value} from this network at once: wait a few seconds and try again",
                message_id,
            )

    def join(self, device: str) -> None:
        """The connection joins as ``device``; a final refusal if its address has too many devices."""
        devices = self._address.devices
        if device not in devices and len(devices) >= self._budgets.limits.devices:
            raise ProtocolError(ErrorCode.TOO_MANY, TOO_MANY_PHONES)
        devices.add(device)
        # A new device's limit starts where its connection's stands: what it sent so far counts.
        self._device = self._budgets.device_bucket(device, copy.copy(self._own))

    def close(self) -> None:
        """The connection ended: its address may open another."""
        if not self._closed:
            self._closed = True
            self._address.connections -= 1
