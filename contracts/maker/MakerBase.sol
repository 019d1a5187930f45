// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMaker, PoolKey} from "../interfaces/IMaker.sol";
import {IExchange} from "../interfaces/IExchange.sol";
import {PoolMath, Terms} from "../libraries/PoolMath.sol";

/// @title MakerBase
/// @notice The Maker's pools: their storage, creation and the helpers every part of the Maker shares
/// (protocol.md section 5).
/// @dev A pool's id is `keccak256(abi.encode(key))` and its Exchange account the id's low 160 bits.
abstract contract MakerBase is IMaker {
    /// @dev One slot per pool: outstanding shares per side (forward units), its status and whether
    /// it is tracked (`TrackedPools`).
    struct Pool {
        int96 qLong;
        int96 qShort;
        uint8 status;
        bool tracked;
    }

    uint8 internal constant NONE = 0;
    uint8 internal constant OPEN = 1;
    uint8 internal constant CLOSED = 2;
    uint256 public constant MAX_FEE_BPS = 1000;

    /// @inheritdoc IMaker
    address public immutable exchange;

    mapping(bytes32 poolId => Pool) internal _pools;
    mapping(bytes32 poolId => PoolKey) internal _keys;

    /// @param exchange_ The Exchange this maker trades on (its address is known before it is deployed).
    constructor(address exchange_) {
        exchange = exchange_;
    }

    /// @dev Create and fund a pool of the caller's on `(rootId, branchId)`; a tracked one (`period`
    /// non-zero) starts its price record before the Exchange is called.
    function _create(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt, uint32 period)
        internal
        returns (bytes32 poolId)
    {
        if (b == 0) revert InvalidLiquidity(b);
        if (feeBps > MAX_FEE_BPS) revert FeeTooHigh(feeBps, MAX_FEE_BPS);
        (int128 lo, int128 hi) = IExchange(exchange).bounds(rootId, branchId);
        if (lo == hi) revert PointMarket(rootId, branchId);
        PoolKey memory key = PoolKey(rootId, branchId, lo, hi, b, feeBps, msg.sender, salt);
        poolId = keccak256(abi.encode(key));
        if (_pools[poolId].status != NONE) revert PoolExists(poolId);
        _pools[poolId] = Pool(0, 0, OPEN, period != 0);
        _keys[poolId] = key;
        if (period != 0) _startTracking(poolId, period);
        uint256 amount = PoolMath.funding(b);
        address account = poolAccount(poolId);
        emit PoolCreated(poolId, msg.sender, rootId, key, account, amount, period);
        IExchange(exchange).poolOpen(msg.sender, account, rootId, branchId, amount);
    }

    /// @dev Start a tracked pool's accumulator and price range (`TrackedPools`).
    function _startTracking(bytes32 poolId, uint32 period) internal virtual;

    /// @dev The id and state of an open pool.
    function _open(PoolKey calldata key) internal view returns (bytes32 poolId, Pool memory p) {
        poolId = keccak256(abi.encode(key));
        p = _pools[poolId];
        if (p.status != OPEN) {
            if (p.status == NONE) revert UnknownPool(poolId);
            revert PoolClosed(poolId);
        }
    }

    /// @dev The id, state and key of an existing pool (views).
    function _view(bytes32 poolId) internal view returns (PoolKey memory key, Pool memory p) {
        p = _pools[poolId];
        if (p.status == NONE) revert UnknownPool(poolId);
        key = _keys[poolId];
    }

    function _terms(PoolKey memory key) internal pure returns (Terms memory) {
        return Terms(key.lo, key.hi, key.b, key.feeBps);
    }

    /// @dev `_terms` straight from calldata (no copy of the whole key to memory).
    function _termsOf(PoolKey calldata key) internal pure returns (Terms memory) {
        return Terms(key.lo, key.hi, key.b, key.feeBps);
    }

    /// @inheritdoc IMaker
    function poolAccount(bytes32 poolId) public pure returns (address) {
        return address(uint160(uint256(poolId)));
    }
}
