// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IExchange} from "../interfaces/IExchange.sol";
import {IMaker, PoolKey, Side} from "../interfaces/IMaker.sol";
import {LMSRMath} from "../libraries/LMSRMath.sol";
import {PoolMath, Terms, Trade} from "../libraries/PoolMath.sol";
import {MakerBase} from "./MakerBase.sol";

/// @title TrackedPools
/// @notice Tracked pools: the pools of managed (artifact) roots, created by the root's owner only.
/// Each keeps a time integral of its log-odds (`observe`), the lowest and highest price of its last
/// one to three periods (`priceRange`, what triggers and closes read), and a cushion of the fees it
/// collected, credited to the traders who paid them (`credit`). The root's owner may close a
/// holder's position against it (`closeFor`): the owner can already settle the root, so this adds no
/// power over anyone's position, and the artifact registry uses it for the holder's own call only.
/// @dev The close pays the holder the less favourable end of the price range (the lowest price for
/// a long, the highest for a short), but never more above the fee-free LMSR price of the same sale
/// than the holder's own credit. So trading into the pool before a close never pays: a pump's own
/// price is in the range only after its pre-trade price, and the LMSR is path-independent, so buying
/// `D` then closing `q + D` is the close of `q` minus the fee paid for `D`; and nobody's close can take
/// fees somebody else paid.
abstract contract TrackedPools is MakerBase {
    /// @dev One slot per tracked pool: the time integral of its log-odds `ln(p / (1 - p))` (wad
    /// seconds), when it was last brought up to date, and its cushion: fees collected and not yet
    /// given up by closes (wad), the sum of every trader's credit.
    struct Track {
        int128 cumulative;
        uint40 updated;
        uint88 cushion;
    }

    /// @dev One slot per tracked pool: the lowest and highest log-odds (units of 1e-9, rounded
    /// outwards, capped at +-100) since `start` and over the period before it, and the period's
    /// length (seconds). Together they cover at least the last `period` seconds (the price is
    /// constant between trades). Log-odds, not prices: a trade already has them for one division,
    /// where a price needs an exponential (about 1,500 gas); prices are made from them when read.
    struct Range {
        uint40 start;
        uint32 period;
        int40 low;
        int40 high;
        int40 prevLow;
        int40 prevHigh;
    }

    /// @dev The log-odds a tracked pool accumulates are capped at +-100 (prices within e^-100 of 0
    /// or 1 count as that close), so a century of them fits the accumulator.
    int256 private constant LOGIT_CAP = 100e18;
    /// @dev The range's unit of log-odds (1e-9) in `d = (qLong - qShort) * w` units per `b`, and its cap.
    int256 private constant RANGE_UNIT = 1e9;
    int256 private constant RANGE_CAP = 100e9;

    mapping(bytes32 poolId => Track) private _tracks;
    mapping(bytes32 poolId => Range) private _ranges;
    mapping(bytes32 poolId => mapping(address trader => uint256)) private _credits;

    /// @inheritdoc MakerBase
    function _startTracking(bytes32 poolId, uint32 period) internal override {
        _tracks[poolId].updated = uint40(block.timestamp);
        _ranges[poolId] = Range(uint40(block.timestamp), period, 0, 0, 0, 0); // log-odds 0: price 0.5
    }

    /// @dev Only the owner of managed root `rootId` makes tracked pools there and closes through them.
    function _requireManager(uint256 rootId, address account, bool creating) internal view {
        (address owner,,) = IExchange(exchange).rootInfo(rootId);
        // Managed is for good once set, so a close only needs the owner to be the same.
        if (owner != account || (creating && !IExchange(exchange).isManaged(rootId))) {
            revert NotRootManager(rootId, account);
        }
    }

    /// @inheritdoc IMaker
    function createTrackedPool(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt, uint32 period)
        external
        returns (bytes32 poolId)
    {
        _requireManager(rootId, msg.sender, true);
        if (period == 0) revert InvalidPeriod(period);
        return _create(rootId, branchId, b, feeBps, salt, period);
    }

    /// @inheritdoc IMaker
    function closeFor(PoolKey calldata key, address trader)
        external
        returns (int256 quantity, int256 cost, uint256 discount)
    {
        (bytes32 poolId, Pool memory p) = _open(key);
        if (!p.tracked) revert PoolNotTracked(poolId);
        if (msg.sender != key.creator) revert NotPoolCreator(poolId, msg.sender);
        _requireManager(key.rootId, msg.sender, false);
        (int256 q,) = IExchange(exchange).position(trader, key.rootId, key.branchId);
        if (q == 0) revert NothingToClose(poolId, trader);
        // The fee-free LMSR sale of the whole position: long shares back for a long, short for a short.
        (Trade memory t, bool ok) = PoolMath.price(
            Terms(key.lo, key.hi, key.b, 0), p.qLong, p.qShort, q > 0 ? Side.Long : Side.Short, q > 0 ? -q : q
        );
        if (!ok) revert PoolOverflow(poolId);
        quantity = -q;
        (cost, discount) = _closeCost(key, poolId, p, t.cost, trader, quantity);
        _store(key, poolId, p, t, trader, 0, discount);
        emit PositionClosed(poolId, trader, quantity, cost, discount);
        _closeOnExchange(key, poolId, trader, quantity, cost);
    }

    /// @dev What a close of `quantity` costs the holder against the fee-free LMSR cost `lmsr`: the
    /// range price when it is better for them and their credit covers the difference (rounded up),
    /// else the LMSR cost less all of their credit.
    function _closeCost(
        PoolKey calldata key,
        bytes32 poolId,
        Pool memory p,
        int256 lmsr,
        address trader,
        int256 quantity
    ) private view returns (int256 cost, uint256 discount) {
        int256 w = int256(key.hi) - key.lo;
        (Range memory r,) = _rolled(_ranges[poolId], (int256(p.qLong) - p.qShort) * w, key.b);
        int256 atRange = quantity * _rangePrice(key, r, quantity > 0);
        if (atRange >= lmsr) return (lmsr, 0);
        uint256 need = uint256(PoolMath.ceilDiv(lmsr - atRange, PoolMath.WAD));
        uint256 owned = _credits[poolId][trader];
        return need <= owned ? (atRange, need) : (lmsr - int256(owned) * PoolMath.WAD, owned);
    }

    /// @dev The close as a pool trade on the Exchange, with its lowest payoff over the bounds.
    function _closeOnExchange(PoolKey calldata key, bytes32 poolId, address trader, int256 quantity, int256 cost)
        private
    {
        int256 atLo = quantity * key.lo;
        int256 atHi = quantity * key.hi;
        int256 worst = PoolMath.floorDiv((atLo < atHi ? atLo : atHi) - cost, PoolMath.WAD);
        IExchange(exchange).poolTrade(trader, poolAccount(poolId), key.rootId, key.branchId, quantity, cost, worst);
    }

    /// @dev The forward price (wad) at the range's end that is worse for the holder: the highest for a
    /// buyer, the lowest for a seller, rounded against them (past the price's error bound too).
    function _rangePrice(PoolKey calldata key, Range memory r, bool buying) private pure returns (int256) {
        int256 w = int256(key.hi) - key.lo;
        uint256 pl = _rangePrices(r, key.b, buying);
        if (buying) return key.lo + PoolMath.ceilDiv(int256(pl) * w, int256(LMSRMath.ONE));
        return key.lo + int256(pl) * w / int256(LMSRMath.ONE);
    }

    /// @dev The long price (36 decimals) at the range's highest log-odds plus the error bound, or at
    /// its lowest minus it.
    function _rangePrices(Range memory r, uint256 b, bool high) private pure returns (uint256) {
        if (high) {
            int256 x = r.high > r.prevHigh ? r.high : r.prevHigh;
            uint256 ph = LMSRMath.priceLong(x * RANGE_UNIT * int256(b), b) + LMSRMath.ERR;
            return ph > LMSRMath.ONE ? LMSRMath.ONE : ph;
        }
        int256 y = r.low < r.prevLow ? r.low : r.prevLow;
        uint256 pl = LMSRMath.priceLong(y * RANGE_UNIT * int256(b), b);
        return pl > LMSRMath.ERR ? pl - LMSRMath.ERR : 0;
    }

    /// @dev Store the pool's state after trade `t` from state `p`. A tracked pool brings its
    /// accumulator up to date at the old price, its range to the new one, and moves `gained - spent`
    /// of cushion to or from `payer`'s credit.
    function _store(
        PoolKey calldata key,
        bytes32 poolId,
        Pool memory p,
        Trade memory t,
        address payer,
        uint256 gained,
        uint256 spent
    ) internal {
        // Casts are safe: `PoolMath.price` bounded both by 2^95 - 1.
        _pools[poolId] = Pool(int96(t.qLong), int96(t.qShort), OPEN, p.tracked);
        if (!p.tracked) return;
        Track memory k = _tracks[poolId];
        int256 w = int256(key.hi) - key.lo;
        _tracks[poolId] = Track(
            _accumulate(k, _logit(w, key.b, p)), uint40(block.timestamp), SafeCast.toUint88(k.cushion + gained - spent)
        );
        if (gained != spent) _credits[poolId][payer] = _credits[poolId][payer] + gained - spent;
        (Range memory r, bool changed) = _rolled(_ranges[poolId], (int256(p.qLong) - p.qShort) * w, key.b);
        (int40 lo, int40 hi) = _units((t.qLong - t.qShort) * w, key.b);
        if (lo < r.low) (r.low, changed) = (lo, true);
        if (hi > r.high) (r.high, changed) = (hi, true);
        // A trade inside the period's range leaves the slot as it is (no write: 2,900 gas less).
        if (changed) _ranges[poolId] = r;
    }

    /// @dev Range `r` brought up to now, the pool's state having been `d` since the last trade: a
    /// period that ended becomes the previous one (or, two periods on, the constant log-odds).
    function _rolled(Range memory r, int256 d, uint256 b) private view returns (Range memory, bool rolled) {
        uint256 start = r.start;
        if (block.timestamp < start + r.period) return (r, false);
        (int40 lo, int40 hi) = _units(d, b);
        if (block.timestamp < start + 2 * uint256(r.period)) (r.prevLow, r.prevHigh) = (r.low, r.high);
        else (r.prevLow, r.prevHigh) = (lo, hi);
        (r.start, r.low, r.high) = (uint40(block.timestamp), lo, hi);
        return (r, true);
    }

    /// @dev The log-odds `d / b` in units of 1e-9, rounded down and up, capped at +-100.
    function _units(int256 d, uint256 b) private pure returns (int40 lo, int40 hi) {
        int256 unit = RANGE_UNIT * int256(b);
        int256 down = PoolMath.floorDiv(d, unit);
        int256 up = -PoolMath.floorDiv(-d, unit);
        lo = int40(down < -RANGE_CAP ? -RANGE_CAP : down > RANGE_CAP ? RANGE_CAP : down);
        hi = int40(up < -RANGE_CAP ? -RANGE_CAP : up > RANGE_CAP ? RANGE_CAP : up);
    }

    /// @dev The accumulator brought up to now at log-odds `x` (constant since the last update).
    function _accumulate(Track memory k, int256 x) private view returns (int128) {
        return SafeCast.toInt128(k.cumulative + x * int256(block.timestamp - k.updated));
    }

    /// @dev The pool's log-odds `d / b` (wad), capped at `LOGIT_CAP`.
    function _logit(int256 w, uint256 b, Pool memory p) private pure returns (int256 x) {
        x = (int256(p.qLong) - p.qShort) * w / int256(b);
        if (x > LOGIT_CAP) return LOGIT_CAP;
        if (x < -LOGIT_CAP) return -LOGIT_CAP;
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMaker
    function observe(bytes32 poolId) external view returns (int256 cumulative, uint256 timestamp, uint256 cushion) {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        if (!p.tracked) revert PoolNotTracked(poolId);
        Track memory k = _tracks[poolId];
        // A closed pool's accumulator stopped when it closed.
        if (p.status != OPEN) return (k.cumulative, k.updated, k.cushion);
        return (_accumulate(k, _logit(int256(key.hi) - key.lo, key.b, p)), block.timestamp, k.cushion);
    }

    /// @inheritdoc IMaker
    function priceRange(bytes32 poolId) external view returns (uint256 low, uint256 high, uint256 period) {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        if (!p.tracked) revert PoolNotTracked(poolId);
        Range memory r = _ranges[poolId];
        if (p.status == OPEN) (r,) = _rolled(r, (int256(p.qLong) - p.qShort) * (int256(key.hi) - key.lo), key.b);
        low = _rangePrices(r, key.b, false) / 1e18;
        high = (_rangePrices(r, key.b, true) + 1e18 - 1) / 1e18; // rounded up
        return (low, high, r.period);
    }

    /// @inheritdoc IMaker
    function credit(bytes32 poolId, address trader) external view returns (uint256) {
        return _credits[poolId][trader];
    }
}
