// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ISettlement} from "../interfaces/ISettlement.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Collateral} from "../mixins/Collateral.sol";

/// @title Settlement
/// @notice Claims on roots settled by narrowing to a point (protocol.md sections 1 and 2).
/// @dev Each trader claims once per root: the payoff of all their positions there, rounded down,
/// moves into their balance, their open orders there are void and the root leaves their list.
/// Losses are paid into the root's pot and gains out of it, so at every moment
/// `token balance = sum of balances + sum of pots` (to the wei) and the pot is never negative.
/// Payoffs are exact and net to zero across a root's traders, so once everyone has claimed the pot
/// holds only the rounding (less than 1 wei per claim), which stays in the vault.
abstract contract Settlement is ISettlement, Collateral {
    using BoundsLib for Bounds;

    /// @inheritdoc ISettlement
    function claim(uint256 rootId) external returns (int256 payoff) {
        return _claim(msg.sender, rootId);
    }

    /// @inheritdoc ISettlement
    function claimFor(address trader, uint256 rootId) external returns (int256 payoff) {
        return _claim(trader, rootId);
    }

    /// @inheritdoc ISettlement
    function claimMany(uint256 rootId, address[] calldata traders) external returns (uint256 claimed) {
        // First pass: everyone; a gain that finds the pot short is retried after the losses are in.
        bool[] memory retry = new bool[](traders.length);
        for (uint256 i; i < traders.length; ++i) {
            try this.claimFor(traders[i], rootId) {
                ++claimed;
            } catch (bytes memory reason) {
                if (bytes4(reason) == SettlementPending.selector) retry[i] = true;
                else emit ClaimSkipped(traders[i], rootId, reason);
            }
        }
        for (uint256 i; i < traders.length; ++i) {
            if (!retry[i]) continue;
            try this.claimFor(traders[i], rootId) {
                ++claimed;
            } catch (bytes memory reason) {
                emit ClaimSkipped(traders[i], rootId, reason);
            }
        }
    }

    /// @inheritdoc ISettlement
    function pot(uint256 rootId) external view returns (uint256) {
        return _pots[rootId];
    }

    /// @inheritdoc ISettlement
    function hasClaimed(address trader, uint256 rootId) external view returns (bool) {
        return _rootAccounts[trader][rootId].flags & CLAIMED != 0;
    }

    /// @dev Checks in this order: the root exists, has settled, the trader has not claimed, has
    /// something in it, and (for a gain) the pot covers it.
    function _claim(address trader, uint256 rootId) private returns (int256 payoff) {
        if (_roots[rootId].owner == address(0)) revert UnknownMarket(rootId, 1);
        if (!_bounds[rootId][1].isPoint()) revert MarketNotSettled(rootId);
        RootAccount memory ra = _rootAccounts[trader][rootId];
        if (ra.flags & CLAIMED != 0) revert AlreadyClaimed(trader, rootId);
        if (ra.flags & LISTED == 0) revert NothingToClaim(trader, rootId);

        payoff = _rootWorst(trader, rootId, ra);
        uint256 held = _pots[rootId];
        if (payoff > 0) {
            if (uint256(payoff) > held) revert SettlementPending(rootId, held, payoff);
            _pots[rootId] = held - uint256(payoff);
        } else if (payoff < 0) {
            _pots[rootId] = held + uint256(-payoff);
        }
        Account storage a = _accounts[trader];
        a.balance = SafeCast.toInt128(int256(a.balance) + payoff);
        a.worstSum = SafeCast.toInt128(int256(a.worstSum) - ra.worst);
        _unlist(trader, rootId, ra.listIndex);
        _rootAccounts[trader][rootId] = RootAccount(0, 0, 0, 0, CLAIMED);
        emit Claimed(trader, rootId, payoff, msg.sender);
    }
}
