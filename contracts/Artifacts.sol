// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ArtifactSettlement} from "./artifacts/ArtifactSettlement.sol";
import {ArtifactsBase} from "./artifacts/ArtifactsBase.sol";
import {Lifecycle} from "./artifacts/Lifecycle.sol";
import {IArtifacts, Reputation, State, Transition} from "./interfaces/IArtifacts.sol";
import {IExchange} from "./interfaces/IExchange.sol";

/// @title pmarket Artifacts
/// @notice Artifact markets (protocol.md section 6): each artifact (a bytes32 id) has a `[0, 1]`
/// market on the Exchange and a tracked LMSR pool, and oracles post its lifecycle state, which
/// settles, freezes or reopens the market.
/// @dev Roles (OpenZeppelin `AccessControl`): `DEFAULT_ADMIN_ROLE`, held by the deployer, is the
/// admin of every role: it grants and revokes `ORACLE_ROLE`, and itself. `ORACLE_ROLE` posts
/// transitions. Anyone may register an artifact (paying its pool's funding), trigger a transition
/// on a price that stayed past its threshold, settle positions and sweep; a holder closes their own
/// position after the delay. Nobody's position moves by another's call: see `Lifecycle` and
/// `ArtifactSettlement` for who may do what.
contract Artifacts is IArtifacts, AccessControl, Lifecycle, ArtifactSettlement {
    using SafeERC20 for IERC20;

    /// @notice The role that posts lifecycle transitions.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");

    /// @param exchange_ The Exchange (with its Maker) the artifacts' markets live on.
    /// @param closeAfter_ Seconds a round must be listed before holders may close (90 days usual).
    /// @param window_ How long (seconds, 1 .. 2^32 - 1) the pool's price must have stayed past a
    /// threshold for a trigger: the price-range period of the artifacts' pools.
    /// @param prices Thresholds (wad): validated above `prices[0]`, flagged below `prices[1]`,
    /// deprecated below `prices[2]` (0.7, 0.3, 0.1 in the seed); `0 < [2] < [1] < [0] < 1`.
    constructor(IExchange exchange_, uint256 closeAfter_, uint256 window_, uint256[3] memory prices)
        ArtifactsBase(exchange_, closeAfter_, window_, prices)
    {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                           REGISTRY AND LIFECYCLE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IArtifacts
    function register(bytes32 artifact, uint96 b, uint16 feeBps) external returns (uint256 rootId, bytes32 poolId) {
        Artifact storage a = _artifacts[artifact];
        if (artifact == 0 || a.state != State.None) revert ArtifactExists(artifact);
        a.registrant = msg.sender;
        a.state = State.Listed;
        a.b = b;
        a.feeBps = feeBps;
        uint256 funded = _fund(_maker.fundingFor(b));
        a.reserve = uint128(funded);
        emit ArtifactRegistered(artifact, msg.sender, b, feeBps, funded);
        _openRound(artifact, a);
        _history[artifact].push(Transition(State.Listed, uint40(block.timestamp), msg.sender, false, 0, 0));
        (rootId, poolId) = (_rounds[artifact][0].rootId, _rounds[artifact][0].poolId);
        (uint256 price,) = _maker.prices(poolId);
        _history[artifact][0].price = uint64(price);
        emit LifecycleTransition(artifact, State.None, State.Listed, msg.sender, false, price, 0);
    }

    /// @dev Take the tokens for `funding` (18 decimals, rounded up to whole token units) from the
    /// caller into this contract's Exchange balance; returns what was credited.
    function _fund(uint256 funding) private returns (uint256 credited) {
        uint256 tokens = _exchange.toTokens(funding);
        if (_exchange.toInternal(tokens) < funding) ++tokens;
        IERC20 token = _token;
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), tokens);
        uint256 received = token.balanceOf(address(this)) - before;
        token.forceApprove(address(_exchange), received);
        int256 balance = _exchange.balanceOf(address(this));
        _exchange.deposit(received);
        credited = uint256(_exchange.balanceOf(address(this)) - balance);
    }

    /// @inheritdoc IArtifacts
    function transition(bytes32 artifact, State to) external onlyRole(ORACLE_ROLE) {
        _transition(artifact, to, false);
    }

    /// @inheritdoc IArtifacts
    function trigger(bytes32 artifact, State to) external {
        _requireTriggerable(artifact, to);
        _transition(artifact, to, true);
    }

    /*//////////////////////////////////////////////////////////////
                          SETTLEMENT AND CLOSES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IArtifacts
    function settle(bytes32 artifact, uint256 round, address[] calldata traders) external returns (uint256) {
        _known(artifact);
        return _settleMany(artifact, round, traders);
    }

    /// @inheritdoc IArtifacts
    function close(bytes32 artifact) external returns (int256 quantity, int256 cost) {
        return _close(artifact, msg.sender);
    }

    /// @inheritdoc IArtifacts
    function sweep(bytes32 artifact, uint256 round) external returns (uint256) {
        _known(artifact);
        return _collect(artifact, round);
    }

    /// @inheritdoc IArtifacts
    function withdrawReserve(bytes32 artifact, address to) external returns (uint256) {
        return _withdrawReserve(artifact, to);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IArtifacts
    function artifactState(bytes32 artifact)
        external
        view
        returns (State state, uint256 round, bool open, uint256 roundStart, address registrant, uint256 reserve)
    {
        Artifact storage a = _known(artifact);
        return (a.state, a.round, a.open, a.roundStart, a.registrant, a.reserve);
    }

    /// @inheritdoc IArtifacts
    function market(bytes32 artifact) external view returns (uint256 rootId, bytes32 poolId) {
        Round storage r = _rounds[artifact][_known(artifact).round];
        return (r.rootId, r.poolId);
    }

    /// @inheritdoc IArtifacts
    function roundInfo(bytes32 artifact, uint256 round)
        external
        view
        returns (uint256 rootId, bytes32 poolId, State outcome, bool collected)
    {
        Round storage r = _rounds[artifact][round];
        if (r.rootId == 0) revert RoundNotSettled(artifact, round);
        return (r.rootId, r.poolId, r.outcome, r.collected);
    }

    /// @inheritdoc IArtifacts
    function history(bytes32 artifact) external view returns (Transition[] memory) {
        return _history[artifact];
    }

    /// @inheritdoc IArtifacts
    function reputation(address trader) external view returns (Reputation memory record, uint256 score) {
        record = _reputations[trader];
        score = _scoreOf(record);
    }

    /// @inheritdoc IArtifacts
    function parameters()
        external
        view
        returns (uint256 closeAfter, uint256 window, uint256 validatePrice, uint256 flagPrice, uint256 deprecatePrice)
    {
        return (_closeAfter, _window, _validatePrice, _flagPrice, _deprecatePrice);
    }

    /// @notice The Exchange and Maker this registry works on.
    function exchange() external view returns (address) {
        return address(_exchange);
    }

    /// @notice The Maker whose tracked pools the artifacts trade against.
    function maker() external view returns (address) {
        return address(_maker);
    }
}
