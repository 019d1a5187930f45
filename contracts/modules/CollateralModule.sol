// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {LibBit} from "solady/utils/LibBit.sol";

import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {CLAIMED, ROOT_FLAGGED, RootAccount} from "../exchange/ExchangeStorage.sol";
import {Vault} from "../exchange/Vault.sol";
import {OpenOrder, Position, PositionLib} from "../libraries/PositionLib.sol";
import {Module} from "./Module.sol";

/// @title CollateralModule
/// @notice The exact collateral check past its fast path, and the views of positions, open orders
/// and exact worst cases (`ICollateral`) and of the vault, behind the Exchange's fallback. The rules
/// are in `Collateral` and `Vault`. `worstCase` walks the trader's roots: it is meant for eth_call.
/// @dev The Exchange runs the check's fast path itself and delegates the rest here
/// (`checkExactly`, `withdrawableExactly`), so the exact check's code need not fit in it.
contract CollateralModule is Module, Vault {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.collateral");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
        EIP712("pmarket", "1")
    {}

    /// @notice The exact check past its fast path for `trader`, whose account in `rootId` is now
    /// `ra` (see `Collateral._checkExactly`); reverts `InsufficientCollateral`. Only the Exchange runs
    /// it (by `delegatecall`, from a placement or a pool trade the trader authorised); the router
    /// does not serve it, and at the module's own address it only sees the module's empty storage.
    function checkExactly(address trader, uint256 rootId, RootAccount calldata ra) external {
        _onlyDelegated();
        _checkExactly(trader, rootId, ra);
    }

    /// @notice The withdrawal check past its fast path (see `Collateral._withdrawableExactly`); run
    /// like `checkExactly`, from the account's own withdrawal.
    function withdrawableExactly(address account) external {
        _onlyDelegated();
        _withdrawableExactly(account);
    }

    /// @notice See {ICollateral-worstCase}.
    function worstCase(address trader) external view returns (int256 worst, int256 balance) {
        mapping(uint256 => uint256) storage roots = _s().rootList[trader];
        uint256 count = _s().accounts[trader].rootCount;
        for (uint256 i; i < count; ++i) {
            worst += _rootWorst(trader, roots[i], _s().rootAccounts[trader][roots[i]]);
        }
        balance = _s().accounts[trader].balance;
    }

    /// @notice See {ICollateral-rootWorstCase}.
    function rootWorstCase(address trader, uint256 rootId) external view returns (int256) {
        RootAccount memory ra = _s().rootAccounts[trader][rootId];
        if (_s().roots[rootId].flags & ROOT_FLAGGED != 0 && ra.flags & CLAIMED == 0) return _flaggedPayoff(trader, rootId);
        return _rootWorst(trader, rootId, ra);
    }

    /// @notice See {ICollateral-openOrders}.
    function openOrders(address trader, uint256 rootId)
        external
        view
        returns (uint8[] memory slots, int128[] memory prices, int128[] memory remaining, uint16[] memory branchIds)
    {
        uint256 mask = _s().rootAccounts[trader][rootId].orderMask;
        uint256 n = LibBit.popCount(mask);
        (slots, prices, remaining, branchIds) = (new uint8[](n), new int128[](n), new int128[](n), new uint16[](n));
        for (uint256 k; k < n; ++k) {
            uint256 i = LibBit.ffs(mask);
            mask &= mask - 1;
            OpenOrder memory o = _s().openOrders[trader][rootId][i];
            (slots[k], prices[k], remaining[k], branchIds[k]) = (uint8(i), o.price, o.remaining, o.branchId);
        }
    }

    /// @notice See {ICollateral-traderRoots}.
    function traderRoots(address trader) external view returns (uint256[] memory roots) {
        roots = new uint256[](_s().accounts[trader].rootCount);
        for (uint256 i; i < roots.length; ++i) {
            roots[i] = _s().rootList[trader][i];
        }
    }

    /// @notice See {ICollateral-maxOpenOrders}.
    function maxOpenOrders() external view returns (uint8) {
        return _maxOpenOrders;
    }

    /// @notice See {ICollateral-maxRoots}.
    function maxRoots() external view returns (uint8) {
        return _maxRoots;
    }

    /// @notice See {IVault-collateral}.
    function collateral() external view returns (address) {
        return address(_collateral);
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
