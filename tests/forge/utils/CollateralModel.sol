// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {Order} from "../../../contracts/libraries/OrderStructs.sol";

/// @title CollateralModel
/// @notice Ghost state of the traders an invariant handler drives, kept independently of the
/// Exchange: every order placed (with what is still open), matched positions per branch, balances,
/// pots and claims; and the worst case by brute force over a grid of outcomes.
/// @dev Exactness of the grid: unsettled roots only ever have bounds that are whole units (the
/// handler narrows to whole units) and sub-market bounds are whole units, so a grid of step 1/4
/// holds every bound; between bounds the payoff is linear plus concave `min(0, .)` terms, so its
/// minimum over the root is the minimum over the grid.
abstract contract CollateralModel is Test {
    int256 internal constant WAD = 1e18;
    int256 internal constant STEP = 1e18 / 4;

    struct Rec {
        Order order;
        bytes32 hash;
        uint128 remaining;
    }

    /// @dev An open order to add hypothetically (for a placement's prediction).
    struct Extra {
        bool active;
        uint256 root;
        uint16 branch;
        int256 remaining;
        int256 price;
    }

    IExchange internal immutable ex;
    uint256[2] internal rootIds = [uint256(11), uint256(12)];

    Rec[] internal recs;
    mapping(address => mapping(uint256 => mapping(uint16 => int256))) public ghostQ;
    mapping(address => mapping(uint256 => mapping(uint16 => int256))) public ghostCost;
    /// @dev In the trader's root list: placed an order there and not claimed yet.
    mapping(address => mapping(uint256 => bool)) public listed;
    mapping(address => mapping(uint256 => bool)) public claimed;
    mapping(address => int256) public ghostBalance;
    mapping(uint256 => uint256) public ghostPot;

    constructor(IExchange ex_) {
        ex = ex_;
    }

    function rootCount() external pure returns (uint256) {
        return 2;
    }

    function rootAt(uint256 i) external view returns (uint256) {
        return rootIds[i];
    }

    /// @notice The model's exact worst case of `t` in root `r` (18 decimals, rounded down).
    function modelRootWorst(address t, uint256 r) public view returns (int256) {
        Extra memory none;
        return _rootWorst(t, r, none);
    }

    /// @notice Sum over roots of the model's worst case of `t`.
    function modelWorst(address t) public view returns (int256 sum) {
        Extra memory none;
        return _worstWith(t, none);
    }

    function _worstWith(address t, Extra memory extra) internal view returns (int256 sum) {
        for (uint256 i; i < 2; ++i) {
            sum += _rootWorst(t, rootIds[i], extra);
        }
    }

    function _rootWorst(address t, uint256 r, Extra memory extra) internal view returns (int256) {
        bool withExtra = extra.active && extra.root == r;
        if (claimed[t][r] || (!listed[t][r] && !withExtra)) return 0;
        (int128 lo, int128 hi) = ex.bounds(r, 1);
        (int128 l2, int128 h2) = ex.bounds(r, 2);
        int256 q1 = ghostQ[t][r][1];
        int256 q2 = ghostQ[t][r][2];
        int256 cost = ghostCost[t][r][1] + ghostCost[t][r][2];
        if (lo == hi) {
            // Settled: the payoff at the outcome; open orders are void.
            return _floor(q1 * int256(lo) + q2 * _clamp(lo, l2, h2) - cost);
        }
        (uint16[] memory br, int256[] memory rem, int256[] memory px) = _opens(t, r, extra);
        int256 worst = type(int256).max;
        for (int256 x = lo; x <= hi; x += STEP) {
            int256 c2 = _clamp(x, l2, h2);
            int256 v = q1 * x + q2 * c2 - cost;
            for (uint256 o; o < br.length; ++o) {
                int256 p = rem[o] * ((br[o] == 1 ? x : c2) - px[o]);
                if (p < 0) v += p;
            }
            if (v < worst) worst = v;
        }
        return _floor(worst);
    }

    /// @dev The open orders of `t` in `r` (plus `extra` when it is in `r`).
    function _opens(address t, uint256 r, Extra memory extra)
        internal
        view
        returns (uint16[] memory br, int256[] memory rem, int256[] memory px)
    {
        uint256 n = openCount(t, r) + (extra.active && extra.root == r ? 1 : 0);
        (br, rem, px) = (new uint16[](n), new int256[](n), new int256[](n));
        uint256 k;
        for (uint256 i; i < recs.length; ++i) {
            Rec storage rec = recs[i];
            if (rec.remaining == 0 || rec.order.trader != t || rec.order.marketRootId != r) continue;
            int256 size = int256(uint256(rec.remaining));
            (br[k], rem[k], px[k]) =
            (rec.order.marketBranchId, rec.order.quantity > 0 ? size : -size, int256(rec.order.price));
            ++k;
        }
        if (k < n) (br[k], rem[k], px[k]) = (extra.branch, extra.remaining, extra.price);
    }

    function openCount(address t, uint256 r) public view returns (uint256 n) {
        for (uint256 i; i < recs.length; ++i) {
            Rec storage rec = recs[i];
            if (rec.remaining != 0 && rec.order.trader == t && rec.order.marketRootId == r) ++n;
        }
    }

    /// @dev A matched trade of `q` at `p` for `t`.
    function _trade(address t, uint256 r, uint16 b, int256 q, int256 p) internal {
        ghostQ[t][r][b] += q;
        ghostCost[t][r][b] += q * p;
    }

    function _clamp(int256 x, int256 lo, int256 hi) internal pure returns (int256) {
        return x < lo ? lo : (x > hi ? hi : x);
    }

    function _floor(int256 v36) internal pure returns (int256) {
        return v36 >= 0 ? v36 / WAD : -((-v36 + WAD - 1) / WAD);
    }
}
