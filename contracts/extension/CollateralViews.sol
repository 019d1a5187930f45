// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LibBit} from "solady/utils/LibBit.sol";

import {ICollateralViews} from "../interfaces/ICollateral.sol";
import {OpenOrder, Position, PositionLib} from "../libraries/PositionLib.sol";
import {Collateral} from "../mixins/Collateral.sol";

/// @title CollateralViews
/// @notice Read-only views of positions, open orders and exact worst cases (served by the
/// Exchange's extension; `worstCase` walks the trader's roots, so it is meant for eth_call).
abstract contract CollateralViews is ICollateralViews, Collateral {
    /// @inheritdoc ICollateralViews
    function worstCase(address trader) external view returns (int256 worst, int256 balance) {
        uint256[] storage roots = _traderRoots[trader];
        for (uint256 i; i < roots.length; ++i) {
            worst += _rootWorst(trader, roots[i], _rootAccounts[trader][roots[i]]);
        }
        balance = _accounts[trader].balance;
    }

    /// @inheritdoc ICollateralViews
    function rootWorstCase(address trader, uint256 rootId) external view returns (int256) {
        RootAccount memory ra = _rootAccounts[trader][rootId];
        if (_roots[rootId].flags & ROOT_FLAGGED != 0 && ra.flags & CLAIMED == 0) return _flaggedPayoff(trader, rootId);
        return _rootWorst(trader, rootId, ra);
    }

    /// @inheritdoc ICollateralViews
    function position(address trader, uint256 rootId, uint16 branchId)
        external
        view
        returns (int256 quantity, int256 cost)
    {
        Position memory p = _positions[trader][rootId][branchId];
        return (p.quantity, PositionLib.cost36(p));
    }

    /// @inheritdoc ICollateralViews
    function openOrders(address trader, uint256 rootId)
        external
        view
        returns (uint8[] memory slots, int128[] memory prices, int128[] memory remaining, uint16[] memory branchIds)
    {
        uint256 mask = _rootAccounts[trader][rootId].orderMask;
        uint256 n = LibBit.popCount(mask);
        (slots, prices, remaining, branchIds) = (new uint8[](n), new int128[](n), new int128[](n), new uint16[](n));
        for (uint256 k; k < n; ++k) {
            uint256 i = LibBit.ffs(mask);
            mask &= mask - 1;
            OpenOrder memory o = _openOrders[trader][rootId][i];
            (slots[k], prices[k], remaining[k], branchIds[k]) = (uint8(i), o.price, o.remaining, o.branchId);
        }
    }

    /// @inheritdoc ICollateralViews
    function traderRoots(address trader) external view returns (uint256[] memory) {
        return _traderRoots[trader];
    }
}
