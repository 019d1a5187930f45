// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ExchangeBase} from "../exchange/ExchangeBase.sol";
import {IMatching, IMatchingEE} from "../interfaces/IMatching.sol";
import {MatchRequest} from "../libraries/OrderStructs.sol";
import {Module} from "./Module.sol";

/// @title MatchingModule
/// @notice Batches of matches (`IMatching.matchBatch`), behind the Exchange's fallback: each entry
/// is the Exchange's own `matchOrders` (the rules are in `Matching`), called on the Exchange so that
/// a failing one reverts alone and is skipped with `MatchSkipped`.
contract MatchingModule is Module, IMatchingEE {
    /// @dev `concern()` of this module.
    bytes32 internal constant CONCERN = keccak256("pmarket.module.matching");

    constructor(IERC20 collateral_, uint16 maxBranches_, uint8 maxOpenOrders_, uint8 maxRoots_)
        ExchangeBase(collateral_, maxBranches_, maxOpenOrders_, maxRoots_)
    {}

    /// @notice See {IMatching-matchBatch}. Authority: as `matchOrders`, for each entry.
    function matchBatch(MatchRequest[] calldata requests) external returns (uint256 matched) {
        for (uint256 i; i < requests.length; ++i) {
            // An external self-call, so that a failing match reverts alone.
            try IMatching(address(this)).matchOrders(requests[i]) {
                ++matched;
            } catch (bytes memory reason) {
                emit MatchSkipped(i, reason);
            }
        }
    }

    function _concern() internal pure override returns (bytes32) {
        return CONCERN;
    }
}
