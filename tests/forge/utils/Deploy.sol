// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Vm} from "forge-std/Vm.sol";

import {Exchange} from "../../../contracts/Exchange.sol";
import {ExchangeExtension} from "../../../contracts/ExchangeExtension.sol";
import {Maker} from "../../../contracts/Maker.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";

/// @notice Deploys an Exchange with its extension and Maker, and returns it under its whole ABI (its
/// own and its extension's); `IExchange.maker()` is the Maker. The Maker comes first, naming the
/// address the Exchange will get two nonces later; the extension second; the Exchange's constructor
/// checks both pairings.
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
        address next = VM.computeCreateAddress(address(this), VM.getNonce(address(this)) + 2);
        Maker maker = new Maker(next);
        ExchangeExtension ext = new ExchangeExtension(token, maxBranches, maxOpenOrders, maxRoots, address(maker));
        return IExchange(address(new Exchange(token, maxBranches, maxOpenOrders, maxRoots, address(maker), address(ext))));
    }

    /// @dev An Exchange without a maker (its constructor's own refusals can be tested after this).
    function extension(IERC20 token, uint16 maxBranches, uint8 maxOpenOrders, uint8 maxRoots)
        internal
        returns (address)
    {
        return address(new ExchangeExtension(token, maxBranches, maxOpenOrders, maxRoots, address(0)));
    }
}
