// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchingEE} from "../interfaces/IMatching.sol";
import {Bounds, BoundsLib} from "../libraries/BoundsLib.sol";
import {Leg, MatchRequest, Order, OrderStructs, TradeType} from "../libraries/OrderStructs.sol";
import {OpenOrder} from "../libraries/PositionLib.sol";
import {Collateral} from "./Collateral.sol";
import {OrderRecord, ROOT_MANAGED} from "./ExchangeStorage.sol";

/// @title Matching
/// @notice Matching of resting signed orders, partial fills through pre-signed Partials, cancels by
/// signed Offsets and trims by signed Reductions (protocol.md section 4).
/// @dev A match needs no collateral check: every open order is already counted at its worst
/// (`min(0, payoff)` at every outcome), and a fill of `f` at a price no worse than the limit pays
/// `f * (c - p_trade) >= f * (c - p_limit) >= min(0, f * (c - p_limit))` while the open order's term
/// shrinks by exactly `min(0, f * (c - p_limit))`. So neither trader's worst case can fall.
abstract contract Matching is IMatchingEE, Collateral {
    using BoundsLib for Bounds;

    /// @dev The two sides of a match being checked (in memory: too many for the stack).
    struct Sides {
        bytes32 bidHash;
        bytes32 askHash;
        OrderRecord bidRec;
        OrderRecord askRec;
        int128 bidLimit;
        int128 askLimit;
        bytes32 bidPartial;
        bytes32 askPartial;
        uint128 bidRemaining;
        uint128 askRemaining;
        // The storage slots of both open orders (`OpenOrder storage` cannot live in memory).
        uint256 bidOpen;
        uint256 askOpen;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev The checks, in this order (the Python node checks in the same order): quantity; bid open
    /// and buying; ask open and selling; same market; market tradable; the bid's and the ask's
    /// Partial; both remaining quantities; limits cross; price within both limits; price within
    /// the market's bounds.
    function _match(MatchRequest calldata m) internal {
        (Sides memory x, Bounds memory b) = _sides(m.bid.order, m.ask.order, m.quantity);
        (x.bidLimit, x.bidPartial) = _limit(m.bid, x.bidHash, m.quantity);
        (x.askLimit, x.askPartial) = _limit(m.ask, x.askHash, m.quantity);
        int128 price = _price(x, b, m.quantity, m.price, m.atPrice);
        if (x.bidPartial != bytes32(0)) _pickUp(m.bid, x.bidPartial, x.bidHash);
        if (x.askPartial != bytes32(0)) _pickUp(m.ask, x.askPartial, x.askHash);
        _fillBoth(m.bid.order, m.ask.order, x, m.quantity, price);
    }

    /// @dev `_match` without Partials, at the earlier order's limit: the common case, with lean
    /// calldata (two orders and a quantity).
    function _matchPair(Order calldata bid, Order calldata ask, uint128 q) internal {
        (Sides memory x, Bounds memory b) = _sides(bid, ask, q);
        (x.bidLimit, x.askLimit) = (bid.price, ask.price);
        _fillBoth(bid, ask, x, q, _price(x, b, q, 0, false));
    }

    /// @dev Hashes and records of both orders, checked up to the market's bounds.
    function _sides(Order calldata bid, Order calldata ask, uint128 q)
        private
        view
        returns (Sides memory x, Bounds memory b)
    {
        x.bidHash = _orderHash(bid);
        x.askHash = _orderHash(ask);
        if (q == 0) revert ZeroQuantity(x.bidHash);
        OpenOrder storage open;
        (x.bidRec, open, x.bidRemaining) = _openRecord(bid, x.bidHash);
        x.bidOpen = _slotOf(open);
        if (bid.quantity <= 0) revert WrongSide(x.bidHash, bid.quantity);
        (x.askRec, open, x.askRemaining) = _openRecord(ask, x.askHash);
        x.askOpen = _slotOf(open);
        if (ask.quantity >= 0) revert WrongSide(x.askHash, ask.quantity);
        if (ask.marketRootId != bid.marketRootId || ask.marketBranchId != bid.marketBranchId) {
            revert MarketMismatch(x.bidHash, x.askHash);
        }
        b = _tradableBounds(bid.marketRootId, bid.marketBranchId);
    }

    /// @dev Remaining quantities, crossing limits and the match price (given, or the earlier order's
    /// limit), which must lie within both limits and the market's bounds.
    function _price(Sides memory x, Bounds memory b, uint128 q, int128 given, bool atPrice)
        private
        pure
        returns (int128 price)
    {
        if (q > x.bidRemaining) revert QuantityExceedsRemaining(x.bidHash, q, x.bidRemaining);
        if (q > x.askRemaining) revert QuantityExceedsRemaining(x.askHash, q, x.askRemaining);
        if (x.bidLimit < x.askLimit) revert OrdersDoNotCross(x.bidHash, x.askHash, x.bidLimit, x.askLimit);
        price = atPrice ? given : (x.bidRec.seq < x.askRec.seq ? x.bidLimit : x.askLimit);
        if (price < x.askLimit || price > x.bidLimit) revert PriceOutsideLimits(price, x.askLimit, x.bidLimit);
        if (!b.contains(price)) revert PriceOutOfBounds(price, b.min, b.max);
    }

    /// @dev Both sides' fills and the match's log.
    /// Gas: the root's slot is warm (`_tradableBounds` read it), so its flags cost about 100 gas.
    function _fillBoth(Order calldata bid, Order calldata ask, Sides memory x, uint128 q, int128 price) private {
        bool managed = _s().roots[bid.marketRootId].flags & ROOT_MANAGED != 0;
        _fill(bid, x.bidRec, x.bidOpen, q, int256(uint256(q)), price, managed);
        _fill(ask, x.askRec, x.askOpen, q, -int256(uint256(q)), price, managed);
        emit OrdersMatched(x.bidHash, x.askHash, bid.marketRootId, bid.marketBranchId, q, price);
    }

    /// @dev One side of a match: the open order shrinks by `q` (its offset) and the trader's
    /// position takes the matched trade `signedQ` at `price`.
    function _fill(
        Order calldata order,
        OrderRecord memory rec,
        uint256 openSlot,
        uint128 q,
        int256 signedQ,
        int128 price,
        bool managed
    ) private {
        OpenOrder storage open;
        assembly ("memory-safe") {
            open.slot := openSlot
        }
        _shrinkOpen(open, order.trader, order.marketRootId, rec.slot, q);
        _addTrade(order.trader, order.marketRootId, order.marketBranchId, signedQ, price, managed);
    }

    /// @dev The storage slot of `open` (kept in `Sides`, which is in memory).
    function _slotOf(OpenOrder storage open) private pure returns (uint256 s) {
        assembly ("memory-safe") {
            s := open.slot
        }
    }

    /// @dev The limit price of a leg: its Partial's price when it brings one (validated here), else
    /// the order's. Returns the Partial's hash (zero for none).
    function _limit(Leg calldata leg, bytes32 orderHash, uint128 q) private view returns (int128, bytes32) {
        Order calldata o = leg.order;
        Order calldata pf = leg.partialFill;
        if (pf.tradeType == uint8(TradeType.None)) return (o.price, bytes32(0));
        bytes32 partialHash = _orderHash(pf);
        _checkTerms(pf, partialHash);
        bool buys = o.quantity > 0;
        // Signed off the same previous valid order as its primary, a strictly smaller size on the
        // same side, a weakly better price, and used whole: its size is the match's quantity.
        bool fits = pf.tradeType == uint8(TradeType.Partial) && !pf.isMatched && _sameTrade(pf, o)
            && pf.previous == o.previous && _size(pf.quantity) == q && _size(pf.quantity) < _size(o.quantity)
            && (buys ? pf.quantity > 0 && pf.price <= o.price : pf.quantity < 0 && pf.price >= o.price);
        if (!fits) revert DependentOrderMismatch(partialHash, orderHash);
        if (_s().book[partialHash].tradeType != TradeType.None) revert OrderExists(partialHash);
        _checkSignature(o.trader, partialHash, leg.signature);
        return (pf.price, partialHash);
    }

    /// @dev Enter a used Partial in the book: picked up by a match, it becomes a Primary matched order.
    function _pickUp(Leg calldata leg, bytes32 partialHash, bytes32 orderHash) private {
        _s().book[partialHash] = OrderRecord(TradeType.Primary, true, 0, 0);
        Order calldata pf = leg.partialFill;
        _logOrder(partialHash, pf, leg.signature);
        emit PartialUsed(partialHash, orderHash);
    }
}
