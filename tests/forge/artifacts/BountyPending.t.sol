// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {Bounties} from "../../../contracts/Bounties.sol";
import {IBountiesEE} from "../../../contracts/interfaces/IBounties.sol";
import {BlacklistToken} from "../../../contracts/test/BlacklistToken.sol";
import {ArtifactKit} from "../utils/ArtifactKit.sol";

/// @notice A claimant that is a contract: it pulls what the escrow owes it to an address of its
/// owner's choice.
contract ClaimantWallet {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function pull(Bounties escrow, address to) external {
        require(msg.sender == owner, "owner only");
        escrow.claim(to);
    }
}

/// @notice A token whose transfers to `hook` call back into the escrow (a reentry attempt): the
/// guard refuses it, the transfer fails, the share is owed instead.
contract ReentrantToken is ERC20 {
    address public hook;
    Bounties public escrow;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(Bounties escrow_, address hook_) external {
        (escrow, hook) = (escrow_, hook_);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (to == hook) escrow.claim(to); // reverts: ReentrancyGuardReentrantCall
        return super.transfer(to, value);
    }
}

/// @title BountyPending
/// @notice A claimant whose transfer fails (a token that reverts for a blacklisted address, or
/// returns false) does not block a distribution: its share is owed to it (`BountyPending`,
/// `owed`), everyone else is paid, and it pulls the share later with `claim(to)`, to any address.
/// The escrow's tokens stay `escrowed() + owedTotal()` to the unit, over random sequences too.
contract BountyPendingTest is ArtifactKit {
    bytes32 internal constant ID = "bounty-1";
    BlacklistToken internal blk;
    Bounties internal esc;
    uint64 internal expiry;

    function setUp() public {
        _deployArtifacts();
        _register(A, 10e18, 0);
        blk = new BlacklistToken(6);
        esc = new Bounties(art, IERC20(address(blk)), art.ORACLE_ROLE());
        expiry = uint64(block.timestamp + 30 days);
    }

    function _post(bytes32 id, uint256 amount) internal {
        blk.mint(carol, amount);
        vm.startPrank(carol);
        blk.approve(address(esc), amount);
        esc.post(id, A, amount, expiry);
        vm.stopPrank();
    }

    function _claimants(uint256 n) internal returns (address[] memory who) {
        who = new address[](n);
        for (uint256 i; i < n; ++i) who[i] = makeAddr(string(abi.encodePacked("claimant", vm.toString(i))));
    }

    function _ones(uint256 n) internal pure returns (uint256[] memory w) {
        w = new uint256[](n);
        for (uint256 i; i < n; ++i) w[i] = 1;
    }

    function _assertBooks() internal view {
        assertEq(blk.balanceOf(address(esc)), esc.escrowed() + esc.owedTotal(), "tokens == escrow + owed");
    }

    /// @notice 100 over 1:1:1 with the middle claimant blacklisted: 33 and 34 are sent, 33 is owed
    /// (the shares are those of the rounding rule, unchanged); the claimant pulls them to another
    /// address, once.
    function test_aRevertingClaimantDoesNotBlockTheDistribution() public {
        _post(ID, 100);
        address[] memory who = _claimants(3);
        blk.setRefusal(who[1], BlacklistToken.Refusal.Revert);
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyPaid(ID, who[0], 33, 1);
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyPaid(ID, who[1], 33, 1);
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyPending(ID, who[1], 33);
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyPaid(ID, who[2], 34, 1);
        vm.prank(oracle);
        esc.distribute(ID, who, _ones(3));
        assertEq(blk.balanceOf(who[0]), 33);
        assertEq(blk.balanceOf(who[1]), 0);
        assertEq(blk.balanceOf(who[2]), 34);
        assertEq(esc.owed(who[1]), 33);
        assertEq(esc.owedTotal(), 33);
        assertEq(esc.escrowed(), 0);
        _assertBooks();

        // To itself it still cannot receive: the claim reverts with the token's error, nothing changes.
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, who[1]));
        vm.prank(who[1]);
        esc.claim(who[1]);
        assertEq(esc.owed(who[1]), 33);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidRecipient.selector, address(0)));
        vm.prank(who[1]);
        esc.claim(address(0));
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.InvalidRecipient.selector, address(esc)));
        vm.prank(who[1]);
        esc.claim(address(esc));
        // Only the claimant's own call takes its share.
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingOwed.selector, who[0]));
        vm.prank(who[0]);
        esc.claim(who[0]);

        address other = makeAddr("other");
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyClaimed(who[1], other, 33);
        vm.prank(who[1]);
        esc.claim(other);
        assertEq(blk.balanceOf(other), 33);
        assertEq(esc.owed(who[1]), 0);
        assertEq(esc.owedTotal(), 0);
        assertEq(blk.balanceOf(address(esc)), 0);
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingOwed.selector, who[1]));
        vm.prank(who[1]);
        esc.claim(other);
    }

    /// @notice A token that returns false (and moves nothing) fails the same way; once the token
    /// accepts the claimant again, it pulls to itself.
    function test_aFalseReturnIsAFailureToo() public {
        _post(ID, 1000);
        address[] memory who = _claimants(2);
        blk.setRefusal(who[0], BlacklistToken.Refusal.ReturnFalse);
        uint256[] memory w = new uint256[](2);
        (w[0], w[1]) = (1, 3);
        vm.prank(oracle);
        esc.distribute(ID, who, w);
        assertEq(esc.owed(who[0]), 250);
        assertEq(blk.balanceOf(who[1]), 750);
        _assertBooks();
        blk.setRefusal(who[0], BlacklistToken.Refusal.None);
        vm.prank(who[0]);
        esc.claim(who[0]);
        assertEq(blk.balanceOf(who[0]), 250);
        _assertBooks();
    }

    /// @notice A contract claimant, blacklisted: its shares of two bounties add up as owed; it
    /// pulls both at once to its owner.
    function test_aClaimantContractPullsToItsOwner() public {
        address boss = makeAddr("boss");
        ClaimantWallet wallet = new ClaimantWallet(boss);
        blk.setRefusal(address(wallet), BlacklistToken.Refusal.Revert);
        _post(ID, 90);
        _post("second", 11);
        address[] memory who = new address[](2);
        (who[0], who[1]) = (address(wallet), makeAddr("plain"));
        uint256[] memory w = new uint256[](2);
        (w[0], w[1]) = (2, 1);
        vm.startPrank(oracle);
        esc.distribute(ID, who, w); // 60 owed, 30 sent
        esc.distribute("second", who, w); // floor(22/3) = 7 owed, 4 sent
        vm.stopPrank();
        assertEq(esc.owed(address(wallet)), 67);
        assertEq(blk.balanceOf(who[1]), 34);
        _assertBooks();
        vm.prank(boss);
        wallet.pull(esc, boss);
        assertEq(blk.balanceOf(boss), 67);
        assertEq(esc.owedTotal(), 0);
        _assertBooks();
    }

    /// @notice Every claimant refused: the distribution still goes through, all of it owed.
    function test_everyClaimantRefused() public {
        _post(ID, 1000);
        address[] memory who = _claimants(10);
        uint256[] memory w = new uint256[](10);
        for (uint256 i; i < 10; ++i) {
            w[i] = i + 1;
            blk.setRefusal(who[i], i % 2 == 0 ? BlacklistToken.Refusal.Revert : BlacklistToken.Refusal.ReturnFalse);
        }
        vm.prank(oracle);
        esc.distribute(ID, who, w);
        uint256[10] memory expected = [uint256(18), 36, 55, 72, 91, 109, 128, 145, 164, 182];
        for (uint256 i; i < 10; ++i) assertEq(esc.owed(who[i]), expected[i]);
        assertEq(esc.owedTotal(), 1000);
        assertEq(esc.escrowed(), 0);
        _assertBooks();
    }

    /// @notice A funder blacklisted after posting: its reclaim cannot be sent, so it is owed
    /// (`BountyReclaimed` then `BountyPending`), and pulled to another address.
    function test_aRefusedReclaimIsOwed() public {
        _post(ID, 100);
        blk.setRefusal(carol, BlacklistToken.Refusal.Revert);
        vm.warp(expiry + 1);
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyReclaimed(ID, carol, 100);
        vm.expectEmit(address(esc));
        emit IBountiesEE.BountyPending(ID, carol, 100);
        vm.prank(carol);
        esc.reclaim(ID);
        assertEq(esc.escrowed(), 0);
        assertEq(esc.owed(carol), 100);
        _assertBooks();
        vm.expectRevert(abi.encodeWithSelector(IBountiesEE.NothingToReclaim.selector, ID, carol));
        vm.prank(carol);
        esc.reclaim(ID);
        vm.prank(carol);
        esc.claim(alice);
        assertEq(blk.balanceOf(alice), 100);
        _assertBooks();
    }

    /// @notice A token that calls back into the escrow during a transfer meets the reentrancy
    /// guard: that transfer fails and its share is owed; nothing else moves.
    function test_aReentrantTransferIsRefusedAndOwed() public {
        ReentrantToken re = new ReentrantToken();
        Bounties e2 = new Bounties(art, IERC20(address(re)), art.ORACLE_ROLE());
        address[] memory who = _claimants(2);
        re.arm(e2, who[0]);
        re.mint(carol, 10);
        vm.startPrank(carol);
        re.approve(address(e2), 10);
        e2.post(ID, A, 10, expiry);
        vm.stopPrank();
        vm.prank(oracle);
        e2.distribute(ID, who, _ones(2));
        assertEq(e2.owed(who[0]), 5);
        assertEq(re.balanceOf(who[1]), 5);
        assertEq(re.balanceOf(address(e2)), e2.escrowed() + e2.owedTotal());
    }

    /// @notice Too little gas never passes for a refusing claimant: with any gas limit, the
    /// distribution either reverts (nothing changes) or sends every share (nothing owed).
    function testFuzz_lowGasNeverMakesASharePending(uint32 gasLimit) public {
        _post(ID, 1000);
        address[] memory who = _claimants(10);
        uint256[] memory w = new uint256[](10);
        for (uint256 i; i < 10; ++i) w[i] = i + 1;
        uint256 g = bound(gasLimit, 20_000, 600_000);
        vm.prank(oracle);
        (bool ok,) = address(esc).call{gas: g}(abi.encodeCall(Bounties.distribute, (ID, who, w)));
        assertEq(esc.owedTotal(), 0, "a share owed for want of gas");
        (,,, bool distributed,) = esc.bounty(ID);
        assertEq(distributed, ok);
        _assertBooks();
    }

    // ---- random sequences ------------------------------------------------------------------
    address[4] internal people;

    /// @notice Random sequences of posts, funds, blacklistings, distributions, warps, reclaims and
    /// claims over four people: after every step the escrow's tokens are escrowed + owed.
    function testFuzz_balanceIsEscrowPlusOwed(uint256 seed) public {
        for (uint256 i; i < 4; ++i) {
            people[i] = makeAddr(string(abi.encodePacked("person", vm.toString(i))));
            vm.prank(people[i]);
            blk.approve(address(esc), type(uint256).max);
        }
        uint256 posted;
        for (uint256 step; step < 40; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            address p = people[seed % 4];
            uint256 amount = (seed >> 8) % 1e9 + 1;
            bytes32 id = bytes32(posted == 0 ? 1 : (seed >> 40) % posted + 1);
            uint256 kind = (seed >> 80) % 10;
            if (kind < 2) {
                blk.mint(p, amount);
                vm.prank(p);
                try esc.post(bytes32(++posted), A, amount, uint64(block.timestamp + (seed >> 100) % 5 days + 1)) {} catch {}
            } else if (kind == 2) {
                blk.mint(p, amount);
                vm.prank(p);
                try esc.fund(id, amount) {} catch {}
            } else if (kind == 3) {
                blk.setRefusal(p, BlacklistToken.Refusal((seed >> 120) % 3));
            } else if (kind == 4) {
                address[] memory who = new address[](4);
                uint256[] memory w = new uint256[](4);
                for (uint256 i; i < 4; ++i) (who[i], w[i]) = (people[i], (seed >> (140 + 16 * i)) % 1000 + 1);
                vm.prank(oracle);
                try esc.distribute(id, who, w) {} catch {}
            } else if (kind < 7) {
                vm.warp(block.timestamp + (seed >> 200) % 3 days);
            } else if (kind < 9) {
                vm.prank(p);
                try esc.reclaim(id) {} catch {}
            } else {
                vm.prank(p);
                try esc.claim(people[(seed >> 220) % 4]) {} catch {}
            }
            _assertBooks();
            uint256 owedSum;
            for (uint256 i; i < 4; ++i) owedSum += esc.owed(people[i]);
            assertEq(owedSum, esc.owedTotal(), "owed total == owed to each");
        }
    }
}
