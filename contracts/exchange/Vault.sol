// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {Collateral} from "./Collateral.sol";
import {Account} from "./ExchangeStorage.sol";

/// @title Vault
/// @notice One ERC-20 collateral per deployment. Balances are kept in 18 decimals whatever the
/// token's decimals; every conversion rounds against the account.
/// A withdrawal must leave the account solvent (`Collateral._requireWithdrawable`).
/// @dev A deposit is credited what actually arrived (balance difference), so fee-on-transfer tokens
/// are accounted correctly; rebasing tokens are not supported. Deposits and withdrawals are
/// non-reentrant: the balance-difference measurement must not see a nested deposit.
abstract contract Vault is Collateral, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev 18-decimal amount credited for `tokenAmount` token units (rounded down).
    function _toInternal(uint256 tokenAmount) internal view returns (uint256) {
        return tokenAmount * _up / _down;
    }

    /// @dev Token units paid out for an 18-decimal `amount` (rounded down).
    function _toTokens(uint256 amount) internal view returns (uint256) {
        return amount / _up * _down;
    }

    function _deposit(address account, uint256 tokenAmount) internal nonReentrant {
        if (tokenAmount == 0) revert ZeroAmount();
        uint256 before = _collateral.balanceOf(address(this));
        _collateral.safeTransferFrom(msg.sender, address(this), tokenAmount);
        uint256 received = _collateral.balanceOf(address(this)) - before;
        uint256 credited = _toInternal(received);
        if (credited == 0) revert ZeroAmount();
        Account storage acct = _s().accounts[account];
        // Balances are int128 (packed with the check's cache): refuse, by name, what would not fit.
        if (credited > uint256(int256(type(int128).max) - acct.balance)) revert BalanceOverflow(account, credited);
        acct.balance += int128(int256(credited));
        emit Deposited(account, msg.sender, received, credited);
    }

    function _withdraw(address account, address to, uint256 amount) internal nonReentrant {
        int256 balance = _s().accounts[account].balance;
        // Above 18 decimals the conversion is exact (debited == amount) and `amount * unit` could
        // overflow: refuse an amount above the balance before converting it.
        if (_down > 1 && (balance < 0 || amount > uint256(balance))) {
            revert InsufficientBalance(account, balance, amount);
        }
        uint256 tokens = _toTokens(amount);
        if (tokens == 0) revert ZeroAmount();
        uint256 debited = _toInternal(tokens);
        if (balance < 0 || debited > uint256(balance)) revert InsufficientBalance(account, balance, debited);
        // debited <= balance < 2^127, checked above: the cast and the subtraction are exact.
        _s().accounts[account].balance = int128(balance - int256(debited));
        _requireWithdrawable(account);
        emit Withdrawn(account, to, debited, tokens);
        _collateral.safeTransfer(to, tokens);
    }
}
