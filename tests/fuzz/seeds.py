#!/usr/bin/env python3
"""Writes the seed corpus of each harness from tests/vectors (the reference bytes iExec's code produced), plus a few
hand-written inputs for the grammars that have no vector. Usage: seeds.py VECTOR_DIR OUT_DIR (OUT_DIR/<harness>/)."""
import json
import io
import os
import zipfile
import sys

vectors, out = sys.argv[1], sys.argv[2]


def load(name):
    with open(os.path.join(vectors, name)) as f:
        return json.load(f)


def unhex(text):
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def write(harness, name, data):
    folder = os.path.join(out, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


zip_vector = load("zip.json")
write("zip_reader", "sdk_zip", unhex(zip_vector["zip_hex"]))
# A result zip as an iExec worker uploads it: deflated entries.
result_zip = io.BytesIO()
with zipfile.ZipFile(result_zip, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("computed.json", '{"deterministic-output-path":"/iexec_out/result.txt"}')
    z.writestr("result.txt", "hello iExec\n" * 500)
write("zip_reader", "deflated_result", result_zip.getvalue())
schema_vector = load("schema.json")
schema_json = schema_vector["mixed_object"]["schema_json"].encode()
write("unpack", "sdk_zip", b"\0" + unhex(zip_vector["zip_hex"]))
if len(schema_json) < 256:
    write("unpack", "sdk_zip_with_schema", bytes([len(schema_json)]) + schema_json + unhex(zip_vector["zip_hex"]))

# Keystores: the vector with cheap kdf parameters (the fuzzer explores the JSON, not scrypt's cost).
for i, entry in enumerate(load("keystore.json")):
    keystore = entry["keystore"]
    write("keystore", f"vector{i}", json.dumps(keystore))
    crypto = keystore.get("Crypto") or keystore.get("crypto")
    if crypto.get("kdf") == "scrypt":
        crypto["kdfparams"]["n"] = 2
    write("keystore", f"vector{i}_cheap", json.dumps(keystore))
    crypto["kdf"] = "pbkdf2"
    crypto["kdfparams"] = {"c": 1, "dklen": 32, "prf": "hmac-sha256", "salt": crypto["kdfparams"]["salt"]}
    write("keystore", f"vector{i}_pbkdf2", json.dumps(keystore))

for i, text in enumerate(["\0any.0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1",
                          "\0" + "0x2222222222222222222222222222222222222222.0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1",
                          "\1price=1.5RLC count=2", "\1price=5000,count=unlimited", "\1count=3\n",
                          "\2\"0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1\"\n", "\3" + "1.000000001 RLC", "\3" + "42",
                          "\4application/pdf", "\4f64", "\4i128"]):
    write("grants", f"seed{i}", text)

for i, entry in enumerate(load("borsh.json")):
    write("borsh_schema", f"borsh{i}", b"\0" + unhex(entry["hex"]))
    value = entry["value"]
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    write("borsh_schema", f"text{i}", b"\1" + text.encode())
write("borsh_schema", "schema", b"\2" + schema_json)
write("borsh_schema", "schema_nested", b"\2" + b'{"9":"bool","10":{"a":"f64","b":{"c":"image/png"}},"x":"string"}')

abi = load("abi.json")
write("abi", "schema_event", unhex(abi["DatasetSchema_event"]["data_for_schema"]))
write("abi", "close_calldata", unhex(abi["manageDatasetOrder_close"]["calldata"]))
write("abi", "create_calldata", unhex(abi["createDatasetWithSchema"]["calldata"])[4:])

write("json_rpc", "result", b'\1{"jsonrpc":"2.0","id":1,"result":"0x01"}')
write("json_rpc", "revert", b'\1{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted",'
      b'"data":"0x08c379a00000000000000000000000000000000000000000000000000000000000000020000000000000000000000000'
      b'00000000000000000000000000000000000000046e6f706500000000000000000000000000000000000000000000000000000000"}}')
write("json_rpc", "batch", b'\1[{"jsonrpc":"2.0","id":8,"result":[{"address":"0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1",'
      b'"topics":["0x' + b"11" * 32 + b'"],"data":"0x","blockNumber":"0x10","transactionHash":"0x' + b"22" * 32 +
      b'","logIndex":"0x0"}]},{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"insufficient funds"}}]')
write("json_rpc", "ipfs_add", b'\1{"Name":"x","Hash":"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH","Size":"6"}\n')

eip712 = load("eip712.json")
for i, entry in enumerate(eip712["dataset_orders"]):
    order = dict(entry["order"], sign=entry["sign"])
    write("market_order", f"entry{i}", json.dumps({"orderHash": entry["order_hash"], "order": order,
                                                   "status": "open", "publicationTimestamp": "2024-01-01T00:00:00Z"}))
    write("market_order", f"domain{i}", json.dumps(entry["domain"]))
login = eip712["market_login"]
write("market_order", "login", json.dumps({k: login[k] for k in ("domain", "types", "message") if k in login}))

for i, entry in enumerate(load("ipfs_cid.json")):
    write("multiaddr_cid", f"cid{i}", entry["cid_v0"])
    if "multiaddr" in entry:
        write("multiaddr_cid", f"multiaddr{i}", entry["multiaddr"])
    if "multiaddr_bytes_hex" in entry:
        write("multiaddr_cid", f"bytes{i}", unhex(entry["multiaddr_bytes_hex"]))
write("multiaddr_cid", "url", "https://example.com/data.zip")
