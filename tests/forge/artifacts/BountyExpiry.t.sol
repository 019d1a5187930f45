// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBountiesEE} from "../../../contracts/interfaces/IBounties.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @title BountyExpiry
/// @notice Every bounty expires at the time its poster chose: open for funds and its distribution
/// while `block.timestamp <= expiresAt`, after that closed to both, and each funder (the poster and
/// everyone who funded) takes back exactly its own contribution, once; a distributed bounty is
/// never reclaimed. Every refusal by name and values.
contract BountyExpiryTest is ArtifactKit {
    bytes32 internal constant ID = "bounty-1";
    uint64 internal expiry;
    address internal dave = makeAddr("dave");

    function setUp() public {
        _deployArtifacts();
        _register(A, 10e18, 0);
        expiry = uint64(block.timestamp + 30 days);
    }

    function _give(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(bounties), amount);
    }

    function _postBy(address who, bytes32 id, uint256 amount, uint64 expiresAt) internal {
        _give(who, amount);
        vm.prank(who);
        bounties.post(id, A, amount, expiresAt);
    }

    function _fundBy(address who, bytes32 id, uint256 amount) internal {
        _give(who, amount);
        vm.prank(who);
        bounties.fund(id, amount);
    }

    function _one(address who) internal pure returns (address[] memory list, uint256[] memory w) {
        list = new address[](1);
        w = new uint256[](1);
        (list[0], w[0]) = (who, 1);
    }

    function _assertBooks() internal view {
        assertEq(token.balanceOf(address(bounties)), bounties.escrowed() + bounties.owedTotal(), "tokens == escrow + owed");
    }

    function test_postRecordsTheExpiry() public {
        _give(carol, 100);
        vm.expectEmit(address(bounties));
        emit IBountiesEE.BountyPosted(ID, A, carol, 100, expiry);
        vm.prank(carol);
        bounties.post(ID, A, 100, expiry);
        (bytes32 artifact, address funder, uint256 amount, bool distributed, uint64 expiresAt) = bounties.bounty(ID);
        assertEq(artifact, A);
        assertEq(funder, carol);
        assertEq(amount, 100);
        assertFalse(distributed);
        assertEq(expiresAt, expiry);
        assertEq(bounties.contribution(ID, carol), 100);
    }

    /// @notice The expiry must be after the block's time: now or earlier is refused with both values,
    /// one second later is accepted.
    function test_expiryMustBeInTheFuture() public {
        _give(carol, 100);
        uint64 nowTs = uint64(block.timestamp);
        vm.startPrank(carol);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidExpiry.selector, nowTs, block.timestamp));
        bounties.post(ID, A, 100, nowTs);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidExpiry.selector, nowTs - 1, block.timestamp));
        bounties.post(ID, A, 100, nowTs - 1);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidExpiry.selector, uint64(0), block.timestamp));
        bounties.post(ID, A, 100, 0);
        bounties.post(ID, A, 100, nowTs + 1);
        vm.stopPrank();
        assertEq(bounties.escrowed(), 100);
    }

    /// @notice At exactly `expiresAt` the bounty is still open: it takes funds, refuses a reclaim
    /// (with the expiry and the time) and can be distributed.
    function test_atExactlyTheExpiryItIsOpen() public {
        _postBy(carol, ID, 100, expiry);
        vm.warp(expiry);
        _fundBy(alice, ID, 20);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.BountyNotExpired.selector, ID, expiry, uint256(expiry)));
        vm.prank(carol);
        bounties.reclaim(ID);
        (address[] memory who, uint256[] memory w) = _one(dave);
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        assertEq(token.balanceOf(dave), 120);
        vm.warp(expiry + 1);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.AlreadyDistributed.selector, ID));
        vm.prank(carol);
        bounties.reclaim(ID);
        _assertBooks();
    }

    /// @notice One second after `expiresAt`: no funds, no distribution (both with the expiry and
    /// the time), and the funder takes its part back.
    function test_oneSecondAfterTheExpiryItIsClosed() public {
        _postBy(carol, ID, 100, expiry);
        vm.warp(expiry + 1);
        _give(alice, 20);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.BountyExpired.selector, ID, expiry, uint256(expiry) + 1));
        vm.prank(alice);
        bounties.fund(ID, 20);
        (address[] memory who, uint256[] memory w) = _one(dave);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.BountyExpired.selector, ID, expiry, uint256(expiry) + 1));
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        vm.expectEmit(address(bounties));
        emit IBountiesEE.BountyReclaimed(ID, carol, 100);
        vm.prank(carol);
        bounties.reclaim(ID);
        assertEq(token.balanceOf(carol), 100);
        assertEq(bounties.escrowed(), 0);
        assertEq(bounties.owedTotal(), 0);
        (,, uint256 amount, bool distributed,) = bounties.bounty(ID);
        assertEq(amount, 0);
        assertFalse(distributed);
        // Fully reclaimed, still expired: the oracle cannot pay out an empty bounty either.
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.BountyExpired.selector, ID, expiry, uint256(expiry) + 1));
        vm.prank(oracle);
        bounties.distribute(ID, who, w);
        _assertBooks();
    }

    /// @notice Four contributions by three funders (the poster twice): after the expiry each takes
    /// back exactly its own sum, in any order, once; someone who never funded gets nothing.
    function test_eachFunderReclaimsItsOwnPartOnce() public {
        _postBy(carol, ID, 60, expiry);
        _fundBy(alice, ID, 40);
        _fundBy(bob, ID, 25);
        _fundBy(carol, ID, 5);
        assertEq(bounties.contribution(ID, carol), 65);
        assertEq(bounties.contribution(ID, alice), 40);
        assertEq(bounties.contribution(ID, bob), 25);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.BountyNotExpired.selector, ID, expiry, block.timestamp));
        vm.prank(alice);
        bounties.reclaim(ID);
        vm.warp(expiry + 1 days);

        vm.prank(alice);
        bounties.reclaim(ID);
        assertEq(token.balanceOf(alice), 40);
        (,, uint256 amount,,) = bounties.bounty(ID);
        assertEq(amount, 90);
        assertEq(bounties.escrowed(), 90);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingToReclaim.selector, ID, alice));
        vm.prank(alice);
        bounties.reclaim(ID);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingToReclaim.selector, ID, dave));
        vm.prank(dave);
        bounties.reclaim(ID);

        vm.prank(carol);
        bounties.reclaim(ID);
        vm.prank(bob);
        bounties.reclaim(ID);
        assertEq(token.balanceOf(carol), 65);
        assertEq(token.balanceOf(bob), 25);
        assertEq(bounties.escrowed(), 0);
        assertEq(token.balanceOf(address(bounties)), 0);
        for (uint256 i; i < 3; ++i) {
            address f = [carol, alice, bob][i];
            assertEq(bounties.contribution(ID, f), 0);
            vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingToReclaim.selector, ID, f));
            vm.prank(f);
            bounties.reclaim(ID);
        }
    }

    /// @notice Reclaims touch only their bounty: another one, still open, keeps its escrow.
    function test_reclaimLeavesOtherBountiesAlone() public {
        _postBy(carol, ID, 100, expiry);
        _postBy(carol, "later", 7, expiry + 10 days);
        vm.warp(expiry + 1);
        vm.prank(carol);
        bounties.reclaim(ID);
        assertEq(bounties.escrowed(), 7);
        vm.expectRevert(
            abi.encodeWithSelector(IBountiesEE.BountyNotExpired.selector, bytes32("later"), expiry + 10 days, block.timestamp)
        );
        vm.prank(carol);
        bounties.reclaim("later");
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.UnknownBounty.selector, bytes32("nope")));
        bounties.reclaim("nope");
        _assertBooks();
    }

    /// @notice Any contributions, reclaimed in any order after any delay past the expiry: each
    /// funder gets exactly what it put in, a second reclaim is refused, the escrow ends empty.
    function testFuzz_reclaimsReturnExactlyTheContributions(uint64[4] memory raw, uint8 order, uint32 late) public {
        address[4] memory funders = [carol, alice, bob, dave];
        uint256[4] memory put;
        put[0] = bound(raw[0], 1, type(uint64).max);
        _postBy(carol, ID, put[0], expiry);
        for (uint256 i = 1; i < 4; ++i) {
            put[i] = bound(raw[i], 1, type(uint64).max);
            _fundBy(funders[i], ID, put[i]);
        }
        vm.warp(uint256(expiry) + 1 + late);
        uint256 left = put[0] + put[1] + put[2] + put[3];
        for (uint256 k; k < 4; ++k) {
            address f = funders[(k + order) % 4];
            uint256 part = put[(k + order) % 4];
            vm.prank(f);
            bounties.reclaim(ID);
            left -= part;
            assertEq(token.balanceOf(f), part, "exactly its own part");
            assertEq(bounties.escrowed(), left);
            vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingToReclaim.selector, ID, f));
            vm.prank(f);
            bounties.reclaim(ID);
            _assertBooks();
        }
        assertEq(token.balanceOf(address(bounties)), 0);
    }
}
