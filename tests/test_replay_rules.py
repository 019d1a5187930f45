"""Replay's rules without a chain: an event without a rule is a discrepancy and changes nothing,
the informational events change nothing, and each cross-check between the records of one step
refuses a stream where they disagree."""

from __future__ import annotations

from pmarket.node import Node, NodeConfig
from pmarket.node.replay import INFORMATIONAL, UNKNOWN_EVENT, Event, Replay
from pmarket.node.state import addr

WAD = 10**18
ANN, BOB = addr("0x" + "aa" * 20), addr("0x" + "bb" * 20)


def fresh() -> Replay:
    return Replay(Node(NodeConfig(decimals=6)))


def deposited(account: str, whole: int, tx: str = "0x1") -> Event:
    """``whole`` tokens of 6 decimals deposited for ``account``."""
    return Event("Deposited", {"account": account, "payer": account, "tokenAmount": whole * 10**6, "credited": whole * WAD}, tx=tx)


def defined(root: int, definer: str, lo: int, hi: int, tx: str = "0x2") -> list[Event]:
    return [
        Event("RootCreated", {"rootId": root, "owner": definer}, tx=tx),
        Event("MarketDefined", {"rootId": root, "branchId": 1, "definer": definer, "min": lo, "max": hi,
                                "effectiveMin": lo, "effectiveMax": hi}, tx=tx),
    ]


def contract_events(project) -> set[str]:
    """Every event any contract of ``contracts/`` (the test tokens and wallets aside) can emit:
    the Exchange and its modules, the Maker, the registry, the escrow and their interfaces."""
    names: set[str] = set()
    for name in project.contracts:
        container = project.contracts[name]
        if not container.source_id.startswith("contracts/test/"):
            names |= {abi.name for abi in container.contract_type.events}
    return names


def test_every_event_of_the_contracts_has_a_rule_or_is_informational(project):
    """So no event can be skipped in silence: a new one must get a rule (or a documented place on
    the informational list) before replay accepts a deployment that emits it; and no rule outlives
    its event."""
    rules, informational = Replay.rules(), set(INFORMATIONAL)
    assert not rules & informational
    abi = contract_events(project)
    assert rules | informational == abi, (sorted(abi - rules - informational), sorted((rules | informational) - abi))
    # the four contracts are all in it: one event of each
    assert {"OrderAdded", "PoolCreated", "LifecycleTransition", "BountyPosted"} <= abi and "PoolTracked" not in abi


def test_an_event_without_a_rule_is_a_discrepancy_that_names_it():
    replay = fresh().feed([Event("BalanceDoubled", {"account": ANN}), deposited(ANN, 5)])
    [d] = replay.discrepancies
    assert d.error.startswith(UNKNOWN_EVENT) and "BalanceDoubled" in d.error
    assert d.event.name == "BalanceDoubled"
    # nothing of it applied; the next event applies as usual
    assert replay.applied == 1 and replay.node.balance(ANN) == 5 * WAD


def test_informational_events_are_counted_and_change_nothing():
    replay = fresh().feed([deposited(ANN, 5)])
    before = replay.node.s
    replay.feed([Event(name, {"reason": b"\x01"}) for name in INFORMATIONAL])
    assert replay.discrepancies == [] and replay.informational == len(INFORMATIONAL) == 3
    assert replay.node.s == before and replay.applied == 1


def test_a_changed_eip712_domain_fails_loudly():
    [d] = fresh().feed([Event("EIP712DomainChanged", {})]).discrepancies
    assert "EIP-712 domain" in d.error


def test_a_root_is_created_by_its_root_created_event_only():
    ok = fresh().feed(defined(7, ANN, 0, WAD))
    assert ok.discrepancies == [] and ok.node.s.registry.roots[7].owner == ANN
    _, definition = defined(8, ANN, 0, WAD)
    [d] = fresh().feed([definition]).discrepancies
    assert d.error == "root 8 defined without its RootCreated"
    [d] = ok.feed([Event("RootCreated", {"rootId": 7, "owner": BOB})]).discrepancies
    assert d.error == "root 7 exists already"


def test_root_settled_must_be_what_the_definitions_fold_to():
    replay = fresh().feed(defined(7, ANN, 0, WAD))
    replay.feed([Event("RootSettled", {"rootId": 7, "outcome": WAD})])
    assert [d.error for d in replay.discrepancies] == ["the node's outcome is None"]


