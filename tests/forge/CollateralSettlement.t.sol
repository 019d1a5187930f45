// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICollateralEE} from "../../contracts/interfaces/ICollateral.sol";
import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {ISettlementEE} from "../../contracts/interfaces/ISettlement.sol";
import {IVaultEE} from "../../contracts/interfaces/IVault.sol";
import {Order} from "../../contracts/libraries/OrderStructs.sol";
import {ExchangeKit} from "./utils/ExchangeKit.sol";

/// @title CollateralSettlementTest
/// @notice The exact collateral check on a real Exchange (an interior minimum, refusal and
/// acceptance at the exact boundary deposit, withdrawals), and settlement with claims, keeping
/// `tokens held (wad) == sum of balances + pots` to the wei at every step.
contract CollateralSettlementTest is ExchangeKit {
    function setUp() public {
        _deployWithTraders(8);
        vm.startPrank(owner);
        ex.defineMarket(R, 1, 0, 100 * WAD);
        ex.defineMarket(R, 2, 40 * WAD, 60 * WAD);
        ex.defineMarket(R2, 1, 0, 1 * WAD);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                            THE EXACT CHECK
    //////////////////////////////////////////////////////////////*/

    /// @notice Alice ends up long 4 of the sub-market [40, 60] at 50 and short 1 of the root
    /// [0, 100] at 50: `4 (clamp(x, 40, 60) - 50) - (x - 50)` is 10 at x = 0, -30 at x = 40, 30 at
    /// x = 60 and -10 at x = 100: the minimum is inside the root, at a sub-market bound. Her 40 of
    /// collateral then carries one more bid of 1 on the sub-market at exactly 50 (worst -40 at
    /// x = 40, while the root's ends give 0 and -10) but not at 50 + 1 wei.
    /// Bob, long the root 1 at 50 and short the sub-market 1 at 50 (`x - clamp(x, 40, 60)`), has
    /// his minimum at the root's end x = 0: -40.
    function test_interiorMinimumAndBoundaryDeposit() public {
        _fund(alice, 40e18);
        _fund(bob, 100e18);
        _fund(carol, 100e18);
        // Alice's bid of 4 on [40, 60] at 50: worst 4 * (40 - 50) = -40, exactly her deposit.
        (Order memory aBid,) = _place(alice, R, 2, 50 * WAD, 4e18);
        assertEq(ex.rootWorstCase(alice, R), -40e18, "open bid");
        (Order memory bAsk,) = _place(bob, R, 2, 50 * WAD, -1e18);
        (Order memory cAsk,) = _place(carol, R, 2, 50 * WAD, -3e18);
        ex.matchOrders(_req(aBid, bAsk, 1e18));
        ex.matchOrders(_req(aBid, cAsk, 3e18));
        // Alice's ask of 1 on the root at 50: with the long 4 the worst stays -40 (at x in [0, 40]).
        (Order memory aAsk,) = _place(alice, R, 1, 50 * WAD, -1e18);
        assertEq(ex.rootWorstCase(alice, R), -40e18, "long 4 + open ask");
        (Order memory bBid,) = _place(bob, R, 1, 50 * WAD, 1e18);
        ex.matchOrders(_req(bBid, aAsk, 1e18));

        _assertPosition(alice, R, 1, -1e18, -50e36);
        _assertPosition(alice, R, 2, 4e18, 200e36);
        assertEq(ex.rootWorstCase(alice, R), -30e18, "interior minimum at x = 40");
        assertEq(ex.rootWorstCase(bob, R), -40e18, "bob: minimum at the root's end x = 0");
        assertEq(ex.rootWorstCase(carol, R), -30e18, "carol: -3 * (60 - 50)");
        (int256 worst, int256 balance) = ex.worstCase(alice);
        assertEq(worst, -30e18, "worstCase");
        assertEq(balance, 40e18, "balance");

        // One more bid of 1 on [40, 60]: at 50 + 1 wei the worst is -40e18 - 1 (at x = 40): refused.
        Order memory tooDear = _primary(alice, R, 2, 50 * WAD + 1, 1e18);
        bytes memory sig = _signed(tooDear);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, alice, -40e18 - 1, int256(40e18))
        );
        ex.placeOrder(tooDear, sig);
        // At exactly 50 it fits to the wei.
        (, bytes32 h) = _place(alice, R, 2, 50 * WAD, 1e18);
        assertEq(_remaining(h), 1e18, "accepted at the boundary");
        (worst, balance) = ex.worstCase(alice);
        assertEq(worst + balance, 0, "no collateral left");
        assertEq(_heldWad(), 240e18, "held");
    }

    /// @notice A trader with no deposit can place an order whose worst case is zero (an ask at the
    /// root's maximum) but not one that can lose one wei; worst cases add up over roots.
    function test_collateralSumsOverRoots() public {
        (, bytes32 h) = _place(alice, R, 1, 100 * WAD, -1e18);
        assertEq(ex.rootWorstCase(alice, R), 0, "ask at the maximum cannot lose");
        Order memory o = _primary(alice, R2, 1, 1, 1); // one wei at one wei: -1e-36, floored to -1
        bytes memory sig = _signed(o);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, alice, -1, int256(0)));
        ex.placeOrder(o, sig);
        _fund(alice, 1e12); // one token unit
        ex.placeOrder(o, sig);
        // A bid of 1 at 60 in R (worst -60): the refusal reports the sum over both roots.
        o = _primary(alice, R, 1, 60 * WAD, 1e18);
        sig = _signed(o);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, alice, -60e18 - 1, int256(1e12))
        );
        ex.placeOrder(o, sig);
        _fund(alice, 60e18 - 1e12);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, alice, -60e18 - 1, int256(60e18))
        );
        ex.placeOrder(o, sig);
        _fund(alice, 1e12);
        bytes32 h2 = ex.placeOrder(o, sig);
        assertTrue(h2 != h, "placed");
        (int256 worst, int256 balance) = ex.worstCase(alice);
        assertEq(worst, -60e18 - 1, "sum over roots");
        assertEq(balance, 60e18 + 1e12, "balance");
        uint256[] memory roots = ex.traderRoots(alice);
        assertEq(roots.length, 2, "two roots");
    }

    /*//////////////////////////////////////////////////////////////
                               WITHDRAWALS
    //////////////////////////////////////////////////////////////*/

    /// @notice With 100 deposited and an open bid of 1 at 40 (worst -40), a withdrawal of exactly
    /// the free 60 is allowed and leaves `balance + worst == 0`.
    function test_withdrawAllowedAtExactLimit() public {
        _fund(alice, 100e18);
        _place(alice, R, 1, 40 * WAD, 1e18);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IVaultEE.Withdrawn(alice, alice, 60e18, 60e6);
        vm.prank(alice);
        ex.withdraw(60e18);
        (int256 worst, int256 balance) = ex.worstCase(alice);
        assertEq(balance, 40e18, "balance");
        assertEq(worst + balance, 0, "exactly at the limit");
        assertEq(token.balanceOf(alice), 60e6, "paid");
        assertEq(_heldWad(), 40e18, "held");
    }

    /// @notice One token unit more than the free collateral is refused with
    /// `InsufficientCollateral(trader, worst, balance after the debit)`, also once the order has
    /// become a position, and nothing moves.
    function test_withdrawBeyondCollateralRefused() public {
        _fund(alice, 100e18);
        _fund(bob, 100e18);
        (Order memory bid,) = _place(alice, R, 1, 40 * WAD, 1e18);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralEE.InsufficientCollateral.selector, alice, int256(-40e18), int256(40e18 - 1e12)
            )
        );
        ex.withdraw(60e18 + 1e12);
        (Order memory ask,) = _place(bob, R, 1, 40 * WAD, -1e18);
        ex.matchOrders(_req(bid, ask, 1e18));
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, bob, int256(-60e18), int256(39e18))
        );
        ex.withdraw(61e18);
        assertEq(ex.balanceOf(alice), 100e18, "alice balance");
        assertEq(ex.balanceOf(bob), 100e18, "bob balance");
        assertEq(_heldWad(), 200e18, "held");
    }

    /*//////////////////////////////////////////////////////////////
                          SETTLEMENT AND CLAIMS
    //////////////////////////////////////////////////////////////*/

    /// @notice Alice long 10 of the root at 60 (against Bob) and short 5 of [40, 60] at 45 (against
    /// Carol); the root settles at 80 (the sub-market at 60): Alice +200 - 75 = +125, Bob -200, Carol
    /// +75. A winner cannot claim before the loser paid (SettlementPending), claimMany pays the loser
    /// first; claims are once only, need a position and a settled root.
    function test_settlementAndClaims() public {
        _fund(alice, 1000e18);
        _fund(bob, 1000e18);
        _fund(carol, 1000e18);
        (Order memory aBid,) = _place(alice, R, 1, 60 * WAD, 10e18);
        (Order memory bAsk,) = _place(bob, R, 1, 60 * WAD, -10e18);
        ex.matchOrders(_req(aBid, bAsk, 10e18));
        (Order memory cBid,) = _place(carol, R, 2, 45 * WAD, 5e18);
        (Order memory aAsk,) = _place(alice, R, 2, 45 * WAD, -5e18);
        ex.matchOrders(_req(cBid, aAsk, 5e18));
        (, bytes32 open) = _place(bob, R, 1, 10 * WAD, 1e18); // still open at settlement: void
        _assertIdentity();

        vm.expectRevert(abi.encodeWithSelector(ISettlementEE.MarketNotSettled.selector, R));
        ex.claimFor(bob, R);
        vm.prank(owner);
        ex.settle(R, 80 * WAD);
        assertEq(ex.rootWorstCase(alice, R), 125e18, "alice payoff");
        assertEq(ex.rootWorstCase(bob, R), -200e18, "bob payoff (his open bid is void)");
        assertEq(ex.rootWorstCase(carol, R), 75e18, "carol payoff");

        vm.expectRevert(abi.encodeWithSelector(ISettlementEE.SettlementPending.selector, R, 0, int256(125e18)));
        vm.prank(alice);
        ex.claim(R);
        vm.expectRevert(abi.encodeWithSelector(ISettlementEE.NothingToClaim.selector, stranger, R));
        vm.prank(stranger);
        ex.claim(R);

        address[] memory all = new address[](4);
        (all[0], all[1], all[2], all[3]) = (alice, carol, stranger, bob);
        vm.expectEmit(true, true, true, true, address(ex));
        emit ISettlementEE.ClaimSkipped(
            stranger, R, abi.encodeWithSelector(ISettlementEE.NothingToClaim.selector, stranger, R)
        );
        vm.expectEmit(true, true, true, true, address(ex));
        emit ISettlementEE.Claimed(bob, R, -200e18, stranger);
        vm.expectEmit(true, true, true, true, address(ex));
        emit ISettlementEE.Claimed(alice, R, 125e18, stranger);
        vm.expectEmit(true, true, true, true, address(ex));
        emit ISettlementEE.Claimed(carol, R, 75e18, stranger);
        vm.prank(stranger);
        assertEq(ex.claimMany(R, all), 3, "claimed");

        assertEq(ex.balanceOf(alice), 1125e18, "alice");
        assertEq(ex.balanceOf(bob), 800e18, "bob");
        assertEq(ex.balanceOf(carol), 1075e18, "carol");
        assertEq(ex.pot(R), 0, "pot emptied");
        assertTrue(ex.hasClaimed(bob, R), "hasClaimed");
        assertEq(ex.traderRoots(bob).length, 0, "root left the list");
        (uint8[] memory slots,,,) = ex.openOrders(bob, R);
        assertEq(slots.length, 0, "open orders void");
        assertEq(_remaining(open), 1e18, "the book keeps the record");
        (int256 worst,) = ex.worstCase(bob);
        assertEq(worst, 0, "nothing left at risk");
        _assertIdentity();

        vm.expectRevert(abi.encodeWithSelector(ISettlementEE.AlreadyClaimed.selector, alice, R));
        vm.prank(alice);
        ex.claim(R);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, uint256(99), uint16(1)));
        ex.claim(99);
        // Everyone can leave with everything.
        vm.prank(bob);
        ex.withdraw(800e18);
        vm.prank(alice);
        ex.withdraw(1125e18);
        vm.prank(carol);
        ex.withdraw(1075e18);
        assertEq(token.balanceOf(address(ex)), 0, "vault empty");
    }

    /// @notice Claims one by one: the loser first (claimFor by anyone), then each winner; payoffs
    /// are floored, so the rounding stays in the pot: 3 wei long at 1/3 settle at 1 pay
    /// floor(2.000...001 wei) = 2 to the long and floor(-2.000...001) = -3 from the short.
    function test_claimRoundingStaysInPot() public {
        _fund(alice, 1e12);
        _fund(bob, 1e12);
        int128 third = 333_333_333_333_333_333;
        (Order memory bid,) = _place(alice, R2, 1, third, 3);
        (Order memory ask,) = _place(bob, R2, 1, third, -3);
        ex.matchOrders(_req(bid, ask, 3));
        assertEq(ex.rootWorstCase(alice, R2), -1, "3 * (0 - 1/3) = -0.999...999 wei, floored");
        assertEq(ex.rootWorstCase(bob, R2), -3, "-3 * (1 - 1/3) = -2.000...001 wei, floored");
        vm.prank(owner);
        ex.settle(R2, 1e18);
        vm.expectRevert(abi.encodeWithSelector(ISettlementEE.SettlementPending.selector, R2, 0, int256(2)));
        ex.claimFor(alice, R2);
        vm.expectEmit(true, true, true, true, address(ex));
        emit ISettlementEE.Claimed(bob, R2, -3, carol);
        vm.prank(carol);
        assertEq(ex.claimFor(bob, R2), -3, "bob pays 3 wei");
        assertEq(ex.pot(R2), 3, "pot");
        _assertIdentity();
        assertEq(ex.claimFor(alice, R2), 2, "alice gets 2 wei");
        assertEq(ex.pot(R2), 1, "one wei of rounding stays");
        assertEq(ex.balanceOf(alice), 1e12 + 2, "alice");
        assertEq(ex.balanceOf(bob), 1e12 - 3, "bob");
        _assertIdentity();
    }

    /// @dev Tokens held (in wad) == sum of balances + sum of pots, to the wei.
    function _assertIdentity() internal view {
        int256 sum = ex.balanceOf(alice) + ex.balanceOf(bob) + ex.balanceOf(carol) + ex.balanceOf(stranger);
        sum += int256(ex.pot(R) + ex.pot(R2));
        assertEq(int256(_heldWad()), sum, "held != balances + pots");
    }
}
