// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {CLAIMED} from "../exchange/ExchangeStorage.sol";
import {Settlement} from "../exchange/Settlement.sol";
import {Module} from "./Module.sol";

/// @title SettlementModule
/// @notice Claims on settled roots (`ISettlement`), behind the Exchange's fallback. The rules are in
/// `Settlement`.
contract SettlementModule is Module, Settlement {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.settlement");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
        EIP712("pmarket", "1")
    {}

    /// @notice See {ISettlement-claim}. Authority: a settlement (the root settled or was flagged); the
    /// caller claims their own payoff (a managed root: its owner claims for traders).
    function claim(uint256 rootId) external returns (int256 payoff) {
        return _claim(msg.sender, rootId);
    }

    /// @notice See {ISettlement-claimFor}. Authority: a settlement: the payoff is fixed by the root's
    /// outcome, so anyone may move it into the trader's balance.
    function claimFor(address trader, uint256 rootId) external returns (int256 payoff) {
        return _claim(trader, rootId);
    }

    /// @notice See {ISettlement-claimMany}. Authority: a settlement, as `claimFor`.
    function claimMany(uint256 rootId, address[] calldata traders) external returns (uint256 claimed) {
        return _claimMany(rootId, traders);
    }

    /// @notice See {ISettlement-pot}.
    function pot(uint256 rootId) external view returns (uint256) {
        return _s().pots[rootId];
    }

    /// @notice See {ISettlement-hasClaimed}.
    function hasClaimed(address trader, uint256 rootId) external view returns (bool) {
        return _s().rootAccounts[trader][rootId].flags & CLAIMED != 0;
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
