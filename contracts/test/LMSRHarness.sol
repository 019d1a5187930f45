// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side} from "../interfaces/IMaker.sol";
import {LMSRMath} from "../libraries/LMSRMath.sol";
import {PoolMath, Terms, Trade} from "../libraries/PoolMath.sol";

/// @notice Test-only: the maker's math as views, so tests and the bench can run it on-chain at any
/// state (a pool's state is otherwise only reachable by trading) and compare it with mpmath.
contract LMSRHarness {
    function cost(int256 d, uint256 b) external pure returns (int256) {
        return LMSRMath.cost(d, b);
    }

    function costDelta(int256 d0, int256 d1, uint256 b) external pure returns (int256) {
        return LMSRMath.costDelta(d0, d1, b);
    }

    /// @notice What a trade moving the state from `d0` to `d1` charges, in wei: the cost difference
    /// plus twice the error bound, rounded up (`PoolMath.price` before fees).
    function tradeCash(int256 d0, int256 d1, uint256 b) external pure returns (int256) {
        return PoolMath.ceilDiv(LMSRMath.costDelta(d0, d1, b) + 2 * int256(LMSRMath.errorBound(b)), 1e18);
    }

    function priceLong(int256 d, uint256 b) external pure returns (uint256) {
        return LMSRMath.priceLong(d, b);
    }

    function expNeg(uint256 x) external pure returns (uint256) {
        return LMSRMath.expNeg(x);
    }

    function ln(uint256 v) external pure returns (int256) {
        return LMSRMath.ln(v);
    }

    /// @notice `PoolMath.price` of `n` forward units of `side` from state `(qLong, qShort)`; `ok` false
    /// when out of range.
    function price(Terms calldata k, int256 qLong, int256 qShort, uint8 side, int256 n)
        external
        pure
        returns (Trade memory t, bool ok)
    {
        return PoolMath.price(k, qLong, qShort, Side(side), n);
    }
}
