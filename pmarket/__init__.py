"""pmarket: on-chain markets in bounded forward contracts and artifact markets.

The package is split by concern, like the contracts:

- :mod:`pmarket.wad` -- ``WAD``, exact decimal <-> 18-decimal integer conversion;
- :mod:`pmarket.addresses` -- ``address_of``: accounts as checksummed addresses;
- :mod:`pmarket.typed` -- the EIP-712 domain and typed messages (orders, definitions), signing;
- :mod:`pmarket.transport` -- transact, call, error translation, merged ABIs, ``ContractClient``;
- :mod:`pmarket.markets` -- the bounds fold (reference model) and the Markets calls;
- :mod:`pmarket.orders` -- the order model, its rules and the Orders calls;
- :mod:`pmarket.vault` -- collateral conversions and the Vault calls;
- :mod:`pmarket.collateral`, :mod:`pmarket.matching`, :mod:`pmarket.settlement` -- likewise;
- :mod:`pmarket.exchange` -- the facade over one deployment (deploy, attach, every concern's calls);
- :mod:`pmarket.errors` -- the contracts' custom errors as Python exceptions, made from the ABI.

Importing ``pmarket`` is cheap: ape is imported only by the modules that talk to a chain.
"""

__version__ = "0.1.0"
