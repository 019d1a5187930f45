// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {State} from "../../../contracts/interfaces/IArtifacts.sol";
import {IMakerEE, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {Order} from "../../../contracts/libraries/OrderStructs.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title TrackedPoolAccess
/// @notice The review's critical finding 1: anyone could create a tracked pool with b = 1 on any
/// market, push its price to about 0 and close any trader's whole position there through
/// `closeFor` (alice, long 100 at 0.5 from a book match, ended with 50 instead of 150 at outcome 1;
/// carol gained about 100). Tracked pools are now the managed root's owner's alone, and a close
/// moves the caller's own position only.
contract TrackedPoolAccessTest is ArtifactKit {
    uint256 internal constant BOOK = 7;
    uint256 internal root;
    PoolKey internal key;
    bytes32 internal poolId;

    function setUp() public {
        _deployArtifacts();
        root = _register(A, 10e18, 100);
        (, key) = _market(A);
        poolId = _id(key);
        _root(BOOK, 0, 1e18);
        _fund(alice, 100e18);
        _fund(bob, 100e18);
        _fund(carol, 100e18);
    }

    /// @notice The reproduction: on a plain book root and on the artifact's root, carol's tracked
    /// pool is refused with `NotRootManager`; so is the owner's on a root it does not manage.
    function test_nobodyElseCreatesTrackedPools() public {
        _trade(BOOK, alice, bob, 0.5e18, 100e18);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NotRootManager.selector, BOOK, carol));
        maker.createTrackedPool(BOOK, 1, 1e18, 0, 0, 1 days);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NotRootManager.selector, root, carol));
        maker.createTrackedPool(root, 1, 1e18, 0, 0, 1 days);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NotRootManager.selector, BOOK, owner));
        maker.createTrackedPool(BOOK, 1, 1e18, 0, 0, 1 days);
        // An untracked pool is still anyone's to create: it trades only with its callers and fills
        // orders within their signed limits.
        _fund(carol, 1e18);
        vm.prank(carol);
        maker.createPool(BOOK, 1, 1e18, 0, 0);
        (int256 q, int256 cost) = ex.position(alice, BOOK, 1);
        assertEq(q, 100e18);
        assertEq(cost, 50e36, "alice's position as she bought it");
    }

    /// @notice Only the registry (the pool's creator, owning the root) may call `closeFor`; carol may
    /// not close alice's position in the artifact's market, directly or through the registry.
    function test_closeForIsTheRegistrys() public {
        _trade(root, alice, bob, 0.5e18, 10e18);
        vm.warp(block.timestamp + 91 days);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NotPoolCreator.selector, poolId, carol));
        maker.closeFor(key, alice);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NothingToClose.selector, poolId, carol));
        art.close(A);
        (int256 q, int256 cost) = ex.position(alice, root, 1);
        assertEq(q, 10e18);
        assertEq(cost, 5e36);
        // Her own call closes her whole position, the book-matched part included.
        vm.prank(alice);
        art.close(A);
        (q,) = ex.position(alice, root, 1);
        assertEq(q, 0);
    }

    /// @notice A tracked pool's period must be at least a second.
    function test_periodZeroRefused() public {
        vm.prank(address(art));
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.InvalidPeriod.selector, 0));
        maker.createTrackedPool(root, 1, 1e18, 0, 9, 0);
    }

    /// @notice Trades credit their caller with the fee, fills the order's owner: the cushion is
    /// always the sum of credits.
    function test_creditsFollowWhoPaid() public {
        _buyPool(alice, key, Side.Long, 2e18);
        uint256 fromAlice = maker.credit(poolId, alice);
        assertGt(fromAlice, 0);
        _buyPool(bob, key, Side.Short, 1e18);
        (,, uint256 cushion) = maker.observe(poolId);
        assertEq(cushion, fromAlice + maker.credit(poolId, bob));
        assertEq(maker.credit(poolId, carol), 0);
        // carol fills alice's signed bid against the pool: alice paid the fee, alice is credited.
        (Order memory bid,) = _place(alice, root, 1, 0.9e18, 1e18);
        vm.prank(carol);
        maker.fill(key, bid, 1e18);
        assertGt(maker.credit(poolId, alice), fromAlice);
        assertEq(maker.credit(poolId, carol), 0);
        fromAlice = maker.credit(poolId, alice);
        _post(State.Challenged);
        _post(State.Listed);
        assertEq(maker.credit(poolId, alice), fromAlice, "a freeze moves no credit");
    }
}
