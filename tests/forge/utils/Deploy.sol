// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Exchange} from "../../../contracts/Exchange.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";

/// @notice Deploys an Exchange and returns it under its whole ABI (its own and its extension's).
library Deploy {
    uint8 internal constant MAX_OPEN_ORDERS = 32;
    uint8 internal constant MAX_ROOTS = 64;

    function exchange(IERC20 token, uint16 maxBranches) internal returns (IExchange) {
        return IExchange(address(new Exchange(token, maxBranches, MAX_OPEN_ORDERS, MAX_ROOTS)));
    }
}
