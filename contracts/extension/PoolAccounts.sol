// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IMatchingEE} from "../interfaces/IMatching.sol";
import {IPoolAccounts} from "../interfaces/IPoolAccounts.sol";
import {Bounds} from "../libraries/BoundsLib.sol";
import {Order} from "../libraries/OrderStructs.sol";
import {PositionLib} from "../libraries/PositionLib.sol";
import {PoolAccountsBase} from "../mixins/PoolAccountsBase.sol";

/// @title PoolAccounts
/// @notice The maker's hooks that fund and release pool accounts, and fill resting orders against a
/// pool (protocol.md section 5).
/// @dev A pool account's root is cached at a worst case of minus its funding when it opens, and stays
/// there: the maker's pricing guarantees the pool never loses more than its funding (`Maker`), so the
/// cache is a true lower bound and `balance + worstSum = funding - funding >= 0` for good. A fill needs
/// no check (like a match): its cost is within the order's limit, whose worst case the owner's check
/// already counts.
abstract contract PoolAccounts is IPoolAccounts, IMatchingEE, PoolAccountsBase {
    /// @inheritdoc IPoolAccounts
    function poolOpen(address creator, address pool, uint256 rootId, uint16 branchId, uint256 amount) external {
        _onlyMaker();
        _tradableBounds(rootId, branchId);
        // Anyone can compute a pool's account from its key and deposit to it first: such a donation
        // only adds to the pool's cushion (and goes to the creator in the end), so only an account
        // with positions is refused.
        if (_traderRoots[pool].length != 0) revert PoolAccountInUse(pool);
        int128 a = SafeCast.toInt128(SafeCast.toInt256(amount));
        Account storage c = _accounts[creator];
        c.balance = SafeCast.toInt128(int256(c.balance) - a);
        _accounts[pool] = Account(SafeCast.toInt128(int256(_accounts[pool].balance) + a), -a);
        _rootAccounts[pool][rootId] = RootAccount(-a, uint64(1 << (branchId - 1)), 0, 0, LISTED);
        _traderRoots[pool].push(rootId);
        // A traded sub-market keeps its bounds: the pool counts as orders there.
        Root storage r = _roots[rootId];
        if (branchId > r.maxOrderedBranch) r.maxOrderedBranch = branchId;
        _requireSolvent(creator);
        emit PoolFunded(pool, creator, rootId, branchId, amount);
    }

    /// @inheritdoc IPoolAccounts
    function poolRelease(address pool, address to, uint256 amount) external {
        _onlyMaker();
        Account storage p = _accounts[pool];
        int256 balance = p.balance;
        if (balance < 0 || amount > uint256(balance)) revert InsufficientBalance(pool, balance, amount);
        int128 a = int128(int256(amount)); // <= balance < 2^127
        p.balance = int128(balance) - a;
        Account storage t = _accounts[to];
        if (amount > uint256(int256(type(int128).max) - t.balance)) revert BalanceOverflow(to, amount);
        t.balance += a;
        _requireSolvent(pool);
        emit PoolReleased(pool, to, amount);
    }

    /// @inheritdoc IPoolAccounts
    function poolFill(Order calldata order, address pool, uint128 quantity, int256 cost)
        external
        returns (bytes32 orderHash)
    {
        _onlyMaker();
        orderHash = _orderHash(order);
        if (quantity == 0) revert ZeroQuantity(orderHash);
        OrderRecord memory rec = _openRecord(orderHash);
        if (quantity > rec.remaining) revert QuantityExceedsRemaining(orderHash, quantity, rec.remaining);
        uint256 rootId = order.marketRootId;
        _tradableBounds(rootId, order.marketBranchId);
        int256 q = order.quantity > 0 ? int256(uint256(quantity)) : -int256(uint256(quantity));
        // `cost <= q * limit` is "average price <= limit" for a bid and ">= limit" for an offer.
        if (cost > q * order.price) revert FillBeyondLimit(orderHash, _average(cost, q), order.price);
        _book[orderHash].remaining = rec.remaining - quantity;
        _shrinkOpen(order.trader, rootId, rec.slot, quantity);
        bool managed = _roots[rootId].flags & ROOT_MANAGED != 0;
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
