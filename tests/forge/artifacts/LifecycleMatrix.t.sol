// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IArtifactsEE, State, Transition} from "../../../contracts/interfaces/IArtifacts.sol";
import {PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title LifecycleMatrix
/// @notice The whole transition matrix of protocol.md section 6 (every allowed pair succeeds, every
/// other reverts with `InvalidTransition(from, to)`), the oracle role and its admin, the recorded
/// history, and what listed does after a flag (a new round that trades) and after a challenge (the
/// same round, unfrozen).
contract LifecycleMatrixTest is ArtifactKit {
    function setUp() public {
        _deployArtifacts();
    }

    /// @dev The matrix as the issue states it.
    function _allowed(State from, State to) internal pure returns (bool) {
        if (from == State.Listed) return to == State.Flagged || to == State.Challenged || to == State.Validated || to == State.Deprecated;
        if (from == State.Flagged) return to == State.Listed || to == State.Challenged || to == State.Validated || to == State.Deprecated;
        if (from == State.Challenged) return to == State.Listed || to == State.Flagged || to == State.Validated || to == State.Deprecated;
        return false;
    }

    /// @notice All 5 x 6 pairs from a registered artifact: a fresh artifact per pair, brought to
    /// `from` by one post, then `to` is posted.
    function test_matrix() public {
        uint256 allowedCount;
        for (uint8 f = 1; f <= 5; ++f) {
            for (uint8 t = 0; t <= 5; ++t) {
                bytes32 id = bytes32(uint256(f) * 16 + t + 1);
                _register(id, 10e18, 0);
                State from = State(f);
                if (from != State.Listed) {
                    vm.prank(oracle);
                    art.transition(id, from);
                }
                State to = State(t);
                vm.prank(oracle);
                if (_allowed(from, to)) {
                    art.transition(id, to);
                    (State now_,,,,,) = art.artifactState(id);
                    assertEq(uint8(now_), t, "moved");
                    ++allowedCount;
                } else {
                    vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.InvalidTransition.selector, from, to));
                    art.transition(id, to);
                }
            }
        }
        assertEq(allowedCount, 12, "4 + 4 + 4 allowed pairs");
    }

    /// @notice An unregistered artifact has no state to leave.
    function test_unknownArtifact() public {
        vm.prank(oracle);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.UnknownArtifact.selector, bytes32("nope")));
        art.transition("nope", State.Validated);
    }

    /// @notice Only oracles post; the deployer holds the role's admin, grants and revokes it.
    function test_roles() public {
        _register(A, 10e18, 0);
        bytes32 role = art.ORACLE_ROLE();
        assertEq(art.getRoleAdmin(role), art.DEFAULT_ADMIN_ROLE(), "oracle role admin");
        assertTrue(art.hasRole(art.DEFAULT_ADMIN_ROLE(), address(this)), "deployer is admin");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        art.transition(A, State.Flagged);
        // A non-admin cannot grant the role either.
        bytes32 admin = art.DEFAULT_ADMIN_ROLE();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, admin));
        art.grantRole(role, alice);
        art.grantRole(role, alice);
        vm.prank(alice);
        art.transition(A, State.Challenged);
        art.revokeRole(role, alice);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        art.transition(A, State.Listed);
    }

    /// @notice Each transition is recorded with its state, time, oracle, the pool's price then and
    /// the round; the registration is the first entry.
    function test_history() public {
        uint256 root = _register(A, 10e18, 0);
        (, PoolKey memory key) = _market(A);
        _fund(alice, 100e18);
        _buyPool(alice, key, Side.Long, 5e18);
        (uint256 priceAfterBuy,) = maker.prices(_id(key));
        assertGt(priceAfterBuy, 0.5e18, "the buy lifted the price");
        vm.warp(block.timestamp + 3 hours);
        vm.expectEmit(address(art));
        emit IArtifactsEE.LifecycleTransition(A, State.Listed, State.Challenged, oracle, false, priceAfterBuy, 0);
        _post(State.Challenged);
        vm.warp(block.timestamp + 1 hours);
        _post(State.Flagged);
        Transition[] memory h = art.history(A);
        assertEq(h.length, 3);
        assertEq(uint8(h[0].state), uint8(State.Listed));
        assertEq(h[0].by, registrant);
        assertEq(h[0].price, 0.5e18, "registered at even odds");
        assertEq(uint8(h[1].state), uint8(State.Challenged));
        assertEq(h[1].time, block.timestamp - 1 hours);
        assertEq(h[1].by, oracle);
        assertFalse(h[1].triggered);
        assertEq(h[1].price, priceAfterBuy);
        assertEq(uint8(h[2].state), uint8(State.Flagged));
        assertEq(h[2].time, block.timestamp);
        assertEq(h[2].round, 0);
        assertTrue(ex.isManaged(root));
    }

    /// @notice Flagged then listed: a new round with a new market and a new pool funded from the
    /// reserve; trading resumes there and settles later; the old round stays closed.
    function test_flaggedThenListedTradesAgain() public {
        uint256 root0 = _register(A, 10e18, 0);
        _fund(alice, 100e18);
        _fund(bob, 100e18);
        _trade(root0, alice, bob, 0.5e18, 4e18);
        _post(State.Flagged);
        // Settling the flagged round lets its pool's remainder (funding + 0.5) join the reserve,
        // which funds the next round's pool.
        assertEq(_settle(0, alice, bob), 2);
        (,, bool collected0) = _roundOutcome(0);
        (,,,,, uint256 reserve) = art.artifactState(A);
        assertGe(reserve, maker.fundingFor(10e18), "the reserve funds a full pool again");
        assertTrue(collected0, "round 0's pool collected");
        vm.expectEmit(false, false, false, false, address(art));
        emit IArtifactsEE.RoundOpened(A, 1, 0, bytes32(0), 0);
        _post(State.Listed);
        (State s, uint256 round, bool isOpen,,,) = art.artifactState(A);
        assertEq(uint8(s), uint8(State.Listed));
        assertEq(round, 1);
        assertTrue(isOpen);
        (uint256 root1, PoolKey memory key1) = _market(A);
        assertTrue(root1 != root0, "a new market");
        assertEq(key1.b, 10e18, "the reserve funds the same liquidity");
        // The old market takes no trades (flagged); the new one does, book and pool alike.
        vm.expectRevert(abi.encodeWithSignature("MarketFlagged(uint256)", root0));
        this.tradeExternal(root0, alice, bob, 0.5e18, 1e18);
        _trade(root1, alice, bob, 0.7e18, 2e18);
        _fund(carol, 100e18);
        _buyPool(carol, key1, Side.Short, 1e18);
        _post(State.Validated);
        assertEq(_settle(1, alice, bob, carol), 3);
        // alice: flagged -2 + 1 (half of 2 back), then long 2 at 0.7 validated +0.6.
        assertEq(_balance(alice), 100e18 - 1e18 + 0.6e18);
        (, State outcome1,) = _roundOutcome(1);
        assertEq(uint8(outcome1), uint8(State.Validated));
        Transition[] memory h = art.history(A);
        assertEq(h[h.length - 2].round, 1, "listed opened round 1");
    }

    /// @notice Challenged then listed: the same round, unfrozen.
    function test_challengedThenListedUnfreezes() public {
        uint256 root = _register(A, 10e18, 0);
        _fund(alice, 100e18);
        _fund(bob, 100e18);
        _post(State.Challenged);
        assertTrue(ex.isFrozen(root));
        _post(State.Listed);
        assertFalse(ex.isFrozen(root));
        (, uint256 round,,,,) = art.artifactState(A);
        assertEq(round, 0);
        _trade(root, alice, bob, 0.5e18, 1e18);
        _assertPosition(alice, root, 1, 1e18, 0.5e36);
    }

    function _roundOutcome(uint256 round) internal view returns (uint256 root, State outcome, bool collected) {
        (root,, outcome, collected) = art.roundInfo(A, round);
    }

    function tradeExternal(uint256 root, address buyer, address seller, int128 price, int128 q) external {
        _trade(root, buyer, seller, price, q);
    }
}
