// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {Amendments} from "./extension/Amendments.sol";
import {ExchangeAnnex} from "./ExchangeAnnex.sol";
import {MarketsAdmin} from "./extension/MarketsAdmin.sol";
import {PoolAccounts} from "./extension/PoolAccounts.sol";
import {Settlement} from "./extension/Settlement.sol";
import {Collateral} from "./mixins/Collateral.sol";
import {Markets} from "./mixins/Markets.sol";
import {PoolAccountsBase} from "./mixins/PoolAccountsBase.sol";
import {Vault} from "./mixins/Vault.sol";

/// @title pmarket Exchange extension
/// @notice The rarely called entry points of an Exchange: claims on settled roots, cancels and
/// reductions, root administration and freezes, relayed definitions, the maker's funding and fill
/// hooks; the rest (managed roots, the heavy views) in its `ExchangeAnnex`, reached the same way. It is deployed just before its Exchange, which checks its parameters
/// and reaches it by `delegatecall` from its fallback, so it runs on the Exchange's storage, with the
/// Exchange's address, balance and `msg.sender`.
/// @dev It inherits the same storage-carrying mixins in the same order as `Exchange` (both start
/// from `Collateral`), so both see one storage layout; a test compares the two layouts. Called
/// directly at its own address it only sees its own, empty, storage.
contract ExchangeExtension is Collateral, MarketsAdmin, Amendments, Settlement, PoolAccounts {
    /// @notice The annex this extension delegates its other entry points to (created with it).
    address public immutable annex;

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_, address maker_)
        EIP712("pmarket", "1")
        Markets(maxBranches_)
        Vault(collateral_)
        Collateral(maxOpenOrders_, maxRoots_)
        PoolAccountsBase(maker_)
    {
        annex = address(new ExchangeAnnex(collateral_, maxBranches_, maxOpenOrders_, maxRoots_));
    }

    /// @notice The entry points of the annex (managed roots, views), on the Exchange's storage.
    fallback() external {
        address target = annex;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice The parameters this extension was built with: the Exchange's constructor checks that
    /// they are its own (the extension's immutables are part of its code).
    function extensionConfig() external view returns (address, uint16, uint8, uint8, address) {
        return (address(_collateral), _maxBranches, _maxOpenOrders, _maxRoots, _maker);
    }
}
