// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ExchangeBase} from "../exchange/ExchangeBase.sol";

/// @title Module
/// @notice What every module of an Exchange has: its concern's name and the deployment constants it
/// was built with, which the Exchange's constructor checks (`ModuleMismatch`).
/// @dev A module runs only by `delegatecall` from its Exchange's fallback, on the Exchange's storage
/// with the Exchange's `msg.sender`. Called at its own address it sees its own, empty, storage.
abstract contract Module is ExchangeBase {
    /// @notice The module's concern (for example `keccak256("pmarket.module.orders")`) and the hash of
    /// the deployment constants it was built with.
    function moduleInfo() external view returns (bytes32 concern, bytes32 config) {
        return (_concern(), _configHash());
    }

    /// @dev The module's own address: `_onlyDelegated` tells a `delegatecall` from a direct call.
    address private immutable _self = address(this);

    /// @notice A function that only makes sense on the Exchange's storage was called directly.
    error NotDelegated();

    /// @dev Refuse a direct call (a function the Exchange itself delegates to, not its router).
    function _onlyDelegated() internal view {
        if (address(this) == _self) revert NotDelegated();
    }

    /// @dev The module's concern.
    function _concern() internal pure virtual returns (bytes32);
}
