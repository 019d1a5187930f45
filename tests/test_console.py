"""``ape console`` end to end: a keyfile account signs an order there and Anvil accepts it."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside `ape console` (its own Anvil); uses only the console extras' names and ape's own.
CONSOLE_CODE = """
import ape_accounts
from eth_account import Account
key = Account.create()
alias = "{alias}"
trader = ape_accounts.import_account_from_private_key(alias, "pass-{alias}", key.key.hex())
try:
    trader.set_autosign(True, passphrase="pass-{alias}")
    admin = accounts.test_accounts[0]
    ex = Exchange.deploy(sender=admin)
    ex.define(11, 1, "0", "1", sender=admin)
    ex.token.mint(admin, 10 * 10**6, sender=admin)
    ex.token.approve(ex.address, 10 * 10**6, sender=admin)
    ex.contract.depositFor(trader.address, 10 * 10**6, sender=admin)  # covers the bid's worst case, 4
    signed = ex.sign_limit(trader, 11, 1, "0.4", "10")
    assert type(trader).__name__ == "KeyfileAccount", type(trader)
    ex.place(signed, sender=admin)
    state = ex.order_state(signed)
    print("ACCEPTED", signed.hash.hex(), ex.chain_head(trader).hex(), int(state[0]), state[2])
finally:
    trader.keyfile_path.unlink()  # leave no keyfile behind in .ape/accounts
"""


def test_keyfile_account_signs_in_ape_console_and_anvil_accepts():
    alias = f"pmarket-test-{uuid.uuid4().hex[:8]}"
    ape = Path(sys.executable).with_name("ape")
    result = subprocess.run(
        [str(ape), "console", "--network", "ethereum:local:foundry", "-c", CONSOLE_CODE.format(alias=alias)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("ACCEPTED")]
    assert lines, result.stdout[-2000:] + result.stderr[-2000:]
    _, order_hash, head, trade_type, remaining = lines[0].split()
    assert order_hash == head  # the book took it and the keyfile account's chain advanced
    assert int(trade_type) == 1 and int(remaining) == 10 * 10**18
    assert not list((ROOT / ".ape" / "accounts").glob(f"{alias}.json"))  # nothing left behind
