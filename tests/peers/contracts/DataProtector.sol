// SPDX-License-Identifier: Apache-2.0
// A DataProtector for the local test chain, ABI-identical to iExec's (PROTOCOL.md §2), whose bytecode is not
// published: createDatasetWithSchema (selector 0x167fbf5f) mints the dataset through PoCo's DatasetRegistry for
// `owner` (so the owner, not this contract, holds the ERC-721 and signs orders and SMS pushes), and records the
// schema only in the DatasetSchema log (topic0 0x37b19b89...).
pragma solidity ^0.8.19;

interface IDatasetRegistry {
    function createDataset(address owner, string calldata name, bytes calldata multiaddr, bytes32 checksum)
        external
        returns (address);
}

contract DataProtector {
    event DatasetSchema(address indexed dataset, string schema);

    IDatasetRegistry public immutable registry;

    constructor(IDatasetRegistry datasetRegistry) {
        registry = datasetRegistry;
    }

    function createDatasetWithSchema(
        address owner,
        string calldata name,
        string calldata schema,
        bytes calldata multiaddr,
        bytes32 checksum
    ) external returns (address dataset) {
        dataset = registry.createDataset(owner, name, multiaddr, checksum);
        emit DatasetSchema(dataset, schema);
    }
}
