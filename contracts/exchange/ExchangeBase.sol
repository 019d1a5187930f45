// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {ICollateralEE} from "../interfaces/ICollateral.sol";
import {IMarketsEE} from "../interfaces/IMarkets.sol";
import {IVaultEE} from "../interfaces/IVault.sol";
import {ExchangeStorage} from "./ExchangeStorage.sol";

/// @title ExchangeBase
/// @notice What every part of an Exchange address shares: the deployment's constants and the one
/// storage (`ExchangeStorage`). The Exchange and each of its modules are built with the same
/// constants; the Exchange's constructor refuses a module built with others (`ModuleMismatch`).
/// @dev The constants are immutables (part of each contract's code), so reading them costs no
/// storage access on any path.
abstract contract ExchangeBase is IMarketsEE, ICollateralEE, IVaultEE {
    /// @dev Largest `maxBranches`: a trader's branches of one root are a 64-bit mask in the check.
    uint16 internal constant MAX_BRANCHES_LIMIT = 64;
    /// @dev Largest `maxOpenOrders`: the open-order mask of a root account has 48 bits.
    uint8 internal constant MAX_OPEN_ORDERS_LIMIT = 48;

    /// @dev The ERC-20 collateral (one per deployment).
    IERC20 internal immutable _collateral;
    /// @dev 10^(18 - decimals) for tokens of at most 18 decimals, else 1.
    uint256 internal immutable _up;
    /// @dev 10^(decimals - 18) for tokens of more than 18 decimals, else 1.
    uint256 internal immutable _down;
    /// @dev The most branches one root may have (1..64).
    uint16 internal immutable _maxBranches;
    /// @dev Most open orders per trader and root (1..48), most roots per trader (1..255).
    uint8 internal immutable _maxOpenOrders;
    uint8 internal immutable _maxRoots;

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_) {
        if (maxBranches_ == 0 || maxBranches_ > MAX_BRANCHES_LIMIT) {
            revert InvalidBranch(0, maxBranches_, MAX_BRANCHES_LIMIT);
        }
        if (maxOpenOrders_ == 0 || maxOpenOrders_ > MAX_OPEN_ORDERS_LIMIT || maxRoots_ == 0) {
            revert InvalidConfiguration(maxOpenOrders_, maxRoots_);
        }
        uint8 decimals = IERC20Metadata(address(collateral_)).decimals();
        if (decimals > 36) revert UnsupportedDecimals(decimals);
        _collateral = collateral_;
        _up = decimals <= 18 ? 10 ** (18 - decimals) : 1;
        _down = decimals > 18 ? 10 ** (decimals - 18) : 1;
        _maxBranches = maxBranches_;
        _maxOpenOrders = maxOpenOrders_;
        _maxRoots = maxRoots_;
    }

    /// @dev The deployment's constants in one word: the Exchange compares its modules' with its own.
    function _configHash() internal view returns (bytes32) {
        return keccak256(abi.encode(_collateral, _maxBranches, _maxOpenOrders, _maxRoots));
    }

    /// @dev The Exchange's storage (the same slots from every part).
    function _s() internal pure returns (ExchangeStorage.Layout storage) {
        return ExchangeStorage.layout();
    }
}
