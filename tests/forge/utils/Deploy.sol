// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Vm} from "forge-std/Vm.sol";

import {Exchange} from "../../../contracts/Exchange.sol";
import {Maker} from "../../../contracts/Maker.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";

/// @notice Deploys an Exchange with its Maker and returns it under its whole ABI (its own and its
/// extension's); `IExchange.maker()` is the Maker. The Maker comes first, naming the address the
/// Exchange will get at the deployer's next nonce; the Exchange's constructor checks the pairing.
library Deploy {
    uint8 internal constant MAX_OPEN_ORDERS = 32;
    uint8 internal constant MAX_ROOTS = 64;
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function exchange(IERC20 token, uint16 maxBranches) internal returns (IExchange) {
        return exchange(token, maxBranches, MAX_OPEN_ORDERS, MAX_ROOTS);
    }

    function exchange(IERC20 token, uint16 maxBranches, uint8 maxOpenOrders, uint8 maxRoots)
        internal
        returns (IExchange)
    {
        address next = VM.computeCreateAddress(address(this), VM.getNonce(address(this)) + 1);
        Maker maker = new Maker(next);
        Exchange ex = new Exchange(token, maxBranches, maxOpenOrders, maxRoots, address(maker));
        return IExchange(address(ex));
    }
}
