// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Order} from "../libraries/OrderStructs.sol";

/// @notice Which outcome token of a pool: "long" pays `(x - lo)/(hi - lo)` per share when the market
/// settles at `x`, "short" pays the rest, `(hi - x)/(hi - lo)`.
enum Side {
    Long,
    Short
}

/// @notice Everything fixed about a pool; its id is `keccak256(abi.encode(key))`. Trades pass the key
/// in calldata (about 4,000 gas cheaper than reading it from storage); `poolKey(id)` returns it.
/// @param rootId, branchId The market the pool makes.
/// @param lo, hi The market's bounds when the pool was created (18 decimals); shares are priced on
/// them for the pool's whole life.
/// @param b The liquidity parameter in shares (18 decimals); the pool's maximum loss is `b ln 2`.
/// @param feeBps The fee, in basis points of each trade's amount (at most 1,000: 10%).
/// @param creator Who funded the pool, may close it and takes what is left.
/// @param salt Lets one creator run several pools with the same terms.
struct PoolKey {
    uint256 rootId;
    uint16 branchId;
    int128 lo;
    int128 hi;
    uint96 b;
    uint16 feeBps;
    address creator;
    uint64 salt;
}

/// @title IMakerEE
/// @notice Errors and events of the LMSR market maker (protocol.md section 5).
interface IMakerEE {
    /// @notice A buy would cost `amount` (fee included) above the trader's `limit` (`maxCost`), or a
    /// sell would bring `amount` (fee deducted) below `limit` (`minProceeds`). 18 decimals.
    error SlippageExceeded(int256 amount, int256 limit);
    /// @notice The trade's `deadline` is before the block's `timestamp`.
    error DeadlinePassed(uint256 deadline, uint256 timestamp);
    /// @notice Pool `poolId` is closed (or its market settled and it was claimed): no more trades.
    error PoolClosed(bytes32 poolId);
    /// @notice No pool has id `poolId` (a key with a wrong field hashes to an unknown id).
    error UnknownPool(bytes32 poolId);
    /// @notice A pool with this key exists already.
    error PoolExists(bytes32 poolId);
    /// @notice Only the pool's creator may do this.
    error NotPoolCreator(bytes32 poolId, address caller);
    /// @notice The pool still has outstanding shares (`qLong != qShort`): it can only be closed idle.
    error PoolNotIdle(bytes32 poolId, int256 qLong, int256 qShort);
    /// @notice `b` is zero or above 2^96 - 1.
    error InvalidLiquidity(uint256 b);
    /// @notice `feeBps` is above the cap `maxBps` (10%).
    error FeeTooHigh(uint256 feeBps, uint256 maxBps);
    /// @notice The market `(rootId, branchId)` is a single point (`lo == hi`): nothing to price.
    error PointMarket(uint256 rootId, uint16 branchId);
    /// @notice The order to fill is in another market than the pool.
    error PoolMarketMismatch(bytes32 poolId, uint256 rootId, uint16 branchId);
    /// @notice A trade of zero shares (or of fewer shares than one wei of forward quantity).
    error ZeroShares();
    /// @notice The trade would take the pool's state beyond 2^95 - 1 forward units on one side.
    error PoolOverflow(bytes32 poolId);
    /// @notice Nothing is left for the creator to take.
    error NothingLeft(bytes32 poolId);
    /// @notice Pool `poolId` keeps no price accumulator, range or cushion (created by `createPool`).
    error PoolNotTracked(bytes32 poolId);
    /// @notice Only the owner of managed root `rootId` may create tracked pools there or close
    /// positions through them (`caller` is not it, or the root is not managed).
    error NotRootManager(uint256 rootId, address caller);
    /// @notice A tracked pool's price-range period must be at least one second.
    error InvalidPeriod(uint256 period);
    /// @notice `trader` has no position in the pool's market to close.
    error NothingToClose(bytes32 poolId, address trader);

