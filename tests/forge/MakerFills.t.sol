// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMakerEE, PoolKey, Side} from "../../contracts/interfaces/IMaker.sol";
import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {IMatchingEE} from "../../contracts/interfaces/IMatching.sol";
import {IOrdersEE} from "../../contracts/interfaces/IOrders.sol";
import {IPoolsEE} from "../../contracts/interfaces/IPools.sol";
import {Order} from "../../contracts/libraries/OrderStructs.sol";
import {PoolMath, Terms, Trade} from "../../contracts/libraries/PoolMath.sol";
import {PositionLib} from "../../contracts/libraries/PositionLib.sol";
import {MakerKit} from "./utils/MakerKit.sol";

/// @title MakerFillsTest
/// @notice Resting orders of the Exchange's book filled against a pool (`Maker.fill` ->
/// `Exchange.poolFill`): accepted exactly at the order's limit and refused one wei (of price or of
/// quantity) beyond it with `FillBeyondLimit(hash, average, limit)`; refusals in a settled or frozen market,
/// beyond the remaining quantity, in another market, of a filled order, of a closed pool; the owner's
/// position, open order and events after a fill; a frozen root; the money identity to the wei.
contract MakerFillsTest is MakerKit {
    uint96 internal constant B = 100e18;

    PoolKey internal key; // b = 100 on [0, 1], 0.5% fee
    bytes32 internal id;
    address internal pool;

    function setUp() public {
        _deployWithMaker(8);
        _root(R, 0, 1e18);
        _root(R2, 0, 1e18);
        vm.prank(owner);
        ex.defineMarket(R, 2, 2e17, 8e17);
        key = _pool(carol, R, 1, B, 50);
        id = _id(key);
        pool = maker.poolAccount(id);
        _fund(alice, 100e18);
        _fund(bob, 100e18);
    }

    /// @dev The pool's price of filling `q` of an order on `side` now (what `Maker.fill` computes).
    function _priced(Side side, uint256 q) internal view returns (Trade memory t) {
        (int256 qL, int256 qS,) = maker.poolState(id);
        bool ok;
        (t, ok) = PoolMath.price(Terms(key.lo, key.hi, key.b, key.feeBps), qL, qS, side, int256(q));
        require(ok, "range");
    }

    /// @dev The average price `Exchange.poolFill` reports: rounded against the owner.
    function _average(int256 cost, int256 q) internal pure returns (int256) {
        return q > 0 ? -PositionLib.floorDiv(-cost, q) : PositionLib.floorDiv(-cost, -q);
    }

    function _assertMoney() internal view {
        int256 sum = ex.balanceOf(alice) + ex.balanceOf(bob) + ex.balanceOf(carol) + ex.balanceOf(pool);
        assertEq(int256(_heldWad()), sum + int256(ex.pot(R) + ex.pot(R2)), "tokens != balances + pots");
    }

    /*//////////////////////////////////////////////////////////////
                             AT THE LIMIT
    //////////////////////////////////////////////////////////////*/

    /// @notice Filling 4 of a bid costs `t.cost` (fee included), an average of `p = ceil(t.cost / 4)`:
    /// bob's bid at `p - 1` is refused with `FillBeyondLimit(bob's hash, p, p - 1)`, alice's at exactly
    /// `p` is filled (by anyone): both events, her position (4 at `t.cost`), the pool's exact opposite,
    /// her open order shrunk to 6 at the same limit, the pool's state; her worst case did not fall.
    function test_fillBid_atLimitAcceptedOneWeiBelowRefused() public {
        Trade memory t = _priced(Side.Long, 4e18);
        int128 p = int128(_average(t.cost, 4e18));
        assertGt(t.fee, 0, "fee charged");
        (Order memory aBid, bytes32 ah) = _place(alice, R, 1, p, 10e18);
        (Order memory bBid, bytes32 bh) = _place(bob, R, 1, p - 1, 10e18);
        vm.expectRevert(abi.encodeWithSelector(IPoolsEE.FillBeyondLimit.selector, bh, int256(p), p - 1));
        maker.fill(key, bBid, 4e18);

        int256 worstBefore = ex.rootWorstCase(alice, R);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IPoolsEE.OrderFilledByPool(ah, pool, 4e18, t.cost);
        vm.expectEmit(true, true, true, true, address(maker));
        emit IMakerEE.PoolFilled(id, ah, alice, 4e18, t.cost, t.fee);
        vm.prank(stranger);
        assertEq(maker.fill(key, aBid, 4e18), ah, "hash");

        _assertPosition(alice, R, 1, 4e18, t.cost);
        _assertPosition(pool, R, 1, -4e18, -t.cost);
        assertEq(_remaining(ah), 6e18, "remaining");
        (uint8[] memory slots, int128[] memory prices, int128[] memory rem, uint16[] memory branches) =
            ex.openOrders(alice, R);
        assertEq(slots.length, 1, "one open order");
        assertEq(prices[0], p, "limit");
        assertEq(rem[0], 6e18, "open quantity shrunk");
        assertEq(branches[0], 1, "branch");
        (int256 qL, int256 qS,) = maker.poolState(id);
        assertEq(qL, 4e18, "pool sold 4 long");
        assertEq(qS, 0, "qShort");
        assertGe(ex.rootWorstCase(alice, R), worstBefore, "a fill within the limit cannot lower the worst");
        assertEq(_remaining(bh), 10e18, "bob untouched");
        _assertMoney();
    }

    /// @notice An offer at 0.45 is filled up to the largest quantity whose average is still at least
    /// 0.45 (found by bisection on the pool's pricing): that quantity is accepted, one wei more is
    /// refused with `FillBeyondLimit(hash, floor average, 0.45)`; the owner is short the quantity
    /// at `t.cost` and the rest stays open; filling the rest fully frees the order's slot, after
    /// which it is `OrderNotOpen`.
    function test_fillOffer_largestQuantityAtLimit() public {
        int128 limit = 45e16;
        (Order memory ask, bytes32 h) = _place(alice, R, 1, limit, -100e18);
        uint256 lo = 1; // passes
        uint256 hi = 100e18; // fails: the average of 100 short is far below 0.45
        assertGt(_priced(Side.Short, hi).cost, -int256(hi) * limit, "hi must fail");
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (_priced(Side.Short, mid).cost <= -int256(mid) * limit) lo = mid;
            else hi = mid;
        }
        Trade memory beyond = _priced(Side.Short, lo + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPoolsEE.FillBeyondLimit.selector, h, _average(beyond.cost, -int256(lo + 1)), limit
            )
        );
        maker.fill(key, ask, uint128(lo + 1));
        assertLt(_average(beyond.cost, -int256(lo + 1)), limit, "beyond: average below the limit");

        Trade memory t = _priced(Side.Short, lo);
        assertGe(_average(t.cost, -int256(lo)), limit, "at the limit");
        maker.fill(key, ask, uint128(lo));
        _assertPosition(alice, R, 1, -int256(lo), t.cost);
        _assertPosition(pool, R, 1, int256(lo), -t.cost);
        assertEq(_remaining(h), 100e18 - lo, "rest open");
        (,, int128[] memory rem,) = ex.openOrders(alice, R);
        assertEq(rem[0], -int128(int256(100e18 - lo)), "open quantity (an offer: negative)");

        // Back up the price with a purchase of long by bob, then fill the rest.
        _fund(bob, 200e18);
        _buy(bob, key, Side.Long, 200e18);
        maker.fill(key, ask, uint128(100e18 - lo));
        assertEq(_remaining(h), 0, "filled");
        (uint8[] memory slots,,,) = ex.openOrders(alice, R);
        assertEq(slots.length, 0, "slot freed");
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderNotOpen.selector, h));
        maker.fill(key, ask, 1);
        _assertMoney();
    }

    /*//////////////////////////////////////////////////////////////
                               REFUSALS
    //////////////////////////////////////////////////////////////*/

    /// @notice More than the remaining quantity (`QuantityExceedsRemaining(hash, quantity, remaining)`),
    /// also after a partial fill; zero (`ZeroQuantity`); an order in another root or another branch
    /// of the same root (`PoolMarketMismatch(poolId, root, branch)`); nothing moved.
    function test_fill_refusals() public {
        (Order memory bid, bytes32 h) = _place(alice, R, 1, 9e17, 5e18);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, h, 5e18 + 1, 5e18));
        maker.fill(key, bid, 5e18 + 1);
        maker.fill(key, bid, 2e18);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.QuantityExceedsRemaining.selector, h, 3e18 + 1, 3e18));
        maker.fill(key, bid, 3e18 + 1);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.ZeroQuantity.selector, h));
        maker.fill(key, bid, 0);

        (Order memory other,) = _place(bob, R2, 1, 9e17, 5e18);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolMarketMismatch.selector, id, R2, uint16(1)));
        maker.fill(key, other, 1e18);
        (Order memory sub,) = _place(bob, R, 2, 7e17, 5e18);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolMarketMismatch.selector, id, R, uint16(2)));
        maker.fill(key, sub, 1e18);
        (int256 qL,,) = maker.poolState(id);
        assertEq(qL, 2e18, "only the partial fill moved the pool");
        _assertMoney();
    }

    /// @notice Once the root settles a fill is refused with `MarketSettled(root, outcome)` (the
    /// pool's state is not moved: the whole call reverts); after claims `claimPool` closes the pool and
    /// fills are refused with `PoolClosed`.
    function test_fill_settledMarket() public {
        (Order memory bid, bytes32 h) = _place(alice, R, 1, 9e17, 5e18);
        maker.fill(key, bid, 1e18);
        vm.prank(owner);
        ex.settle(R, 3e17);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, R, int128(3e17)));
        maker.fill(key, bid, 1e18);
        (int256 qL,,) = maker.poolState(id);
        assertEq(qL, 1e18, "state unchanged");
        assertEq(_remaining(h), 4e18, "order unchanged");
        vm.prank(alice);
        ex.claim(R);
        maker.claimPool(key);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolClosed.selector, id));
        maker.fill(key, bid, 1e18);
        _assertMoney();
    }

    /// @notice While the root is frozen (by its owner), fills and trades with the pool are refused
    /// with `MarketFrozen(root)` and nothing moves; unfrozen, the same fill goes through.
    function test_fill_frozenMarket() public {
        (Order memory bid, bytes32 h) = _place(alice, R, 1, 9e17, 5e18);
        vm.prank(owner);
        ex.setFrozen(R, true);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketFrozen.selector, R));
        maker.fill(key, bid, 1e18);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketFrozen.selector, R));
        maker.buy(key, Side.Long, 1e18, 1e18, block.timestamp);
        (int256 qL,,) = maker.poolState(id);
        assertEq(qL, 0, "state unchanged");
        vm.prank(owner);
        ex.setFrozen(R, false);
        maker.fill(key, bid, 1e18);
        assertEq(_remaining(h), 4e18, "filled after unfreezing");
        _assertMoney();
    }

    /// @notice A fill against a pool on a sub-market ([0.2, 0.8], W = 0.6) takes the order's forward
    /// quantity as is (no share conversion) at the pool's forward cost; a bid at the branch's top
    /// 0.8 always fills.
    function test_fill_subMarketPool() public {
        _fund(carol, 70e18);
        vm.prank(carol);
        PoolKey memory sk = maker.poolKey(maker.createPool(R, 2, B, 0, 0));
        (Order memory bid, bytes32 h) = _place(bob, R, 2, 8e17, 3e18);
        (int256 qL, int256 qS,) = maker.poolState(_id(sk));
        (Trade memory t,) = PoolMath.price(Terms(sk.lo, sk.hi, sk.b, sk.feeBps), qL, qS, Side.Long, 3e18);
        maker.fill(sk, bid, 3e18);
        _assertPosition(bob, R, 2, 3e18, t.cost);
        _assertPosition(maker.poolAccount(_id(sk)), R, 2, -3e18, -t.cost);
        assertEq(_remaining(h), 0, "filled");
        assertLe(t.cost, 3e18 * 8e17, "within the limit");
        assertGe(t.cost, 3e18 * 2e17, "above the branch's floor");
    }
}
