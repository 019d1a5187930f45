"""Check a ledger file's records against the chain's receipts (``pmarket ledger verify --network``).

For each transaction a file names, the node's receipt must hold, at the record's log index, the
same log: emitter, topics, data, block number and block hash. And every log of the deployment's
contracts in the file's block range must be in the file: the chain's logs are asked for the whole
range (``eth_getLogs``, in ranges the node accepts), so a record left out, even a whole
transaction's, is named too. One ``eth_getTransactionReceipt`` per transaction.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from eth_utils import to_checksum_address

from .sync import DEFAULT_CHUNK, LogSource, RpcRefused


def check_receipts(
    header: Mapping[str, Any], records: Sequence[Mapping[str, Any]], request: Callable[[str, list], Any]
) -> list[tuple[int, str]]:
    """Problems as ``(record number, what differs)`` (record ``-1`` for a log missing from the file)."""
    contracts = {a.lower() for a in (header.get("exchange"), header.get("maker"), header.get("artifacts"), header.get("bounties")) if a}
    by_tx: dict[str, list[int]] = {}
    for n, r in enumerate(records):
        by_tx.setdefault(r["tx_hash"], []).append(n)
    problems: list[tuple[int, str]] = []
    for tx, numbers in by_tx.items():
        reply = request("eth_getTransactionReceipt", [tx])
        if isinstance(reply, Mapping) and "error" in reply:
            raise RpcRefused(f"eth_getTransactionReceipt refused: {reply['error'].get('message', reply['error'])}")
        receipt = reply.get("result", reply) if isinstance(reply, Mapping) else reply
        if not receipt:
            problems.extend((n, f"transaction {tx} is not on this chain") for n in numbers)
            continue
        logs = {int(log["logIndex"], 16): log for log in receipt["logs"]}
        for n in numbers:
            problems.extend((n, p) for p in _differences(records[n], logs.get(int(records[n]["log_index"]))))
    problems.extend((-1, what) for what in _left_out(header, records, LogSource(request), sorted(contracts)))
    return problems


def _left_out(header: Mapping[str, Any], records: Sequence[Mapping[str, Any]], source: LogSource,
              contracts: list[str]) -> list[str]:
    """The chain's logs of ``contracts`` in the file's block range that the file does not hold."""
    held = {(int(r["block"]), int(r["log_index"])) for r in records}
    missing, at, stop, width = [], int(header["start_block"]), int(header["next_block"]) - 1, DEFAULT_CHUNK
    while at <= stop:
        end = min(stop, at + width - 1)
        try:
            logs = source.logs(contracts, at, end)
        except RpcRefused:
            if width == 1:
                raise
            width //= 2
            continue
        for log in logs:
            block, index = int(log["blockNumber"], 16), int(log["logIndex"], 16)
            if (block, index) not in held:
                missing.append(f"block {block} log {index} of {to_checksum_address(log['address'])} (transaction {log['transactionHash']}) "
                               f"is on the chain but not in the file")
        at, width = end + 1, min(DEFAULT_CHUNK, width * 2)
    return missing


def _differences(record: Mapping[str, Any], log: Any) -> list[str]:
    if log is None:
        return [f"no log {record['log_index']} in transaction {record['tx_hash']}"]
    out = []
    if log["address"].lower() != str(record["address"]).lower():
        out.append(f"emitter {record['address']}, the receipt says {log['address']}")
    if [t.lower() for t in log["topics"]] != [str(t).lower() for t in record["topics"]]:
        out.append("topics differ from the receipt's")
    if log["data"].lower() != str(record["data"]).lower():
        out.append("data differs from the receipt's")
    if int(log["blockNumber"], 16) != int(record["block"]) or log["blockHash"].lower() != str(record["block_hash"]).lower():
        out.append(f"block {record['block']} {record['block_hash']}, the receipt says {int(log['blockNumber'], 16)} {log['blockHash']}")
    return out
