// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {FlagTerms, ROOT_MANAGED, RootTotals} from "../exchange/ExchangeStorage.sol";
import {ManagedRoots} from "../exchange/ManagedRoots.sol";
import {Module} from "./Module.sol";

/// @title ManagedRootsModule
/// @notice Managed roots and their flagged close (`IManagedRoots`), behind the Exchange's fallback.
/// The rules are in `ManagedRoots`.
contract ManagedRootsModule is Module, ManagedRoots {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.managed");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
        EIP712("pmarket", "1")
    {}

    /// @notice See {IManagedRoots-manageRoot}. Authority: the root's owner (caller), before it trades.
    function manageRoot(uint256 rootId) external {
        _manageRoot(rootId);
    }

    /// @notice See {IManagedRoots-flagRoot}. Authority: the root's owner (an oracle's posting: the
    /// artifact registry closes the root at the flagged terms).
    function flagRoot(uint256 rootId, address residual) external {
        _flagRoot(rootId, residual);
    }

    /// @notice See {IManagedRoots-isManaged}.
    function isManaged(uint256 rootId) external view returns (bool) {
        return _s().roots[rootId].flags & ROOT_MANAGED != 0;
    }

    /// @notice See {IManagedRoots-rootTotals}.
    function rootTotals(uint256 rootId)
        external
        view
        returns (uint256 shortInterest, uint256 longCommitted, uint256 shortCommitted)
    {
        RootTotals memory t = _s().totals[rootId];
        return (t.shortInterest, t.longCommitted, t.shortCommitted);
    }

    /// @notice See {IManagedRoots-flagTerms}.
    function flagTerms(uint256 rootId)
        external
        view
        returns (uint256 returnRate, uint256 bonusRate, address residual, int256 residualPayoff)
    {
        FlagTerms memory ft = _s().flagTerms[rootId];
        return (ft.returnRate, ft.bonusRate, ft.residual, ft.residualPayoff);
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