    /// @notice A pool was created and `funding` (its maximum loss `b ln 2`, rounded up) moved from the
    /// creator's balance into the pool's account `account` of the Exchange. `period` is zero for a
    /// plain pool (`createPool`); a tracked pool (`createTrackedPool`) logs its price-range period
    /// (seconds): it keeps a log-odds accumulator, a price range over the last one to three periods
    /// and a cushion of fees credited to the traders who paid them. One event says everything a
    /// replay needs to rebuild the pool.
    event PoolCreated(
        bytes32 indexed poolId,
        address indexed creator,
        uint256 indexed rootId,
        PoolKey key,
        address account,
        uint256 funding,
        uint32 period
    );
    /// @notice `trader` traded with the pool: `side`, `shares` in forward units (positive bought,
    /// negative sold), and took the position `quantity` (forward units, 18 decimals) at total cost
    /// `cost` (`quantity * average price`, 36 decimals, fee included); `fee` (18 decimals) went to
    /// the pool.
    event PoolTraded(bytes32 indexed poolId, address indexed trader, Side side, int256 quantity, int256 cost, uint256 fee);
    /// @notice Resting order `orderHash` of `owner` was filled by `quantity` against the pool at total
    /// cost `cost` (36 decimals, fee included), no worse than its limit.
    event PoolFilled(bytes32 indexed poolId, bytes32 indexed orderHash, address indexed owner, int256 quantity, int256 cost, uint256 fee);
    /// @notice `trader`'s whole position in the pool's market was closed against the pool: the trade
    /// `quantity` at total cost `cost` (36 decimals); the pool gave up `discount` (18 decimals) of
    /// the trader's own credit against the fee-free LMSR price.
    event PositionClosed(bytes32 indexed poolId, address indexed trader, int256 quantity, int256 cost, uint256 discount);
    /// @notice The idle pool was closed and `released` returned to its creator's balance.
    event PoolRetired(bytes32 indexed poolId, uint256 released);
    /// @notice After its market settled, the pool's account was claimed and `released` went to the
    /// creator; the pool is closed.
    event PoolSettled(bytes32 indexed poolId, uint256 released);
}

/// @title IMaker
/// @notice A logarithmic market scoring rule maker for any pmarket market: the counterparty of last
/// resort. Each pool is a participant of the Exchange's vault with its own account, funded with its
/// maximum loss, so it always passes its own collateral check; a trade with a pool is a matched
/// bounded-forward position like any other and runs the trader's collateral check.
interface IMaker is IMakerEE {
    /// @notice The Exchange this maker trades on.
    function exchange() external view returns (address);

    /// @notice Create a pool on market `(rootId, branchId)` with liquidity `b` (shares, 18 decimals)
    /// and a fee of `feeBps` basis points. Locks `ceil(b ln 2)` of the caller's Exchange balance
    /// (their collateral check must pass after it). Anyone, with their own balance: a plain pool
    /// trades only with its callers and fills only orders their owners signed.
    function createPool(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt)
        external
        returns (bytes32 poolId);

    /// @notice `createPool` for a tracked pool, by the owner of managed root `rootId` only
    /// (`NotRootManager`). It also keeps a time integral of its log-odds `ln(p / (1 - p))`
    /// (`observe`), the lowest and highest long price over at least the last `period`
    /// (`priceRange`) and a cushion of the fees it collects, each fee credited to the trader who paid
    /// it (`credit`).
    function createTrackedPool(uint256 rootId, uint16 branchId, uint96 b, uint16 feeBps, uint64 salt, uint32 period)
        external
        returns (bytes32 poolId);

    /// @notice Close `trader`'s whole position in the pool's market against the tracked pool. The
    /// trader gets the less favourable end of the price range (the lowest long price for a long, the
    /// highest for a short; `priceRange`), rounded against them, but never more above the fee-free
    /// LMSR price of the same sale than their own credit, which pays the difference (or, when it is
    /// short, the trader gets the LMSR price plus all of it). Only the pool's creator while it owns
    /// the root (`NotPoolCreator`, `NotRootManager`): the root's owner can settle the root anyway,
    /// and the artifact registry closes a holder's position on the holder's own call only. The trade
    /// runs the trader's collateral check like any pool trade.
    function closeFor(PoolKey calldata key, address trader)
        external
        returns (int256 quantity, int256 cost, uint256 discount);

