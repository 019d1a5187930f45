// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FixedPointMathLib} from "solady/utils/FixedPointMathLib.sol";

import {IArtifactsEE, State, Transition} from "../../../contracts/interfaces/IArtifacts.sol";
import {IMakerEE, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title TriggersAndCloses
/// @notice The seed's price conditions made real: anyone triggers validated, flagged or deprecated
/// when the pool's time-weighted log-odds over the window is past the threshold. And the close
/// after 90 days listed: at the marginal price, within the pool's fee cushion.
contract TriggersAndClosesTest is ArtifactKit {
    uint256 internal root;
    PoolKey internal key;
    bytes32 internal poolId;

    function setUp() public {
        _deployArtifacts();
        root = _register(A, 10e18, 500);
        (, key) = _market(A);
        poolId = _id(key);
        _fund(alice, 100e18);
        _fund(bob, 100e18);
    }

    function _logit(uint256 p) internal pure returns (int256) {
        return FixedPointMathLib.lnWad(int256(p * 1e18 / (1e18 - p)));
    }

    /// @notice alice buys 10 long from a b = 10 pool: log-odds x = 10 / 10 = 1 exactly (price 0.731).
    /// A day later the time-weighted log-odds is 1 > ln(0.7 / 0.3): validated triggers; flagged and
    /// deprecated do not, with the values in the error.
    function test_triggerValidated() public {
        _buyPool(alice, key, Side.Long, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.WindowNotElapsed.selector, A, DAY));
        art.trigger(A, State.Validated);
        vm.warp(block.timestamp + DAY / 2);
        art.observe(A);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.WindowNotElapsed.selector, A, DAY));
        art.trigger(A, State.Validated);
        vm.warp(block.timestamp + DAY / 2);
        vm.expectRevert(
            abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Flagged, int256(1e18), _logit(0.3e18))
        );
        art.trigger(A, State.Flagged);
        vm.expectRevert(
            abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Deprecated, int256(1e18), _logit(0.1e18))
        );
        art.trigger(A, State.Deprecated);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.NotTriggerable.selector, A, State.Listed, State.Challenged));
        art.trigger(A, State.Challenged);
        vm.prank(carol);
        art.trigger(A, State.Validated);
        Transition[] memory h = art.history(A);
        assertEq(uint8(h[1].state), uint8(State.Validated));
        assertTrue(h[1].triggered);
        assertEq(h[1].by, carol);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.NotTriggerable.selector, A, State.Validated, State.Validated));
        art.trigger(A, State.Validated);
    }

    /// @notice Time-weighting: a spike does not count for more than its time. Price at 0.5 for a
    /// day, then alice pushes x to 3 (0.95) for an hour: the average over the last day is about
    /// 3 / 24, far below the threshold. After two more days at x = 3 it is past.
    function test_spikeDoesNotTrigger() public {
        vm.warp(block.timestamp + DAY);
        art.observe(A);
        _buyPool(alice, key, Side.Long, 30e18);
        vm.warp(block.timestamp + 1 hours);
        (int256 cumulative, uint256 at,) = maker.observe(poolId);
        assertEq(at, block.timestamp);
        // From the registration's snapshot (x = 0 for a day, 3 for an hour): 3e18 * 3600 accumulated.
        assertEq(cumulative, 3e18 * 3600);
        int256 twap = cumulative / int256(DAY + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Validated, twap, _logit(0.7e18))
        );
        art.trigger(A, State.Validated);
        for (uint256 i; i < 8; ++i) {
            vm.warp(block.timestamp + DAY / 4);
            art.observe(A);
        }
        art.trigger(A, State.Validated);
        (State s,,,,,) = art.artifactState(A);
        assertEq(uint8(s), uint8(State.Validated));
    }

    /// @notice bob sells the price down to x = -3 (0.047) for two days: deprecated triggers (and
    /// flagged would have: both thresholds are below); the root settles at 0.
    function test_triggerDeprecated() public {
        _buyPool(bob, key, Side.Short, 30e18);
        vm.warp(block.timestamp + 2 * DAY);
        art.trigger(A, State.Deprecated);
        (, , State outcome,) = art.roundInfo(A, 0);
        assertEq(uint8(outcome), uint8(State.Deprecated));
        (int128 lo, int128 hi) = ex.bounds(root, 1);
        assertEq(lo, 0);
        assertEq(hi, 0);
    }

    /// @notice The close: refused before 90 days (CloseNotYet with the first allowed second), then
    /// alice's long 4 is bought back at the marginal long price, rounded down for the seller; the
    /// discount against the LMSR sale price comes out of the fee cushion.
    function test_closeAfterNinetyDays() public {
        _buyPool(alice, key, Side.Long, 4e18);
        // bob trades in and out: 5% fees build the cushion.
        for (uint256 i; i < 3; ++i) {
            _buyPool(bob, key, Side.Short, 5e18);
            _sell(bob, key, Side.Short, 5e18);
        }
        (,,,uint256 roundStart,,) = art.artifactState(A);
        vm.warp(roundStart + 90 * DAY);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.CloseNotYet.selector, A, roundStart + 90 * DAY + 1));
        art.close(A);
        vm.warp(roundStart + 90 * DAY + 1);
        (,, uint256 cushionBefore) = maker.observe(poolId);
        (uint256 priceLong,) = maker.prices(poolId);
        int256 before = _balance(alice);
        (, int256 costBefore) = ex.position(alice, root, 1);
        vm.prank(alice);
        (int256 q, int256 cost) = art.close(A);
        assertEq(q, -4e18, "sold her 4");
        assertEq(cost, -4e18 * int256(priceLong), "at the marginal price (rounded down for the seller)");
        // Flat now; the realised result (sale proceeds against the purchase) stays in the cost
        // until the root settles.
        _assertPosition(alice, root, 1, 0, costBefore + cost);
        assertEq(_balance(alice), before, "a close moves positions, not balances");
        (,, uint256 cushionAfter) = maker.observe(poolId);
        assertLt(cushionAfter, cushionBefore, "the discount came out of the cushion");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NothingToClose.selector, poolId, alice));
        art.close(A);
    }

    /// @notice Without fees there is no cushion: a close that would cost the pool anything is
    /// refused with the discount and the cushion (0).
    function test_closeBeyondCushion() public {
        bytes32 b = "artifact-B";
        _register(b, 10e18, 0);
        (uint256 rootB, PoolKey memory keyB) = _market(b);
        _buyPool(alice, keyB, Side.Long, 4e18);
        vm.warp(block.timestamp + 91 * DAY);
        vm.prank(alice);
        vm.expectPartialRevert(IMakerEE.BeyondCushion.selector);
        art.close(b);
        (int256 q,) = ex.position(alice, rootB, 1);
        assertEq(q, 4e18, "still open");
    }

    /// @notice Closes only while listed: not after a flag, not for an artifact that never opened.
    function test_notClosable() public {
        _buyPool(alice, key, Side.Long, 1e18);
        _post(State.Flagged);
        vm.warp(block.timestamp + 91 * DAY);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.NotClosable.selector, A, State.Flagged));
        art.close(A);
    }
}
