// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMaker, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {ExchangeKit} from "./ExchangeKit.sol";

/// @notice An Exchange with its Maker, traders, and helpers for pools.
abstract contract MakerKit is ExchangeKit {
    IMaker internal maker;

    function _deployWithMaker(uint16 maxBranches) internal {
        _deployWithTraders(maxBranches);
        maker = IMaker(ex.maker());
    }

    /// @dev Root `root` on [lo, hi] owned by `owner`.
    function _root(uint256 root, int128 lo, int128 hi) internal {
        vm.prank(owner);
        ex.defineMarket(root, 1, lo, hi);
    }

    /// @dev A pool by `creator` (funded from a fresh deposit of its funding) on `(root, branch)`.
    function _pool(address creator, uint256 root, uint16 branch, uint96 b, uint16 feeBps)
        internal
        returns (PoolKey memory key)
    {
        uint256 funding = maker.fundingFor(b);
        _fund(creator, (funding + UNIT - 1) / UNIT * UNIT);
        vm.prank(creator);
        bytes32 id = maker.createPool(root, branch, b, feeBps, 0);
        key = maker.poolKey(id);
    }

    function _id(PoolKey memory key) internal pure returns (bytes32) {
        return keccak256(abi.encode(key));
    }

    function _buy(address who, PoolKey memory key, Side side, uint256 shares) internal returns (int256 cost) {
        vm.prank(who);
        (, cost) = maker.buy(key, side, shares, type(uint128).max, block.timestamp);
    }

    function _sell(address who, PoolKey memory key, Side side, uint256 shares) internal returns (int256 proceeds) {
        vm.prank(who);
        (, proceeds) = maker.sell(key, side, shares, 0, block.timestamp);
    }
}
