"""Trading through the Python client on Anvil: place, match, cancel, reduce, withdraw, settle, claim,
and the worst case from the chain and from a node rebuilt from the chain's events."""

from __future__ import annotations

import pytest

from pmarket import errors
from pmarket.matching import Leg, MatchRequest, partial_of
from pmarket.wad import WAD

ROOT = 5


@pytest.fixture
def book(funded, owner, alice, bob, carol):
    """Root 5 on [0, 100] with sub-market [20, 80]; alice, bob, carol each deposit 1,000."""
    funded.define(ROOT, 1, "0", "100", sender=owner)
    funded.define(ROOT, 2, "20", "80", sender=owner)
    for who in (alice, bob, carol):
        funded.deposit("1000", sender=who)
    return funded


def _pair(ex, bidder, seller, branch, bid_price, ask_price, size):
    bid = ex.sign_limit(bidder, ROOT, branch, bid_price, size)
    ex.place(bid)
    ask = ex.sign_limit(seller, ROOT, branch, ask_price, "-" + size)
    ex.place(ask)
    return bid, ask


def test_interior_minimum_long_root_short_sub_market(book, owner, alice, bob, carol):
    bid, ask = _pair(book, alice, bob, 1, "50", "50", "10")
    book.match(MatchRequest(Leg(bid.order), Leg(ask.order), 10 * WAD), sender=owner)
    bid, ask = _pair(book, carol, alice, 2, "50", "50", "20")
    book.match(MatchRequest(Leg(bid.order), Leg(ask.order), 20 * WAD), sender=owner)
    # payoff 10(x-50) - 20(clamp(x,20,80)-50): +100 at 0, -100 at 100, but -300 at x = 80
    assert book.root_worst_case(alice, ROOT) == -300 * WAD
    assert book.worst_case(alice) == (-300 * WAD, 1000 * WAD)
    with pytest.raises(errors.InsufficientCollateral) as refused:
        book.withdraw("700.000001", sender=alice)
    assert refused.value.values["worstCase"] == -300 * WAD
    book.withdraw("700", sender=alice)  # exactly what the worst case leaves free
    assert book.worst_case(alice) == (-300 * WAD, 300 * WAD)
    assert book.node().node.worst_case(alice.address) == book.worst_case(alice)


def test_several_open_orders_are_counted_together(book, alice):
    book.place(book.sign_limit(alice, ROOT, 1, "60", "10"))  # loses up to 600
    book.place(book.sign_limit(alice, ROOT, 1, "30", "-10"))  # loses up to 700 at x = 100
    # at x = 0 the bid loses 600 and the ask gains (not counted); at x = 100 the ask loses 700
    assert book.worst_case(alice)[0] == -700 * WAD
    with pytest.raises(errors.InsufficientCollateral) as refused:
        book.place(book.sign_limit(alice, ROOT, 1, "41", "10"))  # at x = 0: 600 + 410 > 1000
    assert refused.value.values["worstCase"] == -1010 * WAD
    book.place(book.sign_limit(alice, ROOT, 1, "40", "10"))  # at x = 0: 600 + 400 = 1000, exactly
    assert book.worst_case(alice)[0] == -1000 * WAD


def test_match_partial_default_and_explicit_price(book, owner, alice, bob):
    bid, ask = _pair(book, alice, bob, 1, "55", "45", "10")
    book.match(MatchRequest(Leg(bid.order), Leg(ask.order), 4 * WAD), sender=owner)
    assert book.position(alice, ROOT, 1).quantity == 4 * WAD
    assert book.position(alice, ROOT, 1).cost == 4 * 55 * WAD * WAD  # the bid came first: its price
    book.match(MatchRequest(Leg(bid.order), Leg(ask.order), 6 * WAD, 50 * WAD), sender=owner)
    assert book.position(bob, ROOT, 1).cost == -(4 * 55 + 6 * 50) * WAD * WAD
    assert book.order_state(bid)[2] == 0 and book.order_state(ask)[2] == 0


def test_match_that_would_cross_the_wrong_way_is_refused(book, owner, alice, bob):
    bid, ask = _pair(book, alice, bob, 1, "40", "45", "10")
    with pytest.raises(errors.OrdersDoNotCross) as refused:
        book.match(MatchRequest(Leg(bid.order), Leg(ask.order), WAD), sender=owner)
    assert refused.value.values["bidPrice"] == 40 * WAD and refused.value.values["askPrice"] == 45 * WAD
    with pytest.raises(errors.WrongSide):
        book.match(MatchRequest(Leg(ask.order), Leg(bid.order), WAD), sender=owner)


