// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {State} from "../../../contracts/interfaces/IArtifacts.sol";
import {PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title FlaggedProRata
/// @notice The flagged terms when the pool cannot pay every bonus: returns whole, bonuses pro rata
/// to what the pool's funding and the freed short interest can pay, nobody's collateral touched, the
/// money identity to the wei. And the whole case with several traders and the pool trading.
contract FlaggedProRataTest is ArtifactKit {
    uint256 internal root;
    address internal poolAccount;

    function _setUp(uint96 b, uint16 feeBps) internal {
        _deployArtifacts();
        root = _register(A, b, feeBps);
        (, bytes32 poolId) = art.market(A);
        poolAccount = maker.poolAccount(poolId);
        _fund(alice, 20e18);
        _fund(bob, 20e18);
        _fund(carol, 20e18);
    }

    /// @notice b = 1: the pool holds B = 0.693... Alice buys 10 at 0.2 from bob: alice commits
    /// LC = 2, bob SC = 8, short interest S = 10. Available A = B + S = 10.693...; tier 1 =
    /// ceil(2 / 2) + 8 = 9 is paid whole; tier 2 = 8 / 4 = 2 gets r2 = (A - 9) / 2 = 0.8466 of it.
    /// alice: -2 + 1 = -1. bob: -8 + 8 + 2 r2 = +1.693... The pool: 10 - 9 - 2 r2 = -(B - dust):
    /// its whole funding goes to bob's bonus, not a wei of anyone else's money.
    function test_bonusesShrinkProRata() public {
        _setUp(1e18, 0);
        _trade(root, alice, bob, 0.2e18, 10e18);
        uint256 poolBalance = uint256(ex.balanceOf(poolAccount));
        assertEq(poolBalance, maker.fundingFor(1e18));
        int256 carolBefore = _balance(carol);
        _post(State.Flagged);
        uint256 r2 = (poolBalance * 1e18 + 1e36) / 2e18;
        (uint256 returnRate, uint256 bonusRate,, int256 residualPayoff) = ex.flagTerms(root);
        assertEq(returnRate, 1e18, "tier 1 whole");
        assertEq(bonusRate, r2, "tier 2 pro rata");
        assertLt(bonusRate, 1e18);
        assertEq(residualPayoff, 1e18 - 2 * int256(r2));
        assertGe(int256(poolBalance) + residualPayoff, 0, "the pool pays at most its funding");
        assertLt(int256(poolBalance) + residualPayoff, 1e6, "and leaves only rounding dust");
        assertEq(_settle(0, alice, bob), 2);
        assertEq(_balance(alice), 19e18);
        assertEq(_balance(bob), 20e18 + 2 * int256(r2));
        assertEq(_balance(carol), carolBefore, "an outsider's collateral untouched");
        _assertFlaggedMoney();
    }

    /// @notice Bonuses shrink further with more short commitment: two shorts share the bonus in
    /// proportion to their commitments (same rate), never more than the pool and S can pay.
    function test_twoShortsShareTheShortfall() public {
        _setUp(1e18, 0);
        // alice buys 6 at 0.1 from bob (bob commits 5.4) and 4 at 0.2 from carol (carol commits 3.2).
        _trade(root, alice, bob, 0.1e18, 6e18);
        _trade(root, alice, carol, 0.2e18, 4e18);
        uint256 poolBalance = uint256(ex.balanceOf(poolAccount));
        _post(State.Flagged);
        // LC = 0.6 + 0.8 = 1.4, SC = 5.4 + 3.2 = 8.6, S = 10. T1 = 0.7 + 8.6 = 9.3, T2 = 2.15.
        // A = 10.693..., so r2 = 1.393... / 2.15 = 0.648...
        uint256 available = poolBalance * 1e18 + 10e36;
        uint256 r2 = (available - 9.3e36) / 2.15e18;
        (uint256 returnRate, uint256 bonusRate,,) = ex.flagTerms(root);
        assertEq(returnRate, 1e18);
        assertEq(bonusRate, r2);
        assertLt(r2, 0.65e18);
        assertGt(r2, 0.64e18);
        assertEq(_settle(0, alice, bob, carol), 3);
        // alice gets back half of 1.4; bob his 5.4 and r2 of a quarter of it (1.35); carol her 3.2
        // and r2 of 0.8 (rounded down): the same rate for both.
        assertEq(_balance(alice), 20e18 - 0.7e18);
        assertEq(_balance(bob), 20e18 + int256(r2 * 1.35e18 / 1e18));
        assertEq(_balance(carol), 20e18 + int256(r2 * 0.8e18 / 1e18));
        _assertFlaggedMoney();
    }

    /// @notice A rich pool pays everything, including to traders who bought from it: carol long 4
    /// from the pool, bob short 4 to the pool, and the book trade. Whole rates; every payoff is
    /// -committed + its return (+ bonus), and the pool takes exactly the rest.
    function test_richPoolPaysEveryBonus() public {
        _setUp(10e18, 100);
        (, PoolKey memory key) = _market(A);
        _trade(root, alice, bob, 0.6e18, 10e18);
        _buyPool(carol, key, Side.Long, 4e18);
        _buyPool(bob, key, Side.Short, 4e18);
        (int256 bq, int256 bCost) = ex.position(bob, root, 1);
        (, int256 cCost) = ex.position(carol, root, 1);
        _post(State.Flagged);
        (uint256 returnRate, uint256 bonusRate,,) = ex.flagTerms(root);
        assertEq(returnRate, 1e18);
        assertEq(bonusRate, 1e18);
        int256 aliceBefore = _balance(alice);
        int256 bobBefore = _balance(bob);
        int256 carolBefore = _balance(carol);
        assertEq(_settle(0, alice, bob, carol), 3);
        // alice: -6 + 3. carol committed c = her cost (36 decimals, fee included): she gets
        // floor((-c + floor(c / 2)) / 1e18).
        assertEq(_balance(alice) - aliceBefore, -3e18);
        assertEq(_balance(carol) - carolBefore, _floorDiv(-cCost + cCost / 2, 1e18));
        // bob: short 14, committed c = 14 - proceeds (36 decimals): back c and a quarter of it.
        int256 bobCommitted = -bq * 1e18 + bCost;
        assertEq(_balance(bob) - bobBefore, bobCommitted / 4 / 1e18);
        _assertFlaggedMoney();
    }

    function _floorDiv(int256 a, int256 b) internal pure returns (int256 q) {
        q = a / b;
        if (a % b != 0 && a < 0) --q;
    }

    function _assertFlaggedMoney() internal view {
        address[] memory accounts = new address[](6);
        (accounts[0], accounts[1], accounts[2], accounts[3], accounts[4], accounts[5]) =
            (alice, bob, carol, address(art), poolAccount, registrant);
        uint256[] memory roots = new uint256[](1);
        roots[0] = root;
        _assertMoney(accounts, roots);
    }
}
