// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlacklistToken
/// @notice Test ERC-20 that refuses chosen accounts, as blacklisting stablecoins do: an account
/// marked `Revert` can neither send nor receive (every move reverts with `Blacklisted`); one marked
/// `ReturnFalse` makes `transfer` to it return false without moving anything (the old tokens that
/// report failure instead of reverting). Freely mintable, also to refused accounts.
contract BlacklistToken is ERC20 {
    enum Refusal {
        None,
        Revert,
        ReturnFalse
    }

    uint8 private immutable _decimals;
    mapping(address account => Refusal) public refusal;

    error Blacklisted(address account);

    constructor(uint8 decimals_) ERC20("Blacklist Token", "BLK") {
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

    /// @notice Set how the token treats `account` (anyone may: test token only).
    function setRefusal(address account, Refusal how) external {
        refusal[account] = how;
    }

    /// @notice ERC-20 transfer; false, with nothing moved, to an account marked `ReturnFalse`.
    function transfer(address to, uint256 value) public override returns (bool) {
        if (refusal[to] == Refusal.ReturnFalse) return false;
        return super.transfer(to, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) {
            if (refusal[from] == Refusal.Revert) revert Blacklisted(from);
            if (refusal[to] == Refusal.Revert) revert Blacklisted(to);
        }
        super._update(from, to, value);
    }
}
