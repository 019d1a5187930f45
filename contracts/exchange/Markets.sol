// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Definition, OrderStructs} from "../libraries/OrderStructs.sol";
import {ExchangeBase} from "./ExchangeBase.sol";
import {ROOT_FLAGGED, ROOT_FROZEN, ROOT_MANAGED, ROOT_SETTLED, Root} from "./ExchangeStorage.sol";

/// @title Markets
/// @notice The market registry of protocol.md section 1: roots created by their first definition,
/// nested sub-market branches, definitions folded in posting order with the clamp rule; root
/// administration (oracles, ownership, freezes) and relayed signed definitions.
/// @dev The lazy fold (storage in `ExchangeStorage`: `roots`, `bounds`, `oracles`, `nonces`).
/// - `_s().bounds[root][1]` holds the root's current bounds `R`.
/// - `_s().bounds[root][b]` for `b >= 2` holds a state `B_b`, written when branch `b` (or a branch below
///   it) was last defined, such that the branch's effective bounds are `R` clamped into `B_b`:
///   `[clamp(R.min, B_b), clamp(R.max, B_b)]`.
///   Two facts make this exact (docs/protocol.md proves both): when `B_b` is written it lies inside
///   the root's bounds of that moment or is a point, so it equals that root clamped into itself;
///   and clamping into `clamp(A, B)` equals clamping into `A` and then into `B`, so every later
///   root narrowing reaches branch `b` through the same formula.
///   Narrowing or settling a root is therefore O(1) whatever the number of branches, and a
///   definition of branch `k >= 2` (only possible before branches `>= k` trade) rewrites branches
///   `k..count`, at most `maxBranches` of them.
abstract contract Markets is ExchangeBase, EIP712 {
    using BoundsLib for Bounds;

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Settle existing root `rootId` at `outcome` (a definition `min == max == outcome`). Unlike
    /// a definition, settling never creates a root: a mistyped id must not pass silently.
    function _settle(address caller, uint256 rootId, int128 outcome) internal {
        if (_s().roots[rootId].owner == address(0)) revert UnknownMarket(rootId, 1);
        _define(caller, rootId, 1, outcome, outcome);
    }

    /// @dev Effective bounds of an existing market; reverts `UnknownMarket` otherwise.
    function _effectiveBounds(uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        Root memory r = _s().roots[rootId];
        if (r.owner == address(0) || branchId == 0 || branchId > r.branchCount) {
            revert UnknownMarket(rootId, branchId);
        }
        return _effective(rootId, branchId);
    }

    /// @dev Effective bounds of a market that can take orders: it exists (`UnknownMarket`), its root
    /// has not settled (`MarketSettled`) and is not frozen (`MarketFrozen`). Reads the root's bounds once.
    function _tradableBounds(uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        Root memory r = _s().roots[rootId];
        if (r.owner == address(0) || branchId == 0 || branchId > r.branchCount) {
            revert UnknownMarket(rootId, branchId);
        }
        if (r.flags & ~ROOT_MANAGED != 0) _refuseTrading(rootId, r.flags);
        return _clampInto(_s().bounds[rootId][1], rootId, branchId);
    }

    /// @dev Revert with the reason a root whose `flags` (beyond `ROOT_MANAGED`) are set takes no
    /// trade: settled (`ROOT_SETTLED` mirrors point bounds), closed at the flagged terms, or frozen.
    function _refuseTrading(uint256 rootId, uint8 flags) internal view {
        if (flags & ROOT_SETTLED != 0) revert MarketSettled(rootId, _s().bounds[rootId][1].min);
        if (flags & ROOT_FLAGGED != 0) revert MarketFlagged(rootId);
        revert MarketFrozen(rootId);
    }

    /// @dev Effective bounds of branch `branchId` (which must exist): `R` clamped into `B_b`.
    function _effective(uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        return _clampInto(_s().bounds[rootId][1], rootId, branchId);
    }

    /// @dev The lazy fold: root bounds `root` clamped into branch `branchId`'s stored state.
    function _clampInto(Bounds memory root, uint256 rootId, uint16 branchId) internal view returns (Bounds memory) {
        if (branchId == 1) return root;
        Bounds memory stored = _s().bounds[rootId][branchId];
        return Bounds(
            int128(BoundsLib.clamp(root.min, stored.min, stored.max)),
            int128(BoundsLib.clamp(root.max, stored.min, stored.max))
        );
    }

    /// @dev Record that market `(rootId, branchId)` has orders (definitions of branches `2..branchId`
    /// are refused from now on) and return the order's number in its root, counting from 1.
    /// A root counts up to 2^48 - 1 orders (2.8e14); the next one reverts (arithmetic overflow).
    function _nextOrderSeq(uint256 rootId, uint16 branchId) internal returns (uint48 seq) {
        Root storage r = _s().roots[rootId];
        seq = r.orderCount + 1;
        r.orderCount = seq;
        if (branchId > r.maxOrderedBranch) r.maxOrderedBranch = branchId;
    }

    /// @dev Owner or oracle of root `rootId`.
    function _canDefine(uint256 rootId, address account) internal view returns (bool) {
        return _s().roots[rootId].owner == account || _s().oracles[rootId][account];
    }

    function _requireOwner(uint256 rootId) internal view {
        address owner = _s().roots[rootId].owner;
        if (owner == address(0)) revert UnknownMarket(rootId, 1);
        if (owner != msg.sender) revert NotMarketOwner(rootId, msg.sender);
    }

    function _define(address definer, uint256 rootId, uint16 branchId, int128 min, int128 max) internal {
        if (min > max) revert InvalidBounds(min, max);
        Root memory r = _s().roots[rootId];
        if (r.owner == address(0)) {
            _createRoot(definer, rootId, branchId, min, max);
            return;
        }
        if (!_canDefine(rootId, definer)) revert NotMarketOwner(rootId, definer);
        Bounds memory root = _s().bounds[rootId][1];
        if (root.isPoint()) revert MarketSettled(rootId, root.min);
        if (r.flags & ROOT_FLAGGED != 0) revert MarketFlagged(rootId);
        if (branchId == 0 || branchId > r.branchCount + 1 || branchId > _maxBranches) {
            revert InvalidBranch(rootId, branchId, r.branchCount);
        }

        Bounds memory result;
        if (branchId == 1) {
            // Narrowing the root: O(1); every branch follows through the lazy clamp.
            result = root.apply_(min, max);
            _s().bounds[rootId][1] = result;
        } else {
            if (branchId <= r.maxOrderedBranch) revert MarketLocked(rootId, branchId, r.maxOrderedBranch);
            if (branchId > r.branchCount) {
                // A new branch starts from the bounds of the branch below it.
                result = _effective(rootId, branchId - 1).apply_(min, max);
                _s().bounds[rootId][branchId] = result;
                _s().roots[rootId].branchCount = branchId;
            } else {
                // Re-defining branch k applies to k and every branch above it (bounded by maxBranches).
                for (uint16 b = r.branchCount; b >= branchId; --b) {
                    Bounds memory next = _effective(rootId, b).apply_(min, max);
                    _s().bounds[rootId][b] = next;
                    if (b == branchId) result = next;
                }
            }
        }
        emit MarketDefined(rootId, branchId, definer, min, max, result.min, result.max);
        if (branchId == 1 && result.isPoint()) {
            _s().roots[rootId].flags |= ROOT_SETTLED;
            emit RootSettled(rootId, result.min);
        }
    }

    /// @dev A definition relayed with its signer's EIP-712 signature: deadline, signature, nonce.
    function _defineBySig(Definition calldata d, bytes calldata signature) internal {
        if (d.deadline != 0 && block.timestamp > d.deadline) revert DefinitionExpired(d.deadline, block.timestamp);
        bytes32 digest = _hashDefinition(d);
        if (!SignatureChecker.isValidSignatureNowCalldata(d.signer, digest, signature)) {
            revert InvalidDefinitionSignature(d.signer);
        }
        uint256 current = _s().nonces[d.signer]++;
        if (d.nonce != current) revert InvalidAccountNonce(d.signer, current);
        emit DefinitionSigned(d.signer, d.nonce, msg.sender);
        _define(d.signer, d.rootId, d.branchId, d.min, d.max);
    }

    /// @dev A signed definition's EIP-712 digest under this deployment's domain.
    function _hashDefinition(Definition calldata d) internal view returns (bytes32) {
        return _hashTypedDataV4(OrderStructs.hash(d));
    }

    /// @dev The root's owner authorises (or revokes) an oracle.
    function _setOracle(uint256 rootId, address oracle, bool authorized) internal {
        _requireOwner(rootId);
        _s().oracles[rootId][oracle] = authorized;
        emit OracleSet(rootId, oracle, authorized);
    }

    /// @dev The root's owner hands it to `newOwner`.
    function _transferRootOwnership(uint256 rootId, address newOwner) internal {
        _requireOwner(rootId);
        if (newOwner == address(0)) revert InvalidOwner(rootId, newOwner);
        _s().roots[rootId].owner = newOwner;
        emit RootOwnershipTransferred(rootId, msg.sender, newOwner);
    }

    /// @dev The root's owner or an oracle freezes or unfreezes a live root.
    function _setFrozen(uint256 rootId, bool frozen) internal {
        Root storage r = _s().roots[rootId];
        if (r.owner == address(0)) revert UnknownMarket(rootId, 1);
        if (!_canDefine(rootId, msg.sender)) revert NotMarketOwner(rootId, msg.sender);
        if (r.flags & (ROOT_SETTLED | ROOT_FLAGGED) != 0) _refuseTrading(rootId, r.flags);
        r.flags = frozen ? r.flags | ROOT_FROZEN : r.flags & ~ROOT_FROZEN;
        emit RootFrozen(rootId, frozen, msg.sender);
    }

    function _createRoot(address definer, uint256 rootId, uint16 branchId, int128 min, int128 max) private {
        if (branchId != 1) revert UnknownMarket(rootId, 1);
        // Ids from 2^96 up are namespaced: their upper 160 bits must be the definer's address.
        if (rootId >> 96 != 0 && rootId >> 96 != uint160(definer)) revert ReservedRootId(rootId, definer);
        _s().roots[rootId] = Root(definer, 1, 0, 0, min == max ? ROOT_SETTLED : 0);
        _s().bounds[rootId][1] = Bounds(min, max);
        emit RootCreated(rootId, definer);
        emit MarketDefined(rootId, 1, definer, min, max, min, max);
        if (min == max) emit RootSettled(rootId, min);
    }
}
