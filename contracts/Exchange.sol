// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ExchangeExtension} from "./ExchangeExtension.sol";
import {Collateral} from "./mixins/Collateral.sol";
import {Markets} from "./mixins/Markets.sol";
import {Matching} from "./mixins/Matching.sol";
import {Vault} from "./mixins/Vault.sol";

/// @title pmarket Exchange
/// @notice One deployment of pmarket: the market registry, the append-only book of wallet-signed
/// orders, the collateral vault with its exact check, and matching, composed from one mixin per
/// concern. Claims, cancels, reductions, root administration and the heavy views live in an
/// `ExchangeExtension` that this contract deploys and reaches by `delegatecall` (fallback): one
/// address, one storage, one ABI (`IExchange`), under the 24 KB code-size limit of every EVM chain.
/// @dev The EIP-712 domain is `("pmarket", "1", chainid, address(this))`, so a signed order or
/// definition is valid on this deployment only.
contract Exchange is Collateral, Matching {
    /// @notice The extension this Exchange delegates its other entry points to.
    address public immutable extension;

    /// @param collateral_ The ERC-20 collateral token (any decimals up to 36).
    /// @param maxBranches_ The most branches (root included) one root may have, 1..64; it bounds the
    /// loops of sub-market definitions and of the collateral check.
    /// @param maxOpenOrders_ The most open orders one trader may keep in one root, 1..48.
    /// @param maxRoots_ The most roots one trader may be active in at once, 1..255.
    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        EIP712("pmarket", "1")
        Markets(maxBranches_)
        Vault(collateral_)
        Collateral(maxOpenOrders_, maxRoots_)
    {
        extension = address(new ExchangeExtension(collateral_, maxBranches_, maxOpenOrders_, maxRoots_));
    }

    /// @notice Every other entry point of `IExchange` runs in the extension, on this storage.
    fallback() external {
        address ext = extension;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
