// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICollateral, ICollateralViews} from "./ICollateral.sol";
import {IManagedRoots} from "./IManagedRoots.sol";
import {IMarkets, IMarketsAdmin} from "./IMarkets.sol";
import {IAmendments, IMatching} from "./IMatching.sol";
import {IOrders} from "./IOrders.sol";
import {IPoolAccounts, IPoolTrades} from "./IPoolAccounts.sol";
import {ISettlement} from "./ISettlement.sol";
import {IVault} from "./IVault.sol";

/// @title IExchange
/// @notice The whole ABI of a pmarket Exchange address: its own entry points and those its
/// extension serves through the fallback.
interface IExchange is
    IMarkets,
    IMarketsAdmin,
    IOrders,
    IVault,
    ICollateral,
    ICollateralViews,
    IMatching,
    IAmendments,
    ISettlement,
    IPoolTrades,
    IPoolAccounts,
    IManagedRoots
{
    /// @notice The extension contract the Exchange delegates to.
    function extension() external view returns (address);

    /// @notice Run several entry points of this Exchange in one transaction (each by delegatecall, with
    /// the caller as `msg.sender`); reverts if any of them reverts.
    function multicall(bytes[] calldata data) external returns (bytes[] memory results);

    /// @notice The next nonce of `owner` for relayed definitions.
    function nonces(address owner) external view returns (uint256);
}
