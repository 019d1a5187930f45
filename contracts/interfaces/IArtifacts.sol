// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice An artifact's lifecycle state (protocol.md section 6). `None`: never registered.
enum State {
    None,
    Listed,
    Flagged,
    Challenged,
    Validated,
    Deprecated
}

/// @notice One recorded transition: the state entered, when, who posted it (an oracle, or whoever
/// triggered it on the pool's time-weighted price), the pool's long price then (wad) and the round.
struct Transition {
    State state;
    uint40 time;
    address by;
    bool triggered;
    uint64 price;
    uint16 round;
}

/// @notice A trader's record of settled predictions: counts, and stakes (what they committed, wad).
struct Reputation {
    uint32 correct;
    uint32 incorrect;
    uint96 correctStake;
    uint96 totalStake;
}

/// @title IArtifactsEE
/// @notice Errors and events of the artifact registry.
interface IArtifactsEE {
    /// @notice Artifact `artifact` is registered already (or is the zero id).
    error ArtifactExists(bytes32 artifact);
    /// @notice Artifact `artifact` was never registered.
    error UnknownArtifact(bytes32 artifact);
    /// @notice The lifecycle does not go from `from` to `to` (validated and deprecated are final).
    error InvalidTransition(State from, State to);
    /// @notice Only `listed` artifacts may be moved by price, and only to flagged, validated or deprecated.
    error NotTriggerable(bytes32 artifact, State state, State to);
    /// @notice The artifact's round is younger than a window: a trigger is possible from `readyAt`.
    error WindowNotElapsed(bytes32 artifact, uint256 readyAt);
    /// @notice The price did not stay past `threshold` (wad) through the window: `price` is the
    /// window's lowest long price (for validated) or highest (for flagged and deprecated).
    error ThresholdNotMet(bytes32 artifact, State to, uint256 price, uint256 threshold);
    /// @notice Positions may be closed at the marginal price only from `allowedAt` on.
    error CloseNotYet(bytes32 artifact, uint256 allowedAt);
    /// @notice The artifact is not listed (`state`), or its round has no pool: nothing to close against.
    error NotClosable(bytes32 artifact, State state);
    /// @notice Round `round` of the artifact does not exist, or has not settled.
    error RoundNotSettled(bytes32 artifact, uint256 round);
    /// @notice Only the registrant may take the artifact's reserve, and only once it is final.
    error ReserveLocked(bytes32 artifact, address caller);
    /// @notice The artifact's market `rootId` is frozen (challenged): no close until it is resolved.
    /// The Exchange refuses orders, matches, pool trades, cancels and needed withdrawals there with
    /// the same error.
    error MarketFrozen(uint256 rootId);
    /// @notice A deployment parameter out of range (thresholds strictly inside (0, 1), flag below
    /// validate, deprecate below flag; a window and a close delay).
    error InvalidParameters();

    /// @notice Artifact `artifact` was registered by `registrant`, for pools of liquidity `b` with a fee
    /// of `feeBps`; the registrant's tokens credited `funded` (18 decimals: the pool's funding in
    /// whole token units) to the artifact's reserve, which funds round 0's pool next (`RoundOpened`).
    event ArtifactRegistered(
        bytes32 indexed artifact, address indexed registrant, uint256 b, uint256 feeBps, uint256 funded
    );
    /// @notice Round `round` of the artifact opened: its market `rootId` and pool `poolId` (zero for
    /// none), funded with `funding` (18 decimals) from the artifact's reserve or its registrant.
    event RoundOpened(bytes32 indexed artifact, uint256 round, uint256 rootId, bytes32 poolId, uint256 funding);
    /// @notice The artifact went from `from` to `to`, posted by `by` (an oracle, or a trigger), at
    /// the pool's long price `price` (wad).
    event LifecycleTransition(
        bytes32 indexed artifact, State from, State to, address indexed by, bool triggered, uint256 price, uint256 round
    );
    /// @notice A settlement credit or debit: `trader`'s position in the artifact's round paid
    /// `amount` (18 decimals), a profit or a loss (`reason`: "settlement:profit", "settlement:loss").
    /// Indexed by trader: their notifications.
    event Settlement(
        bytes32 indexed artifact, address indexed trader, uint256 round, uint256 amount, bytes32 reason, int256 payoff
    );
    /// @notice `trader`'s reputation after its settled prediction in round `round` of `artifact`
    /// (`correct` or not, stake in wad; `score` the record's believability after it).
    event ReputationUpdated(
        address indexed trader, bytes32 artifact, uint256 round, bool correct, uint256 stake, uint256 score
    );
    /// @notice The claim for `trader` in the artifact's round was skipped; `reason` is the revert data.
    event SettlementSkipped(bytes32 indexed artifact, address indexed trader, uint256 round, bytes reason);
    /// @notice What the round's pool left (18 decimals) went to the artifact's reserve.
    event ReserveCollected(bytes32 indexed artifact, uint256 round, uint256 amount);
    /// @notice The registrant took the reserve of a final artifact.
    event ReserveWithdrawn(bytes32 indexed artifact, address indexed to, uint256 amount);
}

