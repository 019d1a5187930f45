// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Exchange} from "../../../contracts/Exchange.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {ManagedRootsModule} from "../../../contracts/modules/ManagedRootsModule.sol";
import {MarketsModule} from "../../../contracts/modules/MarketsModule.sol";
import {MatchingModule} from "../../../contracts/modules/MatchingModule.sol";
import {CollateralModule} from "../../../contracts/modules/CollateralModule.sol";
import {OrdersModule} from "../../../contracts/modules/OrdersModule.sol";
import {PoolsModule} from "../../../contracts/modules/PoolsModule.sol";
import {SettlementModule} from "../../../contracts/modules/SettlementModule.sol";


/// @notice The deployment routine in Solidity, as `pmarket.deploy` runs it: the seven modules, each
/// built with the deployment's constants, then the Exchange, which checks them and creates its Maker
/// (`IExchange.maker()`). No address is predicted.
library Deploy {
    uint8 internal constant MAX_OPEN_ORDERS = 32;
    uint8 internal constant MAX_ROOTS = 64;

    function exchange(IERC20 token, uint16 maxBranches) internal returns (IExchange) {
        return exchange(token, maxBranches, MAX_OPEN_ORDERS, MAX_ROOTS);
    }

    function exchange(IERC20 token, uint16 maxBranches, uint8 maxOpenOrders, uint8 maxRoots)
        internal
        returns (IExchange)
    {
        Exchange.Modules memory m = modules(token, maxBranches, maxOpenOrders, maxRoots);
        return IExchange(address(new Exchange(token, maxBranches, maxOpenOrders, maxRoots, m, true)));
    }

    /// @dev The modules of a deployment with these constants.
    function modules(IERC20 token, uint16 maxBranches, uint8 maxOpenOrders, uint8 maxRoots)
        internal
        returns (Exchange.Modules memory m)
    {
        m.markets = address(new MarketsModule(token, maxBranches, maxOpenOrders, maxRoots));
        m.orders = address(new OrdersModule(token, maxBranches, maxOpenOrders, maxRoots));
        m.matching = address(new MatchingModule(token, maxBranches, maxOpenOrders, maxRoots));
        m.settlement = address(new SettlementModule(token, maxBranches, maxOpenOrders, maxRoots));
        m.pools = address(new PoolsModule(token, maxBranches, maxOpenOrders, maxRoots));
        m.managed = address(new ManagedRootsModule(token, maxBranches, maxOpenOrders, maxRoots));
        m.collateral = address(new CollateralModule(token, maxBranches, maxOpenOrders, maxRoots));
    }

    /// @dev No modules: for constructor refusals that come before the modules are checked.
    function none() internal pure returns (Exchange.Modules memory) {}
}
