// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IArtifactsEE, Reputation, State, Transition} from "../interfaces/IArtifacts.sol";
import {IExchange} from "../interfaces/IExchange.sol";
import {IMaker, PoolKey} from "../interfaces/IMaker.sol";
import {LMSRMath} from "../libraries/LMSRMath.sol";

/// @title ArtifactsBase
/// @notice The artifact registry's storage and rounds: what `Lifecycle` and `ArtifactSettlement`
/// share (protocol.md section 6).
/// @dev A round is one market of an artifact: round 0 opens at registration, a new one each time a
/// flagged artifact is listed again (the flagged round's positions closed for good). Its root id is
/// in this contract's namespace of the Exchange (upper 160 bits: this address), so nobody else can
/// create it first. This contract's Exchange balance is the sum of the artifacts' reserves: what
/// their pools returned, waiting to fund the next round's pool or to go back to the registrant.
abstract contract ArtifactsBase is IArtifactsEE {
    /// @dev Two slots: registrant (20) + state (1) + round market trading (1) + round (2) + round
    /// start (5); liquidity (12) + fee (2) + reserve (16).
    struct Artifact {
        address registrant;
        State state;
        bool open;
        uint16 round;
        uint40 roundStart;
        uint96 b;
        uint16 feeBps;
        uint128 reserve;
    }

    /// @dev A round: its market, its pool (zero for none) and how it settled (`None` while open).
    struct Round {
        uint256 rootId;
        bytes32 poolId;
        State outcome;
        bool collected;
    }

    int256 internal constant WAD = 1e18;

    IExchange internal immutable _exchange;
    IMaker internal immutable _maker;
    IERC20 internal immutable _token;
    /// @dev Seconds a round must have been listed before holders may close at the marginal price.
    uint256 internal immutable _closeAfter;
    /// @dev How long a pool's price must have stayed past a threshold to trigger (seconds): its
    /// tracked pools' price-range period.
    uint32 internal immutable _window;
    /// @dev Price thresholds (wad): validated above, flagged and deprecated below.
    uint256 internal immutable _validatePrice;
    uint256 internal immutable _flagPrice;
    uint256 internal immutable _deprecatePrice;

    mapping(bytes32 artifact => Artifact) internal _artifacts;
    mapping(bytes32 artifact => mapping(uint256 round => Round)) internal _rounds;
    mapping(bytes32 artifact => Transition[]) internal _history;
    mapping(address trader => Reputation) internal _reputations;

    /// @dev Thresholds strictly inside (0, 1), deprecate below flag below validate; a window of at
    /// least a second that fits 32 bits.
    constructor(IExchange exchange_, uint256 closeAfter_, uint256 window_, uint256[3] memory p) {
        if (window_ == 0 || window_ > type(uint32).max || p[2] == 0 || p[2] >= p[1] || p[1] >= p[0] || p[0] >= uint256(WAD)) {
            revert InvalidParameters();
        }
        _exchange = exchange_;
        _maker = IMaker(exchange_.maker());
        _token = IERC20(exchange_.collateral());
        _closeAfter = closeAfter_;
        _window = uint32(window_);
        (_validatePrice, _flagPrice, _deprecatePrice) = (p[0], p[1], p[2]);
    }

    /// @dev The root id of `artifact`'s round `round`: this contract's namespace, a hash below.
    function _rootOf(bytes32 artifact, uint256 round) internal view returns (uint256) {
        return uint256(uint160(address(this))) << 96 | uint96(uint256(keccak256(abi.encode(artifact, round))));
    }

    /// @dev Open round `a.round` of `artifact`: its market, made managed, and a tracked pool with the
    /// artifact's liquidity, or as much of it as the reserve funds (none when it funds nothing).
    function _openRound(bytes32 artifact, Artifact storage a) internal {
        uint256 round = a.round;
        uint256 rootId = _rootOf(artifact, round);
        _exchange.defineMarket(rootId, 1, 0, int128(WAD));
        _exchange.manageRoot(rootId);
        uint256 reserve = a.reserve;
        uint96 b = a.b;
        uint256 funding = _maker.fundingFor(b);
        if (funding > reserve) {
            b = _affordable(reserve);
            funding = b == 0 ? 0 : _maker.fundingFor(b);
        }
        bytes32 poolId;
        if (b != 0) {
            a.reserve = uint128(reserve - funding);
            poolId = _maker.createTrackedPool(rootId, 1, b, a.feeBps, uint64(round), _window);
        }
        _rounds[artifact][round] = Round(rootId, poolId, State.None, false);
        a.open = true;
        a.roundStart = uint40(block.timestamp);
        emit RoundOpened(artifact, round, rootId, poolId, funding);
    }

    /// @dev The largest liquidity whose funding `ceil(b (ln 2 + 1e-36))` is within `reserve`.
    function _affordable(uint256 reserve) private pure returns (uint96) {
        uint256 b = reserve * LMSRMath.ONE / (LMSRMath.LN2 + 1);
        return b > type(uint96).max ? type(uint96).max : uint96(b);
    }

    /// @dev Collect what a settled round's residual account left into the artifact's reserve: claim
    /// it (the pool's account, or this contract's own for a round without a pool) and take the
    /// pool's remainder. Quietly does nothing while the claim waits for the round's losers.
    function _collect(bytes32 artifact, uint256 round) internal returns (uint256 collected) {
        Round storage r = _rounds[artifact][round];
        if (r.collected || r.outcome == State.None) return 0;
        address account = r.poolId == 0 ? address(this) : _maker.poolAccount(r.poolId);
        if (!_exchange.hasClaimed(account, r.rootId)) {
            if (r.poolId == 0 && r.outcome != State.Flagged) {
                r.collected = true; // a settled round without a pool leaves nothing
                return 0;
            }
            try _exchange.claimFor(account, r.rootId) returns (int256 payoff) {
                _ledger(artifact, account, round, payoff);
                if (r.poolId == 0 && payoff > 0) collected = uint256(payoff);
            } catch {
                return 0;
            }
        }
        if (r.poolId != 0) {
            PoolKey memory key = _maker.poolKey(r.poolId);
            if (_exchange.balanceOf(account) > 0) collected = _maker.claimPool(key);
        }
        r.collected = true;
        _artifacts[artifact].reserve += uint128(collected);
        emit ReserveCollected(artifact, round, collected);
    }

    /// @dev Log a settlement credit or debit (nothing for a zero payoff: nothing moved).
    function _ledger(bytes32 artifact, address trader, uint256 round, int256 payoff) internal {
        if (payoff > 0) emit Settlement(artifact, trader, round, uint256(payoff), "settlement:profit", payoff);
        if (payoff < 0) emit Settlement(artifact, trader, round, uint256(-payoff), "settlement:loss", payoff);
    }

    /// @dev The pool's long price now (wad), zero without a pool.
    function _price(bytes32 poolId) internal view returns (uint256 long) {
        if (poolId != 0) (long,) = _maker.prices(poolId);
    }

    function _known(bytes32 artifact) internal view returns (Artifact storage a) {
        a = _artifacts[artifact];
        if (a.state == State.None) revert UnknownArtifact(artifact);
    }
}
