// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";

import {Artifacts} from "../../../contracts/Artifacts.sol";
import {Bounties} from "../../../contracts/Bounties.sol";
import {State} from "../../../contracts/interfaces/IArtifacts.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IMaker, PoolKey, Side} from "../../../contracts/interfaces/IMaker.sol";
import {BlacklistToken} from "../../../contracts/test/BlacklistToken.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";

/// @title ArtifactsHandler
/// @notice Drives one artifact through random lifecycles (an oracle's posts and anyone's triggers,
/// new rounds after flags), pool trades of three traders, settlement batches, closes after time
/// passes, and bounties (posted with expiries, funded, distributed, reclaimed after expiry, owed
/// shares claimed; in a token that blacklists accounts on the way, so shares and reclaims go
/// pending). Calls that the contracts refuse are skipped (the invariants concern the
/// money, not the refusals, which the unit suites pin). Every `Settlement` event is counted per
/// round and trader: a second credit would set `doubleCredit`.
contract ArtifactsHandler is Test {
    bytes32 public constant A = "invariant-artifact";
    bytes32 internal constant SETTLEMENT = keccak256("Settlement(bytes32,address,uint256,uint256,bytes32,int256)");
    uint256 internal constant UNIT = 1e12;

    IExchange internal immutable ex;
    IMaker internal immutable maker;
    TestToken internal immutable token;
    Artifacts internal immutable art;
    Bounties internal immutable bounties;
    BlacklistToken internal immutable bountyToken;
    address public immutable registrant;

    address[3] public traders;
    mapping(uint256 => mapping(address => uint256)) public credits;
    bool public doubleCredit;
    uint256 public settledRounds;
    uint256 public bountyCount;
    uint256 public calls;
    /// @notice Calls that went through, by kind (how much of a run was not refused).
    uint256 public trades;
    uint256 public posts;
    uint256 public batches;
    uint256 public closes;
    uint256 public paid;
    uint256 public reclaims;
    uint256 public pulls;

    constructor(IExchange ex_, TestToken token_, Artifacts art_, Bounties bounties_, address registrant_) {
        (ex, token, art, bounties, registrant) = (ex_, token_, art_, bounties_, registrant_);
        maker = IMaker(ex_.maker());
        bountyToken = BlacklistToken(address(bounties_.token()));
        for (uint256 i; i < 3; ++i) {
            traders[i] = makeAddr(string(abi.encodePacked("trader", vm.toString(i))));
            token.mint(traders[i], 1e9);
            vm.startPrank(traders[i]);
            token.approve(address(ex), type(uint256).max);
            ex.deposit(1e9); // 1,000 tokens of 6 decimals: 1,000e18 wad each
            bountyToken.approve(address(bounties), type(uint256).max);
            vm.stopPrank();
        }
    }

    // ---- actions ---------------------------------------------------------------------------
    function trade(uint256 who, bool long_, bool buying, uint256 shares) external {
        ++calls;
        (, bytes32 poolId) = art.market(A);
        if (poolId == 0) return;
        PoolKey memory key = maker.poolKey(poolId);
        address t = traders[who % 3];
        shares = bound(shares, 1e15, 3e18);
        vm.prank(t);
        if (buying) {
            try maker.buy(key, long_ ? Side.Long : Side.Short, shares, type(uint128).max, type(uint256).max) {
                ++trades;
            } catch {}
        } else {
            try maker.sell(key, long_ ? Side.Long : Side.Short, shares, 0, type(uint256).max) {
                ++trades;
            } catch {}
        }
    }

    function post(uint8 to) external {
        ++calls;
        // Final states are rarer, so runs see flags, challenges and new rounds first.
        uint256 pick = bound(to, 0, 11);
        State s = pick < 3 ? State.Flagged : pick < 6 ? State.Challenged : pick < 10 ? State.Listed
            : pick == 10 ? State.Validated : State.Deprecated;
        vm.recordLogs();
        try art.transition(A, s) {
            ++posts;
            (,, State outcome,) = art.roundInfo(A, _round());
            if (outcome != State.None && (s == State.Flagged || s == State.Validated || s == State.Deprecated)) {
                ++settledRounds;
            }
        } catch {}
        _count();
    }

    function trigger(uint8 to) external {
        ++calls;
        uint256 before = _settledOutcome();
        vm.recordLogs();
        try art.trigger(A, State(bound(to, 2, 5))) {} catch {}
        if (_settledOutcome() > before) ++settledRounds;
        _count();
    }

    function settle(uint256 roundSeed) external {
        ++calls;
        uint256 round = bound(roundSeed, 0, _round());
        address[] memory list = new address[](3);
        for (uint256 i; i < 3; ++i) list[i] = traders[i];
        vm.recordLogs();
        try art.settle(A, round, list) returns (uint256 n) {
            batches += n;
        } catch {}
        _count();
    }

    function close(uint256 who) external {
        ++calls;
        vm.prank(traders[who % 3]);
        try art.close(A) {
            ++closes;
        } catch {}
    }

    function warp(uint256 seconds_) external {
        ++calls;
        vm.warp(block.timestamp + bound(seconds_, 1 hours, 60 days));
    }

    /// @notice Post a bounty (expiring in 1 second to 120 days), or, one time in three, fund one.
    function bounty(uint256 who, uint256 amount, uint256 seed) external {
        ++calls;
        amount = bound(amount, 1, 1e9);
        address funder = traders[who % 3];
        bountyToken.mint(funder, amount);
        vm.prank(funder);
        if (bountyCount != 0 && seed % 3 == 0) {
            try bounties.fund(bytes32(bound(seed >> 8, 1, bountyCount)), amount) {} catch {}
        } else {
            try bounties.post(bytes32(++bountyCount), A, amount, uint64(block.timestamp + bound(seed >> 8, 1, 120 days))) {} catch {}
        }
    }

    /// @notice One of: the bounty token refuses trader `who` (reverting or returning false) or takes
    /// it back; `who` reclaims its part of a bounty; `who` claims what it is owed to a trader.
    function bountyExit(uint256 who, uint256 seed) external {
        ++calls;
        address t = traders[who % 3];
        uint256 mode = seed % 3;
        if (mode == 0) {
            bountyToken.setRefusal(t, BlacklistToken.Refusal(bound(seed >> 8, 0, 2)));
        } else if (mode == 1) {
            if (bountyCount == 0) return;
            vm.prank(t);
            try bounties.reclaim(bytes32(bound(seed >> 8, 1, bountyCount))) {
                ++reclaims;
            } catch {}
        } else {
            vm.prank(t);
            try bounties.claim(traders[(seed >> 8) % 3]) {
                ++pulls;
            } catch {}
        }
    }

    function distribute(uint256 idSeed, uint64 w0, uint64 w1, uint64 w2) external {
        ++calls;
        if (bountyCount == 0) return;
        address[] memory who = new address[](3);
        uint256[] memory w = new uint256[](3);
        for (uint256 i; i < 3; ++i) who[i] = traders[i];
        (w[0], w[1], w[2]) = (bound(w0, 1, 1e6), bound(w1, 1, 1e6), bound(w2, 1, 1e6));
        try bounties.distribute(bytes32(bound(idSeed, 1, bountyCount)), who, w) {
            ++paid;
        } catch {}
    }

    // ---- views for the invariants -----------------------------------------------------------
    /// @notice Over every bounty posted: the undistributed amounts, and whether each of those
    /// equals its traders' contributions (only traders fund here).
    function bountyBooks() external view returns (uint256 undistributed, bool contributionsAddUp) {
        contributionsAddUp = true;
        for (uint256 i = 1; i <= bountyCount; ++i) {
            try bounties.bounty(bytes32(i)) returns (bytes32, address, uint256 amount, bool distributed, uint64) {
                if (distributed) continue;
                undistributed += amount;
                uint256 parts;
                for (uint256 t; t < 3; ++t) parts += bounties.contribution(bytes32(i), traders[t]);
                if (parts != amount) contributionsAddUp = false;
            } catch {}
        }
    }

    /// @notice What the escrow owes the traders (the only claimants here).
    function owedToTraders() external view returns (uint256 sum) {
        for (uint256 t; t < 3; ++t) sum += bounties.owed(traders[t]);
    }

    /// @notice Every account that can hold money in the Exchange, and every round's root.
    function accounts() external view returns (address[] memory list, uint256[] memory roots) {
        uint256 rounds = _round() + 1;
        list = new address[](5 + rounds);
        roots = new uint256[](rounds);
        (list[0], list[1], list[2], list[3], list[4]) = (traders[0], traders[1], traders[2], address(art), registrant);
        for (uint256 r; r < rounds; ++r) {
            (uint256 root, bytes32 poolId,,) = art.roundInfo(A, r);
            roots[r] = root;
            list[5 + r] = poolId == 0 ? address(0) : maker.poolAccount(poolId);
        }
    }

    function _round() internal view returns (uint256 round) {
        (, round,,,,) = art.artifactState(A);
    }

    function _settledOutcome() internal view returns (uint256) {
        (,, State outcome,) = art.roundInfo(A, _round());
        return outcome == State.None ? 0 : 1;
    }

    /// @dev Count the Settlement events of the last call per (round, trader).
    function _count() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(art) || logs[i].topics[0] != SETTLEMENT) continue;
            address trader = address(uint160(uint256(logs[i].topics[2])));
            (uint256 round,,,) = abi.decode(logs[i].data, (uint256, uint256, bytes32, int256));
            if (++credits[round][trader] > 1) doubleCredit = true;
        }
    }
}
