// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {LibBit} from "solady/utils/LibBit.sol";

import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {BranchTerm, CheckLib, OpenTerm} from "../libraries/CheckLib.sol";
import {Order} from "../libraries/OrderStructs.sol";
import {OpenOrder, Position, PositionLib} from "../libraries/PositionLib.sol";
import {
    Account, FlagTerms, LISTED, ROOT_FROZEN, ROOT_MANAGED, RootAccount, RootTotals
} from "./ExchangeStorage.sol";
import {Orders} from "./Orders.sol";

/// @title Collateral
/// @notice Positions, open orders and the exact collateral check of protocol.md section 3: a trader
/// passes when `balance + sum over roots of (min over candidate points of (matched payoffs + sum of
/// min(0, open order payoffs))) >= 0`.
/// @dev Storage (`ExchangeStorage`) per trader and root: one `RootAccount` slot (cached worst case and bit masks), one
/// `Position` slot per branch traded and one `OpenOrder` slot per open order, so the check's gas
/// depends on the trader's branches and open orders in a root, never on their matched history.
///
/// The cache, and why the verdict is still exact. Each root keeps a lower bound of its worst case
/// and the trader's `Account.worstSum` holds their sum. A new order lowers its root's bound by the
/// order's own worst case (`_openOrder`); a recount sets the bound to the exact value. Everything
/// else that touches a root can only raise its exact worst case: a match at a price within both
/// limits, a cancel or a reduction, a narrowing or the settlement of the root. So the cached sum is
/// always a lower bound of the exact sum. The check
/// first tries `balance + worstSum >= 0`: if that holds, the exact check holds too. Otherwise it
/// recomputes every root of the trader and decides on the exact sum. It accepts and refuses exactly
/// what the exact check does; only the refusal path costs a walk over the trader's roots.
abstract contract Collateral is Orders {
    using BoundsLib for Bounds;

    /// @dev The highest cached worst case of a root: 2^111 - 1 wei, so 255 of them fit an int120.
    int128 private constant _CACHE_CAP = int128(type(int120).max >> 8);

    /*//////////////////////////////////////////////////////////////
                               THE CHECK
    //////////////////////////////////////////////////////////////*/

    /// @dev Require `balance + worst >= 0` for `trader`, exactly (see the contract's notes).
    function _requireSolvent(address trader) internal {
        (int256 sum, int256 balance) = _solvency(trader);
        if (balance + sum < 0) revert InsufficientCollateral(trader, sum, balance);
    }

    /// @dev `trader`'s worst case and balance, exact when it decides: the cached sum when it passes,
    /// else every root recomputed (and the caches refreshed).
    function _solvency(address trader) internal returns (int256 sum, int256 balance) {
        Account storage acct = _s().accounts[trader];
        int256 cached;
        (balance, cached) = _balanceAndSum(acct);
        if (balance + cached >= 0) return (cached, balance);
        // Slow path: some cached roots may be stale-low; recompute all of them.
        mapping(uint256 => uint256) storage roots = _s().rootList[trader];
        uint256 count = acct.rootCount;
        for (uint256 i; i < count; ++i) {
            uint256 rootId = roots[i];
            RootAccount storage ra = _s().rootAccounts[trader][rootId];
            int128 w = _toCache(trader, _rootWorst(trader, rootId, ra), balance);
            ra.worst = w;
            sum += w;
        }
        acct.worstSum = SafeCast.toInt120(sum);
    }

    /// @dev The balance and the cached worst-case sum of `acct`.
    /// Gas: one storage read (a memory copy of the struct reads the slot once per field).
    function _balanceAndSum(Account storage acct) internal view returns (int256 held, int256 sum) {
        assembly ("memory-safe") {
            let word := sload(acct.slot)
            held := signextend(15, word)
            sum := signextend(14, shr(128, word))
        }
    }

    /// @dev A withdrawal's debit must leave the account solvent. When it does not and a frozen
    /// managed root (a challenged artifact) holds some of the collateral, the refusal names that
    /// root (`MarketFrozen`): its positions need the collateral until the freeze ends. Only the
    /// refusal path walks the roots.
    function _requireWithdrawable(address account) internal {
        (int256 balance, int256 sum) = _balanceAndSum(_s().accounts[account]);
        if (balance + sum >= 0) return;
        _withdrawableExactly(account);
    }

    /// @dev `_requireWithdrawable` past its fast path: every root recomputed.
    /// Gas: the Exchange runs this in its `CollateralModule` (the exact check's code stays out of it).
    function _withdrawableExactly(address account) internal virtual {
        (int256 sum, int256 balance) = _solvency(account);
        if (balance + sum >= 0) return;
        mapping(uint256 => uint256) storage roots = _s().rootList[account];
        uint256 count = _s().accounts[account].rootCount;
        for (uint256 i; i < count; ++i) {
            uint256 rootId = roots[i];
            if (
                _s().roots[rootId].flags & (ROOT_MANAGED | ROOT_FROZEN) == (ROOT_MANAGED | ROOT_FROZEN)
                    && _s().rootAccounts[account][rootId].worst < 0
            ) revert MarketFrozen(rootId);
        }
        revert InsufficientCollateral(account, sum, balance);
    }

    /// @dev Store `ra` with its worst case recomputed, and fold the change into the trader's sum.
    function _storeWithWorst(address trader, uint256 rootId, RootAccount memory ra) internal {
        Account storage a = _s().accounts[trader];
        int128 w = _toCache(trader, _rootWorst(trader, rootId, ra), a.balance);
        a.worstSum = SafeCast.toInt120(int256(a.worstSum) + w - ra.worst);
        ra.worst = w;
        _s().rootAccounts[trader][rootId] = ra;
    }

    /// @dev A root's worst case as cached: a guaranteed profit beyond `_CACHE_CAP` is capped (a
    /// lower bound stays a lower bound, and `_maxRoots` <= 255 capped roots still sum within the
    /// account's int120); a loss beyond int120 (2^119 wei, 6.6e17 tokens of 18 decimals) is refused.
    function _toCache(address trader, int256 w, int256 balance) private pure returns (int128) {
        if (w > _CACHE_CAP) return _CACHE_CAP;
        if (w < type(int120).min) revert InsufficientCollateral(trader, w, balance);
        return int128(w);
    }

    /// @dev The exact worst case of `trader` in `rootId` given its masks, 18 decimals rounded down.
    /// A settled root has one outcome and its open orders are void: the result is the payoff.
    function _rootWorst(address trader, uint256 rootId, RootAccount memory ra) internal view returns (int256) {
        if (ra.branchMask == 0) return 0;
        Bounds memory root = _s().bounds[rootId][1];
        (BranchTerm[] memory terms, int256 cost) = _branchTerms(trader, rootId, root, ra.branchMask);
        OpenTerm[] memory opens;
        if (!root.isPoint()) opens = _openTerms(trader, rootId, ra.orderMask, ra.branchMask);
        return PositionLib.floorDiv(CheckLib.worst36(root.min, root.max, terms, cost, opens), PositionLib.WAD);
    }

    /// @dev The payoff (18 decimals, rounded down) a claim pays `trader` in a root closed at the
    /// flagged terms (protocol.md section 6): their worst payoff `w` over `[0, 1]`, plus, on what
    /// they committed (`c = -w > 0`), the returned half for a long, or the whole and a quarter for a
    /// short, at the root's fixed rates. The residual account (the pool) takes the rest.
    function _flaggedPayoff(address trader, uint256 rootId) internal view returns (int256) {
        FlagTerms memory ft = _s().flagTerms[rootId];
        if (trader == ft.residual) return ft.residualPayoff;
        Position memory p = _s().positions[trader][rootId][1];
        int256 w = PositionLib.worst01(p);
        if (w < 0 && p.quantity != 0) {
            uint256 c = uint256(-w);
            uint256 back = p.quantity > 0 ? ft.returnRate * (c / 2) : ft.returnRate * c + ft.bonusRate * (c / 4);
            w += int256(back / uint256(PositionLib.WAD));
        }
        return PositionLib.floorDiv(w, PositionLib.WAD);
    }

    /// @dev Effective bounds and matched quantity of each branch in `branchMask` (ascending), and the
    /// root's total cost `sum q * p` (36 decimals).
    function _branchTerms(address trader, uint256 rootId, Bounds memory root, uint256 branchMask)
        private
        view
        returns (BranchTerm[] memory terms, int256 cost)
    {
        terms = new BranchTerm[](LibBit.popCount(branchMask));
        for (uint256 k; k < terms.length; ++k) {
            uint16 branchId = uint16(LibBit.ffs(branchMask) + 1);
            branchMask &= branchMask - 1;
            Bounds memory e = _clampInto(root, rootId, branchId);
            Position memory p = _s().positions[trader][rootId][branchId];
            terms[k] = BranchTerm(e.min, e.max, p.quantity);
            cost += PositionLib.cost36(p);
        }
    }

    /// @dev The open orders in `orderMask`, each pointing at its branch's index in `branchMask`.
    function _openTerms(address trader, uint256 rootId, uint256 orderMask, uint256 branchMask)
        private
        view
        returns (OpenTerm[] memory opens)
    {
        opens = new OpenTerm[](LibBit.popCount(orderMask));
        for (uint256 k; k < opens.length; ++k) {
            uint256 i = LibBit.ffs(orderMask);
            orderMask &= orderMask - 1;
            (int256 price, int256 remaining, uint256 branchId) = _openTerm(_s().openOrders[trader][rootId][i]);
            // The order's branch is in the mask: its index there is the number of lower bits set.
            uint256 index = LibBit.popCount(branchMask & ((uint256(1) << (branchId - 1)) - 1));
            opens[k] = OpenTerm(index, remaining, price);
        }
    }

    /// @dev The three fields of an open order the check needs (the layout of `OpenOrder`).
    /// Gas: one storage read (a memory copy of the struct reads the slot once per field).
    function _openTerm(OpenOrder storage o) private view returns (int256 price, int256 remaining, uint256 branchId) {
        assembly ("memory-safe") {
            let word := sload(o.slot)
            price := signextend(11, word)
            remaining := signextend(11, shr(96, word))
            branchId := and(shr(192, word), 0xffff)
        }
    }

    /*//////////////////////////////////////////////////////////////
                         OPEN ORDERS AND POSITIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev The book's hook for a new Primary order in a market of effective bounds `b`: take the
    /// lowest free slot, record the order and run the check.
    /// Fast path: the root's cached lower bound plus the new order's own worst case (a bid at its
    /// market's `lo`, an ask at its `hi`) is still a lower bound of the root's exact worst case, since
    /// the minimum of a sum is at least the sum of the minima. When the trader passes on those lower
    /// bounds they pass the exact check; only otherwise is the root recomputed (and, if needed, every
    /// root of the trader), so a well-collateralised trader's order costs the same whatever they hold.
    function _openOrder(Order calldata order, Bounds memory b, uint48 seq) internal override returns (uint8 slot) {
        address trader = order.trader;
        uint256 rootId = order.marketRootId;
        RootAccount storage stored = _s().rootAccounts[trader][rootId];
        RootAccount memory ra = stored;
        if (ra.flags & LISTED == 0) _list(trader, rootId, ra);
        // Lowest free slot: the lowest zero bit of the mask.
        uint256 free = LibBit.ffs(~uint256(ra.orderMask));
        if (free >= _maxOpenOrders) revert TooManyOpenOrders(trader, rootId, _maxOpenOrders);
        slot = uint8(free);
        // Casts are safe: `_checkTerms` bounded price and quantity by 2^95 - 1.
        _s().openOrders[trader][rootId][free] = OpenOrder(int96(order.price), int96(order.quantity), order.marketBranchId, seq);
        ra.orderMask |= uint48(1 << free);
        ra.branchMask |= uint64(1 << (order.marketBranchId - 1));

        int256 own = int256(order.quantity) * ((order.quantity > 0 ? int256(b.min) : int256(b.max)) - order.price);
        _lowerAndCheck(trader, rootId, stored, ra, PositionLib.floorDiv(own, PositionLib.WAD));
    }

    /// @dev Store `ra` (read from `slot`) with its cached worst case moved by `delta`, a lower bound of
    /// the change of the root's exact worst case (a new order's or a pool trade's own lowest payoff),
    /// and run the check: on the cached sums when they pass, else exactly.
    function _lowerAndCheck(address trader, uint256 rootId, RootAccount storage slot, RootAccount memory ra, int256 delta)
        internal
    {
        // A rise is never needed for a lower bound; dropping it keeps the sums within range.
        if (delta > 0) delta = 0;
        Account storage acct = _s().accounts[trader];
        (int256 balance, int256 cached) = _balanceAndSum(acct);
        // Gas: unchecked; |delta| < 2^224 (an order's own worst case is below 2^206, the maker's
        // below 2^224) and the cached values are int128 and int120.
        unchecked {
            int256 bound = int256(ra.worst) + delta;
            int256 sum = cached + delta;
            if (bound >= type(int128).min && sum >= type(int120).min && balance + sum >= 0) {
                ra.worst = int128(bound);
                _write(slot, ra);
                acct.worstSum = int120(sum);
                return;
            }
        }
        _checkExactly(trader, rootId, ra);
    }

    /// @dev `_lowerAndCheck` past its fast path: store `ra` with its root's exact worst case and run
    /// the exact check (every root of the trader recomputed if the cached sums still fail).
    /// Gas: the Exchange runs this in its `CollateralModule` (the exact check's code stays out of it).
    function _checkExactly(address trader, uint256 rootId, RootAccount memory ra) internal virtual {
        _storeWithWorst(trader, rootId, ra);
        _requireSolvent(trader);
    }

    /// @dev Store `ra` at `slot` in one write (Solidity would write a storage pointer field by field).
    function _write(RootAccount storage slot, RootAccount memory ra) private {
        uint256 packed = uint256(uint128(ra.worst)) | uint256(ra.branchMask) << 128 | uint256(ra.orderMask) << 192
            | uint256(ra.listIndex) << 240 | uint256(ra.flags) << 248;
        assembly ("memory-safe") {
            sstore(slot.slot, packed)
        }
    }

    /// @dev Append `rootId` to `trader`'s root list (the check's slow path walks it).
    function _list(address trader, uint256 rootId, RootAccount memory ra) internal {
        Account storage a = _s().accounts[trader];
        uint8 count = a.rootCount;
        if (count >= _maxRoots) revert TooManyRoots(trader, _maxRoots);
        ra.listIndex = count;
        ra.flags |= LISTED;
        a.rootCount = count + 1;
        _s().rootList[trader][count] = rootId;
    }

    /// @dev Remove the entry at `index` from `trader`'s root list of `count` entries: the last entry
    /// moves into its place. Returns the new count, which the caller stores (`_writeAccount`).
    function _unlist(address trader, uint8 index, uint8 count) internal returns (uint8 last) {
        last = count - 1;
        mapping(uint256 => uint256) storage roots = _s().rootList[trader];
        if (index != last) {
            uint256 moved = roots[last];
            roots[index] = moved;
            _s().rootAccounts[trader][moved].listIndex = index;
        }
        // Gas: clearing the freed entry refunds most of its write.
        delete roots[last];
    }

    /// @dev Store all of `acct` in one write (`balance` and `sum` already range-checked).
    /// Gas: Solidity would write a storage pointer field by field (a read and a write each).
    function _writeAccount(Account storage acct, int128 balance, int120 sum, uint8 count) internal {
        uint256 packed = uint256(uint128(balance)) | uint256(uint120(sum)) << 128 | uint256(count) << 248;
        assembly ("memory-safe") {
            sstore(acct.slot, packed)
        }
    }

    /// @dev Take `amount` off the open order in `slot` (the order's only record of its open
    /// quantity); frees the slot when nothing is left.
    /// Gas: the caller passes the slot it read the order from (no second three-level mapping hash).
    function _shrinkOpen(OpenOrder storage o, address trader, uint256 rootId, uint8 slot, uint128 amount)
        internal
        override
    {
        int96 left = o.remaining > 0 ? o.remaining - int96(int128(amount)) : o.remaining + int96(int128(amount));
        o.remaining = left;
        if (left == 0) _s().rootAccounts[trader][rootId].orderMask &= ~uint48(1 << slot);
    }

    /// @dev Add a trade of `q` at total cost `cost` (36 decimals) to `trader`'s position in
    /// `(rootId, branchId)`; `managed`: the root's flags have `ROOT_MANAGED` (its totals follow).
    function _addCost(address trader, uint256 rootId, uint16 branchId, int256 q, int256 cost, bool managed) internal {
        Position storage slot = _s().positions[trader][rootId][branchId];
        Position memory old = slot;
        (Position memory next, bool ok) = PositionLib.addCost(old, q, cost);
        if (!ok) revert PositionOverflow(trader, rootId, branchId);
        _writePosition(slot, next);
        if (managed) _track(rootId, old, next);
    }

    /// @dev Add a matched trade of `q` at `p` to `trader`'s position in `(rootId, branchId)`. The
    /// branch is already in the trader's mask (their order there put it in). `managed` as above.
    function _addTrade(address trader, uint256 rootId, uint16 branchId, int256 q, int256 p, bool managed) internal {
        Position storage slot = _s().positions[trader][rootId][branchId];
        Position memory old = slot;
        (Position memory next, bool ok) = PositionLib.add(old, q, p);
        if (!ok) revert PositionOverflow(trader, rootId, branchId);
        _writePosition(slot, next);
        if (managed) _track(rootId, old, next);
    }

    /// @dev Move a managed root's totals from position `old`'s share to `next`'s.
    function _track(uint256 rootId, Position memory old, Position memory next) private {
        (uint256 s0, uint256 l0, uint256 c0) = PositionLib.exposure(old);
        (uint256 s1, uint256 l1, uint256 c1) = PositionLib.exposure(next);
        RootTotals memory t = _s().totals[rootId];
        _s().totals[rootId] = RootTotals(
            SafeCast.toUint128(t.shortInterest + s1 - s0),
            SafeCast.toUint128(t.longCommitted + l1 - l0),
            SafeCast.toUint128(t.shortCommitted + c1 - c0)
        );
    }

    /// @dev Gas: one packed write through a pointer the caller already computed (no second mapping
    /// lookup; about 150 gas a side on the match path).
    function _writePosition(Position storage slot, Position memory next) private {
        uint256 packed = uint256(uint96(next.quantity)) | uint256(uint96(next.costWad)) << 96 | uint256(next.costRem) << 192;
        assembly ("memory-safe") {
            sstore(slot.slot, packed)
        }
    }
}
