// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Artifacts} from "../../../contracts/Artifacts.sol";
import {Bounties} from "../../../contracts/Bounties.sol";
import {Reputation} from "../../../contracts/interfaces/IArtifacts.sol";
import {BlacklistToken} from "../../../contracts/test/BlacklistToken.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IMaker} from "../../../contracts/interfaces/IMaker.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {ArtifactsHandler} from "../utils/ArtifactsHandler.sol";
import {Deploy} from "../utils/Deploy.sol";

/// @title InvariantArtifactsTest
/// @notice Over random lifecycle sequences (posts, triggers, new rounds), pool trades, settlement
/// batches, closes after time passes and bounties: the Exchange's tokens equal every balance plus
/// every pot to the wei (pool funding lives in the pools' balances), the escrow's tokens equal the
/// escrowed bounties plus what it owes (bounties in a token that blacklists traders on the way,
/// reclaimed after expiry, owed shares claimed), no trader is credited twice in a round, and no
/// reputation counts more predictions than rounds settled.
/// Settings: 32 runs of depth 60 (refusals are skipped by the handler).
contract InvariantArtifactsTest is Test {
    uint256 internal constant UNIT = 1e12;

    IExchange internal ex;
    TestToken internal token;
    Artifacts internal art;
    Bounties internal bounties;
    ArtifactsHandler internal handler;

    function setUp() public {
        token = new TestToken("Collateral", "COL", 6);
        ex = Deploy.exchange(IERC20(address(token)), 4);
        art = new Artifacts(ex, 90 days, 1 days, [uint256(0.7e18), 0.3e18, 0.1e18]);
        bounties = new Bounties(art, IERC20(address(new BlacklistToken(6))), art.ORACLE_ROLE());
        address registrant = makeAddr("registrant");
        handler = new ArtifactsHandler(ex, token, art, bounties, registrant);
        art.grantRole(art.ORACLE_ROLE(), address(handler));
        // Register with a pool of b = 5 and a 1% fee (a cushion for closes).
        uint256 units = IMaker(ex.maker()).fundingFor(5e18) / UNIT + 1;
        token.mint(registrant, units);
        vm.startPrank(registrant);
        token.approve(address(art), units);
        art.register(handler.A(), 5e18, 100);
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// @notice How much of a run went through (shown with -vv).
    function afterInvariant() public view {
        console.log("trades", handler.trades(), "posts", handler.posts());
        console.log("credits", handler.batches(), "closes", handler.closes());
        console.log("rounds settled", handler.settledRounds(), "bounties paid", handler.paid());
        console.log("bounties reclaimed", handler.reclaims(), "owed claims", handler.pulls());
    }

    /// @notice Money in equals money held, to the wei.
    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 60
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    function invariant_exchangeHoldsEveryBalance() public view {
        (address[] memory accounts, uint256[] memory roots) = handler.accounts();
        int256 sum;
        for (uint256 i; i < accounts.length; ++i) {
            if (accounts[i] != address(0)) sum += ex.balanceOf(accounts[i]);
        }
        for (uint256 i; i < roots.length; ++i) sum += int256(ex.pot(roots[i]));
        assertEq(int256(token.balanceOf(address(ex)) * UNIT), sum, "exchange tokens == balances + pots");
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 60
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    function invariant_escrowHoldsEveryBounty() public view {
        IERC20 bountyToken = bounties.token();
        assertEq(
            bountyToken.balanceOf(address(bounties)), bounties.escrowed() + bounties.owedTotal(), "bounty tokens == escrow + owed"
        );
        (uint256 undistributed, bool contributionsAddUp) = handler.bountyBooks();
        assertEq(bounties.escrowed(), undistributed, "escrow == undistributed bounties");
        assertTrue(contributionsAddUp, "a bounty != its funders' contributions");
        assertEq(bounties.owedTotal(), handler.owedToTraders(), "owed total == owed to each");
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 60
    /// forge-config: deep.invariant.runs = 512
    /// forge-config: deep.invariant.depth = 100
    function invariant_noDoubleCredit() public view {
        assertFalse(handler.doubleCredit(), "a trader credited twice in a round");
        for (uint256 i; i < 3; ++i) {
            (Reputation memory rep,) = art.reputation(handler.traders(i));
            assertLe(rep.correct + rep.incorrect, handler.settledRounds(), "more predictions than settled rounds");
        }
    }
}
