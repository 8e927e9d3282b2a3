#!/usr/bin/env python3
"""How fast `switchyard run --from DIR` follows an edit at scale, and what memory it keeps.

As root: writes a generated cluster as manifests (`switchyard bench --write-manifests`), starts
`switchyard run --from DIR` inside a throwaway network namespace, then edits one endpoint of one
EndpointSlice at a time (written to a temporary file, renamed over the manifest, as kubectl-like
tools do) and times each edit until
  - the file source delivered the change (its "Manifests changed" line at -v=2, when it has one),
  - the sync that carries it completed, i.e. the rule is in the kernel ("SyncProxyRules complete").
Peak RSS (VmHWM) is read after the first sync and after the edits; the last edit's address is
looked up in the namespace's nat table to check it reached the kernel.

    sudo scripts/file-source-scale.py --jar agent/target/switchyard.jar --services 10000 \\
        --endpoints-per-service 10 --layout bench --edits 20

--layout bench edits the generator's three files (every slice in endpointslices.yaml);
--layout per-object first splits them into one file per object, and edits one slice's file.
"""

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

SYNC = re.compile(r"SyncProxyRules complete .*changedServices=(\d+)")
DELIVERED = re.compile(r"Manifests changed .*elapsed=(\d+)ms")
FIRST_SYNC = re.compile(r"SyncProxyRules complete ipFamily=IPv4 fullSync=true numServices=[1-9]")
DRIFT = re.compile(r"Rules drifted from what was applied ipFamily=IPv4")
STAMP = re.compile(r"^[IWEF](\d{4} \d\d:\d\d:\d\d\.\d{6})")


def log_time(line):
    """The klog timestamp of a line (UTC), as seconds since the epoch."""
    match = STAMP.match(line)
    if not match:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = datetime.datetime.strptime(f"{now.year}{match.group(1)}", "%Y%m%d %H:%M:%S.%f")
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()


def split_documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [d for d in re.split(r"(?m)^---\n", text) if d.strip()]


def per_object(source, target):
    """One file per Service, EndpointSlice and Node, named after the object."""
    os.makedirs(target, exist_ok=True)
    for name in ("node.yaml", "services.yaml", "endpointslices.yaml"):
        for document in split_documents(os.path.join(source, name)):
            kind = re.search(r"(?m)^kind: (\w+)", document).group(1)
            object_name = re.search(r"(?m)^  name: (\S+)", document).group(1)
            with open(os.path.join(target, f"{object_name}.{kind.lower()}.yaml"), "w", encoding="utf-8") as f:
                f.write("---\n" + document)


def replace_atomically(path, text):
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(temporary, path)


