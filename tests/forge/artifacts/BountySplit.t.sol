// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBountiesEE} from "../../../contracts/interfaces/IBounties.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title BountySplit
/// @notice Bounties: escrow, one distribution by an oracle, shares
/// `floor(A W_i / W) - floor(A W_{i-1} / W)` (running totals of the weights) that add up to the
/// bounty exactly, each within one unit of its exact proportion; every refusal by name.
contract BountySplitTest is ArtifactKit {
    bytes32 internal constant ID = "bounty-1";
    uint64 internal constant YEAR = 365 days;

    function setUp() public {
        _deployArtifacts();
        _register(A, 10e18, 0);
    }

    function _post(bytes32 id, uint256 amount) internal {
        token.mint(carol, amount);
        vm.startPrank(carol);
        token.approve(address(bounties), amount);
        bounties.post(id, A, amount, uint64(block.timestamp + YEAR));
        vm.stopPrank();
    }

    function _claimants(uint256 n) internal returns (address[] memory who) {
        who = new address[](n);
        for (uint256 i; i < n; ++i) who[i] = makeAddr(string(abi.encodePacked("claimant", vm.toString(i))));
    }

    /// @notice 100 units split 1:1:1 pay 33, 33, 34: the running totals 33.3, 66.6, 100 round down
    /// to 33, 66, 100.
    function test_thirds() public {
        _post(ID, 100);
        address[] memory who = _claimants(3);
        uint256[] memory w = new uint256[](3);
        (w[0], w[1], w[2]) = (1, 1, 1);
        vm.expectEmit(address(bounties));
        emit IBountiesEE.BountyDistributed(ID, A, oracle, 100, 3);
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        assertEq(token.balanceOf(who[0]), 33);
        assertEq(token.balanceOf(who[1]), 33);
        assertEq(token.balanceOf(who[2]), 34);
        assertEq(bounties.escrowed(), 0);
        assertEq(token.balanceOf(address(bounties)), 0);
        (,, uint256 amount, bool distributed,) = bounties.bounty(ID);
        assertEq(amount, 100);
        assertTrue(distributed);
        assertEq(bounties.owedTotal(), 0);
    }

    /// @notice Weights 1..10 over 1,000 units (W = 55): running totals 18.18, 54.54, 109.09,
    /// 181.81, 272.72, 381.81, 509.09, 654.54, 818.18, 1000 round down to 18, 54, 109, 181, 272,
    /// 381, 509, 654, 818, 1000; differenced: 18, 36, 55, 72, 91, 109, 128, 145, 164, 182.
    function test_weightsOneToTen() public {
        _post(ID, 1000);
        address[] memory who = _claimants(10);
        uint256[] memory w = new uint256[](10);
        for (uint256 i; i < 10; ++i) w[i] = i + 1;
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        uint256[10] memory expected = [uint256(18), 36, 55, 72, 91, 109, 128, 145, 164, 182];
        uint256 sum;
        for (uint256 i; i < 10; ++i) {
            assertEq(token.balanceOf(who[i]), expected[i], "share");
            sum += expected[i];
        }
        assertEq(sum, 1000);
    }

    /// @notice Any amount, any weights: the shares sum to the amount exactly and each is within one
    /// unit of `A w_i / W`.
    function testFuzz_sharesExact(uint96 amount, uint64[8] memory raw, uint8 count) public {
        uint256 n = bound(count, 1, 8);
        amount = uint96(bound(amount, 1, type(uint96).max));
        _post(ID, amount);
        address[] memory who = _claimants(n);
        uint256[] memory w = new uint256[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            w[i] = bound(raw[i], 1, type(uint64).max);
            total += w[i];
        }
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            uint256 share = token.balanceOf(who[i]);
            sum += share;
            uint256 exactFloor = uint256(amount) * w[i] / total;
            assertGe(share + 1, exactFloor, "at most one unit below");
            assertLe(share, exactFloor + 1, "at most one unit above");
        }
        assertEq(sum, amount, "not one unit lost or created");
        assertEq(bounties.escrowed(), 0);
    }

    function test_fundAddsToTheEscrow() public {
        _post(ID, 60);
        token.mint(alice, 40);
        vm.startPrank(alice);
        token.approve(address(bounties), 40);
        bounties.fund(ID, 40);
        vm.stopPrank();
        (, address funder, uint256 amount,,) = bounties.bounty(ID);
        assertEq(funder, carol);
        assertEq(amount, 100);
        assertEq(bounties.contribution(ID, carol), 60);
        assertEq(bounties.contribution(ID, alice), 40);
        assertEq(bounties.escrowed(), 100);
        assertEq(token.balanceOf(address(bounties)), 100);
    }

    function test_refusals() public {
        _post(ID, 100);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.BountyExists.selector, ID));
        vm.prank(carol);
        bounties.post(ID, A, 1, uint64(block.timestamp + YEAR));
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.UnknownArtifact.selector, bytes32("nope")));
        vm.prank(carol);
        bounties.post("other", "nope", 1, uint64(block.timestamp + YEAR));
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.ZeroAmount.selector));
        vm.prank(carol);
        bounties.post("other", A, 0, uint64(block.timestamp + YEAR));
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.UnknownBounty.selector, bytes32("nope")));
        bounties.fund("nope", 1);
        address[] memory who = _claimants(2);
        uint256[] memory w = new uint256[](2);
        (w[0], w[1]) = (1, 0);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NotOracle.selector, alice));
        vm.prank(alice);
        bounties.distribute(ID, who, w);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidClaimant.selector, 1, who[1], 0));
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        address[] memory self_ = new address[](1);
        uint256[] memory one = new uint256[](1);
        (self_[0], one[0]) = (address(bounties), 1);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidClaimant.selector, 0, address(bounties), 1));
        vm.prank(oracle);
        bounties.distribute(ID, self_, one);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidClaimants.selector, 2, 1, 256));
        vm.prank(oracle);
        bounties.distribute(ID, who, new uint256[](1));
        w[1] = 3;
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        assertEq(token.balanceOf(who[0]), 25);
        assertEq(token.balanceOf(who[1]), 75);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.AlreadyDistributed.selector, ID));
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
    }
}
