"""``ape run deploy``: its refusals before the first transaction, the partial record and ``--resume``.

Every run is a real ``ape run deploy`` connected to this session's Anvil (``APE_FOUNDRY_HOST``), so
the test can read the chain before and after: a refusal must leave the deployer's nonce and the
chain's head where they were. A failure in a later step is made in-process on the same chain: the
registry's transaction is sent with an argument its constructor refuses (the Python check bypassed),
or it is mined and its receipt is "lost"; the resume is again a real ``ape run deploy --resume``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import click
import pytest
from ape.contracts.base import ContractContainer
from eth_utils import to_hex

from pmarket.deploy_checks import DEPLOY_GAS
from pmarket.deployment import MODULES
from pmarket.maker import create_address

#: The steps of the Exchange's deployment, in order, and how a run's output names them.
EXCHANGE_STEPS = ["collateral", *(name for name, _ in MODULES), "exchange"]
STEP_LIST = ", ".join(EXCHANGE_STEPS)

ROOT = Path(__file__).resolve().parents[1]
APE = str(Path(sys.executable).with_name("ape"))
DEAD = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture(scope="module")
def node_uri(chain):
    uri = chain.provider.uri
    assert uri.startswith("http://127.0.0.1:"), uri
    return uri


@pytest.fixture
def run(node_uri, tmp_path):
    """``run(*args, env={...})``: ``ape run deploy`` on this session's Anvil, records in tmp_path."""

    def _run(*args: str, network: str = "ethereum:local:foundry", env: dict | None = None,
             out: Path | None = None) -> subprocess.CompletedProcess:
        full = {**os.environ, "APE_FOUNDRY_HOST": node_uri, **(env or {})}
        full = {k: v for k, v in full.items() if v is not None}
        command = [APE, "run", "deploy", "--network", network, "--out", str(out or tmp_path), *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=full)

    return _run


@pytest.fixture(scope="module")
def keyfile():
    """A keyfile account with no ether: ``(alias, address, env)``; its file is removed afterwards."""
    import ape_accounts
    from eth_account import Account

    alias, passphrase = f"pmarket_deploy_{uuid.uuid4().hex[:8]}", "pass-deploy-42"
    account = ape_accounts.import_account_from_private_key(alias, passphrase, Account.create().key.hex())
    try:
        yield alias, str(account.address), {f"APE_ACCOUNTS_{alias}_PASSPHRASE": passphrase}
    finally:
        account.keyfile_path.unlink(missing_ok=True)  # leave no keyfile behind in .ape/accounts


