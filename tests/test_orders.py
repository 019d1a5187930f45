"""Wallet-signed orders, the signature chain and the append-only book (protocol.md section 4)."""

from __future__ import annotations

import pytest
from eth_account import Account

from pmarket import errors
from pmarket.exchange import Exchange
from pmarket.orders import ZERO_HASH, Order, OrderError, SignedOrder, TradeType
from pmarket.typed import Domain
from pmarket.wad import WAD

ROOT = 3
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture
def market(funded, owner, alice, bob, carol):
    """Root 3 on [0, 1] with a sub-market [0.2, 0.8]; alice, bob and carol hold 1,000 of collateral."""
    funded.define(ROOT, 1, "0", "1", sender=owner)
    funded.define(ROOT, 2, "0.2", "0.8", sender=owner)
    for who in (alice, bob, carol):
        funded.deposit("1000", sender=who)
    return funded


def test_signed_order_enters_the_book_relayed_by_anyone(market, alice, bob):
    signed = market.sign_limit(alice, ROOT, 1, "0.55", "10")
    assert signed.order.previous == ZERO_HASH  # alice's first order
    tx = market.place(signed, sender=bob)
    assert market.order_state(signed) == (TradeType.PRIMARY, False, 10 * WAD)
    assert market.chain_head(alice) == signed.hash
    event = tx.events.filter(market.contract.OrderAdded)[0]
    assert bytes(event.orderHash) == signed.hash
    assert (event.trader, event.marketRootId, event.relayer) == (alice.address, ROOT, bob.address)
    # The event carries the whole order and its signature: any node can re-verify it.
    logged = Order.from_tuple(event.order)
    assert logged == signed.order
    assert SignedOrder(logged, bytes(event.signature), signed.hash).signer(market.domain) == alice.address


def test_order_state_takes_the_order_and_refuses_a_bare_hash(market, alice):
    signed = market.sign_limit(alice, ROOT, 1, "0.4", "3")
    market.place(signed)
    # An Order and its SignedOrder give the same answer; a hash cannot locate the open quantity.
    assert market.order_state(signed.order) == market.order_state(signed) == (TradeType.PRIMARY, False, 3 * WAD)
    assert market.order_record(signed)["slot"] == 0
    with pytest.raises(OrderError, match="not bytes"):
        market.order_state(signed.hash)
    # An order never placed reads as absent.
    other = market.sign_limit(alice, ROOT, 1, "0.3", "1")
    assert market.order_state(other) == (TradeType.NONE, False, 0)


def test_python_and_contract_agree_on_the_digest(market, alice):
    order = Order.limit(alice, ROOT, 2, "0.25", "-3.5", expiry=2**40, trade_root_id=99)
    assert market.hash_order(order) == order.digest(market.domain)


def test_signature_chain_links_each_order_to_the_previous(market, alice):
    first = market.sign_limit(alice, ROOT, 1, "0.5", "1")
    market.place(first)
    second = market.sign_limit(alice, ROOT, 1, "0.4", "2")
    assert second.order.previous == first.hash
    market.place(second)
    assert market.chain_head(alice) == second.hash
    # An order signed off an older link is refused with the expected and the provided hashes.
    stale = Order.limit(alice, ROOT, 1, "0.3", "1", previous=first.hash).sign(alice, market.domain)
    with pytest.raises(errors.BrokenChain) as err:
        market.place(stale)
    assert err.value.values == {"trader": alice.address, "expected": second.hash, "provided": first.hash}
    assert market.chain_head(alice) == second.hash  # a refusal changes nothing


def test_duplicate_order_is_refused(market, alice, bob):
    signed = market.sign_limit(alice, ROOT, 1, "0.5", "1")
    market.place(signed)
    with pytest.raises(errors.OrderExists) as err:
        market.place(signed, sender=bob)
    assert err.value.values == {"orderHash": signed.hash}


def test_wrong_signer_is_refused(market, alice, bob):
    order = Order.limit(alice, ROOT, 1, "0.5", "1")
    forged = order.sign(bob, market.domain)  # bob signs an order in alice's name
    with pytest.raises(errors.InvalidSignature) as err:
        market.place(forged, sender=bob)
    assert err.value.values == {"trader": alice.address, "orderHash": forged.hash}


def test_malleable_signature_is_refused(market, alice):
    signed = market.sign_limit(alice, ROOT, 1, "0.5", "1")
    r, s, v = signed.signature[:32], int.from_bytes(signed.signature[32:64], "big"), signed.signature[64]
    flipped = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # 27 <-> 28
    # The flipped signature recovers to the same key, so only the low-s rule stops it.
    assert Account._recover_hash(signed.hash, signature=flipped) == alice.address
    with pytest.raises(errors.InvalidSignature):
        market.place(SignedOrder(signed.order, flipped, signed.hash))
    market.place(signed)  # the canonical one is fine


def test_signature_for_another_chain_is_refused(market, alice):
    order = Order.limit(alice, ROOT, 1, "0.5", "1")
    elsewhere = Domain(chain_id=market.domain.chain_id + 1, verifying_contract=market.address)
    with pytest.raises(errors.InvalidSignature):
        market.place(order.sign(alice, elsewhere))


def test_signature_for_another_contract_is_refused(market, project, owner, token, alice, credit):
    other = Exchange.deploy(collateral=token, max_branches=8, sender=owner)
    other.define(ROOT, 1, "0", "1", sender=owner)
    credit(alice, "10", other)
    signed_for_other = Order.limit(alice, ROOT, 1, "0.5", "1").sign(alice, other.domain)
    with pytest.raises(errors.InvalidSignature):
        market.place(signed_for_other)
    other.place(signed_for_other)  # valid where it was signed for


