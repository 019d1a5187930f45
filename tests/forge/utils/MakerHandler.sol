// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {ICollateralEE} from "../../../contracts/interfaces/ICollateral.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IMaker, IMakerEE, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {IMarketsEE} from "../../../contracts/interfaces/IMarkets.sol";
import {IOrders} from "../../../contracts/interfaces/IOrders.sol";
import {IPoolsEE} from "../../../contracts/interfaces/IPools.sol";
import {Order} from "../../../contracts/libraries/OrderStructs.sol";
import {PoolMath, Terms, Trade} from "../../../contracts/libraries/PoolMath.sol";
import {PositionLib} from "../../../contracts/libraries/PositionLib.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";

/// @title MakerHandler
/// @notice Drives a real Exchange + Maker with three pools of very different liquidity (b = 1e15 on
/// root A = [0, 1] with a 0.3% fee, b = 1e20 on its sub-market [0.2, 0.8] without, b = 1e27 on root
/// B = [-5, 5] with 1%) and three
/// traders with their own keys: random buys and sales of both sides (each up to 10b shares, the
/// pool's |d| kept within 50b), resting orders near the pool's price filled against the pool,
/// deposits, and late in a run the settlement of one root with everyone's claims and `claimPool`.
/// Before every call it prices the trade itself (`PoolMath`) and asserts the exact outcome: the
/// returned values, both positions, the pool's state, the order's remaining, or the exact revert
/// (a collateral refusal must report the trader's balance and a negative `balance + worst`).
contract MakerHandler is Test {
    uint256 internal constant UNIT = 1e12;
    uint256 public constant RA = 1;
    uint256 public constant RB = 2;
    uint256 internal constant MAX_OPEN = 6;

    IExchange internal immutable ex;
    TestToken internal immutable token;
    IMaker internal immutable maker;

    address[3] public traders;
    uint256[3] internal keys;
    address public creator;
    PoolKey[3] internal _pools;

    struct Rec {
        Order order;
        bytes32 hash;
        uint128 remaining;
        uint8 pool;
    }

    Rec[] internal recs;
    uint64 internal _nonce = 1;
    /// @notice Handler calls so far (settlement waits for the second half of a run).
    uint256 public calls;
    /// @notice Outcome counters for coverage, by short name or error selector.
    mapping(bytes32 => uint256) public count;

    constructor(IExchange ex_, TestToken token_) {
        (ex, token, maker) = (ex_, token_, IMaker(ex_.maker()));
        for (uint256 i; i < 3; ++i) {
            (traders[i], keys[i]) = makeAddrAndKey(string.concat("mtrader", vm.toString(i)));
            _deposit(traders[i], 1e9 * 10 ** (3 * i)); // 1e3, 1e6, 1e9 tokens
        }
        creator = makeAddr("creator");
        ex.defineMarket(RA, 1, 0, 1e18);
        ex.defineMarket(RA, 2, 2e17, 8e17);
        ex.defineMarket(RB, 1, -5e18, 5e18);
        _deposit(creator, 7e14 + 1e9);
        vm.startPrank(creator);
        _pools[0] = maker.poolKey(maker.createPool(RA, 1, 1e15, 30, 0));
        _pools[1] = maker.poolKey(maker.createPool(RA, 2, 1e20, 0, 0));
        _pools[2] = maker.poolKey(maker.createPool(RB, 1, 1e27, 100, 0));
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    function pool(uint256 i) external view returns (PoolKey memory) {
        return _pools[i];
    }

    function account(uint256 i) public view returns (address) {
        return maker.poolAccount(keccak256(abi.encode(_pools[i])));
    }

    /// @notice Every address that can hold a balance: the traders, the creator, the pool accounts.
    function accounts() public view returns (address[] memory list) {
        list = new address[](7);
        for (uint256 i; i < 3; ++i) {
            (list[i], list[3 + i]) = (traders[i], account(i));
        }
        list[6] = creator;
    }

    /*//////////////////////////////////////////////////////////////
                                 ACTIONS
    //////////////////////////////////////////////////////////////*/

    modifier counted() {
        ++calls;
        _;
    }

    /// @notice Deposit 1 to 1e6 token units times a random power of ten (up to 1e22 units).
    function deposit(uint8 w, uint256 raw) external counted {
        _deposit(traders[w % 3], _bound(raw, 1, 1e6) * 10 ** ((raw >> 128) % 17));
    }

    function _deposit(address t, uint256 units) internal {
        token.mint(t, units);
        vm.startPrank(t);
        token.approve(address(ex), units);
        ex.deposit(units);
        vm.stopPrank();
    }

    /// @dev One trade call: pool index, trader, side, buy or sell, shares.
    struct Call {
        uint256 p;
        address t;
        Side side;
        bool buying;
        uint256 shares;
    }

    /// @notice Buy or sell up to 10b shares (scaled down by a random power of two) of either side.
    function trade(uint8 w, uint8 p, uint8 mode, uint256 sizeRaw) external counted {
        uint256 b = _pools[p % 3].b;
        uint256 shares = _bound(sizeRaw, 1, 10 * b) >> ((sizeRaw >> 200) % 64);
        _trade(Call(p % 3, traders[w % 3], mode & 1 == 0 ? Side.Long : Side.Short, mode & 2 == 0, shares));
    }

    function _trade(Call memory c) internal {
        PoolKey memory k = _pools[c.p];
        int256 n = PoolMath.forward(c.shares, int256(k.hi) - k.lo);
        Trade memory tr;
        if (n != 0) {
            bool fits;
            (tr, fits) = _priceChecked(c.p, c.t, c.side, c.buying ? n : -n);
            if (!fits) return _skip();
        }
        bytes memory expected = _tradeExpectation(k, n, tr, c.buying);
        (int256 q0, int256 c0) = ex.position(c.t, k.rootId, k.branchId);
        vm.prank(c.t);
        (bool ok, bytes memory ret) = address(maker).call(
            c.buying
                ? abi.encodeCall(IMaker.buy, (k, c.side, c.shares, type(uint128).max, block.timestamp))
                : abi.encodeCall(IMaker.sell, (k, c.side, c.shares, 0, block.timestamp))
        );
        if (!ok) return _refused(ret, expected, c.t);
        assertEq(expected.length, 0, "trade should have failed");
        (int256 quantity, int256 amount) = abi.decode(ret, (int256, int256));
        assertEq(quantity, tr.quantity, "quantity");
        int256 charged = PoolMath.ceilDiv(tr.pay, 1e18);
        assertEq(amount, c.buying ? charged : -charged, "cost or proceeds");
        _assertApplied(c.p, c.t, q0 + tr.quantity, c0 + tr.cost, tr);
        ++count[c.buying ? bytes32("bought") : bytes32("sold")];
    }

    /// @dev What a trade must do, in the maker's order of checks: `PoolClosed`, `ZeroShares`, a sale
    /// below zero proceeds (`SlippageExceeded` at `minProceeds = 0`), `MarketSettled`, or (empty)
    /// success unless the trader's check refuses it.
    function _tradeExpectation(PoolKey memory k, int256 n, Trade memory tr, bool buying)
        internal
        view
        returns (bytes memory)
    {
        bytes32 pid = keccak256(abi.encode(k));
        (,, bool open) = maker.poolState(pid);
        if (!open) return abi.encodeWithSelector(IMakerEE.PoolClosed.selector, pid);
        if (n == 0) return abi.encodeWithSelector(IMakerEE.ZeroShares.selector);
        int256 proceeds = -PoolMath.ceilDiv(tr.pay, 1e18);
        if (!buying && proceeds < 0) return abi.encodeWithSelector(IMakerEE.SlippageExceeded.selector, proceeds, 0);
        (int128 lo, int128 hi) = ex.bounds(k.rootId, 1);
        if (lo == hi) return abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, k.rootId, lo);
        return "";
    }

    /// @notice Place a resting bid or offer in pool `p`'s market, its limit within 10% of the width
    /// around the pool's forward price (clamped into the market), up to 2b forward units.
    function place(uint8 w, uint8 p, bool offer, uint256 priceRaw, uint256 qtyRaw) external counted {
        PoolKey memory k = _pools[p % 3];
        address t = traders[w % 3];
        (bool tradable, int128 price) = _limit(k, priceRaw);
        if (!tradable) return;
        (uint8[] memory slots,,,) = ex.openOrders(t, k.rootId);
        if (slots.length >= MAX_OPEN) return;
        uint256 maxQty = 2 * uint256(k.b) * 1e18 / uint256(int256(k.hi) - k.lo);
        int128 qty = int128(int256(_bound(qtyRaw, 1, maxQty) >> ((qtyRaw >> 200) % 64)));
        if (qty == 0) qty = 1;
        _placeSigned(_order(k, t, price, offer ? -qty : qty), keys[w % 3], uint8(p % 3));
    }

    /// @dev A Primary order of `t` off its chain head, with a fresh trade id.
    function _order(PoolKey memory k, address t, int128 price, int128 qty) internal returns (Order memory o) {
        (o.tradeRootId, o.tradeBranchId, o.price, o.quantity) = (_nonce++, 1, price, qty);
        (o.marketRootId, o.marketBranchId, o.trader, o.tradeType, o.previous) = (k.rootId, k.branchId, t, 1, ex.chainHead(t));
    }

    /// @dev A limit within 10% of the width around the pool's forward price, clamped into the market;
    /// `tradable` is false once the root settled.
    function _limit(PoolKey memory k, uint256 priceRaw) internal view returns (bool tradable, int128) {
        (int128 lo, int128 hi) = ex.bounds(k.rootId, k.branchId);
        if (lo == hi) return (false, 0);
        int256 spread = (int256(k.hi) - k.lo) / 10;
        int256 price = maker.forwardPrice(keccak256(abi.encode(k))) + int256(priceRaw % uint256(2 * spread + 1)) - spread;
        return (true, int128(price < lo ? lo : (price > hi ? hi : price)));
    }

    function _placeSigned(Order memory o, uint256 key, uint8 p) internal {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, ex.hashOrder(o));
        (bool ok, bytes memory ret) = address(ex).call(abi.encodeCall(IOrders.placeOrder, (o, abi.encodePacked(r, s, v))));
        if (!ok) return _refused(ret, "", o.trader);
        int256 qty = o.quantity;
        recs.push(Rec(o, abi.decode(ret, (bytes32)), uint128(uint256(qty > 0 ? qty : -qty)), p));
        ++count["placed"];
    }

    /// @notice Fill part or all of a recorded open order against its pool.
    function fill(uint256 iRaw, uint256 qRaw) external counted {
        if (recs.length == 0) return;
        uint256 i = iRaw % recs.length;
        Rec memory rec = recs[i];
        if (rec.remaining == 0) return;
        uint128 q = uint128(_bound(qRaw, 1, rec.remaining) >> ((qRaw >> 200) % 64));
        if (q == 0) q = 1;
        PoolKey memory k = _pools[rec.pool];
        address owner = rec.order.trader;
        int256 signed = rec.order.quantity > 0 ? int256(uint256(q)) : -int256(uint256(q));
        (Trade memory tr, bool fits) =
            _priceChecked(rec.pool, owner, rec.order.quantity > 0 ? Side.Long : Side.Short, int256(uint256(q)));
        if (!fits) return _skip();
        bytes memory expected = _fillExpectation(k, rec, tr, signed);
        (int256 q0, int256 c0) = ex.position(owner, k.rootId, k.branchId);
        (bool ok, bytes memory ret) = address(maker).call(abi.encodeCall(IMaker.fill, (k, rec.order, q)));
        if (!ok) return _refused(ret, expected, owner);
        assertEq(expected.length, 0, "fill should have failed");
        assertEq(abi.decode(ret, (bytes32)), rec.hash, "hash");
        recs[i].remaining = rec.remaining - q;
        (,, uint128 left,,) = ex.orderState(rec.order);
        assertEq(left, rec.remaining - q, "remaining");
        _assertApplied(rec.pool, owner, q0 + signed, c0 + tr.cost, tr);
        ++count["filled"];
    }

    function _fillExpectation(PoolKey memory k, Rec memory rec, Trade memory tr, int256 signed)
        internal
        view
        returns (bytes memory)
    {
        (,, bool open) = maker.poolState(keccak256(abi.encode(k)));
        if (!open) return abi.encodeWithSelector(IMakerEE.PoolClosed.selector, keccak256(abi.encode(k)));
        (int128 lo, int128 hi) = ex.bounds(k.rootId, 1);
        if (lo == hi) return abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, k.rootId, lo);
        if (tr.cost > signed * rec.order.price) {
            int256 avg = signed > 0 ? -PositionLib.floorDiv(-tr.cost, signed) : PositionLib.floorDiv(-tr.cost, -signed);
            return abi.encodeWithSelector(IPoolsEE.FillBeyondLimit.selector, rec.hash, avg, rec.order.price);
        }
        return "";
    }

    /// @notice After the 25th call, settle one root at a random outcome, claim for everyone
    /// (`claimMany`: losses first) and `claimPool` each of its pools, which pays the creator.
    function settle(uint8 sel, uint256 raw) external counted {
        if (calls <= 25 || sel % 2 != 0) return;
        uint256 root = (sel >> 1) % 2 == 0 ? RA : RB;
        (int128 lo, int128 hi) = ex.bounds(root, 1);
        if (lo == hi) return;
        ex.settle(root, int128(int256(lo) + int256(raw % (uint256(int256(hi) - lo) + 1))));
        address[] memory list = accounts();
        ex.claimMany(root, list);
        for (uint256 i; i < list.length; ++i) {
            uint256[] memory roots = ex.traderRoots(list[i]);
            for (uint256 j; j < roots.length; ++j) {
                assertTrue(roots[j] != root, "claimMany left an account unclaimed");
            }
        }
        for (uint256 i; i < 3; ++i) {
            if (_pools[i].rootId != root) continue;
            address acct = account(i);
            assertTrue(ex.hasClaimed(acct, root), "pool account claimed");
            int256 left = ex.balanceOf(acct);
            int256 before = ex.balanceOf(creator);
            (bool ok, bytes memory ret) = address(maker).call(abi.encodeCall(IMaker.claimPool, (_pools[i])));
            if (left <= 0) {
                assertEq(ret, abi.encodeWithSelector(IMakerEE.NothingLeft.selector, keccak256(abi.encode(_pools[i]))));
                continue;
            }
            assertTrue(ok, "claimPool");
            assertEq(ex.balanceOf(creator), before + left, "creator paid what was left");
            assertEq(ex.balanceOf(acct), 0, "pool emptied");
        }
        ++count["settled"];
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Price `n` of `side` on pool `p` for trader `t`; `fits` is false when the pool's `|d|` would
    /// pass 50b, a side 2^93 forward units, or either position the Exchange's range.
    function _priceChecked(uint256 p, address t, Side side, int256 n) internal view returns (Trade memory tr, bool fits) {
        PoolKey memory k = _pools[p];
        (int256 qL, int256 qS,) = maker.poolState(keccak256(abi.encode(k)));
        (tr, fits) = PoolMath.price(Terms(k.lo, k.hi, k.b, k.feeBps), qL, qS, side, n);
        if (!fits) return (tr, false);
        int256 d = (tr.qLong - tr.qShort) * (int256(k.hi) - k.lo);
        if (d > 50 * int256(uint256(k.b)) * 1e18 || d < -50 * int256(uint256(k.b)) * 1e18) return (tr, false);
        if (tr.qLong > 2 ** 93 || tr.qLong < -2 ** 93 || tr.qShort > 2 ** 93 || tr.qShort < -2 ** 93) return (tr, false);
        fits = _positionFits(t, k, tr.quantity, tr.cost) && _positionFits(account(p), k, -tr.quantity, -tr.cost);
    }

    function _positionFits(address who, PoolKey memory k, int256 q, int256 c) internal view returns (bool) {
        (int256 q0, int256 c0) = ex.position(who, k.rootId, k.branchId);
        int256 max = PositionLib.MAX_ABS;
        int256 cw = PositionLib.floorDiv(c0 + c, 1e18);
        return q0 + q <= max && q0 + q >= -max && cw <= max && cw >= -max;
    }

    /// @dev The trade is applied: the trader's position, the pool's exact opposite, the pool's state.
    function _assertApplied(uint256 p, address t, int256 q, int256 c, Trade memory tr) internal view {
        PoolKey memory k = _pools[p];
        (int256 q1, int256 c1) = ex.position(t, k.rootId, k.branchId);
        assertEq(q1, q, "trader quantity");
        assertEq(c1, c, "trader cost");
        (int256 qL, int256 qS,) = maker.poolState(keccak256(abi.encode(k)));
        assertEq(qL, tr.qLong, "qLong");
        assertEq(qS, tr.qShort, "qShort");
        (int256 pq,) = ex.position(account(p), k.rootId, k.branchId);
        assertEq(pq, -(qL - qS), "pool quantity = -(qLong - qShort)");
    }

    /// @dev A refused call: exactly `expected`, or (when none was predicted) the trader's collateral
    /// check with their true balance and a negative `balance + worst`.
    function _refused(bytes memory ret, bytes memory expected, address t) internal {
        if (expected.length != 0) {
            assertEq(ret, expected, "wrong refusal");
            ++count[bytes32(bytes4(expected))];
            return;
        }
        assertEq(bytes4(ret), ICollateralEE.InsufficientCollateral.selector, "unexpected revert");
        (address who, int256 worst, int256 balance) = abi.decode(_args(ret), (address, int256, int256));
        assertEq(who, t, "refused trader");
        assertEq(balance, ex.balanceOf(t), "reported balance");
        assertLt(balance + worst, 0, "refused although solvent");
        ++count[bytes32(ICollateralEE.InsufficientCollateral.selector)];
    }

    /// @dev A trade or fill left out: beyond the pool's 50b or the Exchange's position range.
    function _skip() internal {
        ++count["skipped"];
    }

    /// @dev Revert data without its 4-byte selector.
    function _args(bytes memory ret) internal pure returns (bytes memory a) {
        a = new bytes(ret.length - 4);
        for (uint256 i; i < a.length; ++i) {
            a[i] = ret[i + 4];
        }
    }
}
