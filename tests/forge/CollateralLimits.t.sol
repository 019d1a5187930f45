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
        (,,, uint8 slot1,) = ex.orderState(h1);
        (,,, uint8 slot2,) = ex.orderState(h2);
        assertEq(slot1, 0, "first slot");
        assertEq(slot2, 1, "second slot");
        Order memory third = _primary(alice, R, 1, 30 * WAD, 1e18);
        bytes memory sig = _signed(third);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.TooManyOpenOrders.selector, alice, R, uint8(2)));
        ex.placeOrder(third, sig);

        (Order memory ask,) = _place(bob, R, 1, 10 * WAD, -1e18);
        ex.matchOrders(_req(b1, ask, 1e18));
        bytes32 h3 = ex.placeOrder(third, sig);
        (,,, uint8 slot3,) = ex.orderState(h3);
        assertEq(slot3, 0, "freed slot reused");
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
