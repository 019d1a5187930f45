// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchingEE} from "../../contracts/interfaces/IMatching.sol";
import {IOrdersEE} from "../../contracts/interfaces/IOrders.sol";
import {MatchRequest, Order} from "../../contracts/libraries/OrderStructs.sol";
import {ExchangeKit} from "./utils/ExchangeKit.sol";

/// @title MatchingAmendmentsTest
/// @notice Pre-signed Partial legs, cancels by signed Offsets, trims by signed Reductions and
/// batches of matches, against a real Exchange, with exact events and revert data.
contract MatchingAmendmentsTest is ExchangeKit {
    function setUp() public {
        _deployWithTraders(8);
        vm.prank(owner);
        ex.defineMarket(R, 1, 0, 100 * WAD);
        _fund(alice, 10_000e18);
        _fund(bob, 10_000e18);
    }

    /*//////////////////////////////////////////////////////////////
                                 PARTIALS
    //////////////////////////////////////////////////////////////*/

    /// @notice A bid's pre-signed Partial (4 of 10, at a better 58) is picked up by the match: it
    /// enters the book as a Primary matched order, the match runs at its price (the bid came
    /// first), the primary keeps 6 open, the chain head does not move; a replay is `OrderExists`.
    function test_partialLegOnBid() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -10e18);
        Order memory pf = _partialOf(bid, 58 * WAD, 4e18);
        assertEq(pf.previous, bid.previous, "partial shares the primary's previous");
        bytes memory sig = _signed(pf);
        bytes32 hp = ex.hashOrder(pf);
        MatchRequest memory m = _req(bid, ask, 4e18);
        m.bid.partialFill = pf;
        m.bid.signature = sig;

        vm.expectEmit(true, true, true, true, address(ex));
        emit IOrdersEE.OrderAdded(hp, alice, R, pf, sig, stranger, false);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.PartialUsed(hp, hb);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 4e18, 58 * WAD);
        vm.prank(stranger);
        ex.matchOrders(m);

        (uint8 tt, bool matched, uint128 rem, uint8 slot, uint64 seq) = ex.orderState(pf);
        assertEq(tt, 1, "partial becomes Primary");
        assertTrue(matched, "partial is matched");
        assertEq(rem + slot + seq, 0, "partial never rests");
        assertEq(_remaining(hb), 6e18, "primary remaining");
        assertEq(_remaining(ha), 6e18, "ask remaining");
        assertEq(ex.chainHead(alice), hb, "chain head unchanged");
        _assertPosition(alice, R, 1, 4e18, 4e18 * 58e18);
        _assertPosition(bob, R, 1, -4e18, -4e18 * 58e18);

        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderExists.selector, hp));
        ex.matchOrders(m);
    }

    /// @notice An ask's Partial at a better (higher) price; the ask came first, so the default
    /// price is the Partial's limit.
    function test_partialLegOnAsk() public {
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -10e18);
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        Order memory pf = _partialOf(ask, 52 * WAD, -3e18);
        MatchRequest memory m = _req(bid, ask, 3e18);
        m.ask.partialFill = pf;
        m.ask.signature = _signed(pf);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 3e18, 52 * WAD);
        ex.matchOrders(m);
        _assertPosition(bob, R, 1, -3e18, -3e18 * 52e18);
        assertEq(_remaining(ha), 7e18, "ask remaining");
    }

    /// @notice Partials that do not fit their primary are refused with
    /// `DependentOrderMismatch(partialHash, orderHash)`; an expired one with `OrderExpired`; one
    /// signed by someone else with `InvalidSignature`; and the partial checks come after
    /// `MarketSettled`-level checks but before `QuantityExceedsRemaining`.
    function test_partialRefusals() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory ask,) = _place(bob, R, 1, 50 * WAD, -10e18);
        Order memory ok = _partialOf(bid, 58 * WAD, 4e18);

        Order memory p = _copy(ok);
        p.quantity = 5e18; // size != match quantity
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.price = 60 * WAD + 1; // worse than the primary's limit
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.previous = hb; // not the primary's previous
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.tradeType = 1;
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.isMatched = true;
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.tradeRootId += 100; // another trade
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.quantity = -4e18; // wrong side
        _expectPartialMismatch(bid, ask, p, 4e18, hb);
        p = _copy(ok);
        p.quantity = 10e18; // not smaller than the primary
        _expectPartialMismatch(bid, ask, p, 10e18, hb);
        // A mismatch is reported before the quantity check.
        p = _copy(ok);
        p.quantity = 20e18;
        _expectPartialMismatch(bid, ask, p, 20e18, hb);

        vm.warp(1000);
        p = _copy(ok);
        p.expiry = 999;
        MatchRequest memory m = _req(bid, ask, 4e18);
        m.bid.partialFill = p;
        m.bid.signature = _signed(p);
        vm.expectRevert(
            abi.encodeWithSelector(IOrdersEE.OrderExpired.selector, ex.hashOrder(p), uint64(999), uint256(1000))
        );
        ex.matchOrders(m);

        m.bid.partialFill = ok;
        m.bid.signature = _sign(strangerKey, ok);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.InvalidSignature.selector, alice, ex.hashOrder(ok)));
        ex.matchOrders(m);

        // Nothing moved; the right signature still works.
        assertEq(_remaining(hb), 10e18, "refusals left the bid");
        m.bid.signature = _signed(ok);
        ex.matchOrders(m);
        assertEq(_remaining(hb), 6e18, "accepted partial");
    }

    function _expectPartialMismatch(Order memory bid, Order memory ask, Order memory p, uint128 q, bytes32 hb)
        internal
    {
        MatchRequest memory m = _req(bid, ask, q);
        m.bid.partialFill = p;
        m.bid.signature = _signed(p);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.DependentOrderMismatch.selector, ex.hashOrder(p), hb));
        ex.matchOrders(m);
    }

    /*//////////////////////////////////////////////////////////////
                                 CANCELS
    //////////////////////////////////////////////////////////////*/

    /// @notice The owner's Offset cancels what is still open (relayed by anyone): the order leaves
    /// the open book and the check, the Offset is recorded, and the worst case rises. A stranger's
    /// signature, a mismatching Offset and a second cancel are refused exactly.
    function test_cancelByOwnerOffset() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory ask,) = _place(bob, R, 1, 50 * WAD, -4e18);
        ex.matchOrders(_req(bid, ask, 4e18));
        assertEq(ex.rootWorstCase(alice, R), -600e18, "4 filled + 6 open at 60");

        Order memory off = _offsetOf(bid, hb);
        bytes32 ho = ex.hashOrder(off);
        bytes memory strangerSig = _sign(strangerKey, off);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.InvalidSignature.selector, alice, ho));
        ex.cancelOrder(bid, off, strangerSig);

        Order memory bad = _copy(off);
        bad.quantity = -6e18; // must offset the whole order quantity
        _expectCancelMismatch(bid, bad, hb);
        bad = _copy(off);
        bad.price = 59 * WAD;
        _expectCancelMismatch(bid, bad, hb);
        bad = _copy(off);
        bad.previous = bid.previous;
        _expectCancelMismatch(bid, bad, hb);
        bad = _copy(off);
        bad.isMatched = true;
        _expectCancelMismatch(bid, bad, hb);
        bad = _copy(off);
        bad.tradeType = 4;
        _expectCancelMismatch(bid, bad, hb);

        bytes memory sig = _signed(off);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IOrdersEE.OrderAdded(ho, alice, R, off, sig, stranger, false);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IOrdersEE.OrderCancelled(hb, ho, 6e18);
        vm.prank(stranger);
        ex.cancelOrder(bid, off, sig);

        assertEq(_remaining(hb), 0, "cancelled");
        (uint8 tt, bool matched, uint128 rem,,) = ex.orderState(off);
        assertEq(tt, 3, "offset recorded");
        assertFalse(matched);
        assertEq(rem, 0);
        (uint8[] memory slots,,,) = ex.openOrders(alice, R);
        assertEq(slots.length, 0, "no open order left");
        assertEq(ex.rootWorstCase(alice, R), -240e18, "only 4 filled at 60");
        assertEq(ex.chainHead(alice), hb, "chain head unchanged");

        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, hb));
        ex.cancelOrder(bid, off, sig);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, hb));
        ex.matchOrders(_req(bid, ask, 1));
    }

    function _expectCancelMismatch(Order memory order, Order memory off, bytes32 h) internal {
        bytes memory sig = _signed(off);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.DependentOrderMismatch.selector, ex.hashOrder(off), h));
        ex.cancelOrder(order, off, sig);
    }

    /*//////////////////////////////////////////////////////////////
                                REDUCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice A Reduction (matched, opposite sign, same price, previous = the order) trims the open
    /// quantity; more than what is open, the same sign, a replay or a stranger's signature are
    /// refused; trimming the rest closes the order.
    function test_reduceOrder() public {
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -10e18);
        Order memory red = _reductionOf(ask, ha, 3e18);
        assertEq(red.quantity, 3e18, "a reduction of an ask is positive");
        bytes32 hr = ex.hashOrder(red);
        bytes memory strangerSig = _sign(strangerKey, red);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.InvalidSignature.selector, bob, hr));
        ex.reduceOrder(ask, red, strangerSig);

        vm.expectEmit(true, true, true, true, address(ex));
        emit IOrdersEE.OrderReduced(ha, hr, 3e18, 7e18);
        bytes memory redSig = _signed(red);
        ex.reduceOrder(ask, red, redSig);
        assertEq(_remaining(ha), 7e18, "remaining");
        (,, int128[] memory left,) = ex.openOrders(bob, R);
        assertEq(left[0], -7e18, "open remaining");
        assertEq(ex.rootWorstCase(bob, R), -350e18, "-7 * (100 - 50)");
        (uint8 tt, bool matched,,,) = ex.orderState(red);
        assertEq(tt, 4, "reduction recorded");
        assertTrue(matched, "reduction is matched");

        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderExists.selector, hr));
        ex.reduceOrder(ask, red, redSig);

        _reductionRefusals(ask, ha);

        Order memory rest = _reductionOf(ask, ha, 7e18);
        ex.reduceOrder(ask, rest, _signed(rest));
        assertEq(_remaining(ha), 0, "closed");
        (uint8[] memory slots,,,) = ex.openOrders(bob, R);
        assertEq(slots.length, 0, "slot freed");
        assertEq(ex.rootWorstCase(bob, R), 0, "nothing left");
        Order memory more = _reductionOf(ask, ha, 1e18);
        _expectReduceRevert(ask, more, abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, ha));
    }

    /// @dev With 7 open: more than that, the same sign, not matched, another price.
    function _reductionRefusals(Order memory ask, bytes32 ha) internal {
        Order memory big = _reductionOf(ask, ha, 8e18);
        _expectReduceRevert(
            ask,
            big,
            abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, ha, uint128(8e18), uint128(7e18))
        );
        Order memory same = _reductionOf(ask, ha, 1e18);
        same.quantity = -1e18;
        _expectReduceRevert(
            ask, same, abi.encodeWithSelector(IOrdersEE.DependentOrderMismatch.selector, ex.hashOrder(same), ha)
        );
        Order memory unmatched = _reductionOf(ask, ha, 1e18);
        unmatched.isMatched = false;
        _expectReduceRevert(
            ask,
            unmatched,
            abi.encodeWithSelector(IOrdersEE.DependentOrderMismatch.selector, ex.hashOrder(unmatched), ha)
        );
        Order memory otherPrice = _reductionOf(ask, ha, 1e18);
        otherPrice.price = 51 * WAD;
        _expectReduceRevert(
            ask,
            otherPrice,
            abi.encodeWithSelector(IOrdersEE.DependentOrderMismatch.selector, ex.hashOrder(otherPrice), ha)
        );
    }

    function _expectReduceRevert(Order memory order, Order memory red, bytes memory data) internal {
        bytes memory sig = _signed(red);
        vm.expectRevert(data);
        ex.reduceOrder(order, red, sig);
    }

    /*//////////////////////////////////////////////////////////////
                                  BATCH
    //////////////////////////////////////////////////////////////*/

    /// @notice A batch applies what it can and skips each failing entry with `MatchSkipped(index,
    /// revert data)`, including an entry that fails because of an earlier entry of the same batch.
    function test_matchBatchSkipsFailures() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -10e18);
        MatchRequest[] memory batch = new MatchRequest[](4);
        batch[0] = _req(bid, ask, 2e18);
        batch[1] = _req(bid, ask, 11e18);
        batch[2] = _reqAt(bid, ask, 8e18, 55 * WAD);
        batch[3] = _req(bid, ask, 1e18); // nothing left by then

        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 2e18, 60 * WAD);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.MatchSkipped(
            1, abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, hb, uint128(11e18), uint128(8e18))
        );
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 8e18, 55 * WAD);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.MatchSkipped(3, abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, hb));
        assertEq(ex.matchBatch(batch), 2, "applied");

        _assertPosition(alice, R, 1, 10e18, 2e18 * 60e18 + 8e18 * 55e18);
        _assertPosition(bob, R, 1, -10e18, -(2e18 * 60e18 + 8e18 * 55e18));
        assertEq(_remaining(hb) + _remaining(ha), 0, "both filled");
        assertEq(ex.matchBatch(new MatchRequest[](0)), 0, "empty batch");
    }
}
