// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";

import {IMakerEE, PoolKey, Side} from "../../contracts/interfaces/IMaker.sol";
import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {PoolMath} from "../../contracts/libraries/PoolMath.sol";
import {MakerKit} from "./utils/MakerKit.sol";

/// @title MakerPricingTest
/// @notice The second half of the maker's trade suite (MakerTrades.t.sol has creation, the worked
/// example, refusals, closing and the collateral boundary): positions against the `PoolTraded`
/// events, `quote` against what trades charge, `sharesForCost`, a sub-market pool (width 0.6),
/// fees, and settlement with claims, keeping `tokens held (wad) == sum of balances + pots`.
contract MakerPricingTest is MakerKit {
    uint96 internal constant B = 100e18;
    /// @dev `ceil(100 ln((e^0.1 + 1)/2))`: the fee-less charge for 10 long from 50/50 (MakerTrades).
    int256 internal constant BUY10 = 5124947951362558542;

    PoolKey internal key; // b = 100 on [0, 1], no fee
    PoolKey internal feeKey; // b = 100 on [0, 1], 1%
    PoolKey internal subKey; // b = 100 on branch 2 = [0.2, 0.8] of R, no fee

    function setUp() public {
        _deployWithMaker(8);
        _root(R, 0, 1e18);
        vm.prank(owner);
        ex.defineMarket(R, 2, 2e17, 8e17);
        key = _pool(carol, R, 1, B, 0);
        _fund(carol, 140e18);
        vm.prank(carol); // a second pool of carol on the same market: another salt
        feeKey = maker.poolKey(maker.createPool(R, 1, B, 100, 1));
        vm.prank(carol);
        subKey = maker.poolKey(maker.createPool(R, 2, B, 0, 0));
        _fund(alice, 1e24);
        _fund(bob, 1e24);
    }

    function _acct(PoolKey memory k) internal view returns (address) {
        return maker.poolAccount(_id(k));
    }

    function _assertMoney() internal view {
        int256 sum = ex.balanceOf(alice) + ex.balanceOf(bob) + ex.balanceOf(carol) + ex.balanceOf(_acct(key))
            + ex.balanceOf(_acct(feeKey)) + ex.balanceOf(_acct(subKey));
        assertEq(int256(_heldWad()), sum + int256(ex.pot(R)), "tokens != balances + pots");
    }

    /// @dev What one trade reported: the `PoolTraded` event's quantity, cost (36 decimals) and fee,
    /// and the amount charged (the buy's cost, minus the sale's proceeds).
    struct Traded {
        int256 q;
        int256 c;
        uint256 f;
        int256 charged;
    }

    /// @dev Alice buys (`shares > 0`) or sells `|shares|` of `side`; the event's topics are checked.
    function _traded(PoolKey memory k, Side side, int256 shares) internal returns (Traded memory t) {
        vm.recordLogs();
        t.charged = shares > 0 ? _buy(alice, k, side, uint256(shares)) : -_sell(alice, k, side, uint256(-shares));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(maker) || logs[i].topics[0] != IMakerEE.PoolTraded.selector) continue;
            assertEq(logs[i].topics[1], _id(k), "event pool");
            assertEq(logs[i].topics[2], bytes32(uint256(uint160(alice))), "event trader");
            Side s;
            (s, t.q, t.c, t.f) = abi.decode(logs[i].data, (Side, int256, int256, uint256));
            assertEq(uint8(s), uint8(side), "event side");
            return t;
        }
        revert("no PoolTraded");
    }

    /*//////////////////////////////////////////////////////////////
                          POSITIONS AND QUOTES
    //////////////////////////////////////////////////////////////*/

    /// @notice After a mixed sequence of buys and sales of both sides on a fee pool, the trader's
    /// Exchange position is exactly the sum of the events' (quantity, cost), the pool's is its exact
    /// opposite, and the pool's quantity is `-(qLong - qShort)`.
    function test_positionsEqualEvents() public {
        int256[4] memory shares = [int256(3e18), -2e18, 5e18, -7e18];
        Side[4] memory sides = [Side.Long, Side.Short, Side.Short, Side.Long];
        int256 sumQ;
        int256 sumC;
        for (uint256 i; i < 4; ++i) {
            Traded memory t = _traded(feeKey, sides[i], shares[i]);
            assertGt(t.f, 0, "fee charged");
            (sumQ, sumC) = (sumQ + t.q, sumC + t.c);
            _assertPosition(alice, R, 1, sumQ, sumC);
            _assertPosition(_acct(feeKey), R, 1, -sumQ, -sumC);
        }
        (int256 qL, int256 qS,) = maker.poolState(_id(feeKey));
        assertEq(qL, -4e18, "qLong");
        assertEq(qS, 3e18, "qShort");
        assertEq(-sumQ, -(qL - qS), "pool quantity");
        _assertMoney();
    }

    /// @notice `quote` returns exactly what the trade then charges (or pays), its fee and quantity,
    /// on any of the three pools, either side, buy or sell, from a random state; the event's cost is
    /// `quantity * lo + (charge - ceil(n W))` (the short shares' `n W` is netted out of the forward).
    /// forge-config: default.fuzz.runs = 512
    function testFuzz_quoteEqualsTrade(uint256 preRaw, uint256 sharesRaw, uint8 mode) public {
        PoolKey memory k = mode % 3 == 0 ? key : (mode % 3 == 1 ? feeKey : subKey);
        Side side = (mode >> 2) & 1 == 0 ? Side.Long : Side.Short;
        int256 pre = int256(_bound(preRaw, 1e12, 300e18));
        _traded(k, (mode >> 3) & 1 == 0 ? Side.Long : Side.Short, (mode >> 4) & 1 == 0 ? pre : -pre);
        int256 shares = int256(_bound(sharesRaw, 1, 300e18) >> (sharesRaw >> 250));
        if (shares == 0) shares = 1;
        if ((mode >> 5) & 1 == 1) shares = -shares;
        (int256 cost, uint256 fee, int256 quantity) = maker.quote(_id(k), side, shares);
        if (shares < 0 && cost > 0) {
            // A dust sale whose proceeds round below zero: refused even at `minProceeds = 0`.
            vm.expectRevert(abi.encodeWithSelector(IMakerEE.SlippageExceeded.selector, -cost, 0));
            _sell(alice, k, side, uint256(-shares));
            return;
        }
        Traded memory t = _traded(k, side, shares);
        assertEq(t.charged, cost, "charged the quote");
        assertEq(t.q, quantity, "quantity");
        assertEq(t.f, fee, "fee");
        int256 netted = side == Side.Short ? PoolMath.ceilDiv(-t.q * (k.hi - k.lo), 1e18) : int256(0);
        assertEq(t.c, t.q * k.lo + (cost - netted) * 1e18, "event cost");
    }

    /// @notice `sharesForCost(budget)` is (nearly) the most `budget` buys: the returned shares cost at
    /// most the budget (buying them with `maxCost = budget` succeeds) and at least `budget - 3` wei, so
    /// shares worth a few wei more exceed it. Any pool, either side, from a random state. (Not "one
    /// share-wei more exceeds": a share-wei of a cheap side costs a fraction of a wei.)
    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_sharesForCost(uint256 preRaw, uint256 budgetRaw, uint8 mode) public {
        PoolKey memory k = mode % 3 == 0 ? key : (mode % 3 == 1 ? feeKey : subKey);
        Side side = (mode >> 2) & 1 == 0 ? Side.Long : Side.Short;
        int256 pre = int256(_bound(preRaw, 1e12, 400e18));
        _traded(k, (mode >> 3) & 1 == 0 ? Side.Long : Side.Short, (mode >> 4) & 1 == 0 ? pre : -pre);
        uint256 budget = _bound(budgetRaw, 1e6, 1e21) >> (budgetRaw >> 252);
        if (budget < 1e6) budget = 1e6;
        uint256 shares = maker.sharesForCost(_id(k), side, budget);
        assertGt(shares, 0, "a budget of 1e6 wei buys something");
        (int256 cost,,) = maker.quote(_id(k), side, int256(shares));
        assertLe(cost, int256(budget), "over budget");
        // At most 3 wei of the budget is left over, and shares worth 6 wei more at the current
        // marginal price (the price only rises as one buys) exceed the budget.
        assertLe(int256(budget) - cost, 3, "unused budget");
        (uint256 pl, uint256 ps) = maker.prices(_id(k));
        uint256 extra = 6e36 / (side == Side.Long ? pl : ps) + 1;
        (int256 more,,) = maker.quote(_id(k), side, int256(shares + extra));
        assertGt(more, int256(budget), "6 wei worth more still fit");
        vm.prank(alice);
        (, int256 paid) = maker.buy(k, side, shares, budget, block.timestamp);
        assertEq(paid, cost, "paid");
    }

    /*//////////////////////////////////////////////////////////////
                       SUB-MARKET POOL AND FEES
    //////////////////////////////////////////////////////////////*/

    /// @notice A pool on branch 2 = [0.2, 0.8] of root [0, 1] (W = 0.6): one share is 1/0.6 forward
    /// units, floored (1e18 shares -> 1666666666666666666); buying them long costs at least
    /// `ceil(100 ln((1 + e^(d/100))/2))` for d = 0.9999999999999999996 (0.501249994791701388.42), at
    /// most 2 wei more; the forward position costs `q lo + charge`; its worst is minus the charge (at
    /// x <= 0.2). Buying 3 short shares is exactly 5 forward units short, charged at least
    /// `ceil(3 - 100 ln(2/(1 + e^-0.03)))` = ...772 (1.511249578150310771.19), worst at x >= 0.8.
    function test_subMarketPool() public {
        bytes32 sid = _id(subKey);
        assertEq(maker.forwardPrice(sid), 5e17, "mid of [0.2, 0.8]");
        (,, int256 quantity) = maker.quote(sid, Side.Long, 1e18);
        assertEq(quantity, 1666666666666666666, "forward = shares * 1e18 / W");
        Traded memory t = _traded(subKey, Side.Long, 1e18);
        assertEq(t.q, 1666666666666666666, "traded quantity");
        assertGe(t.charged, 501249994791701389, "below the exact cost");
        assertLe(t.charged, 501249994791701391, "more than 2 wei above");
        _assertPosition(alice, R, 2, t.q, t.q * 2e17 + t.charged * 1e18);
        assertEq(ex.rootWorstCase(alice, R), -t.charged, "worst at x <= 0.2");
        assertGt(maker.forwardPrice(sid), 5e17, "forward price up");
        int256 proceeds = _sell(alice, subKey, Side.Long, 1e18); // back to 50/50
        int256 spread = t.charged - proceeds;
        _assertPosition(alice, R, 2, 0, spread * 1e18);

        t = _traded(subKey, Side.Short, 3e18);
        assertEq(t.q, -5e18, "5 forward units short");
        assertGe(t.charged, 1511249578150310772, "short below the exact cost");
        assertLe(t.charged, 1511249578150310774, "short: more than 2 wei above");
        // The short forward's cost nets out the 5 * 0.6 = 3 its shares pay at least.
        assertEq(t.c, -5e18 * 2e17 + (t.charged - 3e18) * 1e18, "short forward cost");
        _assertPosition(alice, R, 2, -5e18, spread * 1e18 + t.c);
        _assertPosition(_acct(subKey), R, 2, 5e18, -spread * 1e18 - t.c);
        assertEq(ex.rootWorstCase(alice, R), -t.charged - spread, "worst at x >= 0.8");
        _assertMoney();
    }

    /// @notice A 1% fee is `ceil(1% of the share cost)`: buying 10 long costs `BUY10 + ceil(BUY10 / 100)`
    /// (51249479513625585.42 -> ...586), the event and quote carry it; selling 10 long from 50/50
    /// brings `SELL10 - ceil(SELL10 / 100)`; after identical trades the fee pool's exact worst case
    /// is above the fee-less pool's by exactly the fees.
    function test_fees() public {
        (int256 plain,,) = maker.quote(_id(key), Side.Long, 10e18);
        assertEq(plain, BUY10, "fee-less charge");
        (int256 quoted, uint256 fee,) = maker.quote(_id(feeKey), Side.Long, 10e18);
        assertEq(fee, 51249479513625586, "fee rounded up");
        assertEq(quoted, BUY10 + 51249479513625586, "fee added");
        Traded memory t = _traded(feeKey, Side.Long, 10e18);
        assertEq(t.f, fee, "event fee");
        assertEq(t.charged, quoted, "charged");
        _buy(alice, key, Side.Long, 10e18);
        int256 gap = ex.rootWorstCase(_acct(feeKey), R) - ex.rootWorstCase(_acct(key), R);
        assertEq(gap, int256(fee), "the fee raises the pool's worst case");

        _sell(alice, feeKey, Side.Long, 10e18);
        _sell(alice, key, Side.Long, 10e18); // both back to 50/50
        int256 p0 = _sell(bob, key, Side.Long, 10e18);
        int256 p1 = _sell(bob, feeKey, Side.Long, 10e18);
        uint256 sellFee = uint256(p0 - p1);
        assertEq(sellFee, (uint256(p0) + 99) / 100, "sale fee = ceil(1% of the proceeds)");
        gap = ex.rootWorstCase(_acct(feeKey), R) - ex.rootWorstCase(_acct(key), R);
        assertGe(gap, int256(fee + sellFee), "fees accumulate in the pool");
        _assertMoney();
    }

    /*//////////////////////////////////////////////////////////////
                               SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Alice buys 10 long and bob 5 short (`5 - 100 ln((1+e^0.1)/(1+e^0.05))` = 2.406298793971539932.18),
    /// the root settles at 0.7: trades stop (`MarketSettled`), traders claim `q x - cost` like anyone,
    /// `claimPool` (callable by anyone) claims the pool's account and pays the creator what is left,
    /// `funding + payoff` where the pool's payoff is exactly minus the traders'; the pot ends empty;
    /// a second `claimPool` finds `NothingLeft`, trading finds `PoolClosed`.
    function test_settlementAndClaims() public {
        int256 ca = _buy(alice, key, Side.Long, 10e18);
        int256 cb = _buy(bob, key, Side.Short, 5e18);
        assertGe(cb, 2406298793971539933, "bob below the exact cost");
        assertLe(cb, 2406298793971539935, "bob: more than 2 wei above");
        vm.prank(owner);
        ex.settle(R, 7e17);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, R, int128(7e17)));
        maker.buy(key, Side.Long, 1e18, 1e18, block.timestamp);

        vm.prank(bob); // losers first: the pot pays gains out of losses
        assertEq(ex.claim(R), 15e17 - cb, "bob: -5 * 0.7 - (cb - 5)");
        int256 poolPayoff = -(7e18 - ca) - (15e17 - cb);
        assertLt(poolPayoff, 0, "the pool lost this one");
        int256 carolBefore = ex.balanceOf(carol);
        uint256 funding = maker.fundingFor(B);
        vm.expectEmit(true, true, true, true, address(maker));
        emit IMakerEE.PoolSettled(_id(key), uint256(int256(funding) + poolPayoff));
        vm.prank(stranger);
        assertEq(maker.claimPool(key), uint256(int256(funding) + poolPayoff), "released");
        assertEq(ex.balanceOf(carol), carolBefore + int256(funding) + poolPayoff, "creator paid");
        assertTrue(ex.hasClaimed(_acct(key), R), "pool account claimed");
        vm.prank(alice);
        assertEq(ex.claim(R), 7e18 - ca, "alice: 10 * 0.7 - ca");
        assertEq(ex.pot(R), 0, "pot empty: every payoff exact");

        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NothingLeft.selector, _id(key)));
        maker.claimPool(key);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolClosed.selector, _id(key)));
        maker.buy(key, Side.Long, 1e18, 1e18, block.timestamp);
        _assertMoney();
    }
}

/// @title MakerGasTest
/// @notice Gas of a warm trade (the trader and the pool already hold positions), each measured in its
/// own transaction (setUp commits the first trades, so storage is cold as on chain): buy and sell.
/// The numbers are the calls' own gas (no 21,000 base or calldata), logged with `-vv`.
contract MakerGasTest is MakerKit {
    PoolKey internal key;

    function setUp() public {
        _deployWithMaker(8);
        _root(R, 0, 1e18);
        key = _pool(carol, R, 1, 100e18, 30);
        _fund(alice, 1000e18);
        _buy(alice, key, Side.Long, 10e18);
        _buy(alice, key, Side.Short, 3e18);
    }

    /// @notice A warm buy stays under 60,000 gas.
    function test_gas_warmBuy() public {
        vm.prank(alice);
        maker.buy(key, Side.Long, 5e18, type(uint128).max, block.timestamp);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("warm buy gas", used);
        assertLt(used, 60_000, "warm buy");
    }

    /// @notice A warm sale stays under 60,000 gas.
    function test_gas_warmSell() public {
        vm.prank(alice);
        maker.sell(key, Side.Long, 5e18, 0, block.timestamp);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("warm sell gas", used);
        assertLt(used, 60_000, "warm sell");
    }
}
