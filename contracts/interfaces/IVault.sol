// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVaultEE
/// @notice Errors and events of the collateral vault.
interface IVaultEE {
    /// @notice `account` holds `balance` (18 decimals) but the operation needs `needed`.
    error InsufficientBalance(address account, int256 balance, uint256 needed);
    /// @notice A deposit or withdrawal that moves no token unit.
    error ZeroAmount();
    /// @notice The collateral token's decimals are above the 36 the vault supports.
    error UnsupportedDecimals(uint8 decimals);
    /// @notice Crediting `credited` would take `account`'s balance beyond 2^127 - 1 (18 decimals).
    error BalanceOverflow(address account, uint256 credited);
    /// @notice A zero address where an account is required.
    error ZeroAddress();

    /// @notice `tokenAmount` token units arrived from `payer` (for a fee-on-transfer token, less than
    /// it sent) and `account` was credited `credited` (18 decimals, rounded down).
    event Deposited(address indexed account, address indexed payer, uint256 tokenAmount, uint256 credited);
    /// @notice `account` was debited `debited` (18 decimals) and `tokenAmount` token units went to `to`.
    event Withdrawn(address indexed account, address indexed to, uint256 debited, uint256 tokenAmount);
}

/// @title IVault
/// @notice One ERC-20 collateral per deployment; balances kept in 18 decimals.
interface IVault is IVaultEE {
    /// @notice Deposit `tokenAmount` token units from the caller for the caller (the caller's own call).
    function deposit(uint256 tokenAmount) external;

    /// @notice Deposit `tokenAmount` token units from the caller for `account`: the caller's tokens,
    /// which only add to `account`'s balance (nothing of `account`'s is taken or moved).
    function depositFor(address account, uint256 tokenAmount) external;

    /// @notice Withdraw up to `amount` (18 decimals) to the caller; see `withdrawTo`.
    function withdraw(uint256 amount) external;

    /// @notice Withdraw up to `amount` (18 decimals) of the caller's balance to `to` (the caller's own
    /// call, their own balance only). Only whole token
    /// units move: the debit is `tokens * unit` where `tokens = amount / unit`; dust stays credited.
    function withdrawTo(address to, uint256 amount) external;

    /// @notice Collateral balance of `account`, 18 decimals. It can be negative only after the
    /// account paid a settled loss with a guaranteed profit in a root that has not settled yet
    /// (docs/protocol.md, "Settlement"); what it may withdraw is limited by the collateral check.
    function balanceOf(address account) external view returns (int256);

    /// @notice The collateral token.
    function collateral() external view returns (address);

    /// @notice 18-decimal amount credited for `tokenAmount` token units (rounded down).
    function toInternal(uint256 tokenAmount) external view returns (uint256);

    /// @notice Token units paid out for an 18-decimal `amount` (rounded down). For a token of
    /// `d > 18` decimals it overflows (panics) above `type(uint256).max / 10^(d-18)`.
    function toTokens(uint256 amount) external view returns (uint256);
}
