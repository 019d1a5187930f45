// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {Deploy} from "./utils/Deploy.sol";
import {IMarketsEE} from "../../contracts/interfaces/IMarkets.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";

/// @title BoundsHandler
/// @notice Drives an `Exchange` with random root narrowings, settlements and sub-market
/// definitions on a few roots (the handler owns them), keeps the eager-fold model of every root
/// and records, after every call, any branch whose effective bounds widened.
contract BoundsHandler is Test {
    struct Def {
        uint16 branch;
        int128 l;
        int128 u;
    }

    uint256 public constant ROOTS = 2;
    uint16 public immutable maxBranches;
    IExchange public immutable ex;

    mapping(uint256 root => Def[]) internal _defs;
    mapping(uint256 root => uint16) public branchCount;
    mapping(uint256 root => mapping(uint16 branch => int128)) internal _lastMin;
    mapping(uint256 root => mapping(uint16 branch => int128)) internal _lastMax;

    /// @notice Number of (call, branch) pairs whose bounds widened; must stay 0.
    uint256 public widenings;
    /// @notice Number of definitions refused because their root had settled (as expected).
    uint256 public settledRefusals;
    uint256 public accepted;

    constructor(IExchange ex_) {
        ex = ex_;
        maxBranches = ex_.maxBranches();
    }

    /// @notice Narrow (or create) a root. Half of the calls do nothing, so that roots (which
    /// every narrowing brings closer to a point) stay open long enough for branches to matter.
    function defineRoot(uint8 rootSel, uint8 mode, int128 a, int128 b) external {
        if (rootSel >> 7 == 0 && branchCount[_root(rootSel)] != 0) return;
        uint256 root = _root(rootSel);
        // Roots use the small and full ranges only: tiny roots collapse to a point in a few calls.
        (int128 l, int128 u) = _pair(mode | 0x05, a, b);
        if (mode >> 6 != 0) (l, u) = _inside(root, a, b);
        _post(root, 1, l, u, false);
    }

    /// @notice Define an existing sub-market or the next new one (creating the root if needed).
    function defineBranch(uint8 rootSel, uint8 branchSel, uint8 mode, int128 a, int128 b) external {
        uint256 root = _root(rootSel);
        (int128 l, int128 u) = _pair(mode, a, b);
        uint16 count = branchCount[root];
        if (count == 0) {
            _post(root, 1, l, u, false);
            return;
        }
        uint16 top = count + 1 > maxBranches ? maxBranches : count + 1;
        if (top < 2) return;
        if (mode >> 6 != 0) (l, u) = _inside(root, a, b);
        _post(root, 2 + uint16(branchSel % (top - 1)), l, u, false);
    }

    /// @notice Settle a root at an outcome (only one call in eight, so that roots stay open a
    /// while); settling a root that does not exist is refused and creates nothing.
    function settle(uint8 rootSel, int128 outcome) external {
        if (rootSel % 8 != 5) return; // 0 is a common fuzz value: not the settling one
        uint256 root = _root(rootSel >> 2);
        int128 o = _value(rootSel >> 4, outcome);
        if (branchCount[root] == 0) {
            vm.expectRevert(abi.encodeWithSelector(IMarketsEE.UnknownMarket.selector, root, uint16(1)));
            ex.settle(root, o);
            return;
        }
        _post(root, 1, o, o, true);
    }

    /// @notice The eager fold of root `root`'s definitions for branches `<= branch`.
    function model(uint256 root, uint16 branch) public view returns (int128 lo, int128 hi) {
        Def[] storage defs = _defs[root];
        bool started;
        for (uint256 i; i < defs.length; ++i) {
            if (defs[i].branch > branch) continue;
            (int128 l, int128 u) = (defs[i].l, defs[i].u);
            if (!started) {
                (lo, hi, started) = (l, u, true);
            } else {
                int128 nl = lo > l ? lo : l;
                if (nl > hi) nl = hi;
                int128 nu = hi < u ? hi : u;
                if (nu < nl) nu = nl;
                (lo, hi) = (nl, nu);
            }
        }
    }

    /// @notice Root id of the `i`-th root.
    function rootId(uint256 i) public pure returns (uint256) {
        return 1000 + i;
    }

    function _root(uint8 sel) internal pure returns (uint256) {
        return rootId(sel % ROOTS);
    }

    function _post(uint256 root, uint16 branch, int128 l, int128 u, bool viaSettle) internal {
        uint16 count = branchCount[root];
        if (count != 0) {
            (int128 rl, int128 ru) = model(root, 1);
            if (rl == ru) {
                vm.expectRevert(abi.encodeWithSelector(IMarketsEE.MarketSettled.selector, root, rl));
                _call(root, branch, l, u, viaSettle);
                ++settledRefusals;
                return;
            }
        }
        _call(root, branch, l, u, viaSettle);
        ++accepted;
        _defs[root].push(Def(branch, l, u));
        if (branch > count) branchCount[root] = branch;
        _recordAndCheck(root, count);
    }

    function _call(uint256 root, uint16 branch, int128 l, int128 u, bool viaSettle) internal {
        if (viaSettle) ex.settle(root, l);
        else ex.defineMarket(root, branch, l, u);
    }

    /// @dev Compare every branch of `root` with its bounds before this call; a new branch has no
    /// previous bounds and only records them.
    function _recordAndCheck(uint256 root, uint16 previousCount) internal {
        uint16 count = branchCount[root];
        for (uint16 b = 1; b <= count; ++b) {
            (int128 lo, int128 hi) = ex.bounds(root, b);
            if (b <= previousCount && (lo < _lastMin[root][b] || hi > _lastMax[root][b])) ++widenings;
            _lastMin[root][b] = lo;
            _lastMax[root][b] = hi;
        }
    }

    /// @dev A valid definition; an accidental point (the fuzzer repeats values) is widened.
    function _pair(uint8 mode, int128 a, int128 b) internal pure returns (int128 l, int128 u) {
        l = _value(mode, a);
        u = _value(mode >> 2, b);
        if (l > u) (l, u) = (u, l);
        if (l == u) {
            l = l > type(int128).min + 3 ? l - 3 : type(int128).min;
            u = u < type(int128).max - 3 ? u + 3 : type(int128).max;
        }
    }

    /// @dev A valid definition inside the root's current bounds (the whole range before the root
    /// exists), so that it narrows without collapsing.
    function _inside(uint256 root, int128 a, int128 b) internal view returns (int128 l, int128 u) {
        (int128 lo, int128 hi) = (type(int128).min, type(int128).max);
        if (branchCount[root] != 0) (lo, hi) = model(root, 1);
        uint256 span = uint256(int256(hi) - int256(lo)) + 1;
        l = int128(int256(lo) + int256(uint256(uint128(a)) % span));
        u = int128(int256(lo) + int256(uint256(uint128(b)) % span));
        if (l > u) (l, u) = (u, l);
        if (l == u) (l, u) = (int128((int256(lo) + l) / 2), int128((int256(hi) + u) / 2));
    }

    /// @dev Tiny ([-6, 6]), small ([-1000, 1000]) or full-range values.
    function _value(uint8 mode, int128 raw) internal pure returns (int128) {
        uint8 m = mode % 4;
        if (m == 0) return raw % 7;
        if (m == 1) return raw % 1001;
        return raw;
    }
}

