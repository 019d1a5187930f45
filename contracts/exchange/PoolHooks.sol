// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IMatchingEE} from "../interfaces/IMatching.sol";
import {IPoolsEE} from "../interfaces/IPools.sol";
import {Order} from "../libraries/OrderStructs.sol";
import {OpenOrder, PositionLib} from "../libraries/PositionLib.sol";
import {Collateral} from "./Collateral.sol";
import {Account, LISTED, OrderRecord, ROOT_MANAGED, Root, RootAccount} from "./ExchangeStorage.sol";

/// @title PoolHooks
/// @notice The Exchange's side of the market maker (protocol.md section 5): trades between a trader
/// and a pool account at the maker's price, and the funding, release and fills of pool accounts.
/// Only the maker the Exchange created calls them: `Exchange.poolTrade` checks it, and the Exchange's
/// router checks it before it reaches the `PoolsModule` (which has no maker of its own).
/// @dev A pool account is an ordinary vault account whose address (the low 160 bits of the pool's
/// id) nobody holds a key for; only the maker moves its collateral or trades on it. Its root is
/// cached at a worst case of minus its funding when it opens, and stays there: the maker's pricing
/// guarantees the pool never loses more than its funding (`Maker`), so the cache is a true lower
/// bound and `balance + worstSum = funding - funding >= 0` for good. A trade runs the trader's check
/// with their root's cached lower bound moved by the trade's own lowest payoff (`_lowerAndCheck`);
/// a fill needs no check (like a match): its cost is within the order's limit, whose worst case the
/// owner's check already counts.
abstract contract PoolHooks is IPoolsEE, IMatchingEE, Collateral {
    /// @dev `trader` takes forward quantity `quantity` at total cost `cost` (36 decimals) in
    /// `(rootId, branchId)` against `pool`; `worst` is the trade's own lowest payoff (18 decimals).
    function _poolTrade(
        address trader,
        address pool,
        uint256 rootId,
        uint16 branchId,
        int256 quantity,
        int256 cost,
        int256 worst
    ) internal {
        // The pool's market exists (the maker checked it at creation): only settlement, a flagged
        // close or a freeze can stop it, and the root's flags say each (one slot read).
        uint8 flags = _s().roots[rootId].flags;
        if (flags & ~ROOT_MANAGED != 0) _refuseTrading(rootId, flags);
        bool managed = flags != 0;
        RootAccount storage slot = _s().rootAccounts[trader][rootId];
        RootAccount memory ra = slot;
        if (ra.flags & LISTED == 0) _list(trader, rootId, ra);
        ra.branchMask |= uint64(1 << (branchId - 1));
        _addCost(trader, rootId, branchId, quantity, cost, managed);
        _addCost(pool, rootId, branchId, -quantity, -cost, managed);
        _lowerAndCheck(trader, rootId, slot, ra, worst);
    }

    /// @dev Open pool account `pool` on `(rootId, branchId)`, funded from `creator`'s balance.
    function _poolOpen(address creator, address pool, uint256 rootId, uint16 branchId, uint256 amount) internal {
        _tradableBounds(rootId, branchId);
        // Anyone can compute a pool's account from its key and deposit to it first: such a donation
        // only adds to the pool's cushion (and goes to the creator in the end), so only an account
        // with positions is refused.
        if (_s().accounts[pool].rootCount != 0) revert PoolAccountInUse(pool);
        int128 a = SafeCast.toInt128(SafeCast.toInt256(amount));
        Account storage c = _s().accounts[creator];
        c.balance = SafeCast.toInt128(int256(c.balance) - a);
        // The pool's one root, at index 0 of its list.
        _s().accounts[pool] = Account(SafeCast.toInt128(int256(_s().accounts[pool].balance) + a), SafeCast.toInt120(-a), 1);
        _s().rootAccounts[pool][rootId] = RootAccount(-a, uint64(1 << (branchId - 1)), 0, 0, LISTED);
        _s().rootList[pool][0] = rootId;
        // A traded sub-market keeps its bounds: the pool counts as orders there.
        Root storage r = _s().roots[rootId];
        if (branchId > r.maxOrderedBranch) r.maxOrderedBranch = branchId;
        _requireSolvent(creator);
        emit PoolFunded(pool, creator, rootId, branchId, amount);
    }

    /// @dev Move `amount` from pool account `pool` to `to`; the pool's check must still pass.
    function _poolRelease(address pool, address to, uint256 amount) internal {
        Account storage p = _s().accounts[pool];
        int256 balance = p.balance;
        if (balance < 0 || amount > uint256(balance)) revert InsufficientBalance(pool, balance, amount);
        int128 a = int128(int256(amount)); // <= balance < 2^127
        p.balance = int128(balance) - a;
        Account storage t = _s().accounts[to];
        if (amount > uint256(int256(type(int128).max) - t.balance)) revert BalanceOverflow(to, amount);
        t.balance += a;
        _requireSolvent(pool);
        emit PoolReleased(pool, to, amount);
    }

    /// @dev Fill `quantity` of resting `order` against `pool` at total cost `cost` (36 decimals).
    function _poolFill(Order calldata order, address pool, uint128 quantity, int256 cost)
        internal
        returns (bytes32 orderHash)
    {
        orderHash = _orderHash(order);
        if (quantity == 0) revert ZeroQuantity(orderHash);
        (OrderRecord memory rec, OpenOrder storage open, uint128 remaining) = _openRecord(order, orderHash);
        if (quantity > remaining) revert QuantityExceedsRemaining(orderHash, quantity, remaining);
        uint256 rootId = order.marketRootId;
        _tradableBounds(rootId, order.marketBranchId);
        int256 q = order.quantity > 0 ? int256(uint256(quantity)) : -int256(uint256(quantity));
        // `cost <= q * limit` is "average price <= limit" for a bid and ">= limit" for an offer.
        if (cost > q * order.price) revert FillBeyondLimit(orderHash, _average(cost, q), order.price);
        _shrinkOpen(open, order.trader, rootId, rec.slot, quantity);
        bool managed = _s().roots[rootId].flags & ROOT_MANAGED != 0;
        _addCost(order.trader, rootId, order.marketBranchId, q, cost, managed);
        _addCost(pool, rootId, order.marketBranchId, -q, -cost, managed);
        emit OrderFilledByPool(orderHash, pool, quantity, cost);
    }

    /// @dev `cost / q` (wad) rounded against the order's owner: up for a buyer, down for a seller.
    function _average(int256 cost, int256 q) private pure returns (int256) {
        if (q > 0) return -PositionLib.floorDiv(-cost, q);
        return PositionLib.floorDiv(-cost, -q);
    }
}