/// @title IArtifacts
/// @notice Artifact markets (protocol.md section 6): a `[0, 1]` market and an LMSR pool per artifact,
/// settled by lifecycle states that oracles post.
interface IArtifacts is IArtifactsEE {
    /// @notice Register `artifact`: its first round's market `[0, 1]` and a tracked pool of liquidity
    /// `b` with a fee of `feeBps`, funded with `ceil(b ln 2)` of the caller's tokens (approve this
    /// contract first). The artifact is listed. The caller's own tokens only.
    function register(bytes32 artifact, uint96 b, uint16 feeBps) external returns (uint256 rootId, bytes32 poolId);

    /// @notice Post lifecycle state `to` for `artifact` (oracle role). Settles, freezes, unfreezes or
    /// opens a new round as protocol.md section 6 says; every position's settlement is fixed here:
    /// the oracle's posting is the authority.
    function transition(bytes32 artifact, State to) external;

    /// @notice Move a listed artifact to flagged, validated or deprecated because its pool's price
    /// stayed past the state's threshold through at least the last window (`Maker.priceRange`: the
    /// lowest price above the validate threshold, or the highest below the flag or deprecate one).
    /// Anyone: it moves no position by itself (the lifecycle effects follow, as for an oracle's post).
    function trigger(bytes32 artifact, State to) external;

    /// @notice Credit (or debit) settled positions of `traders` in round `round`: losses first, then
    /// gains; already settled or empty entries are skipped. Anyone; idempotent: a settlement, each
    /// payoff fixed by the oracle's (or trigger's) posting, moves nothing else.
    function settle(bytes32 artifact, uint256 round, address[] calldata traders) external returns (uint256 settled);

    /// @notice Close the caller's own whole position in the current round against the round's pool,
    /// after the artifact has been listed for the close delay (90 days by default): at the less
    /// favourable end of the pool's price range over the last window (the lowest price for a long,
    /// the highest for a short), the pool giving up at most the caller's own fee credit against the
    /// fee-free LMSR price (`Maker.closeFor`). The holder's own call: nobody closes another's position.
    function close(bytes32 artifact) external returns (int256 quantity, int256 cost);

    /// @notice Collect what round `round`'s pool left into the artifact's reserve (anyone: a
    /// settlement of the pool's own account).
    function sweep(bytes32 artifact, uint256 round) external returns (uint256 collected);

    /// @notice The registrant takes the reserve of a validated or deprecated artifact (the
    /// registrant's own call; the reserve is what their funding and the pools' fees left).
    function withdrawReserve(bytes32 artifact, address to) external returns (uint256 amount);

    /// @notice The artifact's state, current round, whether that round's market trades, when it
    /// opened, its registrant and reserve (18 decimals).
    function artifactState(bytes32 artifact)
        external
        view
        returns (State state, uint256 round, bool open, uint256 roundStart, address registrant, uint256 reserve);

    /// @notice The artifact's current market (root id) and pool (zero for none).
    function market(bytes32 artifact) external view returns (uint256 rootId, bytes32 poolId);

    /// @notice Round `round` of the artifact: market, pool, how it settled (`None`: still open), and
    /// whether its pool's remainder is collected.
    function roundInfo(bytes32 artifact, uint256 round)
        external
        view
        returns (uint256 rootId, bytes32 poolId, State outcome, bool collected);

    /// @notice Every transition of the artifact, oldest first.
    function history(bytes32 artifact) external view returns (Transition[] memory);

    /// @notice `trader`'s record and believability score (18 decimals).
    function reputation(address trader) external view returns (Reputation memory record, uint256 score);

    /// @notice The deployment's parameters: close delay and trigger window (seconds), and the price
    /// thresholds (wad) of validated, flagged and deprecated.
    function parameters()
        external
        view
        returns (uint256 closeAfter, uint256 window, uint256 validatePrice, uint256 flagPrice, uint256 deprecatePrice);
}
