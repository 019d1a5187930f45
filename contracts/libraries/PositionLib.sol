// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A trader's matched position in one market, aggregated over every trade: `quantity = sum q`
/// and `cost = sum q * p`. The cost has 36 decimals (wad * wad) and is kept exactly, split into
/// `costWad = floor(cost / 1e18)` and `costRem = cost mod 1e18`, so payoffs net to zero across
/// counterparties to the last unit and a position fits one storage slot (96 + 96 + 64 bits).
struct Position {
    int96 quantity;
    int96 costWad;
    uint64 costRem;
}

/// @notice An open (unmatched) order as the collateral check sees it: its limit price, the signed
/// quantity still open (positive bid, negative offer), its branch and its number in the root's book
/// (which names the order holding the slot). One slot (96 + 96 + 16 + 48 bits). The only record of
/// an order's open quantity: fills, reductions and cancels write here alone.
struct OpenOrder {
    int96 price;
    int96 remaining;
    uint16 branchId;
    uint48 seq;
}

/// @title PositionLib
/// @notice Exact arithmetic of aggregated positions (protocol.md sections 2 and 3).
/// @dev Ranges: order prices and quantities, and position quantities and `costWad`, are at most
/// `MAX_ABS = 2^95 - 1` in magnitude (about 3.9e10 whole units). Within them every product below fits
/// an int256 with room for thousands of terms, so no intermediate can overflow.
library PositionLib {
    /// @dev Largest magnitude of a price, an order quantity, a position quantity or cost (wad).
    int256 internal constant MAX_ABS = 2 ** 95 - 1;
    int256 internal constant WAD = 1e18;

    /// @dev The position after a trade of `q` at `p` (both wad, |q|, |p| <= MAX_ABS), exact.
    /// `ok` is false (and the position unusable) when the quantity or the whole-wad cost would
    /// leave `MAX_ABS`.
    function add(Position memory pos, int256 q, int256 p) internal pure returns (Position memory next, bool ok) {
        int256 quantity = int256(pos.quantity) + q;
        int256 cost = cost36(pos) + q * p;
        int256 costWad = floorDiv(cost, WAD);
        if (quantity > MAX_ABS || quantity < -MAX_ABS || costWad > MAX_ABS || costWad < -MAX_ABS) {
            return (next, false);
        }
        // Casts are safe: both checked against MAX_ABS < 2^95 above; the remainder is in [0, 1e18).
        return (Position(int96(quantity), int96(costWad), uint64(uint256(cost - costWad * WAD))), true);
    }

    /// @dev The position after a trade of `q` (wad, `|q| < 2^97`) at total cost `cost` (36 decimals,
    /// `q * average price`, `|cost| < 2^224`), exact: a trade with a market maker pool, whose average
    /// price need not be a whole wad. `ok` as in `add`.
    function addCost(Position memory pos, int256 q, int256 cost) internal pure returns (Position memory next, bool ok) {
        // Gas: unchecked. The stored quantity and cost are below 2^95 and 2^156 in magnitude and the
        // inputs within the bounds above, so no sum can wrap; the range check follows.
        unchecked {
            int256 quantity = int256(pos.quantity) + q;
            int256 total = int256(pos.costWad) * WAD + int256(uint256(pos.costRem)) + cost;
            int256 costWad = total / WAD;
            if (total % WAD < 0) costWad -= 1;
            if (quantity > MAX_ABS || quantity < -MAX_ABS || costWad > MAX_ABS || costWad < -MAX_ABS) {
                return (next, false);
            }
            return (Position(int96(quantity), int96(costWad), uint64(uint256(total - costWad * WAD))), true);
        }
    }

    /// @dev The exact cost `sum q * p` (36 decimals).
    function cost36(Position memory pos) internal pure returns (int256) {
        return int256(pos.costWad) * WAD + int256(uint256(pos.costRem));
    }

    /// @dev Payoff (36 decimals) of the position when its market's clamped outcome is `c`:
    /// `quantity * c - cost`. Exact.
    function payoff36(Position memory pos, int256 c) internal pure returns (int256) {
        return int256(pos.quantity) * c - cost36(pos);
    }

    /// @dev `a / b` rounded toward negative infinity (`b > 0`): rounding against the trader.
    function floorDiv(int256 a, int256 b) internal pure returns (int256 q) {
        q = a / b;
        if (a % b != 0 && a < 0) q -= 1;
    }

    /// @dev Worst payoff (36 decimals) of a position in a market with bounds `[0, 1]` (an
    /// artifact's): `-cost` for a long or a flat position, `quantity - cost` for a short.
    function worst01(Position memory pos) internal pure returns (int256) {
        return pos.quantity < 0 ? int256(pos.quantity) * WAD - cost36(pos) : -cost36(pos);
    }

    /// @dev What a position in a `[0, 1]` market adds to its root's aggregates (protocol.md section
    /// 6): its short quantity (a long's or a flat position's is 0) and what it committed (its worst
    /// loss, `max(0, -worst01)`), as a long or as a short, in wad rounded up, so that sums of these
    /// bound the exact sums from above.
    function exposure(Position memory pos)
        internal
        pure
        returns (uint256 shortQuantity, uint256 longCommitted, uint256 shortCommitted)
    {
        int256 q = pos.quantity;
        if (q == 0) return (0, 0, 0);
        int256 w = worst01(pos);
        uint256 committed = w < 0 ? (uint256(-w) + uint256(WAD) - 1) / uint256(WAD) : 0;
        if (q > 0) return (0, committed, 0);
        return (uint256(-q), 0, committed);
    }
}
