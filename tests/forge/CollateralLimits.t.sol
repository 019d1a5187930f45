// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Exchange} from "../../contracts/Exchange.sol";
import {ICollateralEE} from "../../contracts/interfaces/ICollateral.sol";
import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {IMatchingEE} from "../../contracts/interfaces/IMatching.sol";
import {IOrdersEE} from "../../contracts/interfaces/IOrders.sol";
import {ISettlementEE} from "../../contracts/interfaces/ISettlement.sol";
import {IVaultEE} from "../../contracts/interfaces/IVault.sol";
import {MatchRequest, Order} from "../../contracts/libraries/OrderStructs.sol";
import {Deploy} from "./utils/Deploy.sol";
import {ExchangeKit} from "./utils/ExchangeKit.sol";

/// @title CollateralLimitsTest
/// @notice Edges of the collateral check: a balance that goes negative after a settled loss covered
/// by a guaranteed profit elsewhere, the caps on open orders and roots (with slot reuse), position
/// overflow, order range and type refusals, and the deployment's configuration errors.
contract CollateralLimitsTest is ExchangeKit {
    int128 internal constant MAX_ABS = 2 ** 95 - 1;

    function setUp() public {
        _deployWithTraders(8);
        _roots();
    }

    function _roots() internal {
        vm.startPrank(owner);
        ex.defineMarket(R, 1, 0, 100 * WAD);
        ex.defineMarket(R2, 1, 0, 60 * WAD);
        vm.stopPrank();
    }

    /// @notice Alice is long R at 50 and R narrows to [60, 100]: a guaranteed +10 that collateralises
    /// a short in R2 worth -60 against her 50. R2 settles at 60: her claimed loss takes her balance to
    /// -10, still solvent (+10 still to come), and the vault still holds balances + pots exactly. She
    /// cannot withdraw, can add only orders that keep the sum at 0, and recovers when R settles.
    function test_negativeBalanceCoveredByGuaranteedProfit() public {
        _fund(alice, 50e18);
        _fund(bob, 100e18);
        _fund(carol, 100e18);
        (Order memory aBid,) = _place(alice, R, 1, 50 * WAD, 1e18);
        (Order memory bAsk,) = _place(bob, R, 1, 50 * WAD, -1e18);
        ex.matchOrders(_req(aBid, bAsk, 1e18));
        vm.prank(owner);
        ex.defineMarket(R, 1, 60 * WAD, 100 * WAD);
        assertEq(ex.rootWorstCase(alice, R), 10e18, "guaranteed profit");

        (Order memory aAsk,) = _place(alice, R2, 1, 0, -1e18); // worst -60: the sum is exactly -50
        (Order memory cBid,) = _place(carol, R2, 1, 0, 1e18);
        ex.matchOrders(_req(cBid, aAsk, 1e18));
        (int256 worst, int256 balance) = ex.worstCase(alice);
        assertEq(worst + balance, 0, "fully used");

        vm.prank(owner);
        ex.settle(R2, 60 * WAD);
        vm.expectRevert(abi.encodeWithSelector(ISettlementEE.SettlementPending.selector, R2, 0, int256(60e18)));
        ex.claimFor(carol, R2);
        assertEq(ex.claimFor(alice, R2), -60e18, "alice pays");
        assertEq(ex.claimFor(carol, R2), 60e18, "carol paid");
        assertEq(ex.balanceOf(alice), -10e18, "negative balance");
        (worst, balance) = ex.worstCase(alice);
        assertEq(worst, 10e18, "only the guaranteed profit left");
        assertEq(balance + worst, 0, "still solvent");
        _assertIdentity();

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IVaultEE.InsufficientBalance.selector, alice, -10e18, uint256(1e12)));
        ex.withdraw(1e12);
        // A bid at 60 + 1 wei could cost 1e-18 at x = 60: refused; at 60 it costs nothing: accepted.
        Order memory o = _primary(alice, R, 1, 60 * WAD + 1, 1e18);
        bytes memory sig = _signed(o);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, alice, 10e18 - 1, -10e18));
        ex.placeOrder(o, sig);
        _place(alice, R, 1, 60 * WAD, 1e18);

        vm.prank(owner);
        ex.settle(R, 100 * WAD);
        address[] memory both = new address[](2);
        (both[0], both[1]) = (alice, bob);
        assertEq(ex.claimMany(R, both), 2, "claimed");
        assertEq(ex.balanceOf(alice), 40e18, "recovered");
        assertEq(ex.balanceOf(bob), 50e18, "bob lost 50");
        vm.prank(alice);
        ex.withdraw(40e18);
        _assertIdentity();
        assertEq(_heldWad(), 210e18, "held");
    }

    /// @notice With `maxOpenOrders = 2` a third open order in a root is refused; a fill frees its
    /// slot, which the next order takes. With `maxRoots = 1` a second root is refused until the first
    /// is claimed.
    function test_openOrderAndRootCaps() public {
        ex = Deploy.exchange(IERC20(address(token)), 8, 2, 1);
        _roots();
        _fund(alice, 1000e18);
        _fund(bob, 1000e18);
        (Order memory b1, bytes32 h1) = _place(alice, R, 1, 10 * WAD, 1e18);
        (, bytes32 h2) = _place(alice, R, 1, 20 * WAD, 1e18);
        (,,, uint8 slot1,) = _state(h1);
        (,,, uint8 slot2,) = _state(h2);
        assertEq(slot1, 0, "first slot");
        assertEq(slot2, 1, "second slot");
        Order memory third = _primary(alice, R, 1, 30 * WAD, 1e18);
        bytes memory sig = _signed(third);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.TooManyOpenOrders.selector, alice, R, uint8(2)));
        ex.placeOrder(third, sig);

        (Order memory ask,) = _place(bob, R, 1, 10 * WAD, -1e18);
        ex.matchOrders(_req(b1, ask, 1e18));
        ex.placeOrder(third, sig);
        (,, uint128 rem3, uint8 slot3,) = ex.orderState(third);
        assertEq(slot3, 0, "freed slot reused");
        assertEq(rem3, 1e18, "the new order is open");
        _assertClosedInReusedSlot(b1, h1, third);
        (uint8[] memory slots, int128[] memory prices,,) = ex.openOrders(alice, R);
        assertEq(slots.length, 2, "two open");
        assertEq(prices[0], 30 * WAD, "slot 0 holds the new order");
        assertEq(prices[1], 20 * WAD, "slot 1 unchanged");

        Order memory other = _primary(alice, R2, 1, 10 * WAD, 1e18);
        sig = _signed(other);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.TooManyRoots.selector, alice, uint8(1)));
        ex.placeOrder(other, sig);
        vm.prank(owner);
        ex.settle(R, 50 * WAD);
        ex.claimFor(bob, R);
        assertEq(ex.claimFor(alice, R), 40e18, "1 * (50 - 10)");
        ex.placeOrder(other, sig);
        assertEq(ex.traderRoots(alice).length, 1, "one root");
        assertEq(ex.traderRoots(alice)[0], R2, "the new root");
    }

    /// @dev Filled `o` (hash `h`) left its slot, which `next` took: the book still names the slot for
    /// `o`, but the slot holds another order (another number in the root's book), so `o` reads as
    /// closed and cannot be matched again.
    function _assertClosedInReusedSlot(Order memory o, bytes32 h, Order memory next) internal {
        (uint8 tt,, uint128 rem, uint8 slot, uint64 seq) = _state(h);
        (,,, uint8 nextSlot, uint64 nextSeq) = ex.orderState(next);
        assertEq(tt, 1, "still in the book");
        assertEq(slot, nextSlot, "same slot");
        assertTrue(seq != nextSeq, "different orders");
        assertEq(rem, 0, "closed");
        (Order memory ask,) = _place(bob, R, 1, 10 * WAD, -1e18);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, h));
        ex.matchOrders(_req(o, ask, 1e18));
    }

    /// @notice The account's cached sum is an int120: a root's guaranteed profit above 2^111 - 1 wei
    /// is cached at that cap (still a lower bound, and 255 capped roots fit the sum), and a root's
    /// worst loss below -2^119 wei is refused (next test). The views stay exact.
    function test_cacheCapsAGuaranteedProfit() public {
        uint256 r3 = 3;
        int128 hi = 1e10 * WAD;
        int128 q = 6e25; // each short's worst, -q * hi = -6e35 wei, fits the range
        vm.prank(owner);
        ex.defineMarket(r3, 1, 0, hi);
        _fund(bob, 6e35);
        _fund(carol, 6e35);
        // At price 0 the positions cost nothing (the cost stays within its 96 bits); alice's bid
        // at the root's low has worst case 0: she needs no balance.
        (Order memory aBid,) = _place(alice, r3, 1, 0, 2 * q);
        (Order memory bAsk,) = _place(bob, r3, 1, 0, -q);
        (Order memory cAsk,) = _place(carol, r3, 1, 0, -q);
        ex.matchOrders(_req(aBid, bAsk, uint128(q)));
        ex.matchOrders(_req(aBid, cAsk, uint128(q)));
        vm.prank(owner);
        ex.defineMarket(r3, 1, hi / 10 * 9, hi);
        int256 profit = int256(2 * q) * (hi / 10 * 9) / WAD; // 1.08e36 wei
        assertEq(ex.rootWorstCase(alice, r3), profit, "exact view");
        assertGt(profit, type(int120).max, "beyond the account's sum: only the cap fits it");

        // Alice has no balance: her ask in R (worst -100) passes only on the recounted, capped profit.
        _place(alice, R, 1, 0, -1e18);
        (int256 worst, int256 balance) = ex.worstCase(alice);
        assertEq(balance, 0, "no balance");
        assertEq(worst, profit - 100e18, "exact sum");
    }

    /// @notice A root whose worst loss is below -2^119 wei is refused by name, whatever the balance.
    function test_cacheRefusesALossBelowItsRange() public {
        int128 unit = WAD;
        uint256 r4 = 4;
        vm.prank(owner);
        ex.defineMarket(r4, 1, 0, 3e7 * unit);
        _fund(carol, 2e36);
        Order memory big = _primary(carol, r4, 1, 0, -MAX_ABS);
        int256 loss = -int256(MAX_ABS) * 3e7;
        assertLt(loss, type(int120).min, "below the range");
        _expectPlaceRevert(
            big, abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, carol, loss, int256(2e36))
        );
    }

    /// @notice A match that would take a position past 2^95 - 1 is refused with
    /// `PositionOverflow(trader, root, branch)`, and skipped with that reason in a batch.
    function test_positionOverflow() public {
        vm.prank(owner);
        ex.defineMarket(3, 1, 0, 1); // [0, 1 wei]: orders at 0 need almost no collateral
        _fund(alice, 1e12);
        _fund(bob, 1e12);
        (Order memory bigBid,) = _place(alice, 3, 1, 0, MAX_ABS);
        (Order memory bigAsk,) = _place(bob, 3, 1, 0, -MAX_ABS);
        assertEq(ex.rootWorstCase(bob, 3), -39_614_081_258, "-(2^95 - 1) * 1 wei, floored");
        ex.matchOrders(_req(bigBid, bigAsk, uint128(MAX_ABS)));
        (Order memory bid,) = _place(alice, 3, 1, 0, 1);
        (Order memory ask,) = _place(bob, 3, 1, 0, -1);
        bytes memory reason =
            abi.encodeWithSelector(ICollateralEE.PositionOverflow.selector, alice, uint256(3), uint16(1));
        vm.expectRevert(reason);
        ex.matchOrders(_req(bid, ask, 1));
        MatchRequest[] memory batch = new MatchRequest[](1);
        batch[0] = _req(bid, ask, 1);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMatchingEE.MatchSkipped(0, reason);
        assertEq(ex.matchBatch(batch), 0, "skipped");
        _assertPosition(alice, 3, 1, MAX_ABS, 0);
    }

    /// @notice `placeOrder` takes unmatched Primary orders only, with |price| and |quantity| at most
    /// 2^95 - 1 (checked right after the zero quantity).
    function test_orderTypeAndRangeRefusals() public {
        _fund(alice, 1000e18);
        Order memory o = _primary(alice, R, 1, 10 * WAD, 1e18);
        o.tradeType = 2;
        _expectPlaceRevert(o, abi.encodeWithSelector(IOrdersEE.UnsupportedOrder.selector, ex.hashOrder(o), 2, false));
        o.tradeType = 1;
        o.isMatched = true;
        _expectPlaceRevert(o, abi.encodeWithSelector(IOrdersEE.UnsupportedOrder.selector, ex.hashOrder(o), 1, true));
        o.isMatched = false;
        o.quantity = MAX_ABS + 1;
        _expectPlaceRevert(
            o, abi.encodeWithSelector(IOrdersEE.OrderOutOfRange.selector, ex.hashOrder(o), o.price, o.quantity)
        );
        o.quantity = -MAX_ABS - 1;
        o.marketRootId = 999; // the range comes before the market
        _expectPlaceRevert(
            o, abi.encodeWithSelector(IOrdersEE.OrderOutOfRange.selector, ex.hashOrder(o), o.price, o.quantity)
        );
        o.quantity = 0;
        _expectPlaceRevert(o, abi.encodeWithSelector(IOrdersEE.ZeroQuantity.selector, ex.hashOrder(o)));
    }

    /// @notice Configuration bounds: `maxOpenOrders` 1..48 and `maxRoots` >= 1.
    function test_invalidConfiguration() public {
        IERC20 t = IERC20(address(token));
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.InvalidConfiguration.selector, 0, 1));
        new Exchange(t, 8, 0, 1, Deploy.none(), false);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.InvalidConfiguration.selector, 49, 1));
        new Exchange(t, 8, 49, 1, Deploy.none(), false);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.InvalidConfiguration.selector, 1, 0));
        new Exchange(t, 8, 1, 0, Deploy.none(), false);
        IExchange e = Deploy.exchange(t, 8, 48, 255);
        assertEq(e.maxOpenOrders(), 48);
        assertEq(e.maxRoots(), 255);
    }

    function _expectPlaceRevert(Order memory o, bytes memory data) internal {
        bytes memory sig = _signed(o);
        vm.expectRevert(data);
        ex.placeOrder(o, sig);
    }

    /// @dev Tokens held (wad) == sum of balances + pots, to the wei.
    function _assertIdentity() internal view {
        int256 sum = ex.balanceOf(alice) + ex.balanceOf(bob) + ex.balanceOf(carol);
        sum += int256(ex.pot(R) + ex.pot(R2));
        assertEq(int256(_heldWad()), sum, "held != balances + pots");
    }
}
