// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IMarketsEE} from "../interfaces/IMarkets.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";

/// @title Markets
/// @notice The market registry of protocol.md section 1: roots created by their first definition,
/// nested sub-market branches, definitions folded in posting order with the clamp rule.
/// @dev Storage layout and the lazy fold.
/// - `_bounds[root][1]` holds the root's current bounds `R`.
/// - `_bounds[root][b]` for `b >= 2` holds a state `B_b`, written when branch `b` (or a branch below
///   it) was last defined, such that the branch's effective bounds are `R` clamped into `B_b`:
///   `[clamp(R.min, B_b), clamp(R.max, B_b)]`.
///   Two facts make this exact (docs/protocol.md proves both): when `B_b` is written it lies inside
///   the root's bounds of that moment or is a point, so it equals that root clamped into itself;
///   and clamping into `clamp(A, B)` equals clamping into `A` and then into `B`, so every later
///   root narrowing reaches branch `b` through the same formula.
///   Narrowing or settling a root is therefore O(1) whatever the number of branches, and a
///   definition of branch `k >= 2` (only possible before branches `>= k` trade) rewrites branches
///   `k..count`, at most `maxBranches` of them.
abstract contract Markets is IMarketsEE, EIP712, Nonces {
    using BoundsLib for Bounds;

    /// @dev One slot: owner (20 bytes) + branch count (2) + highest branch with orders (2) + number
    /// of orders placed in the root (7), which orders its book: the earlier of two matched orders has
    /// the lower number + flags (1: `ROOT_FROZEN`, `ROOT_SETTLED`, `ROOT_MANAGED`, `ROOT_FLAGGED`).
    /// Placing an order and matching read this slot anyway, so counting and the flag checks cost no
    /// extra storage read.
    struct Root {
        address owner;
        uint16 branchCount;
        uint16 maxOrderedBranch;
        uint56 orderCount;
        uint8 flags;
    }

    /// @dev The root's owner or oracle froze it: no orders, matches or pool trades until unfrozen.
    uint8 internal constant ROOT_FROZEN = 1;
    /// @dev The root's bounds are a point (its outcome): mirrors `_bounds[root][1].isPoint()` for
    /// readers that load only this slot (a pool trade).
    uint8 internal constant ROOT_SETTLED = 2;
    /// @dev A managed root (an artifact's market, protocol.md section 6): the Exchange keeps its
    /// aggregates for a flagged settlement, only its owner claims for traders, and a freeze also
    /// stops cancels, reductions and withdrawals of the collateral its positions need.
    uint8 internal constant ROOT_MANAGED = 4;
    /// @dev A managed root closed at the flagged terms: no trading; claims pay the flagged payoffs.
    uint8 internal constant ROOT_FLAGGED = 8;

    /// @dev Largest `maxBranches`: a trader's branches of one root are a 64-bit mask in the check.
    uint16 internal constant MAX_BRANCHES_LIMIT = 64;

    /// @dev The most branches one root may have (a deployment constant, 1..64).
    uint16 internal immutable _maxBranches;

    mapping(uint256 rootId => Root) internal _roots;
    mapping(uint256 rootId => mapping(uint16 branchId => Bounds)) internal _bounds;
    mapping(uint256 rootId => mapping(address oracle => bool)) internal _oracles;

    constructor(uint16 maxBranches_) {
        if (maxBranches_ == 0 || maxBranches_ > MAX_BRANCHES_LIMIT) {
            revert InvalidBranch(0, maxBranches_, MAX_BRANCHES_LIMIT);
        }
        _maxBranches = maxBranches_;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Settle existing root `rootId` at `outcome` (a definition `min == max == outcome`). Unlike
    /// a definition, settling never creates a root: a mistyped id must not pass silently.
    function _settle(address caller, uint256 rootId, int128 outcome) internal {
        if (_roots[rootId].owner == address(0)) revert UnknownMarket(rootId, 1);
        _define(caller, rootId, 1, outcome, outcome);
    }

    /// @dev Effective bounds of an existing market; reverts `UnknownMarket` otherwise.
    function _effectiveBounds(uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        Root memory r = _roots[rootId];
        if (r.owner == address(0) || branchId == 0 || branchId > r.branchCount) {
            revert UnknownMarket(rootId, branchId);
        }
        return _effective(rootId, branchId);
    }

    /// @dev Effective bounds of a market that can take orders: it exists (`UnknownMarket`), its root
    /// has not settled (`MarketSettled`) and is not frozen (`MarketFrozen`). Reads the root's bounds once.
    function _tradableBounds(uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        Root memory r = _roots[rootId];
        if (r.owner == address(0) || branchId == 0 || branchId > r.branchCount) {
            revert UnknownMarket(rootId, branchId);
        }
        if (r.flags & ~ROOT_MANAGED != 0) _refuseTrading(rootId, r.flags);
        return _clampInto(_bounds[rootId][1], rootId, branchId);
    }

    /// @dev Revert with the reason a root whose `flags` (beyond `ROOT_MANAGED`) are set takes no
    /// trade: settled (`ROOT_SETTLED` mirrors point bounds), closed at the flagged terms, or frozen.
    function _refuseTrading(uint256 rootId, uint8 flags) internal view {
        if (flags & ROOT_SETTLED != 0) revert MarketSettled(rootId, _bounds[rootId][1].min);
        if (flags & ROOT_FLAGGED != 0) revert MarketFlagged(rootId);
        revert MarketFrozen(rootId);
    }

    /// @dev Effective bounds of branch `branchId` (which must exist): `R` clamped into `B_b`.
    function _effective(uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        return _clampInto(_bounds[rootId][1], rootId, branchId);
    }

    /// @dev The lazy fold: root bounds `root` clamped into branch `branchId`'s stored state.
    function _clampInto(Bounds memory root, uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        if (branchId == 1) return root;
        Bounds memory stored = _bounds[rootId][branchId];
        return Bounds(
            int128(BoundsLib.clamp(root.min, stored.min, stored.max)),
            int128(BoundsLib.clamp(root.max, stored.min, stored.max))
        );
    }

    /// @dev Record that market `(rootId, branchId)` has orders (definitions of branches `2..branchId`
    /// are refused from now on) and return the order's number in its root, counting from 1.
    function _nextOrderSeq(uint256 rootId, uint16 branchId) internal returns (uint56 seq) {
        Root storage r = _roots[rootId];
        seq = r.orderCount + 1;
        r.orderCount = seq;
        if (branchId > r.maxOrderedBranch) r.maxOrderedBranch = branchId;
    }

    /// @dev Owner or oracle of root `rootId`.
    function _canDefine(uint256 rootId, address account) internal view returns (bool) {
        return _roots[rootId].owner == account || _oracles[rootId][account];
    }

    function _requireOwner(uint256 rootId) internal view {
        address owner = _roots[rootId].owner;
        if (owner == address(0)) revert UnknownMarket(rootId, 1);
        if (owner != msg.sender) revert NotMarketOwner(rootId, msg.sender);
    }

    function _define(address definer, uint256 rootId, uint16 branchId, int128 min, int128 max) internal {
        if (min > max) revert InvalidBounds(min, max);
        Root memory r = _roots[rootId];
        if (r.owner == address(0)) {
            _createRoot(definer, rootId, branchId, min, max);
            return;
        }
        if (!_canDefine(rootId, definer)) revert NotMarketOwner(rootId, definer);
        Bounds memory root = _bounds[rootId][1];
        if (root.isPoint()) revert MarketSettled(rootId, root.min);
        if (r.flags & ROOT_FLAGGED != 0) revert MarketFlagged(rootId);
        if (branchId == 0 || branchId > r.branchCount + 1 || branchId > _maxBranches) {
            revert InvalidBranch(rootId, branchId, r.branchCount);
        }

        Bounds memory result;
        if (branchId == 1) {
            // Narrowing the root: O(1); every branch follows through the lazy clamp.
            result = root.apply_(min, max);
            _bounds[rootId][1] = result;
        } else {
            if (branchId <= r.maxOrderedBranch) revert MarketLocked(rootId, branchId, r.maxOrderedBranch);
            if (branchId > r.branchCount) {
                // A new branch starts from the bounds of the branch below it.
                result = _effective(rootId, branchId - 1).apply_(min, max);
                _bounds[rootId][branchId] = result;
                _roots[rootId].branchCount = branchId;
            } else {
                // Re-defining branch k applies to k and every branch above it (bounded by maxBranches).
                for (uint16 b = r.branchCount; b >= branchId; --b) {
                    Bounds memory next = _effective(rootId, b).apply_(min, max);
                    _bounds[rootId][b] = next;
                    if (b == branchId) result = next;
                }
            }
        }
        emit MarketDefined(rootId, branchId, definer, min, max, result.min, result.max);
        if (branchId == 1 && result.isPoint()) {
            _roots[rootId].flags |= ROOT_SETTLED;
            emit RootSettled(rootId, result.min);
        }
    }

    function _createRoot(address definer, uint256 rootId, uint16 branchId, int128 min, int128 max) private {
        if (branchId != 1) revert UnknownMarket(rootId, 1);
        // Ids from 2^96 up are namespaced: their upper 160 bits must be the definer's address.
        if (rootId >> 96 != 0 && rootId >> 96 != uint160(definer)) revert ReservedRootId(rootId, definer);
        _roots[rootId] = Root(definer, 1, 0, 0, min == max ? ROOT_SETTLED : 0);
        _bounds[rootId][1] = Bounds(min, max);
        emit RootCreated(rootId, definer);
        emit MarketDefined(rootId, 1, definer, min, max, min, max);
        if (min == max) emit RootSettled(rootId, min);
    }
}