def test_a_signed_definition_uses_each_nonce_once_and_its_signer_defines():
    signed = Event("DefinitionSigned", {"signer": ANN, "nonce": 0, "relayer": BOB}, tx="0x2")
    replay = fresh().feed([signed, *defined(7, ANN, 0, WAD)])
    assert replay.discrepancies == [] and replay.node.s.nonces[ANN] == 1
    replay.feed([Event("DefinitionSigned", {"signer": ANN, "nonce": 0, "relayer": BOB}, tx="0x3")])
    assert [d.error for d in replay.discrepancies] == ["nonce 0 is not the signer's next, 1"]
    # a relayed definition whose definer is not its signer
    replay = fresh().feed([Event("DefinitionSigned", {"signer": BOB, "nonce": 0, "relayer": BOB}, tx="0x2"), *defined(7, ANN, 0, WAD)])
    assert [d.error for d in replay.discrepancies] == [f"definer {ANN} is not the signer {BOB}"]


def test_a_release_needs_the_pool_payout_of_the_same_transaction():
    replay = fresh().feed([deposited(ANN, 100), *defined(7, ANN, 0, WAD)])
    key = replay.node.create_pool(ANN, 7, 1, WAD)
    replay.feed([Event("PoolReleased", {"pool": key.account, "to": ANN, "amount": 1}, tx="0x9")])
    [d] = replay.discrepancies
    assert d.error.startswith("release 1 without a pool payout")
    assert replay.node.balance(key.account) > 0  # nothing moved


def _wallet_order(erc1271: bool | None, previous: bytes = bytes(32)):
    """An order of a contract wallet's (its address has no key) signed by another key, logged
    with ``erc1271`` (``None``: without the field, as the Exchange logs it today)."""
    from pmarket.orders import Order
    from pmarket.typed import Domain

    cfg = NodeConfig(decimals=6)
    domain = Domain(cfg.chain_id, cfg.verifying_contract)
    signed = Order.limit(WALLET, 7, 1, "0.5", "4", previous=previous).sign("0x" + "01" * 32, domain)
    args = {"orderHash": signed.hash, "trader": WALLET, "marketRootId": 7, "order": signed.order.as_tuple(),
            "signature": signed.signature, "relayer": BOB}
    if erc1271 is not None:
        args["erc1271"] = erc1271
    return signed, Event("OrderAdded", args, tx="0x5")


WALLET = addr("0x" + "cc" * 20)


def test_a_wallets_signature_is_the_chains_verdict_logged_with_the_order():
    """No chain is asked: the order's own event says the wallet approved it (``erc1271``), for that
    digest only; logged as an EOA's (or without the field), the node verifies it and refuses."""
    base = [deposited(WALLET, 100), *defined(7, ANN, 0, WAD)]
    signed, event = _wallet_order(True)
    replay = fresh().feed([*base, event])
    assert replay.discrepancies == [] and replay.node.chain_head(WALLET) == signed.hash
    # the next order names the first; logged without the wallet's approval, it is refused
    nxt, unapproved = _wallet_order(False, previous=signed.hash)
    replay.feed([unapproved])
    assert [d.error for d in replay.discrepancies] == ["InvalidSignature"] and nxt.hash not in replay.node.s.book
    for flag in (False, None):
        _, event = _wallet_order(flag)
        assert [d.error for d in fresh().feed([*base, event]).discrepancies] == ["InvalidSignature"]


def test_a_registrys_or_escrows_event_needs_its_contract_replayed():
    """An artifact registry's or escrow's events apply to the replayed contract at their emitter's
    address; from any other (or unnamed) emitter they are refused, not guessed."""
    replay = fresh()
    registry = replay.add_registry(BOB, close_after=90 * 86_400, window=86_400, prices=(7 * WAD // 10, 3 * WAD // 10, WAD // 10))
    grant = {"role": bytes(32), "account": ANN, "sender": ANN}
    replay.feed([Event("RoleGranted", grant, address=ANN), Event("RoleGranted", grant)])
    assert [d.error.split(":")[0] for d in replay.discrepancies] == [f"RoleGranted from {ANN}", "RoleGranted from an unnamed emitter"]
    replay.feed([Event("RoleGranted", grant, address=BOB)])  # the registry's constructor grants its deployer
    assert len(replay.discrepancies) == 2 and registry.has_role(bytes(32), ANN)
    replay.add_escrow(ANN, BOB)
    posted = {"id": b"b".ljust(32, b"\0"), "artifact": b"a".ljust(32, b"\0"), "funder": ANN, "amount": 5, "expiresAt": 10**10}
    replay.feed([Event("BountyPosted", posted, address=ANN)])
    assert replay.discrepancies[-1].error == "UnknownArtifact"  # the escrow's registry knows no such artifact
