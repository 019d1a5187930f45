"""The ``pmarket`` command line agrees with the library and refuses bad input by name."""

from __future__ import annotations

from click.testing import CliRunner

from pmarket.cli import cli
from pmarket.orders import Order
from pmarket.typed import Domain

TRADER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_order_hash_matches_the_library():
    result = CliRunner().invoke(cli, [
        "order-hash", "--chain-id", "31337", "--contract", CONTRACT, "--trader", TRADER,
        "--root", "3", "--branch", "2", "--price", "0.25", "--quantity", "-4",
    ])
    assert result.exit_code == 0, result.output
    expected = Order.limit(TRADER, 3, 2, "0.25", "-4").digest(Domain(31337, CONTRACT))
    assert result.output.strip() == "0x" + expected.hex()


def test_to_wad_is_exact_and_refuses_excess_precision():
    runner = CliRunner()
    assert runner.invoke(cli, ["to-wad", "0.1"]).output.strip() == str(10**17)
    assert runner.invoke(cli, ["to-wad", "1.5", "--decimals", "6"]).output.strip() == "1500000"
    bad = runner.invoke(cli, ["to-wad", "1.0000001", "--decimals", "6"])
    assert bad.exit_code != 0 and "more than 6 decimal places" in bad.output
