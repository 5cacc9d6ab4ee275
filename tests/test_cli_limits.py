"""``facilitate run``'s flags for the budgets of each network address."""

import pytest

from facilitator.cli import _parser
from participant.core.wire import PER_ADDRESS_DEVICES, PER_ADDRESS_RATE


def test_run_takes_the_per_address_budgets_with_the_wires_defaults():
    """--per-address-devices and --per-address-rate default to the wire's numbers and take others."""
    args = _parser().parse_args(["run", "agenda.toml"])
    assert (args.per_address_devices, args.per_address_rate) == (PER_ADDRESS_DEVICES, PER_ADDRESS_RATE)
    args = _parser().parse_args(
        ["run", "agenda.toml", "--per-address-devices", "900", "--per-address-rate", "80"]
    )
    assert (args.per_address_devices, args.per_address_rate) == (900, 80)


@pytest.mark.parametrize("flag", ["--per-address-devices", "--per-address-rate"])
def test_a_budget_of_nothing_is_refused(flag, capsys):
    """0 would lock every phone out: argparse refuses it with a reason."""
    with pytest.raises(SystemExit):
        _parser().parse_args(["run", "agenda.toml", flag, "0"])
    assert "it must be 1 or more" in capsys.readouterr().err