def refused(result: subprocess.CompletedProcess, *needles: str) -> str:
    """The one line of a refusal: exit code != 0, one line on stderr naming the values, no trace."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result.stdout[-2000:]
    assert len(lines) == 1, result.stderr[-3000:]
    line = lines[0]
    assert line.startswith("Error: "), line
    for needle in needles:
        assert needle in line, (needle, line)
    for noise in ("Traceback", "Call trace", "reverted with message"):
        assert noise not in result.stdout + result.stderr, noise
    print(line)  # shown with -s
    return line


class Unchanged:
    """Nothing was sent: the deployer's nonce and the chain's head block stay as they were."""

    def __init__(self, chain, address: str) -> None:
        self.chain, self.address = chain, address
        self.nonce, self.head = chain.provider.get_nonce(address), chain.blocks.head.number

    def check(self) -> None:
        assert self.chain.provider.get_nonce(self.address) == self.nonce
        assert self.chain.blocks.head.number == self.head


# ---- refusals before the first transaction ---------------------------------------------------
OUT_OF_RANGE = [
    (("--max-branches", "0"), ("--max-branches 0", "1..64")),
    (("--max-branches", "65"), ("--max-branches 65", "1..64")),
    (("--max-open-orders", "0"), ("--max-open-orders 0", "1..48")),
    (("--max-open-orders", "100"), ("--max-open-orders 100", "1..48")),
    (("--max-roots", "0"), ("--max-roots 0", "1..255")),
    (("--max-roots", "256"), ("--max-roots 256", "1..255")),
    (("--close-after-days", "-1"), ("--close-after-days -1", "0 or more")),
    (("--window-hours", "0"), ("--window-hours 0", "1 or more")),
    (("--trigger-prices", "0.3,0.7,0.1"), ("--trigger-prices", "validated > flagged > deprecated", "got 0.3, 0.7, 0.1")),
    (("--collateral", "0x1234"), ("--collateral 0x1234 is not an address",)),
    (("--collateral", DEAD, "--test-collateral"), ("--collateral ADDRESS or --test-collateral, not both",)),
    (("--max-roots", "many"), ("--max-roots", "'many' is not a valid integer")),
]


@pytest.mark.parametrize("args, needles", OUT_OF_RANGE, ids=[" ".join(a) for a, _ in OUT_OF_RANGE])
def test_refuses_an_argument_out_of_range(run, chain, owner, args, needles):
    before = Unchanged(chain, owner.address)
    refused(run(*args), *needles)
    before.check()


def test_accepts_the_limits_at_both_ends_of_their_ranges(run, chain, tmp_path):
    for limits in (("64", "48", "255"), ("1", "1", "1")):
        out = tmp_path / "-".join(limits)
        result = run("--max-branches", limits[0], "--max-open-orders", limits[1], "--max-roots", limits[2],
                     "--no-artifacts", out=out)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        record = json.loads((out / "31337.json").read_text())
        exchange = chain.contracts.instance_at(record["exchange"], contract_type=_type("Exchange"))
        assert (exchange.maxBranches(), exchange.maxOpenOrders(), exchange.maxRoots()) == tuple(map(int, limits))


def _type(name: str):
    from ape import project

    if name == "Exchange":  # the whole ABI of the address: the Exchange's and its modules'
        from pmarket.exchange import merged_contract_type

        return merged_contract_type(project)
    return getattr(project, name).contract_type


def test_refuses_a_plain_address_as_collateral(run, chain, owner, accounts):
    plain = str(accounts[5].address)  # an account with ether and no code
    before = Unchanged(chain, owner.address)
    refused(run("--collateral", plain), f"--collateral {plain} has no contract code", "ERC-20")
    before.check()


def test_refuses_a_contract_that_is_not_an_erc20(run, chain, owner, project):
    maker = project.Maker.deploy(owner.address, sender=owner)  # code, but no decimals()
    before = Unchanged(chain, owner.address)
    refused(run("--collateral", str(maker.address)), f"--collateral {maker.address} is a contract but not an ERC-20",
            "decimals()")
    before.check()


def test_refuses_collateral_with_more_than_36_decimals(run, chain, owner, project):
    token = project.TestToken.deploy("Wide", "WIDE", 37, sender=owner)
    before = Unchanged(chain, owner.address)
    refused(run("--collateral", str(token.address)), f"--collateral {token.address} has 37 decimals", "at most 36")
    before.check()


def test_refuses_an_unknown_account_alias(run, chain, owner):
    before = Unchanged(chain, owner.address)
    refused(run("--account", "no_such_alias_here"), "--account no_such_alias_here", "`ape accounts list`")
    before.check()


def test_refuses_a_live_network_without_its_uri_or_a_node(run, chain, owner, keyfile, node_uri):
    alias, address, env = keyfile
    before = Unchanged(chain, owner.address)
    live = ("--account", alias, "--collateral", DEAD)
    # no URI: named with the variable that sets it, before anything connects
    result = run(*live, network="ethereum:sepolia:node", env={**env, "PMARKET_SEPOLIA_URI": None})
    refused(result, "ethereum:sepolia:node has no RPC URI", "set PMARKET_SEPOLIA_URI", "node.ethereum.sepolia.uri")
    assert "Connecting" not in result.stdout
    # a URI whose node is another chain: ape's refusal at connect time, as one line
    result = run(*live, network="ethereum:sepolia", env={**env, "PMARKET_SEPOLIA_URI": node_uri})
    refused(result, "cannot connect to --network ethereum:sepolia", "31337", "11155111")
    # on a live network the account is required
    refused(run("--collateral", DEAD, network="ethereum:sepolia", env={"PMARKET_SEPOLIA_URI": node_uri}),
            "on a live network pass --account ALIAS")
    before.check()


def test_refuses_a_deployer_that_cannot_pay(run, chain, keyfile):
    alias, address, env = keyfile
    assert chain.provider.get_balance(address) == 0
    assert int(chain.provider.make_request("eth_gasPrice", []), 16) > 0
    before = Unchanged(chain, address)
    refused(run("--account", alias, env=env), f"the deployer {address} holds 0 ETH", "less than the deployment needs",
            f"gas for {STEP_LIST}, artifacts, bounties", "rough estimate")
    before.check()


# ---- a later step fails: the partial record, then --resume -----------------------------------
def fail_registry(monkeypatch, how: str, step: str = "Artifacts") -> None:
    """Make the deployment of contract ``step`` fail for real: ``revert`` sends it with an argument
    its constructor refuses (the Python check bypassed); ``lost`` lets it be mined, then raises as if
    the connection dropped before its receipt arrived."""
    original = ContractContainer.deploy

    def deploy(self, *args, **kwargs):
        if self.contract_type.name != step:
            return original(self, *args, **kwargs)
        if how == "revert" and step == "Artifacts":
            args = (args[0], args[1], 0, args[3])  # window 0: InvalidParameters
        elif how == "revert":
            args = (args[0], args[1], 100, *args[3:])  # 100 open orders: InvalidConfiguration
        original(self, *args, **kwargs)
        raise ConnectionError("connection to the node lost")

    monkeypatch.setattr(ContractContainer, "deploy", deploy)


def start_then_fail(monkeypatch, tmp_path, owner, how: str, step: str = "Artifacts", label: str = "artifacts") -> dict:
    """An in-process ``deploy`` on this chain that fails at ``step``; returns the partial record."""
    from scripts.deploy import deploy, plan_parameters

    fail_registry(monkeypatch, how, step)
    params = plan_parameters(None, 32, 32, 64, True, 90, 24, ["0.7", "0.3", "0.1"])
    with pytest.raises(click.ClickException) as caught:
        deploy(params, owner, tmp_path, network="ethereum:local")
    monkeypatch.undo()
    message = caught.value.format_message()
    assert f"the {label} step failed" in message
    assert str(tmp_path / "31337.partial.json") in message and "--resume" in message
    assert not (tmp_path / "31337.json").exists()  # the final record is for complete deployments only
    return json.loads((tmp_path / "31337.partial.json").read_text())


@pytest.mark.parametrize("how", ["revert", "lost"])
def test_a_failed_registry_step_is_recorded_and_resumed(run, chain, owner, tmp_path, monkeypatch, how):
    partial = start_then_fail(monkeypatch, tmp_path, owner, how)
    assert partial["failed_step"] == "artifacts" and partial["deployer"] == owner.address
    assert list(partial["deployed"]) == EXCHANGE_STEPS
    for piece in partial["deployed"].values():  # each recorded contract is on the chain, from its transaction
        assert chain.provider.get_code(piece["address"])
        assert chain.get_receipt(piece["tx_hash"]).contract_address == piece["address"]
    pending = partial["pending"]
    assert pending["step"] == "artifacts" and pending["address"] == create_address(owner.address, pending["nonce"])
    if how == "revert":
        assert "InvalidParameters" in partial["error"] and not chain.provider.get_code(pending["address"])
    else:
        assert "connection to the node lost" in partial["error"] and chain.provider.get_code(pending["address"])

    nonce = owner.nonce
    result = run("--resume")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    out = " ".join(result.stdout.split())
    record = json.loads((tmp_path / "31337.json").read_text())
    assert not (tmp_path / "31337.partial.json").exists()
    assert record["exchange"] == partial["deployed"]["exchange"]["address"]  # kept, not deployed again
    exchange = chain.contracts.instance_at(record["exchange"], contract_type=_type("Exchange"))
    assert record["maker"] == exchange.maker()
    assert record["collateral"] == partial["deployed"]["collateral"]["address"]
    assert "resumed" in out and f"kept {STEP_LIST}" in out
    if how == "revert":  # the registry again (the reverted transaction used a nonce), then the escrow
        assert owner.nonce == nonce + 2 and record["artifacts"] == create_address(owner.address, nonce)
    else:  # the registry mined in the lost transaction is adopted, after its views were checked
        assert owner.nonce == nonce + 1 and record["artifacts"] == pending["address"]
        assert f"artifacts {pending['address']}: created by the transaction in flight" in out
    assert f"artifact registry {record['artifacts']}: close after 90 days, window 24 h, triggers 0.7/0.3/0.1" in out
    bounties = chain.contracts.instance_at(record["bounties"], contract_type=_type("Bounties"))
    assert bounties.artifacts() == record["artifacts"] and bounties.token() == record["collateral"]


def test_a_failed_module_is_recorded_and_the_rest_resumed(run, chain, owner, tmp_path, monkeypatch):
    partial = start_then_fail(monkeypatch, tmp_path, owner, "revert", step="PoolsModule", label="pools")
    before_pools = EXCHANGE_STEPS[:EXCHANGE_STEPS.index("pools")]
    assert list(partial["deployed"]) == before_pools and "InvalidConfiguration" in partial["error"]
    result = run("--resume")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    record = json.loads((tmp_path / "31337.json").read_text())
    # the modules deployed before the failure are kept: the Exchange was built with them
    exchange = chain.contracts.instance_at(record["exchange"], contract_type=_type("Exchange"))
    kept = [partial["deployed"][name]["address"] for name in before_pools[1:]]
    assert list(exchange.modules())[: len(kept)] == kept
    assert record["collateral"] == partial["deployed"]["collateral"]["address"]
    assert exchange.maker() == record["maker"] and exchange.maxOpenOrders() == 32


def test_resume_refuses_a_record_that_does_not_match(run, chain, owner, tmp_path, monkeypatch, accounts, keyfile):
    start_then_fail(monkeypatch, tmp_path, owner, "revert")
    path = tmp_path / "31337.partial.json"
    before = Unchanged(chain, owner.address)
    # a fresh run while a live partial deployment exists
    refused(run(), f"a partial deployment is recorded in {path}", "failed at artifacts", "pass --resume")
    # an option that contradicts the record
    refused(run("--resume", "--max-branches", "12"), "max_branches 12 differs from the recorded 32")
    # another deployer
    alias, _, env = keyfile
    refused(run("--resume", "--account", alias, env=env), f"was sent by {owner.address}", "--account ALIAS")
    # a recorded contract that is not there
    partial = json.loads(path.read_text())
    plain, exchange = str(accounts[6].address), partial["deployed"]["exchange"]["address"]
    partial["deployed"]["exchange"]["address"] = plain
    path.write_text(json.dumps(partial))
    refused(run("--resume"), f"the recorded exchange {plain} has no code on chain 31337", "remove it to start over")
    # recorded parameters the recorded contracts were not built with
    partial["deployed"]["exchange"]["address"] = exchange
    partial["parameters"]["max_roots"] = 63
    path.write_text(json.dumps(partial))
    refused(run("--resume"), "the recorded markets", "does not match the recorded parameters", "moduleInfo()")
    before.check()


def test_deployment_gas_stays_under_the_balance_estimate(chain, owner, tmp_path):
    """DEPLOY_GAS is what the balance check counts: each piece must fit it, and not by far."""
    from scripts.deploy import deploy, plan_parameters

    head = chain.blocks.head.number
    params = plan_parameters(None, 32, 32, 64, True, 90, 24, ["0.7", "0.3", "0.1"])
    record = deploy(params, owner, tmp_path, network="ethereum:local")
    by_address = {}
    for number in range(head + 1, chain.blocks.head.number + 1):
        for tx in chain.blocks[number].transactions:
            receipt = chain.get_receipt(to_hex(tx.txn_hash))
            by_address[receipt.contract_address] = receipt.gas_used
    modules = chain.contracts.instance_at(record.exchange, contract_type=_type("Exchange")).modules()
    measured = {step: by_address.pop(address) for step, address in (
        ("collateral", record.collateral), *zip((name for name, _ in MODULES), modules),
        ("exchange", record.exchange), ("artifacts", record.artifacts), ("bounties", record.bounties))}
    assert not by_address  # nothing else was sent
    for step, gas in measured.items():
        assert gas <= DEPLOY_GAS[step] <= 1.25 * gas, (step, gas, DEPLOY_GAS[step], measured)
