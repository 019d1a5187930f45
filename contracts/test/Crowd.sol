// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMaker, PoolKey, Side} from "../interfaces/IMaker.sol";
import {IVault} from "../interfaces/IVault.sol";
import {TestToken} from "./TestToken.sol";

/// @title CrowdMember
/// @notice Benchmark helper (not part of the protocol): one trader that, in its constructor, mints
/// itself test tokens, deposits them and buys `shares` of `side` from a pool: one real position.
contract CrowdMember {
    constructor(TestToken token, address exchange, IMaker maker, PoolKey memory key, Side side, uint256 shares, uint256 units) {
        token.mint(address(this), units);
        token.approve(exchange, units);
        IVault(exchange).deposit(units);
        maker.buy(key, side, shares, type(uint256).max, type(uint256).max);
    }
}

/// @title Crowd
/// @notice Benchmark helper: opens `n` positions in a pool's market, one fresh trader each
/// (alternately long and short, so the price stays near where it was), in one transaction; the
/// artifact benchmarks need 1,000 positions without 3,000 transactions.
contract Crowd {
    /// @notice Emitted with every trader created, for the benchmark to settle them.
    event Member(address member);

    /// @notice Create `n` traders, each depositing `units` tokens and buying `shares` from the pool.
    function open(TestToken token, address exchange, IMaker maker, PoolKey calldata key, uint256 n, uint256 shares, uint256 units)
        external
    {
        for (uint256 i; i < n; ++i) {
            Side side = i % 2 == 0 ? Side.Long : Side.Short;
            emit Member(address(new CrowdMember(token, exchange, maker, key, side, shares, units)));
        }
    }
}