def test_replaying_a_used_partial_and_a_filled_order_is_refused(book, owner, alice, bob):
    bid, ask = _pair(book, alice, bob, 1, "50", "48", "10")
    partial = partial_of(bid.order, "49", "3").sign(alice, book.domain)
    request = MatchRequest(Leg(bid.order, partial), Leg(ask.order), 3 * WAD)
    book.match(request, sender=owner)
    assert book.position(alice, ROOT, 1).cost == 3 * 49 * WAD * WAD  # the Partial's better price
    with pytest.raises(errors.OrderExists):
        book.match(request, sender=owner)
    book.match(MatchRequest(Leg(bid.order), Leg(ask.order), 7 * WAD), sender=owner)
    with pytest.raises(errors.OrderNotOpen):
        book.match(MatchRequest(Leg(bid.order), Leg(ask.order), WAD), sender=owner)
    with pytest.raises(errors.OrderExists):  # a placed order cannot enter the book again
        book.place(bid)


def test_batch_skips_the_failing_match(book, owner, alice, bob):
    bid, ask = _pair(book, alice, bob, 1, "50", "50", "5")
    tx = book.match_batch(
        [
            MatchRequest(Leg(bid.order), Leg(ask.order), 2 * WAD),
            MatchRequest(Leg(bid.order), Leg(ask.order), 9 * WAD),  # more than is left
            MatchRequest(Leg(bid.order), Leg(ask.order), 3 * WAD),
        ],
        sender=owner,
    )
    skipped = list(tx.events.filter(book.contract.MatchSkipped))
    assert [int(s.index) for s in skipped] == [1]
    assert book.position(alice, ROOT, 1).quantity == 5 * WAD


def test_cancel_by_owner_and_stranger_and_reduce(book, alice, bob):
    signed = book.sign_limit(alice, ROOT, 1, "50", "10")
    book.place(signed)
    with pytest.raises(errors.InvalidSignature):
        book.cancel(bob, signed.order)  # bob signs an offset of alice's order
    book.reduce(alice, signed.order, "4")
    assert book.order_state(signed)[2] == 6 * WAD
    assert book.worst_case(alice)[0] == -300 * WAD
    book.cancel(alice, signed.order)
    assert book.order_state(signed)[2] == 0 and book.worst_case(alice)[0] == 0
    with pytest.raises(errors.OrderNotOpen):
        book.cancel(alice, signed.order)


def test_settlement_claims_and_the_money_identity(book, owner, alice, bob, carol):
    bid, ask = _pair(book, alice, bob, 2, "50", "50", "10")
    book.match(MatchRequest(Leg(bid.order), Leg(ask.order), 10 * WAD), sender=owner)
    with pytest.raises(errors.MarketNotSettled):
        book.claim(alice, ROOT)
    book.settle(ROOT, "90", sender=owner)  # the sub-market [20, 80] settles at 80: alice +300, bob -300
    with pytest.raises(errors.SettlementPending):
        book.claim(alice, ROOT)
    book.claim_many(ROOT, [alice, bob, carol], sender=carol)  # bob pays in first; carol has nothing
    assert book.balance(alice) == 1300 * WAD and book.balance(bob) == 700 * WAD
    assert book.pot(ROOT) == 0 and book.has_claimed(alice, ROOT)
    with pytest.raises(errors.AlreadyClaimed):
        book.claim(alice, ROOT)
    held = book.token.balanceOf(book.address) * 10**12  # 6-decimal token in wad
    assert held == sum(book.balance(w) for w in (alice, bob, carol)) + book.pot(ROOT)
    replay = book.node()
    assert replay.discrepancies == []
    assert replay.node.balance(alice.address) == 1300 * WAD


def test_repeated_equal_reductions_and_the_whole_record(book, alice):
    signed = book.sign_limit(alice, ROOT, 1, "50", "10")
    book.place(signed)
    book.reduce(alice, signed.order, "2")
    book.reduce(alice, signed.order, "2")  # same size again: a distinct Reduction (tagged)
    record = book.order_record(signed)
    assert record["remaining"] == 6 * WAD and record["seq"] == 1 and record["slot"] == 0


def test_anyone_submits_two_crossing_signed_orders_in_one_transaction(book, owner, alice, bob):
    bid = book.sign_limit(alice, ROOT, 1, "52", "3")
    ask = book.sign_limit(bob, ROOT, 1, "51", "-3")
    tx = book.place_and_match(bid, ask, "3", sender=owner)  # owner only relays: no rights needed
    assert len(list(tx.events.filter(book.contract.OrdersMatched))) == 1
    assert book.position(alice, ROOT, 1).quantity == 3 * WAD
    assert book.position(bob, ROOT, 1).cost == -3 * 52 * WAD * WAD  # the bid entered first
    forged = book.sign_limit(alice, ROOT, 1, "52", "1")
    stranger_ask = book.sign_limit(bob, ROOT, 1, "51", "-1")
    with pytest.raises(errors.InvalidSignature):  # the whole transaction reverts
        book.place_and_match(forged.order.sign(bob, book.domain), stranger_ask, "1", sender=owner)
    assert book.chain_head(bob) == ask.hash
