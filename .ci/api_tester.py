"""The two halves of .ci/api-tester that talk to the service in Python.

`seed BASE TOKEN` gives the tester's user data of every kind: folders, documents, a share, a
ready export, a template, a finished import. `client BASE TOKEN` drives a client generated
from the served document (package `mesdonnees_client` on the path): it starts an export, waits
for it, downloads it through the generated call, and checks that the bytes it hands back are
the archive itself: the SHA-256 the service announced, and a zip every entry of which reads.
"""

import hashlib
import io
import sys
import time
import zipfile

import httpx


def wait(fetch, busy, what, timeout=120.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if value["status"] not in busy:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"api-tester: {what} still {value['status']} after {timeout} s")
        time.sleep(0.3)


def seed(base, token):
    api = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"})

    def ok(response, status):
        if response.status_code != status:
            sys.exit(f"api-tester: seeding: {response.request.method} {response.request.url} "
                     f"answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    folder = ok(api.post("/folders", json={"name": "Cours"}), 201)
    for name, parent in [("leçon.txt", folder["id"]), ("notes.md", None)]:
        data = {"folder_id": parent} if parent else {}
        files = {"file": (name, f"contenu de {name}\n".encode(), "text/plain")}
        document = ok(api.post("/documents", data=data, files=files), 201)
    ok(api.post(f"/documents/{document['id']}/shares", json={"user_id": "bob"}), 201)
    ok(api.post("/export-templates", json={"name": "Modèle", "apps": ["workspace"]}), 201)

    export = ok(api.post("/exports", json={"name": "Mon année"}), 202)
    export = wait(lambda: ok(api.get(f"/exports/{export['id']}"), 200), ("queued", "running"),
                  "the seeded export")
    if export["status"] != "ready":
        sys.exit(f"api-tester: the seeded export ended {export}")
    archive = api.get(f"/exports/{export['id']}/download").content

    imported = ok(api.post("/imports", content=archive,
                           headers={"Content-Type": "application/zip"}), 202)
    imported = wait(lambda: ok(api.get(f"/imports/{imported['id']}"), 200), ("analysing",),
                    "the seeded import's analysis")
    ok(api.post(f"/imports/{imported['id']}/launch", json={"apps": ["workspace"]}), 202)
    imported = wait(lambda: ok(api.get(f"/imports/{imported['id']}"), 200),
                    ("queued", "running"), "the seeded import")
    if imported["status"] != "done":
        sys.exit(f"api-tester: the seeded import ended {imported}")
    print("api-tester: seeded a folder, 2 documents, a share, a template, an export, an import")


def client(base, token):
    from mesdonnees_client import AuthenticatedClient
    from mesdonnees_client.api.exports import create_export, download_export, get_export
    from mesdonnees_client.models import CreateExport

    api = AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)
    made = create_export.sync(client=api, body=CreateExport(name="Client généré"))
    export = wait(lambda: get_export.sync(client=api, id=made.id).to_dict(),
                  ("queued", "running"), "the client's export")
    if export["status"] != "ready":
        sys.exit(f"api-tester: the client's export ended {export}")
    payload = download_export.sync(client=api, id=made.id)
    data = payload.payload.read() if hasattr(payload, "payload") else payload
    if not isinstance(data, bytes):
        sys.exit(f"api-tester: the generated client handed back {type(data).__name__}, not bytes")
    digest = hashlib.sha256(data).hexdigest()
    if digest != export["sha256"]:
        sys.exit(f"api-tester: the generated client's download has SHA-256 {digest}, "
                 f"the service announced {export['sha256']}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        bad = archive.testzip()
        if bad is not None:
            sys.exit(f"api-tester: {bad} does not read back from the generated client's zip")
        names = archive.namelist()
    print(f"api-tester: the generated client downloaded {len(data)} bytes, a zip of "
          f"{len(names)} entries, unmodified")


if __name__ == "__main__":
    command, base, token = sys.argv[1:4]
    {"seed": seed, "client": client}[command](base, token)
