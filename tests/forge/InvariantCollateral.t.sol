// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {CollateralHandler} from "./utils/CollateralHandler.sol";
import {Deploy} from "./utils/Deploy.sol";

/// @title InvariantCollateralTest
/// @notice Invariants of the collateral check, matching and settlement under random sequences of
/// deposits, withdrawals, orders, matches, cancels, reductions, narrowings, settlements and claims
/// by four traders over two roots (the handler also asserts the exact outcome of every call).
contract InvariantCollateralTest is Test {
    IExchange internal ex;
    TestToken internal token;
    CollateralHandler internal handler;

    function setUp() public {
        token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), 4);
        handler = new CollateralHandler(ex, token);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = CollateralHandler.deposit.selector;
        selectors[1] = CollateralHandler.withdraw.selector;
        selectors[2] = CollateralHandler.place.selector;
        selectors[3] = CollateralHandler.place.selector; // orders twice as often
        selectors[4] = CollateralHandler.matchPair.selector;
        selectors[5] = CollateralHandler.cancel.selector;
        selectors[6] = CollateralHandler.reduce.selector;
        selectors[7] = CollateralHandler.narrow.selector;
        selectors[8] = CollateralHandler.settle.selector;
        selectors[9] = CollateralHandler.claimOne.selector;
        selectors[10] = CollateralHandler.claimAll.selector;
        selectors[11] = CollateralHandler.matchPair.selector; // matches twice as often
        selectors[12] = CollateralHandler.claimOne.selector; // claims twice as often
        selectors[13] = CollateralHandler.claimAll.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice Every trader is solvent by the exact view: `balance + worst >= 0`.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_everyTraderSolvent() public view {
        for (uint256 i; i < 4; ++i) {
            (int256 worst, int256 balance) = ex.worstCase(handler.traders(i));
            assertGe(balance + worst, 0, "balance + worst < 0");
        }
    }

    /// @notice The vault's tokens (in wad) equal the sum of balances plus the pots, to the wei, and
    /// so cover the sum of balances.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_tokensEqualBalancesPlusPots() public view {
        int256 balances;
        for (uint256 i; i < 4; ++i) {
            balances += ex.balanceOf(handler.traders(i));
        }
        uint256 pots = ex.pot(handler.rootAt(0)) + ex.pot(handler.rootAt(1));
        int256 held = int256(token.balanceOf(address(ex)) * 1e12);
        assertEq(held, balances + int256(pots), "tokens != balances + pots");
        assertGe(held, balances, "tokens < balances");
    }

    /// @notice The contract agrees with the handler's independent model: balances, pots, matched
    /// positions and the exact worst case of every trader in every root (brute force on a grid).
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_matchesModel() public view {
        for (uint256 k; k < 2; ++k) {
            uint256 r = handler.rootAt(k);
            assertEq(ex.pot(r), handler.ghostPot(r), "pot");
        }
        for (uint256 i; i < 4; ++i) {
            address t = handler.traders(i);
            assertEq(ex.balanceOf(t), handler.ghostBalance(t), "balance");
            (int256 worst,) = ex.worstCase(t);
            assertEq(worst, handler.modelWorst(t), "worstCase");
            for (uint256 k; k < 2; ++k) {
                uint256 r = handler.rootAt(k);
                assertEq(ex.rootWorstCase(t, r), handler.modelRootWorst(t, r), "rootWorstCase");
                for (uint16 b = 1; b <= 2; ++b) {
                    (int256 q, int256 cost) = ex.position(t, r, b);
                    assertEq(q, handler.ghostQ(t, r, b), "position quantity");
                    assertEq(cost, handler.ghostCost(t, r, b), "position cost");
                }
            }
        }
    }
}
