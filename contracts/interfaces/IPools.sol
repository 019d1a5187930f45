// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Order} from "../libraries/OrderStructs.sol";

/// @title IPoolsEE
/// @notice Errors and events of the Exchange's side of the market maker: pool accounts.
interface IPoolsEE {
    /// @notice Only the deployment's maker may call this (`caller` is not it).
    error NotMaker(address caller);
    /// @notice A pool account must be new: `account` already has positions.
    error PoolAccountInUse(address account);
    /// @notice Filling `orderHash` against the pool would trade at `averagePrice` (18 decimals,
    /// rounded against the owner), beyond its limit `limit`.
    error FillBeyondLimit(bytes32 orderHash, int256 averagePrice, int128 limit);

    /// @notice `amount` (18 decimals) moved from `creator`'s balance into pool account `pool`, which
    /// now makes market `(rootId, branchId)`.
    event PoolFunded(address indexed pool, address indexed creator, uint256 indexed rootId, uint16 branchId, uint256 amount);
    /// @notice `amount` moved from pool account `pool` to `to`'s balance.
    event PoolReleased(address indexed pool, address indexed to, uint256 amount);
    /// @notice `quantity` of resting order `orderHash` was filled against pool account `pool` at total
    /// cost `cost` (36 decimals): the book's record of the fill (the maker logs the pool's side).
    event OrderFilledByPool(bytes32 indexed orderHash, address indexed pool, uint128 quantity, int256 cost);
}

/// @title IPools
/// @notice The maker's hooks into the Exchange (protocol.md section 5): a matched trade between a
/// trader and a pool account (`poolTrade`, logged by the maker's `PoolTraded`), and the funding,
/// release and fills of pool accounts. Only the maker the Exchange created may call them.
interface IPools is IPoolsEE {
    /// @notice The maker of this deployment (zero if none).
    function maker() external view returns (address);

    /// @notice Record `trader` taking forward quantity `quantity` at total cost `cost` (36 decimals)
    /// in `(rootId, branchId)` against `pool`, whose side is the opposite; `worst` is the trade's own
    /// lowest payoff over the market's bounds (18 decimals, rounded down). Runs `trader`'s
    /// collateral check. Refused if the root settled. Maker only: for the trader who called the
    /// Maker (buy, sell), or on a close the managed root's owner relays for the holder's own call.
    function poolTrade(
        address trader,
        address pool,
        uint256 rootId,
        uint16 branchId,
        int256 quantity,
        int256 cost,
        int256 worst
    ) external;

    /// @notice Maker only, for the caller of `createPool` (`creator`): open pool account `pool` on
    /// `(rootId, branchId)` with `amount` taken from `creator`'s
    /// balance (the creator's collateral check runs). The pool's cached worst case is `-amount` for
    /// good: the maker guarantees its loss never exceeds its funding.
    function poolOpen(address creator, address pool, uint256 rootId, uint16 branchId, uint256 amount) external;

    /// @notice Move `amount` from pool account `pool` to `to` (Maker only: a pool's own account to its
    /// creator); the pool's check must still pass.
    function poolRelease(address pool, address to, uint256 amount) external;

    /// @notice Fill `quantity` of resting `order` against `pool` at total cost `cost` (36
    /// decimals); refused beyond the order's limit (`FillBeyondLimit`). Returns the order's hash.
    /// Maker only; authority: the owner's signature on the order, filled within its limit.
    function poolFill(Order calldata order, address pool, uint128 quantity, int256 cost) external returns (bytes32);
}
