// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICollateralEE} from "../../../contracts/interfaces/ICollateral.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IMarkets, IMarketsEE} from "../../../contracts/interfaces/IMarkets.sol";
import {IMatching, IMatchingEE} from "../../../contracts/interfaces/IMatching.sol";
import {IOrders, IOrdersEE} from "../../../contracts/interfaces/IOrders.sol";
import {ISettlement, ISettlementEE} from "../../../contracts/interfaces/ISettlement.sol";
import {IVault, IVaultEE} from "../../../contracts/interfaces/IVault.sol";
import {Leg, MatchRequest, Order} from "../../../contracts/libraries/OrderStructs.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {CollateralModel} from "./CollateralModel.sol";

/// @title CollateralHandler
/// @notice Drives a real Exchange with four traders (own keys) over two roots with a sub-market
/// each: deposits, withdrawals, signed orders, matches (direct, batched, through Partials),
/// cancels, reductions, root narrowing, settlement and claims. Before every call it predicts the
/// outcome from its own model (`CollateralModel`), and asserts the contract agrees: success, or the
/// exact revert data. The handler owns the roots.
contract CollateralHandler is CollateralModel {
    uint256 internal constant UNIT = 1e12;
    uint256 internal constant MAX_OPEN = 6;

    TestToken internal immutable token;
    address[4] public traders;
    uint256[4] internal keys;
    uint16 internal _nonce = 10;

    /// @notice Handler calls so far in this run (settlement waits for the second half of a run).
    uint256 public calls;
    /// @notice Outcome counters (for coverage: how often each path ran), keyed by a short name.
    mapping(bytes32 => uint256) public count;

    constructor(IExchange ex_, TestToken token_) CollateralModel(ex_) {
        token = token_;
        for (uint256 i; i < 4; ++i) {
            (traders[i], keys[i]) = makeAddrAndKey(string.concat("trader", vm.toString(i)));
            _deposit(traders[i], 200e6 * (i + 1)); // 200 to 800 tokens
        }
        ex_.defineMarket(rootIds[0], 1, 0, 20e18);
        ex_.defineMarket(rootIds[0], 2, 4e18, 12e18);
        ex_.defineMarket(rootIds[1], 1, -10e18, 10e18);
        ex_.defineMarket(rootIds[1], 2, -3e18, 5e18);
    }

    /*//////////////////////////////////////////////////////////////
                                  VAULT
    //////////////////////////////////////////////////////////////*/

    modifier counted() {
        ++calls;
        _;
    }

    function deposit(uint8 w, uint64 raw) external counted {
        _deposit(traders[w % 4], bound(raw, 1, 500e6));
    }

    function _deposit(address t, uint256 units) internal {
        token.mint(t, units);
        vm.prank(t);
        token.approve(address(ex), units);
        _expect(t, abi.encodeCall(IVault.deposit, (units)), "");
        ghostBalance[t] += int256(units * UNIT);
    }

    /// @notice Withdraw exactly the free collateral, one unit more, or a random amount.
    function withdraw(uint8 w, uint8 mode, uint256 raw) external counted {
        address t = traders[w % 4];
        int256 worst = modelWorst(t);
        int256 bal = ghostBalance[t];
        int256 free = bal + worst;
        uint256 amount;
        uint256 m = mode % 4;
        if (m == 0) amount = free > 0 ? uint256(free) : raw % 1e20;
        else if (m == 1) amount = free >= 0 ? uint256(free) + UNIT : UNIT;
        else if (m == 2) amount = raw % (bal > 0 ? uint256(bal) + 1 : 1);
        else amount = raw % 1e22;
        uint256 debit = amount / UNIT * UNIT;
        bytes memory expected;
        if (debit == 0) {
            expected = abi.encodeWithSelector(IVaultEE.ZeroAmount.selector);
        } else if (bal < 0 || debit > uint256(bal)) {
            expected = abi.encodeWithSelector(IVaultEE.InsufficientBalance.selector, t, bal, debit);
        } else if (bal - int256(debit) + worst < 0) {
            expected =
                abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, t, worst, bal - int256(debit));
        }
        if (_expect(t, abi.encodeCall(IVault.withdraw, (amount)), expected)) {
            ghostBalance[t] -= int256(debit);
            ++count["withdrawn"];
        } else {
            ++count[bytes32(bytes4(expected))];
        }
    }

    /*//////////////////////////////////////////////////////////////
                                  ORDERS
    //////////////////////////////////////////////////////////////*/

    function place(uint8 w, uint8 sel, uint256 priceRaw, uint256 qtyRaw) external counted {
        uint256 r = rootIds[sel % 2];
        uint16 b = (sel >> 1) % 2 == 0 ? 1 : 2;
        (int128 lo, int128 hi) = ex.bounds(r, b);
        int128 price = int128(int256(lo) + int256(priceRaw % uint256(int256(hi) - lo + 1)));
        int128 qty = int128(int256(bound(qtyRaw, 1, 5e18)));
        _place(traders[w % 4], r, b, price, (sel >> 2) % 2 == 1 ? -qty : qty);
    }

    /// @dev Sign and place a Primary order, asserting the predicted outcome; records it when placed.
    function _place(address t, uint256 r, uint16 b, int128 price, int128 qty) internal returns (bool ok) {
        if (openCount(t, r) >= MAX_OPEN) return false;
        Order memory o = Order(_nonce++, 1, false, price, qty, r, b, t, 1, ex.chainHead(t), 0);
        bytes memory sig = _sig(_keyOf(t), o);
        bytes memory expected = _placeExpectation(o);
        ok = _expect(address(0), abi.encodeCall(IOrders.placeOrder, (o, sig)), expected);
        if (ok) {
            recs.push(Rec(o, ex.hashOrder(o), uint128(qty > 0 ? qty : -qty)));
            listed[t][r] = true;
            ++count["placed"];
        } else {
            ++count[bytes32(bytes4(expected))];
        }
    }

    /// @dev MarketSettled on a settled root, else the exact collateral verdict with the order added.
    function _placeExpectation(Order memory o) internal view returns (bytes memory) {
        uint256 r = o.marketRootId;
        (int128 rl, int128 rh) = ex.bounds(r, 1);
        if (rl == rh) return abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, r, rl);
        int256 worst = _worstWith(o.trader, Extra(true, r, o.marketBranchId, o.quantity, o.price));
        int256 bal = ghostBalance[o.trader];
        if (bal + worst < 0) {
            return abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, o.trader, worst, bal);
        }
        return "";
    }

    /// @notice Match an open order with an open opposite order of another trader in its market
    /// (placing a crossing one first, by another trader, when there is none): a random quantity, at
    /// the default or a random price within the limits, sometimes through a Partial of the bid,
    /// sometimes in a batch or through `matchPair`.
    function matchPair(uint256 iRaw, uint256 jRaw, uint256 qRaw, uint8 mode, uint256 priceRaw) external counted {
        (bool found, uint256 bi, uint256 ai) = _pair(iRaw, jRaw);
        if (!found && mode & 8 == 8) found = _counterOrder(iRaw, jRaw, qRaw, priceRaw);
        if (found) (found, bi, ai) = _pair(iRaw, jRaw);
        if (!found) return;
        Rec memory bid = recs[bi];
        Rec memory ask = recs[ai];
        uint128 q = uint128(bound(qRaw, 1, bid.remaining < ask.remaining ? bid.remaining : ask.remaining));
        MatchRequest memory m;
        m.bid = Leg(bid.order, _noOrder(), "");
        m.ask = Leg(ask.order, _noOrder(), "");
        m.quantity = q;
        int256 bidLimit = bid.order.price;
        int256 askLimit = ask.order.price;
        if (mode & 1 == 1 && int256(uint256(q)) < int256(bid.order.quantity)) {
            // A Partial of exactly q at a price between the limits (or the bid's own if they do not cross).
            Order memory pf = abi.decode(abi.encode(bid.order), (Order));
            (pf.tradeType, pf.tradeBranchId, pf.quantity) = (2, _nonce++, int128(uint128(q)));
            if (bidLimit > askLimit) pf.price = int128(bidLimit - int256(priceRaw % uint256(bidLimit - askLimit + 1)));
            bidLimit = pf.price;
            m.bid.partialFill = pf;
            m.bid.signature = _sig(_keyOf(bid.order.trader), pf);
        }
        int256 price = bi < ai ? bidLimit : askLimit;
        if (mode & 2 == 2 && bidLimit >= askLimit) {
            price = askLimit + int256(priceRaw % uint256(bidLimit - askLimit + 1));
            (m.price, m.atPrice) = (int128(price), true);
        }
        bytes memory expected = _matchExpectation(bid, ask, bidLimit, askLimit, price);
        bool ok;
        if (mode & 16 == 16 && !m.atPrice && m.bid.partialFill.tradeType == 0) {
            ok = _expect(address(0), abi.encodeCall(IMatching.matchPair, (bid.order, ask.order, q)), expected);
        } else if (mode & 4 == 4) {
            MatchRequest[] memory batch = new MatchRequest[](1);
            batch[0] = m;
            uint256 matched = ex.matchBatch(batch);
            assertEq(matched, expected.length == 0 ? 1 : 0, "batch count");
            ok = matched == 1;
        } else {
            ok = _expect(address(0), abi.encodeCall(IMatching.matchOrders, (m)), expected);
        }
        if (!ok) {
            ++count[bytes32(bytes4(expected))];
            return;
        }
        ++count[m.bid.partialFill.tradeType == 2 ? bytes32("matchedPartial") : bytes32("matched")];
        recs[bi].remaining -= q;
        recs[ai].remaining -= q;
        uint256 r = bid.order.marketRootId;
        _trade(bid.order.trader, r, bid.order.marketBranchId, int256(uint256(q)), price);
        _trade(ask.order.trader, r, ask.order.marketBranchId, -int256(uint256(q)), price);
    }

    /// @dev Place an order crossing open order `iRaw` (same market, other side, another trader).
    function _counterOrder(uint256 iRaw, uint256 jRaw, uint256 qRaw, uint256 priceRaw) internal returns (bool) {
        (bool found, uint256 i) = _openAt(iRaw);
        if (!found) return false;
        Order memory o = recs[i].order;
        address t = traders[(_indexOf(o.trader) + 1 + jRaw % 3) % 4];
        (int128 lo, int128 hi) = ex.bounds(o.marketRootId, o.marketBranchId);
        int256 p = _clamp(o.price, lo, hi);
        // A bid at or above the ask's limit, or an ask at or below the bid's limit, within bounds.
        p = o.quantity < 0 ? p + int256(priceRaw % uint256(hi - p + 1)) : p - int256(priceRaw % uint256(p - lo + 1));
        int128 qty = int128(int256(bound(qRaw, 1, 5e18)));
        return _place(t, o.marketRootId, o.marketBranchId, int128(p), o.quantity < 0 ? qty : -qty);
    }

    function _matchExpectation(Rec memory bid, Rec memory ask, int256 bidLimit, int256 askLimit, int256 price)
        internal
        view
        returns (bytes memory)
    {
        uint256 r = bid.order.marketRootId;
        (int128 rl, int128 rh) = ex.bounds(r, 1);
        if (rl == rh) return abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, r, rl);
        if (bidLimit < askLimit) {
            return abi.encodeWithSelector(
                IMatchingEE.OrdersDoNotCross.selector, bid.hash, ask.hash, int128(bidLimit), int128(askLimit)
            );
        }
        (int128 lo, int128 hi) = ex.bounds(r, bid.order.marketBranchId);
        if (price < lo || price > hi) {
            return abi.encodeWithSelector(IOrdersEE.PriceOutOfBounds.selector, int128(price), lo, hi);
        }
        return "";
    }

    /// @notice Cancel an open order by its owner's Offset, or fail with another trader's signature.
    function cancel(uint256 iRaw, bool byOther) external counted {
        (bool found, uint256 i) = _openAt(iRaw);
        if (!found) return;
        Rec memory rec = recs[i];
        Order memory off = abi.decode(abi.encode(rec.order), (Order));
        (off.tradeType, off.tradeBranchId, off.quantity, off.previous) = (3, _nonce++, -rec.order.quantity, rec.hash);
        address t = rec.order.trader;
        uint256 key = byOther ? keys[(_indexOf(t) + 1) % 4] : _keyOf(t);
        bytes memory expected =
            byOther ? abi.encodeWithSelector(IOrdersEE.InvalidSignature.selector, t, ex.hashOrder(off)) : bytes("");
        bytes memory sig = _sig(key, off);
        if (_expect(address(0), abi.encodeCall(IOrders.cancelOrder, (rec.order, off, sig)), expected)) {
            recs[i].remaining = 0;
        }
    }

    function reduce(uint256 iRaw, uint256 sizeRaw) external counted {
        (bool found, uint256 i) = _openAt(iRaw);
        if (!found) return;
        Rec memory rec = recs[i];
        int128 size = int128(uint128(bound(sizeRaw, 1, rec.remaining)));
        Order memory red = abi.decode(abi.encode(rec.order), (Order));
        (red.tradeType, red.tradeBranchId, red.isMatched, red.previous) = (4, _nonce++, true, rec.hash);
        red.quantity = rec.order.quantity > 0 ? -size : size;
        bytes memory sig = _sig(_keyOf(rec.order.trader), red);
        _expect(address(0), abi.encodeCall(IOrders.reduceOrder, (rec.order, red, sig)), "");
        recs[i].remaining -= uint128(size);
    }

    /*//////////////////////////////////////////////////////////////
                           ROOTS AND SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Narrow an open root to a whole-unit sub-interval at least one unit wide.
    function narrow(uint8 sel, uint256 a, uint256 b) external counted {
        uint256 r = rootIds[sel % 2];
        (int128 lo, int128 hi) = ex.bounds(r, 1);
        if (lo == hi) return;
        uint256 span = uint256(int256(hi) - lo) / 1e18;
        int256 l = lo + int256(a % (span + 1)) * WAD;
        int256 u = lo + int256(b % (span + 1)) * WAD;
        if (l > u) (l, u) = (u, l);
        if (l == u) return;
        _expect(address(0), abi.encodeCall(IMarkets.defineMarket, (r, 1, int128(l), int128(u))), "");
    }

    /// @notice Settle a root at any wei inside its bounds (after the 12th call of a run, every
    /// other call), so that most runs trade first and many settle one root or both.
    function settle(uint8 sel, uint256 raw) external counted {
        if (calls <= 12 || sel % 2 != 0) return;
        uint256 r = rootIds[(sel >> 2) % 2];
        (int128 lo, int128 hi) = ex.bounds(r, 1);
        int128 outcome = int128(int256(lo) + int256(raw % (uint256(int256(hi) - lo) + 1)));
        bytes memory expected = lo == hi ? abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, r, lo) : bytes("");
        if (_expect(address(0), abi.encodeCall(IMarkets.settle, (r, outcome)), expected)) ++count["settled"];
    }

    function claimOne(uint8 w, uint8 sel) external counted {
        address t = traders[w % 4];
        uint256 r = _claimRoot(sel);
        bytes memory expected = _claimExpectation(t, r);
        int256 payoff = modelRootWorst(t, r);
        if (_expect(address(0), abi.encodeCall(ISettlement.claimFor, (t, r)), expected)) _applyClaim(t, r, payoff);
        else ++count[bytes32(bytes4(expected))];
    }

    /// @notice claimMany over all traders in a rotated order; the model replays its two passes.
    function claimAll(uint8 sel, uint8 rot) external counted {
        uint256 r = _claimRoot(sel);
        address[] memory list = new address[](4);
        for (uint256 i; i < 4; ++i) {
            list[i] = traders[(i + rot) % 4];
        }
        (int128 lo, int128 hi) = ex.bounds(r, 1);
        bool[] memory retry = new bool[](4);
        uint256 expected;
        for (uint256 pass; pass < 2; ++pass) {
            for (uint256 i; i < 4; ++i) {
                if (pass == 1 && !retry[i]) continue;
                bytes memory reason = lo == hi ? _claimExpectation(list[i], r) : bytes("x");
                if (reason.length == 0) {
                    _applyClaim(list[i], r, modelRootWorst(list[i], r));
                    ++expected;
                } else if (pass == 0 && bytes4(reason) == ISettlementEE.SettlementPending.selector) {
                    retry[i] = true;
                }
            }
        }
        assertEq(ex.claimMany(r, list), expected, "claimMany count");
    }

    /// @dev Root `sel % 2`, or the other one when only that one has settled (3 calls in 4).
    function _claimRoot(uint8 sel) internal view returns (uint256 r) {
        r = rootIds[sel % 2];
        uint256 other = rootIds[1 - sel % 2];
        (int128 lo, int128 hi) = ex.bounds(r, 1);
        (int128 olo, int128 ohi) = ex.bounds(other, 1);
        if (lo != hi && olo == ohi && (sel >> 1) % 4 != 0) r = other;
    }

    function _claimExpectation(address t, uint256 r) internal view returns (bytes memory) {
        (int128 lo, int128 hi) = ex.bounds(r, 1);
        if (lo != hi) return abi.encodeWithSelector(ISettlementEE.MarketNotSettled.selector, r);
        if (claimed[t][r]) return abi.encodeWithSelector(ISettlementEE.AlreadyClaimed.selector, t, r);
        if (!listed[t][r]) return abi.encodeWithSelector(ISettlementEE.NothingToClaim.selector, t, r);
        int256 payoff = modelRootWorst(t, r);
        if (payoff > 0 && uint256(payoff) > ghostPot[r]) {
            return abi.encodeWithSelector(ISettlementEE.SettlementPending.selector, r, ghostPot[r], payoff);
        }
        return "";
    }

    function _applyClaim(address t, uint256 r, int256 payoff) internal {
        ++count[payoff > 0 ? bytes32("claimGain") : (payoff < 0 ? bytes32("claimLoss") : bytes32("claimZero"))];
        if (payoff > 0) ghostPot[r] -= uint256(payoff);
        else ghostPot[r] += uint256(-payoff);
        ghostBalance[t] += payoff;
        claimed[t][r] = true;
        listed[t][r] = false;
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Call the exchange (as `who` when non-zero) and assert the predicted outcome: success
    /// when `expected` is empty, else exactly that revert data. Returns whether it succeeded.
    function _expect(address who, bytes memory data, bytes memory expected) internal returns (bool ok) {
        if (who != address(0)) vm.prank(who);
        bytes memory ret;
        (ok, ret) = address(ex).call(data);
        if (expected.length == 0) {
            if (!ok) assertEq(ret, expected, "unexpected revert");
        } else {
            assertFalse(ok, "expected a revert");
            assertEq(ret, expected, "revert data");
        }
    }

    /// @dev An open bid (searching from `iRaw`) and an open ask of another trader in its market.
    function _pair(uint256 iRaw, uint256 jRaw) internal view returns (bool, uint256, uint256) {
        uint256 n = recs.length;
        if (n < 2) return (false, 0, 0);
        for (uint256 k; k < n; ++k) {
            uint256 bi = (iRaw % n + k) % n;
            Rec storage bid = recs[bi];
            if (bid.remaining == 0 || bid.order.quantity < 0) continue;
            for (uint256 l; l < n; ++l) {
                uint256 ai = (jRaw % n + l) % n;
                Rec storage ask = recs[ai];
                if (
                    ask.remaining != 0 && ask.order.quantity < 0 && ask.order.trader != bid.order.trader
                        && ask.order.marketRootId == bid.order.marketRootId
                        && ask.order.marketBranchId == bid.order.marketBranchId
                ) return (true, bi, ai);
            }
        }
        return (false, 0, 0);
    }

    function _openAt(uint256 iRaw) internal view returns (bool, uint256) {
        uint256 n = recs.length;
        for (uint256 k; k < n; ++k) {
            uint256 i = (iRaw % n + k) % n;
            if (recs[i].remaining != 0) return (true, i);
        }
        return (false, 0);
    }

    function _indexOf(address t) internal view returns (uint256 i) {
        while (traders[i] != t) ++i;
    }

    function _keyOf(address t) internal view returns (uint256) {
        return keys[_indexOf(t)];
    }

    function _sig(uint256 key, Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, ex.hashOrder(o));
        return abi.encodePacked(r, s, v);
    }

    function _noOrder() internal pure returns (Order memory o) {}
}
