"""EIP-712 typed data of pmarket: the domain, the Order and Definition messages, signing.

The type strings here and in ``contracts/libraries/OrderStructs.sol`` are the same; a test hashes
random orders both ways. Signing works with any ape account (``account.sign_message``: test,
keyfile and hardware-wallet accounts alike) and with a bare eth-account private key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Union

from eip712.messages import EIP712Domain, EIP712Message
from eth_account import Account
from eth_account.messages import SignableMessage
from eth_pydantic_types import abi
from eth_utils import keccak, to_checksum_address

from .errors import PMarketError

DOMAIN_NAME = "pmarket"
DOMAIN_VERSION = "1"


class SigningError(PMarketError):
    """A signer could not produce a usable signature."""


@dataclass(frozen=True)
class Domain:
    """The EIP-712 domain of one deployment: name, version, chain id and contract address."""

    chain_id: int
    verifying_contract: str

    def eip712(self) -> EIP712Domain:
        return EIP712Domain(
            name=DOMAIN_NAME,
            version=DOMAIN_VERSION,
            chainId=self.chain_id,
            verifyingContract=to_checksum_address(self.verifying_contract),
        )


class Order(EIP712Message):
    """The EIP-712 ``Order`` message (field names and types exactly as signed)."""

    tradeRootId: abi.uint256
    tradeBranchId: abi.uint16
    isMatched: abi.bool
    price: abi.int128
    quantity: abi.int128
    marketRootId: abi.uint256
    marketBranchId: abi.uint16
    trader: abi.address
    tradeType: abi.uint8
    previous: abi.bytes32
    expiry: abi.uint64


class Definition(EIP712Message):
    """The EIP-712 ``Definition`` message of a relayed market definition."""

    rootId: abi.uint256
    branchId: abi.uint16
    min: abi.int128
    max: abi.int128
    signer: abi.address
    nonce: abi.uint256
    deadline: abi.uint64


TypedMessage = Union[Order, Definition]


class ApeSigner(Protocol):
    """What pmarket needs of an ape account: an address and ``sign_message``."""

    address: Any

    def sign_message(self, msg: Any, **kwargs: Any) -> Any: ...


def digest(message: TypedMessage) -> bytes:
    """The 32-byte EIP-712 digest (``_hashTypedDataV4`` on-chain) of a typed message."""
    signable = message.signable_message
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def signable(message: TypedMessage) -> SignableMessage:
    """The message as eth-account's ``SignableMessage``."""
    return message.signable_message


def sign(message: TypedMessage, signer: Union[ApeSigner, str, bytes]) -> bytes:
    """Sign a typed message; returns the 65-byte ``r || s || v`` signature the contracts take.

    ``signer`` is an ape account (anything with ``sign_message``) or a raw private key.
    """
    if isinstance(signer, (str, bytes)):
        return bytes(Account.sign_message(message.signable_message, signer).signature)
    if not hasattr(signer, "sign_message"):
        raise SigningError(f"{signer!r} cannot sign: pass an ape account or a private key")
    signature = signer.sign_message(message)
    if signature is None:
        raise SigningError(f"account {getattr(signer, 'address', signer)} declined to sign")
    return bytes(signature.encode_rsv())


def recover(message: TypedMessage, signature: bytes) -> str:
    """The address whose key produced ``signature`` over ``message`` (EOA signatures only)."""
    return to_checksum_address(Account.recover_message(message.signable_message, signature=signature))
