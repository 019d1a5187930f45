// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {CollateralViews} from "./extension/CollateralViews.sol";
import {ManagedRoots} from "./extension/ManagedRoots.sol";
import {Collateral} from "./mixins/Collateral.sol";
import {Markets} from "./mixins/Markets.sol";
import {Vault} from "./mixins/Vault.sol";

/// @title pmarket Exchange annex
/// @notice The second half of the extension: managed roots (the markets of artifacts, with their
/// flagged close) and the heavy views of positions and worst cases. The `ExchangeExtension` creates
/// it in its own constructor and reaches it by `delegatecall` from its fallback, so, like the
/// extension, it runs on the Exchange's storage with the Exchange's `msg.sender`: one address, one
/// ABI (`IExchange`), every contract under the 24 KB code-size limit.
/// @dev It inherits the storage-carrying mixins in the same order as `Exchange` (from `Collateral`),
/// so all three see one storage layout; a test compares them.
contract ExchangeAnnex is Collateral, CollateralViews, ManagedRoots {
    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        EIP712("pmarket", "1")
        Markets(maxBranches_)
        Vault(collateral_)
        Collateral(maxOpenOrders_, maxRoots_)
    {}
}
