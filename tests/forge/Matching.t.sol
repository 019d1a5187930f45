// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {IMatchingEE} from "../../contracts/interfaces/IMatching.sol";
import {IOrdersEE} from "../../contracts/interfaces/IOrders.sol";
import {MatchRequest, Order} from "../../contracts/libraries/OrderStructs.sol";
import {ExchangeKit} from "./utils/ExchangeKit.sol";

/// @title MatchingTest
/// @notice Matching of resting signed orders against a real Exchange: full and partial fills, the
/// match price, and every refusal of `matchOrders` with its exact revert data, in the contract's
/// order of checks.
contract MatchingTest is ExchangeKit {
    function setUp() public {
        _deployWithTraders(8);
        vm.startPrank(owner);
        ex.defineMarket(R, 1, 0, 100 * WAD);
        ex.defineMarket(R, 2, 20 * WAD, 60 * WAD);
        ex.defineMarket(R2, 1, 0, 100 * WAD);
        vm.stopPrank();
        _fund(alice, 10_000e18);
        _fund(bob, 10_000e18);
        _fund(carol, 10_000e18);
    }

    /*//////////////////////////////////////////////////////////////
                                  FILLS
    //////////////////////////////////////////////////////////////*/

    /// @notice A full match: both orders leave the book, each trader holds the trade at the bid's
    /// limit (the bid entered first), money does not move, and the worst cases follow.
    function test_fullMatch() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10 * WAD);
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -10 * WAD);
        assertEq(ex.rootWorstCase(alice, R), -600e18, "open bid worst: 10 * (0 - 60)");
        assertEq(ex.rootWorstCase(bob, R), -500e18, "open ask worst: -10 * (100 - 50)");

        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 10e18, 60 * WAD);
        vm.prank(stranger); // anyone may match
        ex.matchOrders(_req(bid, ask, 10e18));

        _assertPosition(alice, R, 1, 10e18, 10e18 * 60e18);
        _assertPosition(bob, R, 1, -10e18, -10e18 * 60e18);
        (uint8 tt, bool matched, uint128 rem,, uint64 seq) = _state(hb);
        assertEq(tt, 1, "bid type");
        assertFalse(matched, "bid record stays unmatched");
        assertEq(rem, 0, "bid remaining");
        assertEq(seq, 1, "bid seq");
        assertEq(_remaining(ha), 0, "ask remaining");
        (uint8[] memory slots,,,) = ex.openOrders(alice, R);
        assertEq(slots.length, 0, "alice open orders");
        (slots,,,) = ex.openOrders(bob, R);
        assertEq(slots.length, 0, "bob open orders");
        assertEq(ex.rootWorstCase(alice, R), -600e18, "alice: 10 * (0 - 60)");
        assertEq(ex.rootWorstCase(bob, R), -400e18, "bob: -10 * (100 - 60)");
        (int256 worst, int256 balance) = ex.worstCase(bob);
        assertEq(worst, -400e18, "bob worstCase");
        assertEq(balance, 10_000e18, "a match moves no money");
        assertEq(_heldWad(), 30_000e18, "held");

        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, hb));
        ex.matchOrders(_req(bid, ask, 1));
    }

    /// @notice A partial match leaves the rest of both orders open (in the book and in the check);
    /// a second match fills the rest.
    function test_partialMatch() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 2, 30 * WAD, 10 * WAD);
        (Order memory ask, bytes32 ha) = _place(bob, R, 2, 25 * WAD, -10 * WAD);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 2, 4e18, 30 * WAD);
        ex.matchOrders(_req(bid, ask, 4e18));

        assertEq(_remaining(hb), 6e18, "bid remaining");
        assertEq(_remaining(ha), 6e18, "ask remaining");
        _assertPosition(alice, R, 2, 4e18, 4e18 * 30e18);
        _assertPosition(bob, R, 2, -4e18, -4e18 * 30e18);
        (uint8[] memory slots, int128[] memory prices, int128[] memory left, uint16[] memory branches) =
            ex.openOrders(bob, R);
        assertEq(slots.length, 1, "one open order");
        assertEq(prices[0], 25 * WAD, "open price");
        assertEq(left[0], -6e18, "signed open remaining");
        assertEq(branches[0], 2, "open branch");
        // Branch 2 is [20, 60]: alice 4 @ 30 filled + 6 @ 30 open: 10 * (20 - 30) = -100 at x <= 20;
        // bob -4 @ 30 filled + -6 @ 25 open: -4 * 30 - 6 * 35 = -330 at x >= 60.
        assertEq(ex.rootWorstCase(alice, R), -100e18, "alice");
        assertEq(ex.rootWorstCase(bob, R), -330e18, "bob");

        ex.matchOrders(_req(bid, ask, 6e18));
        assertEq(_remaining(hb), 0, "bid filled");
        assertEq(_remaining(ha), 0, "ask filled");
        _assertPosition(alice, R, 2, 10e18, 10e18 * 30e18);
        assertEq(ex.rootWorstCase(bob, R), -300e18, "bob after: -10 * (60 - 30)");
    }

    /// @notice The default price is the limit of the order that entered the book first (lower
    /// `seq`), whichever side it is on.
    function test_defaultPriceIsEarlierOrdersLimit() public {
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 40 * WAD, -5e18);
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 70 * WAD, 5e18);
        (,,,, uint64 seqAsk) = _state(ha);
        (,,,, uint64 seqBid) = _state(hb);
        assertEq(seqAsk, 1, "ask seq");
        assertEq(seqBid, 2, "bid seq");
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 2e18, 40 * WAD);
        ex.matchOrders(_req(bid, ask, 2e18));
        _assertPosition(alice, R, 1, 2e18, 2e18 * 40e18);

        // Seq counts per root: R2's first order is seq 1 again; here the bid is first.
        (Order memory bid2, bytes32 hb2) = _place(carol, R2, 1, 70 * WAD, 5e18);
        (Order memory ask2, bytes32 ha2) = _place(bob, R2, 1, 40 * WAD, -5e18);
        (,,,, uint64 seq2) = _state(hb2);
        assertEq(seq2, 1, "R2 seq");
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb2, ha2, R2, 1, 5e18, 70 * WAD);
        ex.matchOrders(_req(bid2, ask2, 5e18));
        _assertPosition(bob, R2, 1, -5e18, -5e18 * 70e18);
    }

    /// @notice An explicit price anywhere within both limits (ends included) is used as given.
    function test_explicitPrice() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 70 * WAD, 5e18);
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 40 * WAD, -5e18);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 1e18, 55 * WAD + 7);
        ex.matchOrders(_reqAt(bid, ask, 1e18, 55 * WAD + 7));
        ex.matchOrders(_reqAt(bid, ask, 1e18, 40 * WAD));
        ex.matchOrders(_reqAt(bid, ask, 1e18, 70 * WAD));
        _assertPosition(alice, R, 1, 3e18, 1e18 * (55 * WAD + 7) + 1e18 * 40e18 + 1e18 * 70e18);
        _assertPosition(bob, R, 1, -3e18, -(1e18 * (55 * WAD + 7) + 1e18 * 40e18 + 1e18 * 70e18));
        assertEq(_remaining(hb), 2e18, "bid remaining");
    }

    /// @notice `matchPair` is `matchOrders` without Partials at the default price: the same fills,
    /// event and refusals.
    function test_matchPair() public {
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 40 * WAD, -5e18);
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 70 * WAD, 5e18);
        (Order memory low, bytes32 hl) = _place(carol, R, 1, 30 * WAD, 1e18);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.OrdersMatched(hb, ha, R, 1, 3e18, 40 * WAD);
        vm.prank(stranger);
        ex.matchPair(bid, ask, 3e18);
        _assertPosition(alice, R, 1, 3e18, 3e18 * 40e18);
        _assertPosition(bob, R, 1, -3e18, -3e18 * 40e18);
        assertEq(_remaining(hb), 2e18, "bid remaining");
        assertEq(_remaining(ha), 2e18, "ask remaining");

        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.ZeroQuantity.selector, hb));
        ex.matchPair(bid, ask, 0);
        vm.expectRevert(abi.encodeWithSelector(IMatchingEE.WrongSide.selector, ha, int128(-5e18)));
        ex.matchPair(ask, bid, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, hb, uint128(3e18), uint128(2e18))
        );
        ex.matchPair(bid, ask, 3e18);
        vm.expectRevert(
            abi.encodeWithSelector(IMatchingEE.OrdersDoNotCross.selector, hl, ha, int128(30 * WAD), int128(40 * WAD))
        );
        ex.matchPair(low, ask, 1e18);
        vm.prank(owner);
        ex.defineMarket(R, 1, 45 * WAD, 100 * WAD); // the default price (the ask's 40) is now out of bounds
        vm.expectRevert(
            abi.encodeWithSelector(
                IOrdersEE.PriceOutOfBounds.selector, int128(40 * WAD), int128(45 * WAD), int128(100 * WAD)
            )
        );
        ex.matchPair(bid, ask, 1e18);
        vm.prank(owner);
        ex.settle(R, 50 * WAD);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, R, int128(50 * WAD)));
        ex.matchPair(bid, ask, 1e18);
    }

    /*//////////////////////////////////////////////////////////////
                                 REFUSALS
    //////////////////////////////////////////////////////////////*/

    /// @notice Every refusal before the partial legs, in order: ZeroQuantity, OrderNotOpen(bid),
    /// WrongSide(bid), OrderNotOpen(ask), WrongSide(ask), MarketMismatch, MarketSettled.
    function test_matchErrorsBeforePartials() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -10e18);
        (Order memory bid2, bytes32 hb2) = _place(carol, R, 2, 30 * WAD, 5e18);
        (Order memory ask2, bytes32 ha2) = _place(bob, R2, 1, 50 * WAD, -5e18);
        Order memory ghostBid = _primary(carol, R, 1, 60 * WAD, 1e18); // never placed
        Order memory ghostAsk = _primary(carol, R, 1, 50 * WAD, -1e18);
        bytes32 hgb = ex.hashOrder(ghostBid);
        bytes32 hga = ex.hashOrder(ghostAsk);

        _expectMatchRevert(_req(bid, ask, 0), abi.encodeWithSelector(IOrdersEE.ZeroQuantity.selector, hb));
        // Zero quantity comes first, even for orders that are not in the book.
        _expectMatchRevert(_req(ghostBid, ghostAsk, 0), abi.encodeWithSelector(IOrdersEE.ZeroQuantity.selector, hgb));
        _expectMatchRevert(_req(ghostBid, ask, 1), abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, hgb));
        _expectMatchRevert(
            _req(ask, ghostAsk, 1), abi.encodeWithSelector(IMatchingEE.WrongSide.selector, ha, int128(-10e18))
        );
        _expectMatchRevert(_req(bid, ghostAsk, 1), abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, hga));
        _expectMatchRevert(
            _req(bid, bid2, 1), abi.encodeWithSelector(IMatchingEE.WrongSide.selector, hb2, int128(5e18))
        );
        // Same root, other branch; other root.
        (Order memory askB2, bytes32 haB2) = _place(bob, R, 2, 30 * WAD, -5e18);
        _expectMatchRevert(_req(bid, askB2, 1), abi.encodeWithSelector(IMatchingEE.MarketMismatch.selector, hb, haB2));
        _expectMatchRevert(_req(bid, ask2, 1), abi.encodeWithSelector(IMatchingEE.MarketMismatch.selector, hb, ha2));
        // Crossing orders in a settled root: MarketSettled, before any later check.
        vm.prank(owner);
        ex.settle(R, 42 * WAD);
        _expectMatchRevert(
            _req(bid, ask, 100e18), abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, R, int128(42 * WAD))
        );
        _expectMatchRevert(_req(bid2, askB2, 1), abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, R, 42 * WAD));
    }

    /// @notice The refusals after the partial legs, in order: QuantityExceedsRemaining (bid, then
    /// ask), OrdersDoNotCross, PriceOutsideLimits, PriceOutOfBounds.
    function test_matchErrorsAfterPartials() public {
        (Order memory bid, bytes32 hb) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory ask, bytes32 ha) = _place(bob, R, 1, 50 * WAD, -4e18);
        (Order memory low, bytes32 hl) = _place(carol, R, 1, 45 * WAD, 1e18);

        _expectMatchRevert(
            _req(bid, ask, 11e18),
            abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, hb, uint128(11e18), uint128(10e18))
        );
        _expectMatchRevert(
            _req(bid, ask, 5e18),
            abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, ha, uint128(5e18), uint128(4e18))
        );
        // Quantity is checked before crossing.
        _expectMatchRevert(
            _req(low, ask, 2e18),
            abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, hl, uint128(2e18), uint128(1e18))
        );
        _expectMatchRevert(
            _req(low, ask, 1e18),
            abi.encodeWithSelector(IMatchingEE.OrdersDoNotCross.selector, hl, ha, int128(45 * WAD), int128(50 * WAD))
        );
        // Crossing is checked before the explicit price.
        _expectMatchRevert(
            _reqAt(low, ask, 1e18, 47 * WAD),
            abi.encodeWithSelector(IMatchingEE.OrdersDoNotCross.selector, hl, ha, int128(45 * WAD), int128(50 * WAD))
        );
        _expectMatchRevert(
            _reqAt(bid, ask, 1e18, 60 * WAD + 1),
            abi.encodeWithSelector(
                IMatchingEE.PriceOutsideLimits.selector, int128(60 * WAD + 1), int128(50 * WAD), int128(60 * WAD)
            )
        );
        _expectMatchRevert(
            _reqAt(bid, ask, 1e18, 50 * WAD - 1),
            abi.encodeWithSelector(
                IMatchingEE.PriceOutsideLimits.selector, int128(50 * WAD - 1), int128(50 * WAD), int128(60 * WAD)
            )
        );

        // The root narrows to [55, 100]: the default price (the bid's 60, it came first) is fine, but
        // an explicit 52 within both limits now lies outside the bounds.
        vm.prank(owner);
        ex.defineMarket(R, 1, 55 * WAD, 100 * WAD);
        _expectMatchRevert(
            _reqAt(bid, ask, 1e18, 52 * WAD),
            abi.encodeWithSelector(
                IOrdersEE.PriceOutOfBounds.selector, int128(52 * WAD), int128(55 * WAD), int128(100 * WAD)
            )
        );
        ex.matchOrders(_reqAt(bid, ask, 1e18, 55 * WAD));
        ex.matchOrders(_req(bid, ask, 1e18));
        _assertPosition(alice, R, 1, 2e18, 1e18 * 55e18 + 1e18 * 60e18);

        // An ask that came first with its limit below the new bounds: the default price is refused.
        (Order memory ask3, bytes32 ha3) = _place(bob, R2, 1, 40 * WAD, -1e18);
        (Order memory bid3,) = _place(carol, R2, 1, 90 * WAD, 1e18);
        vm.prank(owner);
        ex.defineMarket(R2, 1, 41 * WAD, 100 * WAD);
        _expectMatchRevert(
            _req(bid3, ask3, 1e18),
            abi.encodeWithSelector(
                IOrdersEE.PriceOutOfBounds.selector, int128(40 * WAD), int128(41 * WAD), int128(100 * WAD)
            )
        );
        assertEq(_remaining(ha3), 1e18, "refused match left the ask");
    }

    function _expectMatchRevert(MatchRequest memory m, bytes memory data) internal {
        vm.expectRevert(data);
        ex.matchOrders(m);
    }
}
