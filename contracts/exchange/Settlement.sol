// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ISettlementEE} from "../interfaces/ISettlement.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Collateral} from "./Collateral.sol";
import {
    Account, CLAIMED, LISTED, ROOT_FLAGGED, ROOT_MANAGED, ROOT_SETTLED, Root, RootAccount
} from "./ExchangeStorage.sol";

/// @title Settlement
/// @notice Claims on roots settled by narrowing to a point (protocol.md sections 1 and 2).
/// @dev Each trader claims once per root: the payoff of all their positions there, rounded down,
/// moves into their balance, their open orders there are void and the root leaves their list.
/// Losses are paid into the root's pot and gains out of it, so at every moment
/// `token balance = sum of balances + sum of pots` (to the wei) and the pot is never negative.
/// Payoffs are exact and net to zero across a root's traders, so once everyone has claimed the pot
/// holds only the rounding (less than 1 wei per claim), which stays in the vault. A managed root
/// (an artifact's) is claimed through its owner, which logs each credit and keeps reputations; one
/// closed at the flagged terms pays the flagged payoffs (`ManagedRoots`), whose sum is at most zero.
abstract contract Settlement is ISettlementEE, Collateral {
    using BoundsLib for Bounds;

    /// @dev Claim for each of `traders` in root `rootId`; a refused claim is skipped (`ClaimSkipped`).
    function _claimMany(uint256 rootId, address[] calldata traders) internal returns (uint256 claimed) {
        // First pass: everyone; a gain that finds the pot short is retried after the losses are in.
        // Each claim is checked before it is applied (no self-call), so `Claimed` names the caller.
        bool[] memory retry = new bool[](traders.length);
        for (uint256 pass; pass < 2; ++pass) {
            for (uint256 i; i < traders.length; ++i) {
                if (pass == 1 && !retry[i]) continue;
                (bytes memory refusal, RootAccount memory ra, int256 payoff) = _check(traders[i], rootId);
                if (refusal.length == 0) {
                    _apply(traders[i], rootId, ra, payoff);
                    ++claimed;
                } else if (pass == 0 && bytes4(refusal) == SettlementPending.selector) {
                    retry[i] = true;
                } else {
                    emit ClaimSkipped(traders[i], rootId, refusal);
                }
            }
        }
    }

    /// @dev Claim or revert with the refusal.
    function _claim(address trader, uint256 rootId) internal returns (int256 payoff) {
        (bytes memory refusal, RootAccount memory ra, int256 p) = _check(trader, rootId);
        if (refusal.length != 0) {
            assembly ("memory-safe") {
                revert(add(refusal, 0x20), mload(refusal))
            }
        }
        _apply(trader, rootId, ra, p);
        return p;
    }

    /// @dev The claim's refusal (ABI-encoded custom error, empty when it may proceed), checked in this
    /// order: the root exists, has settled (or closed at the flagged terms), the caller may claim
    /// (a managed root: its owner only), the trader has not claimed, has something in it (or is the
    /// flagged root's residual account), and (for a gain) the pot covers it. Also returns the
    /// trader's account there and the payoff.
    function _check(address trader, uint256 rootId)
        private
        view
        returns (bytes memory refusal, RootAccount memory ra, int256 payoff)
    {
        Root memory r = _s().roots[rootId];
        if (r.owner == address(0)) return (abi.encodeWithSelector(UnknownMarket.selector, rootId, uint16(1)), ra, 0);
        if (r.flags & (ROOT_SETTLED | ROOT_FLAGGED) == 0) {
            return (abi.encodeWithSelector(MarketNotSettled.selector, rootId), ra, 0);
        }
        if (r.flags & ROOT_MANAGED != 0 && msg.sender != r.owner) {
            return (abi.encodeWithSelector(NotMarketOwner.selector, rootId, msg.sender), ra, 0);
        }
        ra = _s().rootAccounts[trader][rootId];
        if (ra.flags & CLAIMED != 0) return (abi.encodeWithSelector(AlreadyClaimed.selector, trader, rootId), ra, 0);
        bool flagged = r.flags & ROOT_FLAGGED != 0;
        if (ra.flags & LISTED == 0 && !(flagged && trader == _s().flagTerms[rootId].residual)) {
            return (abi.encodeWithSelector(NothingToClaim.selector, trader, rootId), ra, 0);
        }
        payoff = flagged ? _flaggedPayoff(trader, rootId) : _rootWorst(trader, rootId, ra);
        uint256 held = _s().pots[rootId];
        if (payoff > 0 && uint256(payoff) > held) {
            refusal = abi.encodeWithSelector(SettlementPending.selector, rootId, held, payoff);
        }
    }

    /// @dev Move the payoff between the trader's balance and the root's pot; void their open orders
    /// there and take the root off their list.
    function _apply(address trader, uint256 rootId, RootAccount memory ra, int256 payoff) private {
        uint256 held = _s().pots[rootId];
        _s().pots[rootId] = payoff > 0 ? held - uint256(payoff) : held + uint256(-payoff);
        Account storage a = _s().accounts[trader];
        (int256 balance, int256 sum) = _balanceAndSum(a);
        uint8 count = a.rootCount;
        if (ra.flags & LISTED != 0) count = _unlist(trader, ra.listIndex, count);
        _writeAccount(a, SafeCast.toInt128(balance + payoff), SafeCast.toInt120(sum - ra.worst), count);
        _s().rootAccounts[trader][rootId] = RootAccount(0, 0, 0, 0, CLAIMED);
        emit Claimed(trader, rootId, payoff, msg.sender);
    }
}
