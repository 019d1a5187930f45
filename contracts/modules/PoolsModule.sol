// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {PoolHooks} from "../exchange/PoolHooks.sol";
import {Order} from "../libraries/OrderStructs.sol";
import {Module} from "./Module.sol";

/// @title PoolsModule
/// @notice The maker's rarer hooks (`IPools`), behind the Exchange's fallback: the funding, release
/// and fills of pool accounts. The Exchange's router lets only its maker reach them (`NotMaker`);
/// the rules are in `PoolHooks`.
contract PoolsModule is Module, PoolHooks {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.pools");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
        EIP712("pmarket", "1")
    {}

    /// @notice See {IPools-poolOpen}. Authority: the maker, for its caller `creator` (the router checks
    /// the maker; the creator's collateral check runs).
    function poolOpen(address creator, address pool, uint256 rootId, uint16 branchId, uint256 amount) external {
        _poolOpen(creator, pool, rootId, branchId, amount);
    }

    /// @notice See {IPools-poolRelease}. Authority: the maker (a pool's own account to its creator).
    function poolRelease(address pool, address to, uint256 amount) external {
        _poolRelease(pool, to, amount);
    }

    /// @notice See {IPools-poolFill}. Authority: the maker, and the order owner's signature on the
    /// order, filled within its limit.
    function poolFill(Order calldata order, address pool, uint128 quantity, int256 cost) external returns (bytes32) {
        return _poolFill(order, pool, quantity, cost);
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
