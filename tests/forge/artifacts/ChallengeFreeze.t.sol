// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArtifactsEE, State} from "../../../contracts/interfaces/IArtifacts.sol";
import {PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {Order} from "../../../contracts/libraries/OrderStructs.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title ChallengeFreeze
/// @notice A challenged artifact's market is frozen hard: orders, matches, pool trades, fills,
/// cancels, reductions, closes and withdrawals of collateral the frozen positions need all revert
/// with `MarketFrozen(rootId)` (the root of the artifact's current round); a withdrawal of free
/// collateral passes, and another market trades as before.
contract ChallengeFreezeTest is ArtifactKit {
    uint256 internal root;
    PoolKey internal key;
    Order internal restingBid; // alice's, 2 open at 0.5
    Order internal restingAsk; // bob's, 2 open at 0.5: the two cross
    bytes32 internal bidHash;

    function setUp() public {
        _deployArtifacts();
        root = _register(A, 10e18, 100);
        (, key) = _market(A);
        _fund(alice, 10e18);
        _fund(bob, 10e18);
        _fund(carol, 10e18);
        // alice long 10 at 0.6 (commits 6 of her 10), bob short 10 (commits 4).
        _trade(root, alice, bob, 0.6e18, 10e18);
        (restingBid, bidHash) = _place(alice, root, 1, 0.5e18, 2e18);
        (restingAsk,) = _place(bob, root, 1, 0.5e18, -2e18);
        _buyPool(carol, key, Side.Long, 1e18);
        _define(R);
        _post(State.Challenged);
    }

    function _frozen() internal view returns (bytes memory) {
        return abi.encodeWithSignature("MarketFrozen(uint256)", root);
    }

    function test_orderRefused() public {
        Order memory o = _primary(carol, root, 1, 0.5e18, 1e18);
        bytes memory sig = _signed(o);
        vm.expectRevert(_frozen());
        ex.placeOrder(o, sig);
    }

    function test_matchRefused() public {
        vm.expectRevert(_frozen());
        ex.matchPair(restingBid, restingAsk, 1e18);
    }

    function test_poolTradesRefused() public {
        vm.prank(carol);
        vm.expectRevert(_frozen());
        maker.buy(key, Side.Long, 1e18, type(uint256).max, type(uint256).max);
        vm.prank(carol);
        vm.expectRevert(_frozen());
        maker.sell(key, Side.Long, 1e18, 0, type(uint256).max);
    }

    function test_fillRefused() public {
        vm.expectRevert(_frozen());
        maker.fill(key, restingBid, 1e18);
    }

    function test_cancelRefused() public {
        Order memory offset = _offsetOf(restingBid, bidHash);
        bytes memory sig = _signed(offset);
        vm.prank(alice);
        vm.expectRevert(_frozen());
        ex.cancelOrder(restingBid, offset, sig);
    }

    function test_reduceRefused() public {
        Order memory reduction = _reductionOf(restingBid, bidHash, 1e18);
        bytes memory sig = _signed(reduction);
        vm.prank(alice);
        vm.expectRevert(_frozen());
        ex.reduceOrder(restingBid, reduction, sig);
    }

    /// @notice Even after the close delay a challenged artifact cannot be closed.
    function test_closeRefused() public {
        vm.warp(block.timestamp + 91 days);
        vm.prank(alice);
        vm.expectRevert(_frozen());
        art.close(A);
    }

    /// @notice alice has 10, her position commits 6 and her open bid 1 (2 at 0.5): 3 is free.
    /// Taking it passes; one token unit more would use collateral the frozen position needs.
    function test_withdrawals() public {
        vm.prank(alice);
        vm.expectRevert(_frozen());
        ex.withdraw(3e18 + UNIT);
        int256 before = _balance(alice);
        vm.prank(alice);
        ex.withdraw(3e18);
        assertEq(_balance(alice), before - 3e18);
    }

    /// @notice Another market (an ordinary root) is untouched: orders, matches and withdrawals there.
    function test_otherMarketUntouched() public {
        address dave = _trader("dave");
        _fund(dave, 100e18);
        _trade(R, carol, dave, 5e18, 1e18);
        _assertPosition(carol, R, 1, 1e18, 5e36);
        assertFalse(ex.isFrozen(R));
    }

    /// @notice Unfrozen by listed: every refused action passes again.
    function test_listedUnfreezes() public {
        _post(State.Listed);
        Order memory offset = _offsetOf(restingBid, bidHash);
        bytes memory sig = _signed(offset);
        vm.prank(alice);
        ex.cancelOrder(restingBid, offset, sig);
        _buyPool(carol, key, Side.Short, 1e18);
        vm.prank(alice);
        ex.withdraw(4e18); // her bid is gone: 10 - 6 = 4 free
    }

    /// @notice A challenge resolved by a final state settles the frozen market at once.
    function test_challengeResolvedByDeprecated() public {
        _post(State.Deprecated);
        assertFalse(ex.isFrozen(root), "leaving the challenge unfroze, then the root settled at 0");
        (, , State outcome,) = art.roundInfo(A, 0);
        assertEq(uint8(outcome), uint8(State.Deprecated));
        assertEq(_settle(0, alice, bob), 2);
        assertEq(_balance(alice), 4e18);
        assertEq(_balance(bob), 16e18);
    }

    function _define(uint256 r) internal {
        vm.prank(owner);
        ex.defineMarket(r, 1, 0, 100e18);
    }
}
