// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICollateralEE} from "../../contracts/interfaces/ICollateral.sol";
import {IMakerEE, PoolKey, Side} from "../../contracts/interfaces/IMaker.sol";
import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {IPoolsEE} from "../../contracts/interfaces/IPools.sol";
import {MakerKit} from "./utils/MakerKit.sol";

/// @title MakerTradesTest
/// @notice Pools on a real Exchange + Maker: creation and its refusals, buys and sells of both sides
/// with exact costs of a worked example (checked against mpmath at 60 digits), slippage, deadlines,
/// closing, the traders' collateral check at its exact boundary, positions against the events,
/// quotes, inverse quotes, a sub-market pool, fees, and settlement with claims, keeping
/// `tokens held (wad) == sum of balances + pots` to the wei.
contract MakerTradesTest is MakerKit {
    uint96 internal constant B = 100e18;
    /// @dev `ceil(100 ln 2)` in wei (100 ln 2 = 69.314718055994530941723...).
    uint256 internal constant FUNDING = 69314718055994530942;
    /// @dev Buying 10 long from 50/50 at b = 100: `100 ln((e^0.1 + 1) / 2)` =
    /// 5.124947951362558541286698685748... : the charge is at least its ceiling, ...542.
    int256 internal constant BUY10 = 5124947951362558542;
    /// @dev Selling 10 long (or 10 short) from 50/50: `100 ln(2 / (1 + e^-0.1))` =
    /// 4.875052048637441458713301314251... : the proceeds are at most its floor, ...458.
    int256 internal constant SELL10 = 4875052048637441458;
    uint256 internal constant R3 = 3;

    PoolKey internal key;
    bytes32 internal id;
    address internal pool;

    function setUp() public {
        _deployWithMaker(8);
        _root(R, 0, 1e18);
        _root(R2, 0, 1e18);
        key = _pool(carol, R, 1, B, 0);
        id = _id(key);
        pool = maker.poolAccount(id);
    }

    /// @dev Every account the suite uses and the pots of its roots: the money identity, to the wei.
    function _assertMoney(address[] memory extra) internal view {
        int256 sum = ex.balanceOf(alice) + ex.balanceOf(bob) + ex.balanceOf(carol) + ex.balanceOf(pool);
        for (uint256 i; i < extra.length; ++i) {
            sum += ex.balanceOf(extra[i]);
        }
        sum += int256(ex.pot(R) + ex.pot(R2) + ex.pot(R3));
        assertEq(int256(_heldWad()), sum, "tokens != balances + pots");
    }

    function _assertMoney() internal view {
        _assertMoney(new address[](0));
    }

    /*//////////////////////////////////////////////////////////////
                                CREATION
    //////////////////////////////////////////////////////////////*/

    /// @notice `createPool` moves exactly `fundingFor(b) = ceil(b ln 2)` from the creator to the pool
    /// account (the low 160 bits of the id), logs `PoolCreated` then `PoolFunded`, and the new pool is
    /// open at 50/50 with a zero exact worst case.
    function test_createPool_fundsPoolAccount() public {
        assertEq(maker.fundingFor(B), FUNDING, "funding");
        _fund(bob, 70e18);
        PoolKey memory k = PoolKey(R, 1, 0, 1e18, B, 30, bob, 7);
        bytes32 pid = keccak256(abi.encode(k));
        address account = address(uint160(uint256(pid)));
        vm.expectEmit(true, true, true, true, address(maker));
        emit IMakerEE.PoolCreated(pid, bob, R, k, account, FUNDING, 0);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IPoolsEE.PoolFunded(account, bob, R, 1, FUNDING);
        vm.prank(bob);
        assertEq(maker.createPool(R, 1, B, 30, 7), pid, "id");
        assertEq(ex.balanceOf(bob), 70e18 - int256(FUNDING), "creator debited");
        assertEq(ex.balanceOf(account), int256(FUNDING), "pool credited");
        assertEq(maker.poolAccount(pid), account, "account");
        assertEq(keccak256(abi.encode(maker.poolKey(pid))), pid, "key");
        (int256 qL, int256 qS, bool open) = maker.poolState(pid);
        assertTrue(qL == 0 && qS == 0 && open, "state");
        (uint256 pl, uint256 ps) = maker.prices(pid);
        assertEq(pl, 5e17, "long");
        assertEq(ps, 5e17, "short");
        assertEq(maker.forwardPrice(pid), 5e17, "forward price");
        (int256 worst, int256 bal) = ex.worstCase(account);
        assertEq(worst, 0, "pool worst");
        assertEq(bal, int256(FUNDING), "pool balance");
        _assertMoney(_list(account, address(0)));
    }

    /// @notice A creator whose collateral check fails once the funding is taken is refused with the
    /// exact verdict: bob has 100 and an open bid of 40 at 1 elsewhere (worst -40), so 69.31 more is
    /// too much; a creator without a deposit is refused too; alice with the same 100 and no order
    /// passes.
    function test_createPool_creatorCheckFails() public {
        _fund(bob, 100e18);
        _fund(alice, 100e18);
        _place(bob, R2, 1, 1e18, 40e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICollateralEE.InsufficientCollateral.selector, bob, int256(-40e18), 100e18 - int256(FUNDING)
            )
        );
        vm.prank(bob);
        maker.createPool(R, 1, B, 0, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, stranger, int256(0), -int256(FUNDING))
        );
        vm.prank(stranger);
        maker.createPool(R, 1, B, 0, 1);
        vm.prank(alice);
        maker.createPool(R, 1, B, 0, 1);
        assertEq(ex.balanceOf(alice), 100e18 - int256(FUNDING), "alice funded it");
    }

    /// @notice Parameter refusals: fee above 1,000 bps (1,000 itself passes), zero liquidity, a point
    /// market (a point sub-market of an open root, and a settled root), an unknown market, and the
    /// same key twice (another salt is another pool).
    function test_createPool_refusals() public {
        _fund(bob, 1000e18);
        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.FeeTooHigh.selector, 1001, 1000));
        maker.createPool(R, 1, B, 1001, 0);
        maker.createPool(R, 1, B, 1000, 0);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.InvalidLiquidity.selector, 0));
        maker.createPool(R, 1, 0, 0, 0);
        vm.stopPrank();

        vm.startPrank(owner);
        ex.defineMarket(R2, 2, 5e17, 5e17);
        ex.defineMarket(R3, 1, 0, 1e18);
        ex.settle(R3, 3e17);
        vm.stopPrank();
        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PointMarket.selector, R2, 2));
        maker.createPool(R2, 2, B, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PointMarket.selector, R3, 1));
        maker.createPool(R3, 1, B, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, 99, 1));
        maker.createPool(99, 1, B, 0, 0);

        bytes32 first = maker.createPool(R, 1, B, 0, 5);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolExists.selector, first));
        maker.createPool(R, 1, B, 0, 5);
        assertTrue(maker.createPool(R, 1, B, 0, 6) != first, "other salt");
        vm.stopPrank();
        assertEq(ex.balanceOf(bob), 1000e18 - 3 * int256(FUNDING), "three pools funded");
    }

    /// @notice A donation to a pool's future account (anyone can compute it from the key) does not
    /// block `createPool`: it adds to the pool's cushion, and closing the idle pool pays it, with the
    /// funding, to the creator.
    function test_createPool_donationToTheAccountIsKept() public {
        _fund(bob, 100e18);
        _fund(alice, 1e12);
        bytes32 pid = keccak256(abi.encode(PoolKey(R, 1, 0, 1e18, B, 0, bob, 9)));
        address account = address(uint160(uint256(pid)));
        token.mint(alice, 1);
        vm.startPrank(alice);
        token.approve(address(ex), 1);
        ex.depositFor(account, 1);
        vm.stopPrank();
        vm.prank(bob);
        maker.createPool(R, 1, B, 0, 9);
        uint256 funding = maker.fundingFor(B);
        assertEq(ex.balanceOf(account), int256(funding + 1e12), "funding plus the donation");
        int256 before = ex.balanceOf(bob);
        PoolKey memory key = maker.poolKey(pid);
        vm.prank(bob);
        uint256 released = maker.closePool(key);
        assertEq(released, funding + 1e12);
        assertEq(ex.balanceOf(bob), before + int256(released));
        assertEq(ex.balanceOf(account), 0);
    }

    /*//////////////////////////////////////////////////////////////
                          THE WORKED EXAMPLE
    //////////////////////////////////////////////////////////////*/

    /// @notice b = 100 on [0, 1]: buying 10 long from 50/50 costs `ceil(100 ln((e^0.1 + 1)/2))` wei (the
    /// math's guard may add at most 2 more); the returned cost, the quote, the event, both positions
    /// (exact opposites) and the trader's exact worst case agree; prices move up.
    function test_buyLong_workedExample() public {
        _fund(alice, 100e18);
        (int256 quoted, uint256 fee, int256 q) = maker.quote(id, Side.Long, 10e18);
        assertGe(quoted, BUY10, "below the exact cost");
        assertLe(quoted, BUY10 + 2, "more than 2 wei above");
        assertEq(fee, 0, "no fee");
        assertEq(q, 10e18, "quantity");
        vm.expectEmit(true, true, true, true, address(maker));
        emit IMakerEE.PoolTraded(id, alice, Side.Long, 10e18, quoted * 1e18, 0);
        vm.prank(alice);
        (int256 quantity, int256 cost) = maker.buy(key, Side.Long, 10e18, uint256(quoted), block.timestamp);
        assertEq(quantity, 10e18, "returned quantity");
        assertEq(cost, quoted, "charged the quote");
        _assertPosition(alice, R, 1, 10e18, cost * 1e18);
        _assertPosition(pool, R, 1, -10e18, -cost * 1e18);
        assertEq(ex.rootWorstCase(alice, R), -cost, "trader's worst: the cost, at x = 0");
        assertEq(ex.rootWorstCase(pool, R), cost - 10e18, "pool's worst: at x = 1");
        (uint256 pl, uint256 ps) = maker.prices(id);
        assertGt(pl, 5e17, "long price up");
        assertEq(pl + ps, 1e18 - 1, "prices sum (both floored)");
        (int256 qL, int256 qS,) = maker.poolState(id);
        assertEq(qL, 10e18, "qLong");
        assertEq(qS, 0, "qShort");
        _assertMoney();
    }

    /// @notice The short side of the same example: buying 10 short costs the same as 10 long (the
    /// trader takes quantity -10 at total cost `(cost - 10) * 1e18`, worst at x = 1); selling 10 long
    /// or 10 short from 50/50 brings at most `floor(100 ln(2/(1 + e^-0.1)))` (at least 2 wei less).
    function test_shortSideAndSales_workedExample() public {
        _fund(alice, 100e18);
        _fund(bob, 100e18);
        int256 cost = _buy(alice, key, Side.Short, 10e18);
        assertGe(cost, BUY10, "short below the exact cost");
        assertLe(cost, BUY10 + 2, "short: more than 2 wei above");
        _assertPosition(alice, R, 1, -10e18, (cost - 10e18) * 1e18);
        assertEq(ex.rootWorstCase(alice, R), -cost, "worst at x = 1");
        _sell(alice, key, Side.Short, 10e18); // back to 50/50

        int256 p1 = _sell(bob, key, Side.Long, 10e18);
        assertLe(p1, SELL10, "long sale above the exact proceeds");
        assertGe(p1, SELL10 - 2, "long sale: more than 2 wei below");
        _assertPosition(bob, R, 1, -10e18, -p1 * 1e18);
        assertEq(ex.rootWorstCase(bob, R), p1 - 10e18, "short forward worst at x = 1");
        _buy(bob, key, Side.Long, 10e18); // back to 50/50
        int256 p2 = _sell(bob, key, Side.Short, 10e18);
        assertLe(p2, SELL10, "short sale above the exact proceeds");
        assertGe(p2, SELL10 - 2, "short sale: more than 2 wei below");
        _assertMoney();
    }

    /// @notice Two buys of 10 long then a sale of 20: each within 2 wei of the exact value on the
    /// trader's unfavourable side (second buy: 100 ln((e^0.2+1)/(e^0.1+1)) = 5.374220930802094485.48,
    /// sale: 100 ln((e^0.2+1)/2) = 10.499168882164653026.77); the idle pool keeps the roundings.
    function test_roundTrip_poolKeepsTheRounding() public {
        _fund(alice, 100e18);
        int256 c1 = _buy(alice, key, Side.Long, 10e18);
        int256 c2 = _buy(alice, key, Side.Long, 10e18);
        int256 p = _sell(alice, key, Side.Long, 20e18);
        assertTrue(c2 >= 5374220930802094486 && c2 <= 5374220930802094488, "second buy");
        assertTrue(p <= 10499168882164653026 && p >= 10499168882164653024, "sale");
        _assertPosition(pool, R, 1, 0, (p - c1 - c2) * 1e18);
        assertEq(ex.rootWorstCase(pool, R), c1 + c2 - p, "pool keeps the roundings");
        assertGe(c1 + c2 - p, 0, "round trip paid the trader");
        _assertMoney();
    }

    /*//////////////////////////////////////////////////////////////
                         SLIPPAGE AND REFUSALS
    //////////////////////////////////////////////////////////////*/

    /// @notice `maxCost` equal to the quoted cost passes and one wei less is refused with
    /// `SlippageExceeded(cost, maxCost)`; for a sale `minProceeds` equal to the quoted proceeds passes
    /// and one wei more is refused with `SlippageExceeded(proceeds, minProceeds)`.
    function test_slippage_exactBoundary() public {
        _fund(alice, 100e18);
        (int256 cost,,) = maker.quote(id, Side.Long, 7e18);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.SlippageExceeded.selector, cost, cost - 1));
        maker.buy(key, Side.Long, 7e18, uint256(cost - 1), block.timestamp);
        (, int256 paid) = maker.buy(key, Side.Long, 7e18, uint256(cost), block.timestamp);
        assertEq(paid, cost, "paid");
        (int256 negProceeds,,) = maker.quote(id, Side.Short, -3e18);
        int256 proceeds = -negProceeds;
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.SlippageExceeded.selector, proceeds, proceeds + 1));
        maker.sell(key, Side.Short, 3e18, uint256(proceeds + 1), block.timestamp);
        (, int256 got) = maker.sell(key, Side.Short, 3e18, uint256(proceeds), block.timestamp);
        assertEq(got, proceeds, "proceeds");
        vm.stopPrank();
    }

    /// @notice Bounds beyond int256 saturate instead of wrapping: `type(uint256).max` as `maxCost` is
    /// "no bound" (the buy goes through), as `minProceeds` it refuses the sale (it would have wrapped
    /// to -1 and accepted any proceeds).
    function test_slippage_hugeBoundsSaturate() public {
        _fund(alice, 100e18);
        vm.startPrank(alice);
        (, int256 paid) = maker.buy(key, Side.Long, 2e18, type(uint256).max, block.timestamp);
        assertGt(paid, 0);
        (int256 negProceeds,,) = maker.quote(id, Side.Long, -1e18);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.SlippageExceeded.selector, -negProceeds, type(int256).max));
        maker.sell(key, Side.Long, 1e18, type(uint256).max, block.timestamp);
        vm.stopPrank();
    }

    /// @notice A deadline before the block's timestamp is refused (`DeadlinePassed`), the timestamp
    /// itself passes; zero shares (`ZeroShares`); an unknown key (`UnknownPool`) in trades and views.
    function test_deadlineZeroSharesAndUnknownPool() public {
        _fund(alice, 100e18);
        vm.warp(1000);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.DeadlinePassed.selector, 999, 1000));
        maker.buy(key, Side.Long, 1e18, 1e18, 999);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.DeadlinePassed.selector, 999, 1000));
        maker.sell(key, Side.Long, 1e18, 0, 999);
        maker.buy(key, Side.Long, 1e18, 1e18, 1000);
        vm.expectRevert(IMakerEE.ZeroShares.selector);
        maker.buy(key, Side.Long, 0, 1e18, 1000);
        PoolKey memory other = key;
        other.salt = 1;
        bytes32 otherId = _id(other);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.UnknownPool.selector, otherId));
        maker.buy(other, Side.Long, 1e18, 1e18, 1000);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.UnknownPool.selector, otherId));
        maker.quote(otherId, Side.Long, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.UnknownPool.selector, otherId));
        maker.poolState(otherId);
    }

    /// @notice Only the creator closes, only an idle pool: `NotPoolCreator` (checked first),
    /// `PoolNotIdle(id, qLong, qShort)`; after the trader sells back, closing releases the pool's
    /// balance, exactly the funding, with `PoolRetired` and `PoolReleased`; then trades and a second
    /// close are refused `PoolClosed`. The fee and rounding the pool earned stay in its (flat)
    /// position and reach the creator through `claimPool` once the root settles.
    function test_closePool() public {
        PoolKey memory fk = _pool(carol, R, 1, B, 100);
        bytes32 fid = _id(fk);
        address facc = maker.poolAccount(fid);
        _fund(alice, 100e18);
        int256 c = _buy(alice, fk, Side.Long, 10e18);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.NotPoolCreator.selector, fid, bob));
        maker.closePool(fk);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolNotIdle.selector, fid, int256(10e18), int256(0)));
        maker.closePool(fk);
        int256 p = _sell(alice, fk, Side.Long, 10e18);

        int256 carolBefore = ex.balanceOf(carol);
        vm.expectEmit(true, true, true, true, address(maker));
        emit IMakerEE.PoolRetired(fid, FUNDING);
        vm.expectEmit(true, true, true, true, address(ex));
        emit IPoolsEE.PoolReleased(facc, carol, FUNDING);
        vm.prank(carol);
        assertEq(maker.closePool(fk), FUNDING, "released the funding");
        assertEq(ex.balanceOf(carol), carolBefore + int256(FUNDING), "creator credited");
        assertEq(ex.balanceOf(facc), 0, "pool emptied");
        assertEq(ex.rootWorstCase(facc, R), c - p, "profit left in the flat position");
        (,, bool open) = maker.poolState(fid);
        assertFalse(open, "closed");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolClosed.selector, fid));
        maker.buy(fk, Side.Long, 1e18, 1e18, block.timestamp);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IMakerEE.PoolClosed.selector, fid));
        maker.closePool(fk);

        vm.prank(owner);
        ex.settle(R, 4e17);
        vm.prank(alice);
        assertEq(ex.claim(R), p - c, "trader pays the spread");
        vm.expectEmit(true, true, true, true, address(maker));
        emit IMakerEE.PoolSettled(fid, uint256(c - p));
        assertEq(maker.claimPool(fk), uint256(c - p), "profit to the creator");
        assertEq(ex.balanceOf(carol), carolBefore + int256(FUNDING) + c - p, "funding + fees + rounding");
        _assertMoney(_list(facc, address(0)));
    }

    /// @notice A trade the trader cannot collateralise is refused with the exact verdict
    /// (`InsufficientCollateral(trader, worst after the trade, balance)`); one that uses the last wei
    /// passes: bob and alice both hold 6 and an open bid of 1 in R2, alice's at `6 - cost` (her worst
    /// is then exactly -6), bob's one wei dearer.
    function test_traderCollateral_exactBoundary() public {
        _fund(alice, 5e18);
        (int256 cost,,) = maker.quote(id, Side.Long, 10e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, alice, -cost, 5e18));
        maker.buy(key, Side.Long, 10e18, uint256(cost), block.timestamp);

        _fund(alice, 1e18);
        _fund(bob, 6e18);
        int128 p = int128(6e18 - cost);
        _place(alice, R2, 1, p, 1e18);
        _place(bob, R2, 1, p + 1, 1e18);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(ICollateralEE.InsufficientCollateral.selector, bob, -cost - p - 1, 6e18)
        );
        maker.buy(key, Side.Long, 10e18, uint256(cost), block.timestamp);
        vm.prank(alice);
        maker.buy(key, Side.Long, 10e18, uint256(cost), block.timestamp);
        (int256 worst, int256 balance) = ex.worstCase(alice);
        assertEq(worst, -6e18, "worst");
        assertEq(balance + worst, 0, "to the wei");
        _assertMoney();
    }

    /// @dev Two addresses as a list (zero entries are skipped by the money identity: balance 0).
    function _list(address a, address b) internal pure returns (address[] memory l) {
        l = new address[](2);
        (l[0], l[1]) = (a, b);
    }
}
