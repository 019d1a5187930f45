// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {IMaker, PoolKey} from "../../contracts/interfaces/IMaker.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {Deploy} from "./utils/Deploy.sol";
import {MakerHandler} from "./utils/MakerHandler.sol";

/// @title InvariantMakerTest
/// @notice Invariants of LMSR pools on a real Exchange under random sequences of buys and sales of
/// both sides, resting orders filled against the pools, deposits, and (late in a run) the settlement
/// of a root with claims and `claimPool`, over three pools with b = 1e15, 1e20 (a sub-market of width
/// 0.6) and 1e27 (a root of width 10). The handler asserts the exact outcome of every call.
/// Settings: 48 runs of depth 40 per invariant (fail-on-revert), about 2,000 calls each.
contract InvariantMakerTest is Test {
    IExchange internal ex;
    TestToken internal token;
    IMaker internal maker;
    MakerHandler internal handler;

    function setUp() public {
        token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), 4);
        maker = IMaker(ex.maker());
        handler = new MakerHandler(ex, token);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = MakerHandler.deposit.selector;
        selectors[1] = MakerHandler.trade.selector;
        selectors[2] = MakerHandler.trade.selector;
        selectors[3] = MakerHandler.trade.selector; // trades three times as often
        selectors[4] = MakerHandler.place.selector;
        selectors[5] = MakerHandler.place.selector;
        selectors[6] = MakerHandler.fill.selector;
        selectors[7] = MakerHandler.fill.selector;
        selectors[8] = MakerHandler.settle.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice Each pool's exact worst case in its root never falls below minus its funding
    /// `ceil(b ln 2)` (its bounded loss; fees and roundings only help), and the pool passes its own
    /// check: `balance + worst >= 0`.
    /// forge-config: default.invariant.runs = 48
    /// forge-config: default.invariant.depth = 40
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_poolLossWithinFunding() public view {
        for (uint256 i; i < 3; ++i) {
            PoolKey memory k = handler.pool(i);
            address acct = handler.account(i);
            int256 funding = int256(maker.fundingFor(k.b));
            assertGe(ex.rootWorstCase(acct, k.rootId), -funding, "pool loses more than its funding");
            (int256 worst, int256 balance) = ex.worstCase(acct);
            assertGe(balance + worst, 0, "pool fails its own check");
        }
    }

    /// @notice Every trader and the creator pass their exact check, and each market's positions
    /// (traders and pool) net to zero in quantity and in 36-decimal cost.
    /// forge-config: default.invariant.runs = 48
    /// forge-config: default.invariant.depth = 40
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_tradersSolventAndZeroSum() public view {
        address[] memory list = handler.accounts();
        for (uint256 i; i < list.length; ++i) {
            (int256 worst, int256 balance) = ex.worstCase(list[i]);
            assertGe(balance + worst, 0, "account fails its check");
        }
        for (uint256 p; p < 3; ++p) {
            PoolKey memory k = handler.pool(p);
            int256 q;
            int256 c;
            for (uint256 i; i < list.length; ++i) {
                (int256 qi, int256 ci) = ex.position(list[i], k.rootId, k.branchId);
                (q, c) = (q + qi, c + ci);
            }
            assertEq(q, 0, "quantities do not net to zero");
            assertEq(c, 0, "costs do not net to zero");
        }
    }

    /// @notice The vault's tokens (in wad) equal all balances (pool accounts included) plus the pots,
    /// to the wei.
    /// forge-config: default.invariant.runs = 48
    /// forge-config: default.invariant.depth = 40
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_tokensEqualBalancesPlusPots() public view {
        address[] memory list = handler.accounts();
        int256 sum;
        for (uint256 i; i < list.length; ++i) {
            sum += ex.balanceOf(list[i]);
        }
        sum += int256(ex.pot(handler.RA()) + ex.pot(handler.RB()));
        assertEq(int256(token.balanceOf(address(ex)) * 1e12), sum, "tokens != balances + pots");
    }
}