def test_contract_wallet_signs_through_erc1271(market, project, alice, bob, credit):
    wallet = project.TestWallet.deploy(alice.address, sender=alice)
    credit(wallet, "10")
    order = Order.limit(wallet.address, ROOT, 1, "0.5", "4")
    signed = order.sign(alice, market.domain)  # alice's key signs for her wallet
    market.place(signed, sender=bob)
    assert market.order_state(signed)[0] == TradeType.PRIMARY
    assert market.chain_head(wallet.address) == signed.hash
    foreign = Order.limit(wallet.address, ROOT, 1, "0.5", "1", previous=signed.hash).sign(bob, market.domain)
    with pytest.raises(errors.InvalidSignature):
        market.place(foreign, sender=bob)


def test_expired_order_is_refused(market, chain, alice):
    now = chain.pending_timestamp
    signed = market.sign_limit(alice, ROOT, 1, "0.5", "1", expiry=now - 1)
    with pytest.raises(errors.OrderExpired) as err:
        market.place(signed)
    assert err.value.values["orderHash"] == signed.hash and err.value.values["expiry"] == now - 1
    market.place(market.sign_limit(alice, ROOT, 1, "0.5", "1", expiry=now + 3600))


@pytest.mark.parametrize(
    "branch, price, error, values",
    [
        (1, "1.01", errors.PriceOutOfBounds, {"price": 1_010000000000000000, "min": 0, "max": WAD}),
        (2, "0.1", errors.PriceOutOfBounds, {"price": WAD // 10, "min": WAD // 5, "max": 4 * WAD // 5}),
        (3, "0.5", errors.UnknownMarket, {"rootId": ROOT, "branchId": 3}),
    ],
    ids=["above-root", "below-sub-market", "unknown-branch"],
)
def test_price_must_lie_in_effective_bounds(market, alice, branch, price, error, values):
    with pytest.raises(error) as err:
        market.place(market.sign_limit(alice, ROOT, branch, price, "1"))
    assert err.value.values == values


def test_zero_quantity_and_settled_market_are_refused(market, owner, alice):
    zero = market.sign_limit(alice, ROOT, 1, "0.5", "0")
    with pytest.raises(errors.ZeroQuantity) as err:
        market.place(zero)
    assert err.value.values == {"orderHash": zero.hash}
    market.settle(ROOT, "1", sender=owner)
    with pytest.raises(errors.MarketSettled) as err:
        market.place(market.sign_limit(alice, ROOT, 2, "0.8", "1"))
    assert err.value.values == {"rootId": ROOT, "outcome": WAD}


def test_only_primary_unmatched_orders_are_placed(market, alice):
    head = market.chain_head(alice)
    for trade_type, matched in ((TradeType.OFFSET, False), (TradeType.PARTIAL, False), (TradeType.PRIMARY, True)):
        order = Order(
            trader=alice.address, market_root_id=ROOT, market_branch_id=1, price=WAD // 2, quantity=WAD,
            previous=head, trade_type=trade_type, is_matched=matched,
        )
        signed = order.sign(alice, market.domain)
        with pytest.raises(errors.UnsupportedOrder) as err:
            market.place(signed)
        assert err.value.values == {"orderHash": signed.hash, "tradeType": int(trade_type), "isMatched": matched}


def test_orders_lock_sub_market_definitions(market, owner, alice):
    market.place(market.sign_limit(alice, ROOT, 2, "0.5", "1"))
    assert market.root_info(ROOT)[2] == 2
    with pytest.raises(errors.MarketLocked) as err:
        market.define(ROOT, 2, "0.3", "0.7", sender=owner)
    assert err.value.values == {"rootId": ROOT, "branchId": 2, "maxOrderedBranch": 2}
    market.define(ROOT, 3, "0.3", "0.7", sender=owner)  # a new branch above is fine
    market.define(ROOT, 1, "0.1", "0.9", sender=owner)  # narrowing the root is always allowed
    market.place(market.sign_limit(alice, ROOT, 3, "0.5", "1"))
    with pytest.raises(errors.MarketLocked):
        market.define(ROOT, 3, "0.4", "0.6", sender=owner)


def test_book_is_append_only(market, alice, bob):
    placed = []
    for trader, price, qty in ((alice, "0.5", "1"), (bob, "0.6", "-2"), (alice, "0.4", "3")):
        signed = market.sign_limit(trader, ROOT, 1, price, qty)
        market.place(signed)
        placed.append(signed)
    # Later activity leaves every record exactly as written.
    market.place(market.sign_limit(bob, ROOT, 2, "0.5", "1"))
    for signed in placed:
        assert market.order_state(signed) == (TradeType.PRIMARY, False, abs(signed.order.quantity))
    # No function of the contract removes or edits an order.
    names = {abi.name for abi in market.contract.contract_type.mutable_methods}
    assert not {n for n in names if any(w in n.lower() for w in ("remove", "delete", "edit", "update"))}


def test_bare_private_key_signs_orders(market, alice, credit):
    key = Account.create()
    credit(key.address, "1")
    signed = Order.limit(key.address, ROOT, 1, "0.5", "1").sign(key.key, market.domain)
    assert signed.signer(market.domain) == key.address
    market.place(signed, sender=alice)
    assert market.chain_head(key.address) == signed.hash
