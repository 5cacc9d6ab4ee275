"""Budgets per connection, device and network address: pure, with the time passed in by hand."""

import pytest

from participant.core import budgets as budgets_module
from participant.core.budgets import TOO_MANY_PHONES, Budgets, Kind, Limits, connection_cap, network_of
from participant.core.wire import (
    BURST_SECONDS,
    CONNECTIONS_PER_DEVICE,
    MAX_CONNECTIONS,
    PER_ADDRESS_DEVICES,
    PER_ADDRESS_NOTE_RATE,
    PER_ADDRESS_RATE,
    RATE_BURST,
    ErrorCode,
    ProtocolError,
)

NOW = 1000.0
HOME, OTHER = "192.168.1.20", "192.168.1.21"


def spent(allowance, kind: Kind, now: float = NOW) -> int:
    """How many messages of ``kind`` the address allows at ``now`` before refusing."""
    count = 0
    while True:
        try:
            allowance.spend(kind, now, f"id-{count}")
        except ProtocolError as refusal:
            caught = refusal
            break
        count += 1
    assert (caught.code, caught.answer_id) == (ErrorCode.TOO_FAST, f"id-{count}")
    return count


def test_the_defaults_fit_a_room_of_300_behind_one_address():
    """By default one address may be 500 devices and send 1,000 hellos or answers, and 200 notes, at once."""
    limits = Limits()
    assert (limits.devices, limits.rate, limits.note_rate) == (
        PER_ADDRESS_DEVICES,
        PER_ADDRESS_RATE,
        PER_ADDRESS_NOTE_RATE,
    )
    assert PER_ADDRESS_DEVICES >= 300
    assert PER_ADDRESS_RATE * BURST_SECONDS >= 3 * 300
    assert limits.connections == CONNECTIONS_PER_DEVICE * PER_ADDRESS_DEVICES


def test_an_address_spends_a_burst_then_its_rate():
    """After a burst of BURST_SECONDS' worth, an address is told to wait; time refills it."""
    allowance = Budgets(Limits(rate=5)).connect(HOME, NOW)
    assert spent(allowance, Kind.ANSWER) == 5 * BURST_SECONDS
    with pytest.raises(ProtocolError, match=r"^Too many answers from this network at once: wait"):
        allowance.spend(Kind.ANSWER, NOW)
    assert spent(allowance, Kind.ANSWER, NOW + 2) == 10


def test_each_kind_has_its_own_allowance_and_notes_a_smaller_one():
    """Answers spent do not stop hellos or notes; notes have their own, lower rate."""
    allowance = Budgets(Limits(rate=5, note_rate=1)).connect(HOME, NOW)
    assert spent(allowance, Kind.ANSWER) == 100
    assert spent(allowance, Kind.HELLO) == 100
    assert spent(allowance, Kind.NOTE) == 20
    with pytest.raises(ProtocolError, match=r"^Too many notes from this network"):
        allowance.spend(Kind.NOTE, NOW)
    with pytest.raises(ProtocolError, match=r"^Too many phones joining from this network"):
        allowance.spend(Kind.HELLO, NOW)


def test_connections_of_one_address_share_its_budget_and_other_addresses_do_not():
    """A new connection does not refill its address's allowance; another address has its own."""
    budgets = Budgets(Limits(rate=1))
    assert spent(budgets.connect(HOME, NOW), Kind.ANSWER) == 20
    assert spent(budgets.connect(HOME, NOW), Kind.ANSWER) == 0
    assert spent(budgets.connect(OTHER, NOW), Kind.ANSWER) == 20


def test_an_address_joins_as_at_most_its_devices():
    """The device past the budget is refused for good, in words for its screen; known devices rejoin."""
    budgets = Budgets(Limits(devices=3))
    for device in ("phone-a", "phone-b", "phone-c"):
        budgets.connect(HOME, NOW).join(device)
    with pytest.raises(ProtocolError) as refused:
        budgets.connect(HOME, NOW).join("phone-d")
    assert (refused.value.code, refused.value.message) == (ErrorCode.TOO_MANY, TOO_MANY_PHONES)
    assert TOO_MANY_PHONES == "Too many phones from this network: ask the trainer"
    budgets.connect(HOME, NOW).join("phone-a")
    budgets.connect(OTHER, NOW).join("phone-d")


def test_a_connection_and_its_device_each_have_an_allowance():
    """Every frame counts against the connection; once joined, against the device too, on every
    connection of it and after a reconnect: a second connection is no way round a spent device."""
    budgets = Budgets()
    first = budgets.connect(HOME, NOW)
    assert first.take(NOW)  # the hello, before the device is known
    first.join("phone-a")
    assert all(first.take(NOW) for _ in range(int(RATE_BURST) - 1))
    assert not first.take(NOW)
    second = budgets.connect(HOME, NOW)
    assert second.take(NOW)
    second.join("phone-a")
    assert not second.take(NOW)
    fresh = budgets.connect(HOME, NOW)
    fresh.join("phone-b")
    assert fresh.take(NOW)


def test_an_address_holds_at_most_its_connections_until_one_closes():
    """CONNECTIONS_PER_DEVICE connections per device of the budget; closing one frees its place, once."""
    budgets = Budgets(Limits(devices=2))
    held = [budgets.connect(HOME, NOW) for _ in range(2 * CONNECTIONS_PER_DEVICE)]
    assert not budgets.may_connect(HOME)
    assert budgets.may_connect(OTHER)
    held[0].close()
    held[0].close()
    assert budgets.may_connect(HOME)
    budgets.connect(HOME, NOW)
    assert not budgets.may_connect(HOME)


def test_addresses_are_remembered_up_to_a_bound(monkeypatch):
    """Past REMEMBERED_ADDRESSES, the address seen longest ago is forgotten (memory stays bounded)."""
    monkeypatch.setattr(budgets_module, "REMEMBERED_ADDRESSES", 2)
    budgets = Budgets(Limits(rate=1))
    spent(budgets.connect("10.0.0.1", NOW), Kind.ANSWER)
    spent(budgets.connect("10.0.0.2", NOW), Kind.ANSWER)
    budgets.connect("10.0.0.1", NOW)  # seen again: now the most recent
    budgets.connect("10.0.0.3", NOW)
    assert spent(budgets.connect("10.0.0.1", NOW), Kind.ANSWER) == 0
    assert spent(budgets.connect("10.0.0.2", NOW), Kind.ANSWER) == 20


def test_ipv6_addresses_count_by_their_64_network():
    """One host picks any address in its /64: they share one budget. IPv4, mapped or not, is itself."""
    assert network_of("2001:db8:1:2::1") == network_of("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:192.168.1.20") == network_of("192.168.1.20") == "192.168.1.20"
    assert network_of("") == ""


@pytest.mark.parametrize(
    ("open_files", "cap"),
    [(1024, 960), (256, 192), (100, 50), (1_048_576, MAX_CONNECTIONS), (None, MAX_CONNECTIONS), (1, 1)],
)
def test_the_connection_cap_leaves_files_free(open_files, cap):
    """64 files stay free below the limit (half of a tiny one), and never more than MAX_CONNECTIONS."""
    assert connection_cap(open_files) == cap


@pytest.mark.parametrize("limits", [{"devices": 0}, {"rate": 0}, {"note_rate": -1}])
def test_budgets_must_be_positive(limits):
    """A budget of nothing would lock every phone out: refused when made."""
    with pytest.raises(ValueError, match="positive"):
        Limits(**limits)
