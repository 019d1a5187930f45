// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Bounties} from "../../../contracts/Bounties.sol";
import {BlacklistToken} from "../../../contracts/test/BlacklistToken.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title BountyGas
/// @notice Gas of the escrow's calls, logged with -vv (`vm.lastCallGas`; run with `--isolate` for
/// each call's whole transaction, cold storage and the 21,000 base included): a post (the escrow
/// already holds a bounty), a distribution to 10 fresh claimants with weights 1..10, a reclaim, in
/// the collateral token; in a blacklisting token, the same distribution with one claimant refused
/// (its share owed) and that claimant's claim.
contract BountyGasTest is ArtifactKit {
    BlacklistToken internal blk;
    Bounties internal esc;

    function setUp() public {
        _deployArtifacts();
        _register(A, 10e18, 0);
        token.mint(carol, 4000e6);
        vm.prank(carol);
        token.approve(address(bounties), type(uint256).max);
        blk = new BlacklistToken(6);
        esc = new Bounties(art, IERC20(address(blk)), art.ORACLE_ROLE());
        blk.mint(carol, 4000e6);
        vm.prank(carol);
        blk.approve(address(esc), type(uint256).max);
    }

    function _ten(uint160 base) internal pure returns (address[] memory who, uint256[] memory w) {
        who = new address[](10);
        w = new uint256[](10);
        for (uint256 i; i < 10; ++i) (who[i], w[i]) = (address(base + uint160(i)), i + 1);
    }

    function test_gas() public {
        uint64 expiry = uint64(block.timestamp + 365 days);
        vm.startPrank(carol);
        bounties.post("b0", A, 1000e6, expiry);
        bounties.post("b1", A, 1000e6, expiry);
        console.log("post", vm.lastCallGas().gasTotalUsed);
        bounties.post("b2", A, 1000e6, expiry - 1 days);
        esc.post("p", A, 1000e6, expiry);
        vm.stopPrank();

        (address[] memory who, uint256[] memory w) = _ten(0xA000);
        vm.prank(oracle);
        bounties.distribute("b1", who, w);
        console.log("distribute to 10 claimants", vm.lastCallGas().gasTotalUsed);

        vm.warp(expiry);
        vm.prank(carol);
        bounties.reclaim("b2");
        console.log("reclaim", vm.lastCallGas().gasTotalUsed);

        (who, w) = _ten(0xB000);
        blk.setRefusal(who[4], BlacklistToken.Refusal.Revert);
        vm.prank(oracle);
        esc.distribute("p", who, w);
        console.log("blacklisting token: distribute to 10, one refused", vm.lastCallGas().gasTotalUsed);
        vm.prank(who[4]);
        esc.claim(address(0xC000));
        console.log("blacklisting token: claim", vm.lastCallGas().gasTotalUsed);
        assertEq(token.balanceOf(address(bounties)), bounties.escrowed() + bounties.owedTotal());
        assertEq(blk.balanceOf(address(esc)), esc.escrowed() + esc.owedTotal());
    }
}
