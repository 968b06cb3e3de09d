"""A throwaway certificate authority and server certificate for the harness's TLS ports."""

import os
import subprocess

from .common import HarnessError

_SERVER_EXTENSIONS = """\
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
"""


def make_certificates(directory):
    """Mint a throwaway CA and a server certificate for 127.0.0.1/localhost with ``openssl``.

    Writes ``ca.crt``/``ca.key`` and ``server.crt``/``server.key`` into ``directory`` and
    returns the CA file path (what clients verify against).
    """
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "server.ext"), "w") as handle:
        handle.write(_SERVER_EXTENSIONS)
    new_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes".split()
    ca_extensions = [
        *("-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        *("-addext", "subjectKeyIdentifier=hash"),
    ]
    commands = [
        ["req", "-x509", *new_key, *"-keyout ca.key -out ca.crt -days 3".split(),
         "-subj", "/CN=helpdesk_mail_ticket test CA", *ca_extensions],
        ["req", *new_key, *"-keyout server.key -out server.csr -subj /CN=127.0.0.1".split()],
        ["x509", "-req", *"-in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial".split(),
         *"-out server.crt -days 3 -extfile server.ext".split()],
    ]  # fmt: skip
    for args in commands:
        result = subprocess.run(["openssl", *args], cwd=directory, capture_output=True, check=False)
        if result.returncode:
            raise HarnessError(f"openssl {args[0]} failed: {result.stderr.decode()}")
    return os.path.join(directory, "ca.crt")
