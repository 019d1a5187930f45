// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICollateralEE
/// @notice Errors and events of the collateral check (protocol.md section 3).
interface ICollateralEE {
    /// @notice After the operation `trader`'s worst case over all outcomes and all fills of their
    /// open orders would be `worstCase` (18 decimals, summed over roots) against `balance`:
    /// `balance + worstCase < 0`.
    error InsufficientCollateral(address trader, int256 worstCase, int256 balance);
    /// @notice `trader` already has `max` open orders in root `rootId` (the deployment's cap).
    error TooManyOpenOrders(address trader, uint256 rootId, uint8 max);
    /// @notice `trader` already has positions or open orders in `max` roots (the deployment's cap);
    /// claiming a settled root frees its place.
    error TooManyRoots(address trader, uint8 max);
    /// @notice A trade would take a position beyond the supported range (|quantity| or |cost| of
    /// 2^95 - 1 wad, about 3.9e10 whole units).
    error PositionOverflow(address trader, uint256 rootId, uint16 branchId);
    /// @notice A deployment parameter out of its range (`maxOpenOrders` 1..48, `maxRoots` 1..255).
    error InvalidConfiguration(uint256 maxOpenOrders, uint256 maxRoots);
}

/// @title ICollateral
/// @notice Positions, open orders and the exact collateral check over all possible outcomes.
interface ICollateral is ICollateralEE {
    /// @notice Most open orders one trader may keep in one root (fixed at deployment).
    function maxOpenOrders() external view returns (uint8);

    /// @notice Most roots one trader may be active in at once (fixed at deployment).
    function maxRoots() external view returns (uint8);

    /// @notice `trader`'s exact worst case now: `worst` is the sum over their roots of the minimum
    /// payoff over every outcome and every fill of their open orders (18 decimals, each root rounded
    /// down), `balance` their vault balance. Solvent when `balance + worst >= 0`.
    function worstCase(address trader) external view returns (int256 worst, int256 balance);

    /// @notice The exact worst case of `trader` in one root (18 decimals, rounded down); for a
    /// settled root, or one closed at the flagged terms, the payoff a claim credits (0 once claimed).
    function rootWorstCase(address trader, uint256 rootId) external view returns (int256);

    /// @notice `trader`'s aggregated matched position in market `(rootId, branchId)`: `quantity = sum q`
    /// (18 decimals) and `cost = sum q * p` (36 decimals, exact).
    function position(address trader, uint256 rootId, uint16 branchId)
        external
        view
        returns (int256 quantity, int256 cost);

    /// @notice `trader`'s open orders in root `rootId`: their slots, limit prices, signed open
    /// quantities and branches.
    function openOrders(address trader, uint256 rootId)
        external
        view
        returns (uint8[] memory slots, int128[] memory prices, int128[] memory remaining, uint16[] memory branchIds);

    /// @notice The roots in which `trader` has positions or open orders and has not claimed.
    function traderRoots(address trader) external view returns (uint256[] memory);
}
