"""Independent verification of orders: EIP-712 digests and signatures, without the chain.

The digest is computed directly (``keccak(0x1901 || domainSeparator || structHash)`` with
eth-abi), which is many times faster than building typed messages; a test checks it against
:func:`pmarket.typed.digest` and the contract's ``hashOrder``. Signatures are checked as
OpenZeppelin's ``SignatureChecker`` checks an EOA's: 65 bytes, ``v`` of 27 or 28, ``s`` in the lower
half of the curve order, recovering the trader's address. A contract wallet's (ERC-1271) answer comes
from outside: pass ``erc1271`` to :func:`signature_valid` (a replay answers from the orders' events).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Optional

from eth_abi import encode
from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_utils import keccak

from ..orders import Order
from .state import addr

ORDER_TYPE = (
    "Order(uint256 tradeRootId,uint16 tradeBranchId,bool isMatched,int128 price,int128 quantity,"
    "uint256 marketRootId,uint16 marketBranchId,address trader,uint8 tradeType,bytes32 previous,"
    "uint64 expiry)"
)
ORDER_TYPEHASH = keccak(text=ORDER_TYPE)
_FIELDS = ["bytes32", "uint256", "uint16", "bool", "int128", "int128", "uint256", "uint16", "address", "uint8", "bytes32", "uint64"]
_DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
#: Half the secp256k1 group order: OpenZeppelin refuses signatures with a larger ``s``.
HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0

Erc1271 = Callable[[str, bytes, bytes], bool]


@lru_cache(maxsize=64)
def domain_separator(chain_id: int, verifying_contract: str) -> bytes:
    """The EIP-712 domain separator of a deployment (name "pmarket", version "1")."""
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [_DOMAIN_TYPEHASH, keccak(text="pmarket"), keccak(text="1"), chain_id, verifying_contract],
        )
    )


def order_digest(order: Order, chain_id: int, verifying_contract: str) -> bytes:
    """The order's EIP-712 digest under the deployment's domain (its key in the book)."""
    struct_hash = keccak(encode(_FIELDS, [ORDER_TYPEHASH, *order.as_tuple()]))
    return keccak(b"\x19\x01" + domain_separator(chain_id, verifying_contract) + struct_hash)


def recover_eoa(digest: bytes, signature: bytes) -> Optional[str]:
    """The signer of a 65-byte ``r || s || v`` signature, or None where OpenZeppelin refuses it."""
    if len(signature) != 65:
        return None
    r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
    if s > HALF_N or v not in (27, 28) or r == 0 or s == 0:
        return None
    try:
        key = keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest)
    except BadSignature:  # an r off the curve: ecrecover returns zero
        return None
    return addr(key.to_checksum_address())


def signature_valid(trader: str, digest: bytes, signature: bytes, erc1271: Optional[Erc1271] = None) -> bool:
    """Whether ``signature`` is ``trader``'s over ``digest`` (EOA; ERC-1271 through ``erc1271``)."""
    signer = recover_eoa(digest, signature)
    if signer is not None and signer == addr(trader):
        return True
    return erc1271(trader, digest, signature) if erc1271 is not None else False
