// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoolAccountsEE} from "../interfaces/IPoolAccounts.sol";
import {Collateral} from "./Collateral.sol";

/// @title PoolAccountsBase
/// @notice What the Exchange and its extension share about pool accounts: the maker fixed at
/// deployment, the only caller of the pool hooks.
/// @dev A pool account is an ordinary vault account whose address (the low 160 bits of the pool's
/// id) nobody holds a key for; only the maker moves its collateral or trades on it.
abstract contract PoolAccountsBase is IPoolAccountsEE, Collateral {
    /// @dev The maker of this deployment; zero for a deployment without one.
    address internal immutable _maker;

    constructor(address maker_) {
        _maker = maker_;
    }

    function _onlyMaker() internal view {
        if (msg.sender != _maker) revert NotMaker(msg.sender);
    }
}