/// @title InvariantBoundsTest
/// @notice Invariant tests of the market registry under random definitions: a branch's effective
/// bounds never widen, never invert, and always equal the eager fold of protocol.md section 1.
contract InvariantBoundsTest is Test {
    IExchange internal ex;
    BoundsHandler internal handler;

    function setUp() public {
        TestToken token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), 6);
        handler = new BoundsHandler(ex);
        targetContract(address(handler));
    }

    /// @notice No branch's effective bounds ever widened across a call.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_boundsNeverWiden() public view {
        assertEq(handler.widenings(), 0, "a branch's bounds widened");
    }

    /// @notice Every branch of every root has `min <= max` and equals the eager fold model.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_boundsNeverInvertAndMatchFold() public view {
        for (uint256 i; i < handler.ROOTS(); ++i) {
            uint256 root = handler.rootId(i);
            (, uint16 count,) = ex.rootInfo(root);
            assertEq(count, handler.branchCount(root), "branch count");
            for (uint16 b = 1; b <= count; ++b) {
                (int128 lo, int128 hi) = ex.bounds(root, b);
                assertLe(lo, hi, "inverted bounds");
                (int128 ml, int128 mh) = handler.model(root, b);
                assertEq(lo, ml, "min differs from the eager fold");
                assertEq(hi, mh, "max differs from the eager fold");
            }
        }
    }
}
