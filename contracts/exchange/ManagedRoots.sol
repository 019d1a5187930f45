// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IManagedRootsEE} from "../interfaces/IManagedRoots.sol";
import {Bounds} from "../libraries/BoundsLib.sol";
import {Position, PositionLib} from "../libraries/PositionLib.sol";
import {Collateral} from "./Collateral.sol";
import {FlagTerms, LISTED, ROOT_FLAGGED, ROOT_MANAGED, ROOT_SETTLED, Root, RootTotals} from "./ExchangeStorage.sol";

/// @title ManagedRoots
/// @notice Managed roots and their flagged close (protocol.md section 6), served by the extension.
/// @dev The flagged terms, fixed at once whatever the number of positions. Over `[0, 1]` a
/// position's worst payoff is `w = -cost` (long or flat) or `q - cost` (short), and positions net to
/// zero (`sum q = 0`, `sum cost = 0`), so every account's worst payoffs sum to `-S`, `S` the short
/// open interest, and the traders' (all but the residual, whose worst is `w_r`) to `-S - w_r`.
/// Each trader is paid at least `w`; on top, tier 1 returns half of a long's commitment and the whole
/// of a short's (`T1`), tier 2 adds a quarter of a short's (`T2`, the bonus). The residual may pay
/// out its balance `B` (funding and fees): the traders' payoffs may sum to at most `B`, so the
/// tiers share `A = B + S + w_r >= 0` (the residual passes its own check: `B + w_r >= 0`).
/// `returnRate = min(1, A / T1)`, `bonusRate = min(1, (A - returnRate T1) / T2)`: bonuses shrink pro
/// rata first; returns only when even they cannot be paid (traders who locked in a profit are paid
/// it first). `T1` and `T2` are sums of per-position shares rounded up, every rate and payoff is
/// rounded down, and the residual gets `S + w_r - returnRate T1 - bonusRate T2`, so the payoffs sum
/// to at most zero: the pot never pays out more than came in. The difference is dust left in it.
abstract contract ManagedRoots is IManagedRootsEE, Collateral {
    int256 private constant WAD = 1e18;

    /// @dev The root's owner makes its fresh `[0, 1]` root managed.
    function _manageRoot(uint256 rootId) internal {
        Root memory r = _s().roots[rootId];
        Bounds memory b = _s().bounds[rootId][1];
        if (
            r.owner != msg.sender || r.flags != 0 || r.branchCount != 1 || r.orderCount != 0
                || r.maxOrderedBranch != 0 || b.min != 0 || b.max != WAD
        ) revert RootNotManageable(rootId);
        _s().roots[rootId].flags = ROOT_MANAGED;
        emit RootManaged(rootId, msg.sender);
    }

    /// @dev The managed root's owner closes it at the flagged terms, `residual` taking the rest.
    function _flagRoot(uint256 rootId, address residual) internal {
        Root memory r = _s().roots[rootId];
        if (r.owner == address(0)) revert UnknownMarket(rootId, 1);
        if (r.owner != msg.sender) revert NotMarketOwner(rootId, msg.sender);
        if (r.flags & ROOT_MANAGED == 0) revert RootNotManaged(rootId);
        if (r.flags & (ROOT_SETTLED | ROOT_FLAGGED) != 0) _refuseTrading(rootId, r.flags);

        (FlagTerms memory ft, int256 available) = _terms(rootId, residual);
        _s().flagTerms[rootId] = ft;
        _s().roots[rootId].flags = ROOT_MANAGED | ROOT_FLAGGED;
        emit RootFlagged(rootId, residual, ft.returnRate, ft.bonusRate, ft.residualPayoff, available);
    }

    /// @dev The flagged terms of root `rootId` now, with `residual` taking the difference, and what
    /// the residual could pay beyond every trader's worst payoff (see the contract's notes).
    function _terms(uint256 rootId, address residual) private view returns (FlagTerms memory ft, int256 available) {
        int256 base;
        uint256 tier1;
        uint256 tier2;
        (base, tier1, tier2) = _tiers(rootId, residual);
        // Only a residual trading in the root (the pool) pays out of its balance.
        int256 balance = _s().rootAccounts[residual][rootId].flags & LISTED != 0 ? _s().accounts[residual].balance : int256(0);
        available = (balance > 0 ? balance * WAD : int256(0)) + base;
        if (available < 0) available = 0; // cannot happen (see above); a floor keeps the rates sane
        ft.residual = residual;
        // Casts are safe: the rates are at most 1e18 < 2^64, the payoff within the residual's
        // balance and position (both int128-bounded).
        ft.returnRate = uint64(_rate(available, tier1));
        ft.bonusRate = uint64(_rate(available - int256(ft.returnRate * tier1), tier2));
        int256 paid = int256(ft.returnRate * tier1 + ft.bonusRate * tier2);
        ft.residualPayoff = int128(PositionLib.floorDiv(base - paid, WAD));
    }

    /// @dev `S + w_r` (36 decimals), `T1` and `T2` (wad) of root `rootId` with `residual` set apart.
    function _tiers(uint256 rootId, address residual) private view returns (int256 base, uint256 tier1, uint256 tier2) {
        RootTotals memory t = _s().totals[rootId];
        Position memory rp = _s().positions[residual][rootId][1];
        (, uint256 rl, uint256 rs) = PositionLib.exposure(rp);
        base = int256(uint256(t.shortInterest)) * WAD + PositionLib.worst01(rp);
        uint256 shorts = t.shortCommitted - rs;
        tier1 = (t.longCommitted - rl + 1) / 2 + shorts;
        tier2 = (shorts + 3) / 4;
    }

    /// @dev `min(1, amount / total)` in wad (`amount` 36 decimals, `total` wad), rounded down; 1
    /// when nothing is owed.
    function _rate(int256 amount, uint256 total) private pure returns (uint256) {
        if (total == 0 || amount >= int256(total) * WAD) return uint256(WAD);
        return amount <= 0 ? 0 : uint256(amount) / total;
    }
}
