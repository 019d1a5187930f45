// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IArtifactsEE, State, Transition} from "../../../contracts/interfaces/IArtifacts.sol";
import {IMakerEE, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title TriggersAndCloses
/// @notice The seed's price conditions made real: anyone triggers validated, flagged or deprecated
/// when the pool's price stayed past the threshold through the window. And the close after 90 days
/// listed, by the holder: at the window's less favourable price, within the holder's own credit.
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

    /// @notice alice buys 10 long from a b = 10 pool at registration: the price is 0.731 from then
    /// on. The range covers at least the last day (here, with no trade after
    /// the opening one, two), so for a day it still holds the opening 0.5:
    /// validated triggers two days on, never before; flagged and deprecated never, with the values.
    function test_triggerValidated() public {
        (,,, uint256 t0,,) = art.artifactState(A);
        _buyPool(alice, key, Side.Long, 10e18);
        vm.warp(t0 + DAY - 1);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.WindowNotElapsed.selector, A, t0 + DAY));
        art.trigger(A, State.Validated);
        vm.warp(t0 + DAY);
        (uint256 opening,,) = maker.priceRange(poolId);
        assertEq(opening, 0.5e18 - 1, "0.5, less the price's error bound, rounded down");
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Validated, opening, 0.7e18));
        art.trigger(A, State.Validated);
        vm.warp(t0 + 2 * DAY);
        (uint256 low, uint256 high,) = maker.priceRange(poolId);
        (uint256 spot,) = maker.prices(poolId);
        _assertAround(low, high, spot);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Flagged, high, 0.3e18));
        art.trigger(A, State.Flagged);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Deprecated, high, 0.1e18));
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

    /// @dev A constant price: the range is that price, to the log-odds' resolution of 1e-9 (at
    /// most 2.5e-10 in price), rounded outwards.
    function _assertAround(uint256 low, uint256 high, uint256 spot) internal pure {
        assertLe(low, spot);
        assertGe(high, spot);
        assertLt(spot - low, 3e8);
        assertLt(high - spot, 3e8);
    }

    /// @notice The review's spike (finding 2): the price sits at 0.378 (bob short 5: x = -0.5); alice
    /// pushes it to within e^-100 of 1 (x = 100, the accumulator's cap) for 30 minutes, then sells
    /// back. The old time-weighted rule read (0.5 h * 100 - 23.5 h * 0.5) / 24 h = 1.59 > ln(7/3) and
    /// validated. Now the window's lowest price is 0.378: no trigger during the spike, a day after or
    /// two days after, and the spike's own price moved only the window's highest.
    function test_spikeDoesNotTrigger() public {
        _fund(alice, 2000e18);
        (,,, uint256 t0,,) = art.artifactState(A);
        _buyPool(bob, key, Side.Short, 5e18);
        vm.warp(t0 + 3 * DAY);
        _buyPool(alice, key, Side.Long, 1005e18);
        (uint256 top,) = maker.prices(poolId);
        assertGt(top, 1e18 - 1e6, "within 1e-12 of 1");
        vm.warp(block.timestamp + 30 minutes);
        _sell(alice, key, Side.Long, 1005e18);
        (uint256 low, uint256 high,) = maker.priceRange(poolId);
        assertLt(low, 0.378e18);
        assertGt(high, 1e18 - 2e6);
        for (uint256 i; i < 8; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Validated, low, 0.7e18));
            art.trigger(A, State.Validated);
            vm.warp(block.timestamp + DAY / 4);
        }
        (State s,,,,,) = art.artifactState(A);
        assertEq(uint8(s), uint8(State.Listed));
    }

    /// @notice A dip delays a trigger until it has left the range (here, without later
    /// trades, two windows): the price stays at 0.731 for
    /// three days, bob sells it to 0.45 for one minute and buys back; validated waits until the dip
    /// has left the range, then triggers.
    function test_dipDelaysTrigger() public {
        (,,, uint256 t0,,) = art.artifactState(A);
        _buyPool(alice, key, Side.Long, 10e18);
        vm.warp(t0 + 3 * DAY);
        _buyPool(bob, key, Side.Short, 12e18);
        uint256 dipAt = block.timestamp;
        vm.warp(dipAt + 1 minutes);
        _sell(bob, key, Side.Short, 12e18);
        (uint256 low,,) = maker.priceRange(poolId);
        assertLt(low, 0.46e18);
        vm.warp(dipAt + DAY);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.ThresholdNotMet.selector, A, State.Validated, low, 0.7e18));
        art.trigger(A, State.Validated);
        vm.warp(dipAt + 2 * DAY + 1 minutes);
        art.trigger(A, State.Validated);
    }

    /// @notice bob sells the price down to x = -3 (0.047) at registration: deprecated triggers two
    /// days on (and flagged would have: both thresholds are below); the root settles at 0.
    function test_triggerDeprecated() public {
        _buyPool(bob, key, Side.Short, 30e18);
        vm.warp(block.timestamp + 2 * DAY);
        art.trigger(A, State.Deprecated);
        (,, State outcome,) = art.roundInfo(A, 0);
        assertEq(uint8(outcome), uint8(State.Deprecated));
        (int128 lo, int128 hi) = ex.bounds(root, 1);
        assertEq(lo, 0);
        assertEq(hi, 0);
    }

    /// @notice The value of `who`'s flat position in the root: its cost is what it realised (a flat
    /// position pays `-cost` at settlement), plus its balance.
    function _flatValue(address who) internal view returns (int256) {
        (int256 q, int256 cost) = ex.position(who, root, 1);
        assertEq(q, 0, "flat");
        return _balance(who) - cost / 1e18;
    }

    /// @dev bob and carol trade in and out (5% fees): their credits are most of the cushion.
    function _othersBuildCushion() internal {
        _fund(carol, 100e18);
        for (uint256 i; i < 3; ++i) {
            _buyPool(bob, key, Side.Short, 5e18);
            _sell(bob, key, Side.Short, 5e18);
            _buyPool(carol, key, Side.Long, 5e18);
            _sell(carol, key, Side.Long, 5e18);
        }
    }

    /// @notice The close: refused before 90 days (CloseNotYet with the first allowed second); then
    /// alice's long 1, bought with a fee that credits her more than the close's discount, is bought
    /// back at the window's lowest price, rounded down; the discount comes out of her credit alone.
    function test_closeAtTheRangePrice() public {
        _buyPool(alice, key, Side.Long, 1e18);
        _othersBuildCushion();
        (,,, uint256 roundStart,,) = art.artifactState(A);
        vm.warp(roundStart + 90 * DAY);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IArtifactsEE.CloseNotYet.selector, A, roundStart + 90 * DAY + 1));
        art.close(A);
        vm.warp(roundStart + 90 * DAY + 1);
        (,, uint256 cushionBefore) = maker.observe(poolId);
        uint256 aliceCredit = maker.credit(poolId, alice);
        uint256 othersCredit = maker.credit(poolId, bob) + maker.credit(poolId, carol);
        assertEq(aliceCredit + othersCredit, cushionBefore, "the cushion is the sum of credits");
        (uint256 low, uint256 high,) = maker.priceRange(poolId);
        (uint256 spot,) = maker.prices(poolId);
        _assertAround(low, high, spot);
        int256 before = _balance(alice);
        (, int256 costBefore) = ex.position(alice, root, 1);
        vm.prank(alice);
        (int256 q, int256 cost) = art.close(A);
        assertEq(q, -1e18, "sold her 1");
        assertEq(cost, -1e18 * int256(low), "at the range's low");
        _assertPosition(alice, root, 1, 0, costBefore + cost);
        assertEq(_balance(alice), before, "a close moves positions, not balances");
        (,, uint256 cushionAfter) = maker.observe(poolId);
        uint256 discount = cushionBefore - cushionAfter;
        assertGt(discount, 0);
        assertEq(maker.credit(poolId, alice), aliceCredit - discount, "out of her own credit");
        assertEq(maker.credit(poolId, bob) + maker.credit(poolId, carol), othersCredit, "nobody else's");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NothingToClose.selector, poolId, alice));
        art.close(A);
    }

    /// @notice Without a credit (a pool without fees) a close is the fee-free LMSR sale exactly: the
    /// same position as a plain sale, nothing given up.
    function test_closeWithoutCreditIsTheLmsrSale() public {
        bytes32 b = "artifact-B";
        _register(b, 10e18, 0);
        (uint256 rootB, PoolKey memory keyB) = _market(b);
        _buyPool(alice, keyB, Side.Long, 4e18);
        vm.warp(block.timestamp + 91 * DAY);
        uint256 snap = vm.snapshotState();
        _sell(alice, keyB, Side.Long, 4e18);
        (int256 qSold, int256 costSold) = ex.position(alice, rootB, 1);
        vm.revertToState(snap);
        vm.prank(alice);
        art.close(b);
        _assertPosition(alice, rootB, 1, qSold, costSold);
        (,, uint256 cushion) = maker.observe(_id(keyB));
        assertEq(cushion, 0);
    }

    /// @notice The review's pump-then-close (finding 3): after the delay alice, long 4, buys 100 more
    /// and closes the lot. The old rule paid the pumped marginal price and took most of the cushion
    /// bob and carol built. Now it ends below her close alone, and their credits are untouched; the
    /// same when carol pumps for her, counting what carol's pump cost her.
    function test_pumpThenCloseNeverPays() public {
        _fund(alice, 100e18);
        _buyPool(alice, key, Side.Long, 4e18);
        _othersBuildCushion();
        vm.warp(block.timestamp + 91 * DAY);
        uint256 othersCredit = maker.credit(poolId, bob) + maker.credit(poolId, carol);
        uint256 bobCredit = maker.credit(poolId, bob);
        uint256 snap = vm.snapshotState();

        vm.prank(alice);
        art.close(A);
        int256 alone = _flatValue(alice);
        vm.revertToState(snap);

        _buyPool(alice, key, Side.Long, 100e18);
        vm.prank(alice);
        art.close(A);
        assertLt(_flatValue(alice), alone, "her own pump");
        assertEq(maker.credit(poolId, bob) + maker.credit(poolId, carol), othersCredit);
        vm.revertToState(snap);

        // A friend's pump lifts the fee-free LMSR price alice falls back on, but carol pays more for
        // it than alice gains: together they end below alice's close alone.
        int256 carolBefore = _flatValue(carol);
        _buyPool(carol, key, Side.Long, 50e18);
        vm.prank(alice);
        art.close(A);
        _sell(carol, key, Side.Long, 50e18);
        assertLt(_flatValue(alice) + _flatValue(carol), alone + carolBefore, "a friend's pump");
        assertEq(maker.credit(poolId, bob), bobCredit, "bob's credit untouched");
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
