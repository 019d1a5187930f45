// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoolTrades} from "../interfaces/IPoolAccounts.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Collateral} from "./Collateral.sol";
import {PoolAccountsBase} from "./PoolAccountsBase.sol";

/// @title PoolTrades
/// @notice The Exchange's side of a trade with a market maker pool (protocol.md section 5): a matched
/// bounded-forward trade between a trader and a pool account, at the maker's price.
/// @dev The maker prices the trade and passes the trader's forward quantity `q`, total cost `c`
/// (36 decimals) and the trade's own lowest payoff over the market's bounds. The trader's check runs
/// with their root's cached lower bound moved by that payoff (`_lowerAndCheck`); the pool needs none:
/// its account was opened with a cached worst case of minus its funding, which the LMSR's bounded
/// loss keeps a true lower bound for good (`PoolAccounts`).
abstract contract PoolTrades is IPoolTrades, PoolAccountsBase {
    using BoundsLib for Bounds;

    /// @inheritdoc IPoolTrades
    function maker() external view returns (address) {
        return _maker;
    }

    /// @inheritdoc IPoolTrades
    function poolTrade(
        address trader,
        address pool,
        uint256 rootId,
        uint16 branchId,
        int256 quantity,
        int256 cost,
        int256 worst
    ) external {
        _onlyMaker();
        // The pool's market exists (the maker checked it at creation): only settlement, a flagged
        // close or a freeze can stop it, and the root's flags say each (one slot read).
        uint8 flags = _roots[rootId].flags;
        if (flags & ~ROOT_MANAGED != 0) _refuseTrading(rootId, flags);
        bool managed = flags != 0;
        RootAccount storage slot = _rootAccounts[trader][rootId];
        RootAccount memory ra = slot;
        if (ra.flags & LISTED == 0) _list(trader, rootId, ra);
        ra.branchMask |= uint64(1 << (branchId - 1));
        _addCost(trader, rootId, branchId, quantity, cost, managed);
        _addCost(pool, rootId, branchId, -quantity, -cost, managed);
        _lowerAndCheck(trader, rootId, slot, ra, worst);
    }
}
