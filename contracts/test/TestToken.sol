// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken
/// @notice Freely mintable ERC-20 with configurable decimals: collateral for local chains and tests.
contract TestToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice Token decimals, as set at deployment.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mint `amount` token units to `to` (anyone may: test token only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