def edit(path, service, address):
    """Moves the first endpoint of the service's slice to `address`, in the file that holds the slice."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.index(f"  name: {service}-abcde\n")
    first = re.compile(r"(?m)^  - \d+\.\d+\.\d+\.\d+$").search(text, start)
    replace_atomically(path, text[:first.start()] + f"  - {address}" + text[first.end():])


def vm(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def heap_after_gc(java, pid):
    """The heap in use right after a full GC (what the process retains), through jcmd; -1 when unknown."""
    jcmd = os.path.join(os.path.dirname(java), "jcmd")
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True)
    info = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True).stdout
    match = re.search(r"used (\d+)K", info)
    return int(match.group(1)) * 1024 if match else -1


class Log:
    """Follows the agent's log file."""

    def __init__(self, path):
        self.file = open(path, encoding="utf-8", errors="replace")
        self.lines = []

    def wait_for(self, pattern, after, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.file.readline()
            if not line:
                time.sleep(0.01)
                continue
            self.lines.append(line)
            match = pattern.search(line)
            stamp = log_time(line)
            if match and stamp is not None and stamp >= after:
                return match, stamp
        return None, None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
    parser.add_argument("--jvm-options", default="-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Xms16m "
                        "-XX:MaxNewSize=32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 "
                        "--enable-native-access=ALL-UNNAMED",
                        help="the agent's JVM options (default: the ./switchyard launcher's)")
    parser.add_argument("--services", type=int, default=10000)
    parser.add_argument("--endpoints-per-service", type=int, default=10)
    parser.add_argument("--layout", choices=("bench", "per-object"), default="bench")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between edits")
    parser.add_argument("--work", help="where the manifests go (default: a temporary directory)")
    parser.add_argument("--sync-period", default="1h",
                        help="the agent's --iptables-sync-period (default 1h: no periodic sync or drift check "
                             "lands among the edits)")
    args = parser.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="sy-file-source-")
    generated = os.path.join(work, "generated")
    if not os.path.exists(os.path.join(generated, "endpointslices.yaml")):
        subprocess.run([args.java, "-jar", args.jar, "bench", "--services", str(args.services),
                        "--endpoints-per-service", str(args.endpoints_per_service), "--write-manifests", generated],
                       check=True, stdout=subprocess.DEVNULL)
    manifests = os.path.join(work, "manifests-" + args.layout)
    if os.path.exists(manifests):
        subprocess.run(["rm", "-rf", manifests], check=True)
    if args.layout == "bench":
        subprocess.run(["cp", "-r", generated, manifests], check=True)
    else:
        per_object(generated, manifests)
    files = len(os.listdir(manifests))

    namespace = "sy-filesource-" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    log_path = os.path.join(work, f"run-{args.layout}.log")
    agent = None
    try:
        with open(log_path, "w") as out:
            agent = subprocess.Popen(["ip", "netns", "exec", namespace, args.java, *args.jvm_options.split(),
                                      "-jar", args.jar, "run",
                                      "--from", manifests, "--hostname-override", "node-a",
                                      "--cluster-cidr", "10.128.0.0/9", "--iptables-sync-period", args.sync_period,
                                      "-v", "2"],
                                     stdout=out, stderr=subprocess.STDOUT)
        log = Log(log_path)
        started = time.time()
        match, stamp = log.wait_for(FIRST_SYNC, 0, 600)
        if not match:
            sys.exit("no first sync; see " + log_path)
        print(f"{args.layout} layout, {files} files: first IPv4 sync {stamp - started:.1f} s after start")
        # The edits start on a quiet agent: if a drift check repairs the first sync, wait for that too.
        drift, _ = log.wait_for(DRIFT, 0, 5)
        if drift:
            print("  (a drift check started another full sync; waiting for it)")
            log.wait_for(FIRST_SYNC, 0, 600)
            time.sleep(2)
        rss_before = vm(agent.pid, "VmHWM")
        heap_before = heap_after_gc(args.java, agent.pid)

        delivered, synced = [], []
        address = None
        for i in range(args.edits):
            service = f"svc-{100 + i}"
            address = f"10.250.{i // 250}.{i % 250 + 1}"
            path = os.path.join(manifests, "endpointslices.yaml" if args.layout == "bench"
                                else f"{service}-abcde.endpointslice.yaml")
            before = time.time()
            edit(path, service, address)
            after = time.time()
            # both lines come in order: the delivery (new source only), then the sync
            seen_delivery = None
            deadline = time.time() + 120
            while time.time() < deadline:
                line = log.file.readline()
                if not line:
                    time.sleep(0.01)
                    continue
                stamp = log_time(line)
                if stamp is None or stamp < before:
                    continue
                if DELIVERED.search(line) and seen_delivery is None:
                    seen_delivery = stamp - after
                sync = SYNC.search(line)
                if sync and int(sync.group(1)) > 0:
                    synced.append(stamp - after)
                    break
            else:
                sys.exit(f"edit {i}: no sync within 120 s; see {log_path}")
            if seen_delivery is not None:
                delivered.append(seen_delivery)
            print(f"  edit {i + 1:2d} ({service} -> {address}): "
                  + (f"delivered {seen_delivery:6.3f} s, " if seen_delivery is not None else "")
                  + f"in the kernel {synced[-1]:6.3f} s")
            time.sleep(args.pause)
        rss_after = vm(agent.pid, "VmHWM")
        heap_after = heap_after_gc(args.java, agent.pid)
        rules = subprocess.run(["ip", "netns", "exec", namespace, "iptables-save", "-t", "nat"],
                               capture_output=True, text=True).stdout
        in_kernel = f"-s {address}/32" in rules or f"{address}:8080" in rules

        def median(values):
            return sorted(values)[len(values) // 2] if values else float("nan")

        print(f"edit -> delivered: median {median(delivered):.3f} s, max {max(delivered, default=float('nan')):.3f} s")
        print(f"edit -> in the kernel: median {median(synced):.3f} s, max {max(synced):.3f} s")
        print(f"peak RSS (VmHWM): {rss_before / 1e6:.0f} MB after the first sync, "
              f"{rss_after / 1e6:.0f} MB after {args.edits} edits")
        print(f"heap in use after a full GC: {heap_before / 1e6:.0f} MB after the first sync, "
              f"{heap_after / 1e6:.0f} MB after {args.edits} edits")
        print(f"last edit's address in the nat table: {in_kernel}")
    finally:
        if agent is not None:
            agent.terminate()
            try:
                agent.wait(30)
            except subprocess.TimeoutExpired:
                agent.kill()
        subprocess.run(["ip", "netns", "del", namespace])


if __name__ == "__main__":
    main()
