// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Artifacts} from "../../contracts/Artifacts.sol";
import {IExchange} from "../../contracts/interfaces/IExchange.sol";
import {IMaker} from "../../contracts/interfaces/IMaker.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {AttackerHandler} from "./utils/AttackerHandler.sol";
import {Deploy} from "./utils/Deploy.sol";

/// @title InvariantOwnershipTest
/// @notice The review's standing rule as an invariant: across random sequences of honest trading,
/// oracle posts and everything a stranger (mallory) can call, no trader's balance, positions, open
/// orders, chain or claims change except by that trader's own call or signature, a match or fill of
/// orders they signed (by exactly what the order gives), a settlement, a trigger or an oracle's
/// posting (`AttackerHandler`). Settings: 64 runs of depth 80 in `make test`, 512 x 100 deep.
contract InvariantOwnershipTest is Test {
    uint256 internal constant UNIT = 1e12;

    IExchange internal ex;
    TestToken internal token;
    Artifacts internal art;
    AttackerHandler internal handler;

    function setUp() public {
        token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), 4);
        art = new Artifacts(ex, 90 days, 1 days, [uint256(0.7e18), 0.3e18, 0.1e18]);
        IMaker maker = IMaker(ex.maker());
        address rootOwner = makeAddr("root-owner");
        address registrant = makeAddr("registrant");
        token.mint(rootOwner, 1_000e6);
        token.mint(registrant, 1_000e6);
        vm.startPrank(rootOwner);
        token.approve(address(ex), type(uint256).max);
        ex.deposit(1_000e6);
        ex.defineMarket(7, 1, 0, 100e18);
        ex.defineMarket(7, 2, 20e18, 60e18);
        maker.createPool(7, 1, 50e18, 100, 0);
        vm.stopPrank();
        vm.startPrank(registrant);
        token.approve(address(art), type(uint256).max);
        art.register("attacked-artifact", 10e18, 100);
        vm.stopPrank();
        handler = new AttackerHandler(ex, token, art, rootOwner);
        art.grantRole(art.ORACLE_ROLE(), address(handler));
        targetContract(address(handler));
    }

    /// @notice How much of a run went through (shown with -vv).
    function afterInvariant() public view {
        console.log("honest calls", handler.honestCalls(), "signed matches", handler.signedMatches());
        console.log("mallory's calls through", handler.malloryCalls(), "refused", handler.malloryRefused());
    }

    /// @notice No position, order or balance moves without its owner.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 80
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    function invariant_nothingMovesWithoutItsOwner() public view {
        assertEq(handler.violations(), 0, handler.firstViolation());
    }
}
