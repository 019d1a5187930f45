// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMaker, PoolKey, Side} from "./interfaces/IMaker.sol";
import {IExchange} from "./interfaces/IExchange.sol";
import {LMSRMath} from "./libraries/LMSRMath.sol";
import {Order} from "./libraries/OrderStructs.sol";
import {PoolMath, Terms, Trade} from "./libraries/PoolMath.sol";
import {PoolQuotes} from "./libraries/PoolQuotes.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title pmarket Maker
/// @notice Logarithmic market scoring rule pools on pmarket markets (protocol.md section 5): the
/// counterparty of last resort. A pool on market `[lo, hi]` sells "long" shares paying
/// `(x - lo)/(hi - lo)` and "short" shares paying the rest, at the cost
/// `C(q) = b ln(e^(q_long/b) + e^(q_short/b))`; on the Exchange each trade is a matched bounded
/// forward between the trader and the pool's account, checked like any other.
/// @dev The pool's funding `ceil(b ln 2)` is its maximum loss: the pool collects at least
/// `f(d) - f(0)` and pays at most `max(d, 0)` (`f` and `d` as in `PoolMath`), and
/// `f(d) >= max(d, 0)`, so its payoff never falls below `-f(0) = -b ln 2`; every rounding is in its
/// favour and fees only add. So the pool passes its own collateral check at every outcome, always.
/// Deployment: the Maker first, naming the Exchange's future address; the Exchange's constructor
/// checks that the Maker names it (`Deploy.sol`, `pmarket.exchange.Exchange.deploy`).
contract Maker is IMaker {
    /// @dev One slot per pool: outstanding shares per side (forward units), its status and whether
    /// it is tracked (a price accumulator and a cushion, `Track`).
    struct Pool {
        int96 qLong;
        int96 qShort;
        uint8 status;
        bool tracked;
    }

    /// @dev One slot per tracked pool: the time integral of its log-odds `ln(p / (1 - p))` (wad
    /// seconds), when it was last brought up to date, and its cushion: fees collected and not yet
    /// given up by closes at the marginal price (wad).
    struct Track {
        int128 cumulative;
        uint40 updated;
        uint88 cushion;
    }

    /// @dev The log-odds a tracked pool accumulates are capped at +-100 (prices within e^-100 of 0
    /// or 1 count as that close), so a century of them fits the accumulator.
    int256 private constant LOGIT_CAP = 100e18;

    uint8 private constant NONE = 0;
    uint8 private constant OPEN = 1;
    uint8 private constant CLOSED = 2;
    uint256 public constant MAX_FEE_BPS = 1000;

    /// @inheritdoc IMaker
    address public immutable exchange;

    mapping(bytes32 poolId => Pool) private _pools;
    mapping(bytes32 poolId => PoolKey) private _keys;
    mapping(bytes32 poolId => Track) private _tracks;

    /// @param exchange_ The Exchange this maker trades on (its address is known before it is deployed).
    constructor(address exchange_) {
        exchange = exchange_;
    }

    /*//////////////////////////////////////////////////////////////
                                 POOLS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMaker
    function createPool(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt)
        external
        returns (bytes32 poolId)
    {
        return _create(rootId, branchId, b, feeBps, salt, false);
    }

    /// @inheritdoc IMaker
    function createTrackedPool(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt)
        external
        returns (bytes32 poolId)
    {
        poolId = _create(rootId, branchId, b, feeBps, salt, true);
        _tracks[poolId].updated = uint40(block.timestamp);
    }

    function _create(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt, bool tracked)
        private
        returns (bytes32 poolId)
    {
        if (b == 0) revert InvalidLiquidity(b);
        if (feeBps > MAX_FEE_BPS) revert FeeTooHigh(feeBps, MAX_FEE_BPS);
        (int128 lo, int128 hi) = IExchange(exchange).bounds(rootId, branchId);
        if (lo == hi) revert PointMarket(rootId, branchId);
        PoolKey memory key = PoolKey(rootId, branchId, lo, hi, b, feeBps, msg.sender, salt);
        poolId = keccak256(abi.encode(key));
        if (_pools[poolId].status != NONE) revert PoolExists(poolId);
        _pools[poolId] = Pool(0, 0, OPEN, tracked);
        _keys[poolId] = key;
        uint256 amount = PoolMath.funding(b);
        address account = poolAccount(poolId);
        emit PoolCreated(poolId, msg.sender, rootId, key, account, amount);
        IExchange(exchange).poolOpen(msg.sender, account, rootId, branchId, amount);
    }

    /// @inheritdoc IMaker
    function closePool(PoolKey calldata key) external returns (uint256 released) {
        (bytes32 poolId, Pool memory p) = _open(key);
        if (msg.sender != key.creator) revert NotPoolCreator(poolId, msg.sender);
        if (p.qLong != p.qShort) revert PoolNotIdle(poolId, p.qLong, p.qShort);
        _retire(poolId, p);
        address account = poolAccount(poolId);
        released = uint256(IExchange(exchange).balanceOf(account));
        emit PoolRetired(poolId, released);
        if (released != 0) IExchange(exchange).poolRelease(account, key.creator, released);
    }

    /// @inheritdoc IMaker
    function claimPool(PoolKey calldata key) external returns (uint256 released) {
        bytes32 poolId = keccak256(abi.encode(key));
        Pool memory p = _pools[poolId];
        if (p.status == NONE) revert UnknownPool(poolId);
        address account = poolAccount(poolId);
        IExchange ex = IExchange(exchange);
        if (!ex.hasClaimed(account, key.rootId)) ex.claimFor(account, key.rootId);
        int256 balance = ex.balanceOf(account);
        if (balance <= 0) revert NothingLeft(poolId);
        released = uint256(balance);
        if (p.status == OPEN) _retire(poolId, p);
        emit PoolSettled(poolId, released);
        ex.poolRelease(account, key.creator, released);
    }

    /*//////////////////////////////////////////////////////////////
                                 TRADES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMaker
    function buy(PoolKey calldata key, Side side, uint256 shares, uint256 maxCost, uint256 deadline)
        external
        returns (int256 quantity, int256 cost)
    {
        (bytes32 poolId, Pool memory p, Trade memory t) = _price(key, side, shares, deadline, true);
        cost = PoolMath.ceilDiv(t.pay, PoolMath.WAD);
        if (cost > _signed(maxCost)) revert SlippageExceeded(cost, _signed(maxCost));
        _trade(key, poolId, p, side, t);
        return (t.quantity, cost);
    }

    /// @inheritdoc IMaker
    function sell(PoolKey calldata key, Side side, uint256 shares, uint256 minProceeds, uint256 deadline)
        external
        returns (int256 quantity, int256 proceeds)
    {
        (bytes32 poolId, Pool memory p, Trade memory t) = _price(key, side, shares, deadline, false);
        proceeds = -PoolMath.ceilDiv(t.pay, PoolMath.WAD);
        if (proceeds < _signed(minProceeds)) revert SlippageExceeded(proceeds, _signed(minProceeds));
        _trade(key, poolId, p, side, t);
        return (t.quantity, proceeds);
    }

    /// @inheritdoc IMaker
    function fill(PoolKey calldata key, Order calldata order, uint128 quantity) external returns (bytes32 orderHash) {
        (bytes32 poolId, Pool memory p) = _open(key);
        if (order.marketRootId != key.rootId || order.marketBranchId != key.branchId) {
            revert PoolMarketMismatch(poolId, order.marketRootId, order.marketBranchId);
        }
        // A bid buys long shares from the pool, an offer buys short ones.
        Side side = order.quantity > 0 ? Side.Long : Side.Short;
        (Trade memory t, bool ok) = PoolMath.price(_termsOf(key), p.qLong, p.qShort, side, int256(uint256(quantity)));
        if (!ok) revert PoolOverflow(poolId);
        _store(key, poolId, p, t, t.fee, 0);
        orderHash = IExchange(exchange).poolFill(order, poolAccount(poolId), quantity, t.cost);
        emit PoolFilled(poolId, orderHash, order.trader, t.quantity, t.cost, t.fee);
    }

    /// @inheritdoc IMaker
    function closeFor(PoolKey calldata key, address trader)
        external
        returns (int256 quantity, int256 cost, uint256 discount)
    {
        (bytes32 poolId, Pool memory p) = _open(key);
        if (msg.sender != key.creator) revert NotPoolCreator(poolId, msg.sender);
        if (!p.tracked) revert PoolNotTracked(poolId);
        (int256 q,) = IExchange(exchange).position(trader, key.rootId, key.branchId);
        if (q == 0) revert NothingToClose(poolId, trader);
        // The trader sells back their shares: long ones for a long position, short ones for a short.
        (Trade memory t, bool ok) = PoolMath.price(
            Terms(key.lo, key.hi, key.b, 0), p.qLong, p.qShort, q > 0 ? Side.Long : Side.Short, q > 0 ? -q : q
        );
        if (!ok) revert PoolOverflow(poolId);
        quantity = -q;
        cost = quantity * _marginal(key, p, quantity > 0);
        // What the pool gives up against the LMSR price of the same sale, rounded up; its cushion
        // (fees not yet given up) must cover it, so the pool's loss stays within its funding.
        discount = t.cost > cost ? uint256(PoolMath.ceilDiv(t.cost - cost, PoolMath.WAD)) : 0;
        uint256 cushion = _tracks[poolId].cushion;
        if (discount > cushion) revert BeyondCushion(poolId, discount, cushion);
        _store(key, poolId, p, t, 0, discount);
        emit PositionClosed(poolId, trader, quantity, cost, discount);
        _closeOnExchange(key, poolId, trader, quantity, cost);
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

    /// @dev The marginal forward price (wad) rounded against the trader: up for a buyer.
    function _marginal(PoolKey calldata key, Pool memory p, bool up) private pure returns (int256) {
        int256 w = int256(key.hi) - key.lo;
        uint256 pl = LMSRMath.priceLong((int256(p.qLong) - p.qShort) * w, key.b);
        uint256 scaled = pl * uint256(w);
        uint256 f = scaled / LMSRMath.ONE;
        if (up && scaled % LMSRMath.ONE != 0) ++f;
        return key.lo + int256(f);
    }

    /// @dev A slippage bound as a signed amount, saturating: `type(uint256).max` means "no bound" for a
    /// buy's `maxCost` and "refuse" for a sale's `minProceeds`, never a wrapped negative number.
    function _signed(uint256 bound) private pure returns (int256) {
        return bound > uint256(type(int256).max) ? type(int256).max : int256(bound);
    }

    /// @dev Checks and prices a buy (`n > 0`) or sell of `shares` of `side`.
    function _price(PoolKey calldata key, Side side, uint256 shares, uint256 deadline, bool buying)
        private
        view
        returns (bytes32 poolId, Pool memory p, Trade memory t)
    {
        if (block.timestamp > deadline) revert DeadlinePassed(deadline, block.timestamp);
        (poolId, p) = _open(key);
        int256 n = PoolMath.forward(shares, int256(key.hi) - key.lo);
        if (n == 0) revert ZeroShares();
        bool ok;
        (t, ok) = PoolMath.price(_termsOf(key), p.qLong, p.qShort, side, buying ? n : -n);
        if (!ok) revert PoolOverflow(poolId);
    }

    /// @dev Apply a priced trade of `msg.sender`: the pool's state, the log, the Exchange's positions.
    function _trade(PoolKey calldata key, bytes32 poolId, Pool memory p, Side side, Trade memory t) private {
        _store(key, poolId, p, t, t.fee, 0);
        emit PoolTraded(poolId, msg.sender, side, t.quantity, t.cost, t.fee);
        IExchange(exchange).poolTrade(
            msg.sender, poolAccount(poolId), key.rootId, key.branchId, t.quantity, t.cost, t.worst
        );
    }

    /// @dev Store the pool's state after trade `t` from state `p`. A tracked pool first brings its
    /// accumulator up to date at the old price and its cushion by `gained - spent`.
    function _store(PoolKey calldata key, bytes32 poolId, Pool memory p, Trade memory t, uint256 gained, uint256 spent)
        private
    {
        // Casts are safe: `PoolMath.price` bounded both by 2^95 - 1.
        _pools[poolId] = Pool(int96(t.qLong), int96(t.qShort), OPEN, p.tracked);
        if (p.tracked) {
            Track memory k = _tracks[poolId];
            _tracks[poolId] = Track(
                _accumulate(k, _logit(key.lo, key.hi, key.b, p)),
                uint40(block.timestamp),
                SafeCast.toUint88(k.cushion + gained - spent)
            );
        }
    }

    /// @dev The accumulator brought up to now at log-odds `x` (constant since the last update).
    function _accumulate(Track memory k, int256 x) private view returns (int128) {
        return SafeCast.toInt128(k.cumulative + x * int256(block.timestamp - k.updated));
    }

    /// @dev The pool's log-odds `d / b` (wad), capped at `LOGIT_CAP`.
    function _logit(int256 lo, int256 hi, uint256 b, Pool memory p) private pure returns (int256 x) {
        x = (int256(p.qLong) - p.qShort) * (hi - lo) / int256(b);
        if (x > LOGIT_CAP) return LOGIT_CAP;
        if (x < -LOGIT_CAP) return -LOGIT_CAP;
    }

    function _retire(bytes32 poolId, Pool memory p) private {
        _pools[poolId] = Pool(p.qLong, p.qShort, CLOSED, p.tracked);
    }

    /// @dev The id and state of an open pool.
    function _open(PoolKey calldata key) private view returns (bytes32 poolId, Pool memory p) {
        poolId = keccak256(abi.encode(key));
        p = _pools[poolId];
        if (p.status != OPEN) {
            if (p.status == NONE) revert UnknownPool(poolId);
            revert PoolClosed(poolId);
        }
    }

    function _terms(PoolKey memory key) private pure returns (Terms memory) {
        return Terms(key.lo, key.hi, key.b, key.feeBps);
    }

    /// @dev `_terms` straight from calldata (no copy of the whole key to memory).
    function _termsOf(PoolKey calldata key) private pure returns (Terms memory) {
        return Terms(key.lo, key.hi, key.b, key.feeBps);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMaker
    function poolKey(bytes32 poolId) public view returns (PoolKey memory key) {
        if (_pools[poolId].status == NONE) revert UnknownPool(poolId);
        return _keys[poolId];
    }

    /// @inheritdoc IMaker
    function poolExists(bytes32 poolId) external view returns (bool) {
        return _pools[poolId].status != NONE;
    }

    /// @inheritdoc IMaker
    function poolState(bytes32 poolId) external view returns (int256 qLong, int256 qShort, bool open) {
        Pool memory p = _pools[poolId];
        if (p.status == NONE) revert UnknownPool(poolId);
        return (p.qLong, p.qShort, p.status == OPEN);
    }

    /// @inheritdoc IMaker
    function poolAccount(bytes32 poolId) public pure returns (address) {
        return address(uint160(uint256(poolId)));
    }

    /// @inheritdoc IMaker
    function fundingFor(uint256 b) external pure returns (uint256) {
        return PoolMath.funding(b);
    }

    /// @inheritdoc IMaker
    function prices(bytes32 poolId) external view returns (uint256 long, uint256 short) {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        uint256 pl = LMSRMath.priceLong((int256(p.qLong) - p.qShort) * (int256(key.hi) - key.lo), key.b);
        return (pl / 1e18, (LMSRMath.ONE - pl) / 1e18);
    }

    /// @inheritdoc IMaker
    function forwardPrice(bytes32 poolId) external view returns (int256) {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        int256 w = int256(key.hi) - key.lo;
        uint256 pl = LMSRMath.priceLong((int256(p.qLong) - p.qShort) * w, key.b);
        return key.lo + int256(pl) * w / int256(LMSRMath.ONE);
    }

    /// @inheritdoc IMaker
    function quote(bytes32 poolId, Side side, int256 shares)
        external
        view
        returns (int256 cost, uint256 fee, int256 quantity)
    {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        uint256 size = shares >= 0 ? uint256(shares) : uint256(-shares);
        int256 n = PoolMath.forward(size, int256(key.hi) - key.lo);
        if (n == 0) revert ZeroShares();
        (Trade memory t, bool ok) = PoolMath.price(_terms(key), p.qLong, p.qShort, side, shares >= 0 ? n : -n);
        if (!ok) revert PoolOverflow(poolId);
        return (PoolMath.ceilDiv(t.pay, PoolMath.WAD), t.fee, t.quantity);
    }

    /// @inheritdoc IMaker
    function sharesForCost(bytes32 poolId, Side side, uint256 budget) external view returns (uint256) {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        return PoolQuotes.sharesForCost(_terms(key), p.qLong, p.qShort, side, budget);
    }

    /// @inheritdoc IMaker
    function observe(bytes32 poolId) external view returns (int256 cumulative, uint256 timestamp, uint256 cushion) {
        (PoolKey memory key, Pool memory p) = _view(poolId);
        if (!p.tracked) revert PoolNotTracked(poolId);
        Track memory k = _tracks[poolId];
        // A closed pool's accumulator stopped when it closed.
        if (p.status != OPEN) return (k.cumulative, k.updated, k.cushion);
        return (_accumulate(k, _logit(key.lo, key.hi, key.b, p)), block.timestamp, k.cushion);
    }

    function _view(bytes32 poolId) private view returns (PoolKey memory key, Pool memory p) {
        p = _pools[poolId];
        if (p.status == NONE) revert UnknownPool(poolId);
        key = _keys[poolId];
    }
}
