// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArtifactsEE, Reputation, State} from "../../../contracts/interfaces/IArtifacts.sol";
import {PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title ArtifactTable
/// @notice Every cell of protocol.md section 6's table with numbers worked by hand: the seed's six
/// scenarios (long and short under validated, deprecated and flagged) on a book trade of 10 at 0.6,
/// the ledger's events, the reputations, the pool's share of a flagged close, and the money identity.
contract ArtifactTableTest is ArtifactKit {
    uint256 internal root;

    function setUp() public {
        _deployArtifacts();
        root = _register(A, 100e18, 0);
        _fund(alice, 10e18);
        _fund(bob, 10e18);
        // alice long 10 at 0.6 (commits 6), bob short 10 at 0.6 (commits 4).
        _trade(root, alice, bob, 0.6e18, 10e18);
    }

    /// @notice Validated: the long profits q (1 - entry) = 4, the short loses what it committed, 4.
    /// The gain waits for the loss in the first pass and is paid in the second.
    function test_validated() public {
        _post(State.Validated);
        vm.expectEmit(address(art));
        emit IArtifactsEE.Settlement(A, bob, 0, 4e18, "settlement:loss", -4e18);
        vm.expectEmit(address(art));
        emit IArtifactsEE.Settlement(A, alice, 0, 4e18, "settlement:profit", 4e18);
        assertEq(_settle(0, alice, bob), 2);
        assertEq(_balance(alice), 14e18);
        assertEq(_balance(bob), 6e18);
        _assertReputation(alice, 1, 0, 6e18, 6e18, uint256(7e36) / 8e18);
        _assertReputation(bob, 0, 1, 0, 4e18, uint256(1e36) / 6e18);
        _assertSettledMoney();
    }

    /// @notice Deprecated: the long loses its 6, the short profits |q| (entry - 0) = 6.
    function test_deprecated() public {
        _post(State.Deprecated);
        assertEq(_settle(0, alice, bob), 2);
        assertEq(_balance(alice), 4e18);
        assertEq(_balance(bob), 16e18);
        _assertReputation(alice, 0, 1, 0, 6e18, 1e36 / 8e18);
        _assertReputation(bob, 1, 0, 4e18, 4e18, uint256(5e36) / 6e18);
        _assertSettledMoney();
    }

    /// @notice Flagged: the long gets back half of its 6 (loses 3), the short gets back its 4 plus a
    /// 25% bonus (gains 1); the pool, counterparty of the difference, takes the other 2. Rates are
    /// whole: the pool's funding and the short interest cover everything.
    function test_flagged() public {
        _post(State.Flagged);
        (uint256 returnRate, uint256 bonusRate, address residual, int256 residualPayoff) = ex.flagTerms(root);
        (, bytes32 poolId) = art.market(A);
        assertEq(returnRate, 1e18);
        assertEq(bonusRate, 1e18);
        assertEq(residual, maker.poolAccount(poolId));
        assertEq(residualPayoff, 2e18);
        assertEq(ex.rootWorstCase(alice, root), -3e18);
        assertEq(ex.rootWorstCase(bob, root), 1e18);
        assertEq(_settle(0, alice, bob), 2);
        assertEq(_balance(alice), 7e18);
        assertEq(_balance(bob), 11e18);
        // The pool's +2 was collected after the losses came in: its funding and 2 are the reserve.
        (,,,, , uint256 reserve) = art.artifactState(A);
        assertEq(reserve, (maker.fundingFor(100e18) + UNIT - 1) / UNIT * UNIT + 2e18);
        _assertReputation(alice, 0, 1, 0, 6e18, 1e36 / 8e18);
        _assertReputation(bob, 1, 0, 4e18, 4e18, uint256(5e36) / 6e18);
        _assertSettledMoney();
    }

    /// @notice Settling is idempotent: a second batch skips everyone, credits nothing and logs why.
    function test_settleTwiceCreditsOnce() public {
        _post(State.Validated);
        _settle(0, alice, bob);
        assertEq(_settle(0, alice, bob), 0);
        assertEq(_balance(alice), 14e18);
        assertTrue(ex.hasClaimed(alice, root));
        (Reputation memory rec,) = art.reputation(alice);
        assertEq(rec.correct, 1);
    }

    /// @notice Only the registry claims on an artifact's market: a direct claim is refused, so no
    /// credit escapes the ledger.
    function test_directClaimRefused() public {
        _post(State.Validated);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSignature("NotMarketOwner(uint256,address)", root, alice));
        ex.claim(root);
    }

    function _assertReputation(address who, uint32 correct, uint32 incorrect, uint96 cs, uint96 ts, uint256 score)
        internal
        view
    {
        (Reputation memory rec, uint256 s) = art.reputation(who);
        assertEq(rec.correct, correct, "correct");
        assertEq(rec.incorrect, incorrect, "incorrect");
        assertEq(rec.correctStake, cs, "correct stake");
        assertEq(rec.totalStake, ts, "total stake");
        assertEq(s, score, "score");
    }

    function _assertSettledMoney() internal view {
        (, bytes32 poolId) = art.market(A);
        address[] memory accounts = new address[](5);
        (accounts[0], accounts[1], accounts[2], accounts[3], accounts[4]) =
            (alice, bob, address(art), maker.poolAccount(poolId), registrant);
        uint256[] memory roots = new uint256[](1);
        roots[0] = root;
        _assertMoney(accounts, roots);
    }
}
