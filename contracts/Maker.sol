// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMaker, PoolKey, Side} from "./interfaces/IMaker.sol";
import {IExchange} from "./interfaces/IExchange.sol";
import {LMSRMath} from "./libraries/LMSRMath.sol";
import {Order} from "./libraries/OrderStructs.sol";
import {PoolMath, Trade} from "./libraries/PoolMath.sol";
import {PoolQuotes} from "./libraries/PoolQuotes.sol";
import {MakerBase} from "./maker/MakerBase.sol";
import {TrackedPools} from "./maker/TrackedPools.sol";

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
contract Maker is TrackedPools {
    /// @param exchange_ The Exchange this maker trades on (its address is known before it is deployed).
    constructor(address exchange_) MakerBase(exchange_) {}

    /*//////////////////////////////////////////////////////////////
                                 POOLS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMaker
    function createPool(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt)
        external
        returns (bytes32 poolId)
    {
        return _create(rootId, branchId, b, feeBps, salt, 0);
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
        _store(key, poolId, p, t, order.trader, t.fee, 0);
        orderHash = IExchange(exchange).poolFill(order, poolAccount(poolId), quantity, t.cost);
        emit PoolFilled(poolId, orderHash, order.trader, t.quantity, t.cost, t.fee);
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
        _store(key, poolId, p, t, msg.sender, t.fee, 0);
        emit PoolTraded(poolId, msg.sender, side, t.quantity, t.cost, t.fee);
        IExchange(exchange).poolTrade(
            msg.sender, poolAccount(poolId), key.rootId, key.branchId, t.quantity, t.cost, t.worst
        );
    }

    function _retire(bytes32 poolId, Pool memory p) private {
        _pools[poolId] = Pool(p.qLong, p.qShort, CLOSED, p.tracked);
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
}
