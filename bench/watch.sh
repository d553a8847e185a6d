#!/bin/sh
# Benchmarks `roster watch`: drop-to-export latency of a 10-row file (p50/p99 over 200 drops),
# the throughput of a burst of small files, and, for comparison, how fast `inotifywait` itself
# sees the same renames.
#
#   bench/watch.sh                      # uses .build/release/roster, else .build/debug/roster
#   ROSTER=path/to/roster DROPS=200 BURST=10000 bench/watch.sh
#
# Goal: p50 under 50 ms and p99 under 200 ms, settle window included.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${ROSTER:-}" ]; then
    if [ -x .build/release/roster ]; then ROSTER=.build/release/roster; else ROSTER=.build/debug/roster; fi
fi
export ROSTER DROPS="${DROPS:-200}" BURST="${BURST:-10000}"
command -v inotifywait > /dev/null || { echo "bench: install inotify-tools for inotifywait" >&2; exit 1; }
echo "bench: $ROSTER, $DROPS drops, burst of $BURST"
exec python3 - <<'PY'
import os, subprocess, sys, tempfile, time, signal

roster = os.path.abspath(os.environ["ROSTER"])
drops = int(os.environ["DROPS"])
burst = int(os.environ["BURST"])

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

def start_agent(root):
    watch, state = f"{root}/watch", f"{root}/state"
    err = open(f"{root}/stderr.log", "w")
    agent = subprocess.Popen([roster, "watch", "--watch", watch, "--state", state], cwd=root, stderr=err,
                             stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while "Watching the drop folder" not in open(f"{root}/stderr.log").read():
        if time.time() > deadline or agent.poll() is not None:
            sys.exit("bench: the agent did not start; see " + f"{root}/stderr.log")
        time.sleep(0.05)
    return agent, watch, state

def stop(agent):
    agent.send_signal(signal.SIGTERM)
    agent.wait(timeout=60)

def rows(first, count, tag):
    return "full_name,email\n" + "".join(f"Person {tag}{i},{tag}{i}@example.com\n" for i in range(first, first + count))

# Drop-to-export latency.
with tempfile.TemporaryDirectory() as root:
    agent, watch, state = start_agent(root)
    export = f"{state}/exports/users.csv"
    latencies = []
    for n in range(drops):
        staging = f"{watch}/.drop-{n}.staging"
        with open(staging, "w") as f:
            f.write(rows(n * 10, 10, "lat"))
        marker = f"lat{n * 10 + 9}@example.com"
        t0 = time.perf_counter()
        os.rename(staging, f"{watch}/drop-{n}.csv")
        while True:
            try:
                with open(export) as f:
                    if marker in f.read():
                        break
            except FileNotFoundError:
                pass
            time.sleep(0.0005)
        latencies.append((time.perf_counter() - t0) * 1000)
    stop(agent)
    print(f"drop-to-export latency, 10-row file, {drops} drops: "
          f"p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")

# inotifywait latency on the same kind of renames.
with tempfile.TemporaryDirectory() as root:
    os.mkdir(f"{root}/watch")
    watcher = subprocess.Popen(["inotifywait", "-m", "-q", "-e", "moved_to", "--format", "%f", f"{root}/watch"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    time.sleep(0.5)
    seen = []
    for n in range(drops):
        staging = f"{root}/watch/.drop-{n}.staging"
        with open(staging, "w") as f:
            f.write(rows(n * 10, 10, "lat"))
        t0 = time.perf_counter()
        os.rename(staging, f"{root}/watch/drop-{n}.csv")
        watcher.stdout.readline()
        seen.append((time.perf_counter() - t0) * 1000)
    watcher.terminate()
    print(f"inotifywait rename-to-event latency, {drops} renames: "
          f"p50 {pct(seen, 50):.2f} ms, p99 {pct(seen, 99):.2f} ms")

# Burst throughput.
with tempfile.TemporaryDirectory() as root:
    agent, watch, state = start_agent(root)
    os.makedirs(f"{root}/staging")
    for n in range(burst):
        with open(f"{watch}/.b-{n}.staging", "w") as f:
            f.write(rows(n, 1, "burst"))
    t0 = time.perf_counter()
    for n in range(burst):
        os.rename(f"{watch}/.b-{n}.staging", f"{watch}/b-{n}.csv")
    renamed = time.perf_counter() - t0
    archive = f"{state}/archive"
    while len(os.listdir(archive)) < burst:
        time.sleep(0.1)
    applied = time.perf_counter() - t0
    export = f"{state}/exports/users.csv"
    while True:
        with open(export) as f:
            if sum(1 for _ in f) - 1 >= burst:
                break
        time.sleep(0.05)
    exported = time.perf_counter() - t0
    stop(agent)
    rejected = len(os.listdir(f"{state}/rejected"))
    print(f"burst of {burst} files: renamed in {renamed:.2f} s, all archived after {applied:.1f} s "
          f"({burst / applied:.0f} files/s), exported after {exported:.1f} s, rejected {rejected}")

with tempfile.TemporaryDirectory() as root:
    os.mkdir(f"{root}/watch")
    for n in range(burst):
        with open(f"{root}/watch/.b-{n}.staging", "w") as f:
            f.write(rows(n, 1, "burst"))
    watcher = subprocess.Popen(["inotifywait", "-m", "-q", "-e", "moved_to", "--format", "%f", f"{root}/watch"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    time.sleep(0.5)
    t0 = time.perf_counter()
    for n in range(burst):
        os.rename(f"{root}/watch/.b-{n}.staging", f"{root}/watch/b-{n}.csv")
    for _ in range(burst):
        watcher.stdout.readline()
    elapsed = time.perf_counter() - t0
    watcher.terminate()
    print(f"inotifywait seeing the burst of {burst} renames: {elapsed:.2f} s ({burst / elapsed:.0f} events/s)")
PY