    /// @notice Buy `shares` (18 decimals) of `side` for at most `maxCost` (18 decimals, fee
    /// included), before `deadline`. Returns the forward quantity taken and the cost paid (rounded up).
    /// The caller's own position and check only.
    function buy(PoolKey calldata key, Side side, uint256 shares, uint256 maxCost, uint256 deadline)
        external
        returns (int256 quantity, int256 cost);

    /// @notice Sell `shares` of `side` (a sale of shares not held is a short position, checked like
    /// any other) for at least `minProceeds`, before `deadline`. Returns the forward quantity taken
    /// and the proceeds (fee deducted, rounded down). The caller's own position and check only.
    function sell(PoolKey calldata key, Side side, uint256 shares, uint256 minProceeds, uint256 deadline)
        external
        returns (int256 quantity, int256 proceeds);

    /// @notice Fill `quantity` of a resting order of the Exchange's book against the pool, at the LMSR
    /// cost (fee included); refused when that is worse than the order's limit. Anyone may call;
    /// authority: the owner's signature on the order (its fee is credited to the owner).
    function fill(PoolKey calldata key, Order calldata order, uint128 quantity) external returns (bytes32 orderHash);

    /// @notice Close an idle pool (no outstanding shares) and return its balance to the creator (the
    /// creator's own call; it touches the pool's account only).
    function closePool(PoolKey calldata key) external returns (uint256 released);

    /// @notice After the pool's market settled: claim the pool's account and pay what is left to the
    /// creator. Anyone may call (a settlement of the pool's own account); the money goes to the creator.
    function claimPool(PoolKey calldata key) external returns (uint256 released);

    /// @notice The key of pool `poolId`.
    function poolKey(bytes32 poolId) external view returns (PoolKey memory);

    /// @notice Whether a pool with id `poolId` was ever created (closed ones included).
    function poolExists(bytes32 poolId) external view returns (bool);

    /// @notice The pool's outstanding shares per side in forward units (18 decimals) and whether it
    /// still trades. Shares of a side are `q * (hi - lo)`.
    function poolState(bytes32 poolId) external view returns (int256 qLong, int256 qShort, bool open);

    /// @notice The pool's Exchange account.
    function poolAccount(bytes32 poolId) external pure returns (address);

    /// @notice The funding a pool of liquidity `b` locks: `ceil(b ln 2)`.
    function fundingFor(uint256 b) external pure returns (uint256);

    /// @notice Marginal prices of a long and a short share (18 decimals, rounded down: they sum to
    /// 1e18 or 1e18 - 1).
    function prices(bytes32 poolId) external view returns (uint256 long, uint256 short);

    /// @notice The marginal forward price `lo + price(long) * (hi - lo)` (18 decimals).
    function forwardPrice(bytes32 poolId) external view returns (int256);

    /// @notice What buying (`shares > 0`) or selling (`shares < 0`) `|shares|` of `side` costs now:
    /// `cost` (18 decimals, fee included; negative for proceeds), the `fee` and the forward `quantity`.
    function quote(bytes32 poolId, Side side, int256 shares)
        external
        view
        returns (int256 cost, uint256 fee, int256 quantity);

    /// @notice A tracked pool's accumulator: the time integral of its log-odds (capped at +-100,
    /// wad seconds) up to `timestamp` (now while it trades, when it closed after), and its cushion.
    /// The time-weighted log-odds between two observations is the difference of their cumulatives
    /// over the time between them; its logistic is the time-weighted price.
    function observe(bytes32 poolId) external view returns (int256 cumulative, uint256 timestamp, uint256 cushion);

    /// @notice A tracked pool's lowest and highest long price (wad, rounded outwards to 1e-12) over at
    /// least the last `period` seconds and less than three times that (since it was created, if
    /// younger): a period ends at the first trade after it is a period old, so it can last almost
    /// two, and it stays in the range for the next one.
    function priceRange(bytes32 poolId) external view returns (uint256 low, uint256 high, uint256 period);

    /// @notice What is left of the fees `trader` paid to tracked pool `poolId` (wad): the most its
    /// closes may give up against the LMSR price. The pool's cushion is the sum of all credits.
    function credit(bytes32 poolId, address trader) external view returns (uint256);

    /// @notice The most shares of `side` that `budget` (18 decimals, fee included) buys now.
    function sharesForCost(bytes32 poolId, Side side, uint256 budget) external view returns (uint256 shares);
}
