// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {Deploy} from "./utils/Deploy.sol";
import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {IOrdersEE} from "../../contracts/interfaces/IOrders.sol";
import {Bounds, BoundsLib} from "../../contracts/libraries/BoundsLib.sol";
import {Order} from "../../contracts/libraries/OrderStructs.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {FoldModel} from "./utils/FoldModel.sol";

/// @title BoundsFoldTest
/// @notice Fuzzes sequences of market definitions against a real `Exchange` and compares, after
/// every step, the contract's lazily computed effective bounds of every branch with the eager fold
/// of the specification (protocol.md section 1), including every refusal with its exact error data.
contract BoundsFoldTest is Test, FoldModel {
    using BoundsLib for Bounds;

    /// @dev One fuzzed step, mapped onto a valid or deliberately invalid action by `_step`.
    struct Step {
        uint8 action;
        uint8 branchSel;
        uint8 mode;
        int128 a;
        int128 b;
    }

    uint16 internal constant MAX_BRANCHES = 8;
    uint256 internal constant STEPS = 14;
    uint256 internal constant ROOT = 42;
    /// @dev An unrelated root created in setUp: the fuzzed sequence must never touch it.
    uint256 internal constant OTHER_ROOT = 7;
    /// @dev Largest |price| an order may carry (`OrderOutOfRange` beyond).
    int128 internal constant MAX_ABS = 2 ** 95 - 1;
    /// @dev The trader's deposit (wad): orders of one wei need at most |hi - lo| / 1e18 + 1 < 2^69
    /// each, so every order the sequence places is funded.
    uint256 internal constant DEPOSIT = 1e24;

    IExchange internal ex;
    TestToken internal token;
    /// @dev The last order `_placeOrder` placed (`orderState` takes the order).
    Order internal _lastPlaced;
    address internal owner = makeAddr("owner");
    address internal oracle = makeAddr("oracle");
    address internal stranger = makeAddr("stranger");
    address internal otherOwner = makeAddr("otherOwner");
    address internal trader;
    uint256 internal traderKey;

    // The reference model of ROOT (reset for every fuzz run with the rest of the state).
    Def[] internal _defs;
    bool internal _created;
    uint16 internal _count;
    uint16 internal _maxOrdered;

    function setUp() public {
        token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), MAX_BRANCHES);
        (trader, traderKey) = makeAddrAndKey("trader");
        // 1e24 wad of a 6-decimal token: 1e12 token units.
        token.mint(trader, DEPOSIT / 1e12);
        vm.startPrank(trader);
        token.approve(address(ex), DEPOSIT / 1e12);
        ex.deposit(DEPOSIT / 1e12);
        vm.stopPrank();
        assertEq(ex.balanceOf(trader), int256(DEPOSIT), "deposit");

        vm.startPrank(otherOwner);
        ex.defineMarket(OTHER_ROOT, 1, 0, 100);
        ex.defineMarket(OTHER_ROOT, 2, 10, 20);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                FUZZ TESTS
    //////////////////////////////////////////////////////////////*/

    /// @notice After every step of a random sequence of definitions, settlements, orders and
    /// refused calls, every existing branch's `bounds` equals the eager fold of the accepted
    /// definitions in posting order, and the root's metadata matches the model.
    /// forge-config: default.fuzz.runs = 5000
    function testFuzz_lazyBoundsEqualEagerFold(Step[STEPS] calldata steps) public {
        for (uint256 i; i < STEPS; ++i) {
            _step(steps[i], i);
            _checkAgainstModel();
        }
        (int128 lo, int128 hi) = ex.bounds(OTHER_ROOT, 1);
        assertEq(lo, 0, "other root min");
        assertEq(hi, 100, "other root max");
        (lo, hi) = ex.bounds(OTHER_ROOT, 2);
        assertEq(lo, 10, "other branch min");
        assertEq(hi, 20, "other branch max");
    }

    /*//////////////////////////////////////////////////////////////
                              UNIT TESTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A worked example: a later root narrowing propagates to sub-markets in posting
    /// order, a disjoint sub-market collapses to the nearest end, and a sub-market of a settled
    /// root settles at the clamp of the outcome.
    function test_foldExample() public {
        vm.startPrank(owner);
        ex.defineMarket(ROOT, 1, 0, 100);
        ex.defineMarket(ROOT, 2, 20, 60);
        ex.defineMarket(ROOT, 3, 50, 90); // inside branch 2: [50, 60]
        _assertBounds(3, 50, 60);
        ex.defineMarket(ROOT, 1, 55, 100); // root narrows: branch 2 -> [55, 60], 3 -> [55, 60]
        _assertBounds(2, 55, 60);
        _assertBounds(3, 55, 60);
        ex.defineMarket(ROOT, 2, 0, 10); // disjoint below: branch 2 and 3 collapse to 55
        _assertBounds(1, 55, 100);
        _assertBounds(2, 55, 55);
        _assertBounds(3, 55, 55);
        ex.defineMarket(ROOT, 4, 70, 80); // a new branch starts from branch 3: a point at 55
        _assertBounds(4, 55, 55);
        ex.settle(ROOT, 90);
        _assertBounds(1, 90, 90);
        _assertBounds(2, 55, 55);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, ROOT, int128(90)));
        ex.defineMarket(ROOT, 1, 0, 100);
        vm.stopPrank();
    }

    /// @notice The same root and branch defined many times takes the highest minimum and the lowest
    /// maximum; equal definitions change nothing; a branch cannot grow past `maxBranches`.
    function test_branchLimitAndRepeatedDefinitions() public {
        vm.startPrank(owner);
        ex.defineMarket(ROOT, 1, -10, 10);
        for (uint16 b = 2; b <= MAX_BRANCHES; ++b) {
            ex.defineMarket(ROOT, b, -10, 10);
        }
        ex.defineMarket(ROOT, 3, -5, 10);
        ex.defineMarket(ROOT, 3, -10, 4);
        ex.defineMarket(ROOT, 3, -5, 4);
        _assertBounds(2, -10, 10);
        for (uint16 b = 3; b <= MAX_BRANCHES; ++b) {
            _assertBounds(b, -5, 4);
        }
        vm.expectRevert(
            abi.encodeWithSelector(IMarketsEE.InvalidBranch.selector, ROOT, MAX_BRANCHES + 1, MAX_BRANCHES)
        );
        ex.defineMarket(ROOT, MAX_BRANCHES + 1, -10, 10);
        vm.stopPrank();
    }

    /// @notice Once a branch has orders, definitions of it and of every branch below it (>= 2) are
    /// refused with `MarketLocked`, while branches above it and the root may still be defined, and
    /// the lazy bounds still follow the eager fold.
    function test_orderedBranchLocksLowerBranches() public {
        vm.startPrank(owner);
        ex.defineMarket(ROOT, 1, 0, 100);
        ex.defineMarket(ROOT, 2, 10, 90);
        ex.defineMarket(ROOT, 3, 20, 80);
        vm.stopPrank();
        _placeOrder(3, 50, 0);
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketLocked.selector, ROOT, uint16(2), uint16(3)));
        ex.defineMarket(ROOT, 2, 30, 40);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketLocked.selector, ROOT, uint16(3), uint16(3)));
        ex.defineMarket(ROOT, 3, 30, 40);
        ex.defineMarket(ROOT, 4, 30, 40);
        ex.defineMarket(ROOT, 1, 35, 100);
        vm.stopPrank();
        _assertBounds(1, 35, 100);
        _assertBounds(2, 35, 90);
        _assertBounds(3, 35, 80);
        _assertBounds(4, 35, 40);
    }

    /// @notice Order prices are limited to +-(2^95 - 1): on a branch entirely beyond that range every
    /// price in bounds is refused with `OrderOutOfRange`, and that check comes before the market's
    /// (`MarketSettled`) and price (`PriceOutOfBounds`) checks; at the edge of the range an order is
    /// accepted.
    function test_orderPriceRange() public {
        int128 big = int128(2) ** 96;
        vm.startPrank(owner);
        ex.defineMarket(ROOT, 1, -big, big);
        ex.defineMarket(ROOT, 2, big / 2 + 1, big); // entirely above 2^95 - 1
        ex.defineMarket(ROOT, 3, big / 2 + 1, big); // (branch 3 inside branch 2)
        vm.stopPrank();
        Order memory o = _order(2, big / 2 + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderOutOfRange.selector, ex.hashOrder(o), o.price, 1));
        this.placeOrderExternal(2, big / 2 + 1, 0);
        // The root's edge of the range is fine.
        _placeOrder(1, MAX_ABS, 1);
        _placeOrder(1, -MAX_ABS, 2);
        o = _order(1, -MAX_ABS - 1, 3);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderOutOfRange.selector, ex.hashOrder(o), o.price, 1));
        this.placeOrderExternal(1, -MAX_ABS - 1, 3);
        // Range before settlement: a settled root still reports the range first.
        vm.prank(owner);
        ex.settle(ROOT, big);
        o = _order(3, big, 4);
        vm.expectRevert(abi.encodeWithSelector(IOrdersEE.OrderOutOfRange.selector, ex.hashOrder(o), big, int128(1)));
        this.placeOrderExternal(3, big, 4);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, ROOT, big));
        this.placeOrderExternal(1, MAX_ABS, 4);
    }

    /*//////////////////////////////////////////////////////////////
                             STEP MAPPING
    //////////////////////////////////////////////////////////////*/

    /// @dev Map a fuzzed step onto an action, predict its outcome from the model, post it and
    /// record it in the model when accepted.
    function _step(Step calldata s, uint256 index) internal {
        (int128 l, int128 u) = _definitionValues(s);
        uint8 kind = s.action % 32;

        // Kinds: 17 settle, 18-19 a stranger, 20-21 an order, 22-23 the oracle, 1-8 a new branch,
        // the rest the owner on a random branch (0 is a common fuzz value, so it is not a settle).
        if (kind == 20 || kind == 21) {
            _orderStep(s.branchSel, l, index);
            return;
        }

        address sender = owner;
        uint16 branch = _branchFor(s.branchSel);
        bool viaSettle;
        if (kind == 17) {
            viaSettle = true;
            branch = 1;
            u = l;
        } else if ((kind == 18 || kind == 19) && _created) {
            sender = stranger;
        } else if ((kind == 22 || kind == 23) && _created) {
            sender = oracle;
        } else if (kind >= 1 && kind <= 8) {
            branch = _count + 1; // a new branch (or the root's creation)
        }

        bytes memory expected = viaSettle && !_created
            ? abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, ROOT, uint16(1)) // settle never creates
            : _expectedRevert(sender, branch, l, u);
        if (expected.length != 0) {
            vm.expectRevert(expected);
        } else {
            _expectEvents(sender, branch, l, u);
        }
        vm.prank(sender);
        if (viaSettle) {
            ex.settle(ROOT, l);
        } else {
            ex.defineMarket(ROOT, branch, l, u);
        }

        if (expected.length == 0) {
            if (!_created) {
                _created = true;
                _count = 1;
                vm.prank(owner);
                ex.setOracle(ROOT, oracle, true);
            } else if (branch == _count + 1) {
                _count = branch;
            }
        }
    }

    /// @dev A branch id: 0 (invalid), the root, an existing sub-branch, the next new branch, or
    /// one past it (a gap). The root is picked less often than uniformly, so that the root is not
    /// settled too early in most runs and sub-branches get defined and re-defined.
    function _branchFor(uint8 sel) internal view returns (uint16 branch) {
        branch = uint16(sel % (_count + 3));
        if (branch == 1 && (sel >> 6) != 0) {
            if (_count >= 2 && (sel >> 5) & 1 == 1) {
                branch = 2 + uint16((sel >> 2) % (_count - 1));
            } else {
                branch = _count + 1;
            }
        }
    }

    /// @dev The exact revert data the contract must produce, following its order of checks, or
    /// empty when the definition must be accepted (in which case it is already in the model).
    function _expectedRevert(address sender, uint16 branch, int128 l, int128 u) internal returns (bytes memory) {
        if (l > u) return abi.encodeWithSelector(IMarketsEE.InvalidBounds.selector, l, u);
        if (!_created) {
            if (branch != 1) return abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, ROOT, uint16(1));
            _defs.push(Def(1, l, u));
            return "";
        }
        if (sender != owner && sender != oracle) {
            return abi.encodeWithSelector(IMarketsEE.NotMarketOwner.selector, ROOT, sender);
        }
        (int128 rl, int128 ru) = _fold(_defs, 1);
        if (rl == ru) return abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, ROOT, rl);
        if (branch == 0 || branch > _count + 1 || branch > MAX_BRANCHES) {
            return abi.encodeWithSelector(IMarketsEE.InvalidBranch.selector, ROOT, branch, _count);
        }
        if (branch >= 2 && branch <= _maxOrdered) {
            return abi.encodeWithSelector(IMarketsEE.MarketLocked.selector, ROOT, branch, _maxOrdered);
        }
        _defs.push(Def(branch, l, u));
        return "";
    }

    /// @dev Expect the events of an accepted definition, with the effective bounds of the model.
    function _expectEvents(address sender, uint16 branch, int128 l, int128 u) internal {
        (int128 el, int128 eu) = _fold(_defs, branch);
        if (!_created) {
            vm.expectEmit(true, true, true, true, address(ex));
            emit IMarketsEE.RootCreated(ROOT, sender);
        }
        vm.expectEmit(true, true, true, true, address(ex));
        emit IMarketsEE.MarketDefined(ROOT, branch, sender, l, u, el, eu);
        if (branch == 1 && el == eu) {
            vm.expectEmit(true, true, true, true, address(ex));
            emit IMarketsEE.RootSettled(ROOT, el);
        }
    }

    /// @dev Place a signed order of one wei on an existing branch at the hint clamped into its model
    /// bounds and then into the order range `[-(2^95 - 1), 2^95 - 1]`. When the branch's bounds lie
    /// entirely outside that range the price stays at the clamp into the bounds and the order must be
    /// refused with `OrderOutOfRange` (checked before the market); otherwise it must be refused with
    /// `MarketSettled` once the root is a point, else accepted (locking the branches below).
    function _orderStep(uint8 branchSel, int128 priceHint, uint256 index) internal {
        if (!_created) return;
        uint16 branch = uint16(branchSel % _count) + 1;
        (int128 lo, int128 hi) = _fold(_defs, branch);
        (int128 rl, int128 ru) = _fold(_defs, 1);
        int128 price = _clampModel(priceHint, lo, hi);
        bool outOfRange = lo > MAX_ABS || hi < -MAX_ABS;
        if (!outOfRange) price = _clampModel(price, -MAX_ABS, MAX_ABS);
        if (outOfRange) {
            Order memory o = _order(branch, price, index);
            vm.expectRevert(
                abi.encodeWithSelector(IOrdersEE.OrderOutOfRange.selector, ex.hashOrder(o), price, o.quantity)
            );
            this.placeOrderExternal(branch, price, index);
            return;
        }
        if (rl == ru) {
            vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, ROOT, rl));
            this.placeOrderExternal(branch, price, index);
            return;
        }
        bytes32 head = ex.chainHead(trader);
        bytes32 placed = _placeOrder(branch, price, index);
        if (branch > _maxOrdered) _maxOrdered = branch;
        // The order rests: the book, the chain and the trader's balance (untouched) agree.
        (uint8 tradeType, bool isMatched, uint128 remaining,,) = ex.orderState(_lastPlaced);
        assertEq(tradeType, 1, "order type");
        assertFalse(isMatched, "order matched");
        assertEq(remaining, 1, "order remaining");
        assertTrue(ex.chainHead(trader) == placed && placed != head, "chain head");
        assertEq(ex.balanceOf(trader), int256(DEPOSIT), "balance moved");
    }

    /// @dev External wrapper so `vm.expectRevert` applies to the order call only.
    function placeOrderExternal(uint16 branch, int128 price, uint256 index) external {
        _placeOrder(branch, price, index);
    }

    /// @dev A Primary bid of one wei (so that its worst case stays tiny) by the funded trader.
    function _order(uint16 branch, int128 price, uint256 index) internal view returns (Order memory) {
        return Order({
            tradeRootId: index + 1,
            tradeBranchId: 1,
            isMatched: false,
            price: price,
            quantity: 1,
            marketRootId: ROOT,
            marketBranchId: branch,
            trader: trader,
            tradeType: 1,
            previous: ex.chainHead(trader),
            expiry: 0
        });
    }

    function _placeOrder(uint16 branch, int128 price, uint256 index) internal returns (bytes32) {
        Order memory o = _order(branch, price, index);
        bytes32 digest = ex.hashOrder(o);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(traderKey, digest);
        _lastPlaced = o;
        return ex.placeOrder(o, abi.encodePacked(r, s, v));
    }

    /// @dev Compare the contract with the model: every branch's bounds, the branch count, the
    /// lock, and the absence of any branch beyond the count.
    function _checkAgainstModel() internal {
        if (!_created) {
            (address o,,) = ex.rootInfo(ROOT);
            assertEq(o, address(0), "root exists early");
            vm.expectRevert(abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, ROOT, uint16(1)));
            ex.bounds(ROOT, 1);
            return;
        }
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, ROOT, _count + 1));
        ex.bounds(ROOT, _count + 1);
        vm.expectRevert(abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, ROOT, uint16(0)));
        ex.bounds(ROOT, 0);
        (address own, uint16 count, uint16 maxOrdered) = ex.rootInfo(ROOT);
        assertEq(own, owner, "owner");
        assertEq(count, _count, "branch count");
        assertEq(maxOrdered, _maxOrdered, "max ordered branch");
        for (uint16 b = 1; b <= _count; ++b) {
            (int128 el, int128 eu) = _fold(_defs, b);
            (int128 lo, int128 hi) = ex.bounds(ROOT, b);
            if (lo != el || hi != eu) {
                // Name the branch in the failure message.
                assertEq(lo, el, string.concat("min of branch ", vm.toString(uint256(b))));
                assertEq(hi, eu, string.concat("max of branch ", vm.toString(uint256(b))));
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                              VALUE MAPPING
    //////////////////////////////////////////////////////////////*/

    /// @dev The two ends of a step's definition, each from a range chosen by two bits of `mode`
    /// (both from the same range when bit 7 is clear). Mostly sorted into a valid definition;
    /// 1 in 8 keeps the raw order (often `l > u`, refused) and 1 in 8 is a deliberate point
    /// `l == u`. Accidental points (the fuzzer often repeats a value) are widened around the value
    /// by a width fitting the range, so that most roots are not settled by their first definition.
    function _definitionValues(Step calldata s) internal pure returns (int128 l, int128 u) {
        uint8 modeU = s.mode >> 7 == 0 ? s.mode : s.mode >> 2;
        l = _value(s.mode, s.a);
        u = _value(modeU, s.b);
        uint8 order = (s.mode >> 4) % 8;
        if (order == 6) {
            u = l;
        } else if (order != 5 && l > u) {
            (l, u) = (u, l);
        } else if (l == u) {
            uint8 m = modeU % 4;
            int128 w = m == 0 ? int128(2) : (m == 1 ? int128(300) : int128(2 ** 100));
            l = l >= type(int128).min + w ? l - w : type(int128).min;
            u = u <= type(int128).max - w ? u + w : type(int128).max;
        }
    }

    function _assertBounds(uint16 branch, int128 lo, int128 hi) internal view {
        (int128 l, int128 u) = ex.bounds(ROOT, branch);
        assertEq(l, lo, string.concat("min of branch ", vm.toString(uint256(branch))));
        assertEq(u, hi, string.concat("max of branch ", vm.toString(uint256(branch))));
    }
}
