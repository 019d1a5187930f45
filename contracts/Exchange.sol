// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {Markets} from "./mixins/Markets.sol";
import {Orders} from "./mixins/Orders.sol";
import {Vault} from "./mixins/Vault.sol";

/// @title pmarket Exchange
/// @notice One deployment of pmarket: the market registry, the append-only book of wallet-signed
/// orders and the collateral vault, composed from one mixin per concern.
/// @dev The EIP-712 domain is `("pmarket", "1", chainid, address(this))`, so a signed order or
/// definition is valid on this deployment only.
contract Exchange is Markets, Orders, Vault {
    /// @param collateral_ The ERC-20 collateral token (any decimals up to 36).
    /// @param maxBranches_ The most branches (root included) one root may have; it bounds the loops
    /// of sub-market definitions and of the collateral check.
    constructor(IERC20 collateral_, uint16 maxBranches_)
        EIP712("pmarket", "1")
        Markets(maxBranches_)
        Vault(collateral_)
    {}
}
