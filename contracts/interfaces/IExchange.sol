// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICollateral} from "./ICollateral.sol";
import {IManagedRoots} from "./IManagedRoots.sol";
import {IMarkets} from "./IMarkets.sol";
import {IMatching} from "./IMatching.sol";
import {IOrders} from "./IOrders.sol";
import {IPools} from "./IPools.sol";
import {ISettlement} from "./ISettlement.sol";
import {IVault} from "./IVault.sol";

/// @title IExchangeEE
/// @notice Errors of the Exchange's construction and routing.
interface IExchangeEE {
    /// @notice `module` is not the module of concern `concern`, or was built with other deployment
    /// constants than the Exchange's.
    error ModuleMismatch(address module, bytes32 concern);
    /// @notice No entry point of this Exchange has selector `selector`.
    error UnknownSelector(bytes4 selector);
}

/// @title IExchange
/// @notice The whole ABI of a pmarket Exchange address, one interface per concern: the Exchange's
/// own entry points and those its modules serve behind its fallback.
interface IExchange is
    IExchangeEE,
    IMarkets,
    IOrders,
    IVault,
    ICollateral,
    IMatching,
    ISettlement,
    IPools,
    IManagedRoots
{
    /// @notice The modules this Exchange routes its other entry points to, by concern: markets,
    /// orders, matching, settlement, pools, managed roots, collateral (the fields of `Exchange.Modules`).
    function modules() external view returns (address[7] memory);

    /// @notice Run several entry points of this Exchange in one transaction (each by delegatecall, with
    /// the caller as `msg.sender`); reverts if any of them reverts.
    function multicall(bytes[] calldata data) external returns (bytes[] memory results);
}
