#!/usr/bin/env python3
"""Crash and fault loops for the real `roster watch` (release build).

    scripts/reliability.py kill-loop [ITERATIONS]   kill -9 at random moments, restart, check
    scripts/reliability.py faults                   disk full, read-only and removed state folder
    scripts/reliability.py long-line [MB]           a single line of MB megabytes (default 50)

Environment: ROSTER_BIN (default .build/release/roster, built if missing), ROSTER_SEED (random
seed, printed), ROSTER_ROWS (rows per dropped file in the kill loop, default 20000).
Every run prints one `RESULT` line with its figures; the exit status is 0 only when every check held.
The fault runs need root (tmpfs and bind mounts) and say SKIPPED otherwise.
"""

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("ROSTER_BIN", os.path.join(ROOT, ".build/release/roster"))


def log(*args):
    print(*args, flush=True)


def ensure_binary():
    if not os.path.exists(BIN):
        log("== building", BIN)
        subprocess.run(["swift", "build", "-c", "release", "--product", "roster"], cwd=ROOT, check=True)


class Agent:
    """One `roster watch` process on `work/watch` and `work/state`."""

    def __init__(self, work, state=None, config=None):
        self.work = work
        self.watch = os.path.join(work, "watch")
        self.state = state or os.path.join(work, "state")
        self.stderr_path = os.path.join(work, "stderr.log")
        self.config = config
        self.process = None
        self.prefix = []
        os.makedirs(self.watch, exist_ok=True)

    def start(self):
        args = self.prefix + [BIN, "watch", "--watch", self.watch, "--state", self.state]
        if self.config:
            args += ["--config", self.config]
        env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "JOURNAL_STREAM")}
        self.mark = os.path.getsize(self.stderr_path) if os.path.exists(self.stderr_path) else 0
        self.process = subprocess.Popen(
            args, cwd=self.work, env=env, stdout=subprocess.DEVNULL, stderr=open(self.stderr_path, "ab"))

    def log_since_start(self):
        with open(self.stderr_path, "rb") as f:
            f.seek(self.mark)
            return f.read().decode("utf-8", "replace")

    def wait_ready(self, timeout=60):
        return wait(lambda: "Watching the drop folder" in self.log_since_start() or not self.running(), timeout)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill9(self):
        if self.running():
            self.process.send_signal(signal.SIGKILL)
        if self.process:
            self.process.wait()

    def stop(self, timeout=60):
        if not self.running():
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9

    def drop(self, name, data):
        staging = os.path.join(self.watch, "." + name + ".staging")
        with open(staging, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(staging, os.path.join(self.watch, name))

    def inbox(self):
        return sorted(n for n in os.listdir(self.watch) if not n.startswith("."))

    def export_file(self):
        try:
            with open(os.path.join(self.state, "exports/users.csv"), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def export_now(self):
        """`roster export --out -`: the store, exported on demand."""
        out = subprocess.run(
            [BIN, "export", "--state", self.state, "--out", "-"], cwd=self.work, capture_output=True, check=True)
        return out.stdout


def wait(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def users_csv(prefix, rows):
    lines = ["full_name,email"] + [f"Person {prefix} {j},p{prefix}-{j}@example.com" for j in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def integrity(database):
    with sqlite3.connect(database) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


# MARK: - kill loop


def kill_loop(iterations):
    ensure_binary()
    seed = int(os.environ.get("ROSTER_SEED", str(random.randrange(1 << 30))))
    rows = int(os.environ.get("ROSTER_ROWS", "20000"))
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="roster-kill-")
    agent = Agent(work)
    log(f"== kill loop: {iterations} iterations, {rows} rows per file, seed {seed}, in {work}")
    dropped = {}
    kills = 0
    started = time.monotonic()
    agent.start()
    agent.wait_ready()
    for i in range(iterations):
        data = users_csv(i, rows)
        dropped[sha256(data)] = f"drop-{i}.csv"
        agent.drop(f"drop-{i}.csv", data)
        # Kill at a random moment: before the file is seen, while it is read or committed, while
        # the outputs are written, or after; every fourth time let the agent start and settle first.
        time.sleep(rng.uniform(0, 1.5))
        agent.kill9()
        kills += 1
        agent.start()
        if i % 4 == 3:
            agent.wait_ready()
        if i % 10 == 9:
            log(f"   {i + 1} iterations, {int(time.monotonic() - started)}s")
    # Let the last agent finish everything.
    agent.wait_ready()
    finished = wait(lambda: not agent.inbox(), 600)
    time.sleep(1)
    status = agent.stop()

    failures = []
    if not finished:
        failures.append(f"files left in the drop folder: {agent.inbox()}")
    if status != 0:
        failures.append(f"the agent exited {status} on SIGTERM")
    database = os.path.join(agent.state, "roster.sqlite")
    check = integrity(database)
    if check != "ok":
        failures.append(f"integrity_check: {check}")
    with sqlite3.connect(database) as db:
        applied = {}
        for sha, count in db.execute("SELECT sha256, count(*) FROM ingest WHERE outcome = 'applied' GROUP BY sha256"):
            applied[sha] = count
        rejected = db.execute("SELECT count(*) FROM ingest WHERE outcome = 'rejected'").fetchone()[0]
        people = db.execute("SELECT count(*) FROM person").fetchone()[0]
        emails = db.execute("SELECT count(*), count(DISTINCT address) FROM email").fetchone()
    lost = [name for sha, name in dropped.items() if sha not in applied]
    twice = [dropped.get(sha, sha) for sha, count in applied.items() if count != 1]
    if lost:
        failures.append(f"never applied: {lost}")
    if twice:
        failures.append(f"applied more than once: {twice}")
    if rejected:
        failures.append(f"{rejected} files rejected")
    if people != iterations * rows:
        failures.append(f"{people} people, expected {iterations * rows}")
    if emails[0] != emails[1]:
        failures.append("an email is held twice")
    archived = set()
    archive = os.path.join(agent.state, "archive")
    for name in os.listdir(archive):
        with open(os.path.join(archive, name), "rb") as f:
            archived.add(sha256(f.read()))
    if not set(dropped) <= archived:
        failures.append(f"{len(set(dropped) - archived)} inputs missing from the archive")
    export = agent.export_file()
    if export != agent.export_now():
        failures.append("exports/users.csv differs from `roster export --out -`")
    leftovers = [n for n in os.listdir(os.path.join(agent.state, "exports")) if n.startswith(".")]
    elapsed = int(time.monotonic() - started)
    log(f"RESULT kill-loop iterations={iterations} kills={kills} rows_per_file={rows} applied={len(applied)} "
        f"lost={len(lost)} duplicated={len(twice)} integrity={check} people={people} "
        f"export_matches_store={export == agent.export_now()} temp_leftovers={len(leftovers)} seed={seed} "
        f"seconds={elapsed}")
    for failure in failures:
        log("FAIL", failure)
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return not failures


# MARK: - faults


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def faults():
    if os.geteuid() != 0:
        log("SKIPPED faults: tmpfs and bind mounts need root")
        return True
    ensure_binary()
    results = []
    for name, fault in (("disk-full", disk_full), ("read-only-state", read_only_state),
                        ("state-removed", state_removed), ("read-only-drop-folder", read_only_drop)):
        work = tempfile.mkdtemp(prefix=f"roster-{name}-")
        log(f"== fault: {name} in {work}")
        try:
            ok, detail = fault(work)
        except Exception as error:  # noqa: BLE001 - a fault run reports, never crashes the script
            ok, detail = False, f"exception {error!r}"
        finally:
            for mount in reversed(open("/proc/mounts").read().split("\n")):
                parts = mount.split(" ")
                if len(parts) > 1 and parts[1].startswith(work):
                    run("umount", "-l", parts[1])
        log(f"RESULT fault {name} survived={ok} {detail}")
        results.append(ok)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
    return all(results)


def disk_full(work):
    """The state folder on a 3 MB tmpfs: a big file fills it. The agent says so, keeps the previous
    exports, leaves the input in place, and applies it once the disk has room again."""
    state = os.path.join(work, "state")
    os.makedirs(state)
    if run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", state).returncode != 0:
        return True, "SKIPPED (tmpfs not available)"
    agent = Agent(work, state=state)
    agent.start()
    agent.wait_ready()
    agent.drop("small.csv", users_csv("small", 10))
    if not wait(lambda: agent.export_file() and agent.export_file().count(b"\n") == 11, 60):
        return False, "the small file was not applied"
    before = agent.export_file()
    agent.drop("big.csv", users_csv("big", 60000))
    said = wait(lambda: "disk is full" in agent.log_since_start() or "full" in agent.log_since_start().lower(), 120)
    time.sleep(2)
    kept = agent.export_file() == before and agent.inbox() == ["big.csv"] and agent.running()
    integrity_full = integrity(os.path.join(state, "roster.sqlite"))
    run("mount", "-o", "remount,size=256m", state)
    recovered = wait(lambda: not agent.inbox() and agent.export_file() and
                     agent.export_file().count(b"\n") == 60011, 180)
    status = agent.stop()
    matches = agent.export_file() == agent.export_now()
    ok = said and kept and recovered and status == 0 and matches and integrity_full == "ok"
    return ok, (f"reported={said} previous_exports_kept_and_input_in_place={kept} integrity_while_full={integrity_full} "
                f"recovered={recovered} exit={status} export_matches_store={matches}")


def read_only_state(work):
    """The state folder becomes read-only under a running agent (run as `nobody`, since root writes
    anywhere; a read-only remount is refused while the store is open): clear errors, the input
    stays, the previous exports stay, and all is applied once the folder is writable again."""
    if shutil.which("setpriv") is None:
        return True, "SKIPPED (setpriv not available)"
    os.chmod(work, 0o755)
    agent = Agent(work)
    os.makedirs(agent.state)
    for path in (agent.watch, agent.state):
        os.chown(path, 65534, 65534)
    agent.prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    agent.start()
    agent.wait_ready()
    agent.drop("one.csv", users_csv("one", 10))
    os.chown(os.path.join(agent.watch, "one.csv"), 65534, 65534)
    if not wait(lambda: not agent.inbox(), 60):
        return False, "the first file was not applied: " + agent.log_since_start()[-500:]
    time.sleep(1)
    before = agent.export_file()
    folders = [os.path.join(agent.state, name) for name in ("archive", "rejected", "exports", "reports")]
    for folder in folders + [agent.state]:
        os.chmod(folder, 0o555)
    agent.drop("two.csv", users_csv("two", 10))
    os.chown(os.path.join(agent.watch, "two.csv"), 65534, 65534)
    said = wait(lambda: "permission denied" in agent.log_since_start(), 60)
    time.sleep(3)
    kept = agent.inbox() == ["two.csv"] and agent.export_file() == before and agent.running()
    for folder in folders + [agent.state]:
        os.chmod(folder, 0o750)
    recovered = wait(lambda: not agent.inbox() and (agent.export_file() or b"").count(b"\n") == 21, 120)
    status = agent.stop()
    ok = said and kept and recovered and status == 0 and integrity(os.path.join(agent.state, "roster.sqlite")) == "ok"
    return ok, f"reported={said} input_and_exports_kept={kept} recovered={recovered} exit={status}"


def state_removed(work):
    """The state folder is removed under a running agent: a clear error and no lost input. The next
    start rebuilds the state and applies what is in the drop folder."""
    agent = Agent(work)
    agent.start()
    agent.wait_ready()
    agent.drop("one.csv", users_csv("one", 10))
    if not wait(lambda: not agent.inbox(), 60):
        return False, "the first file was not applied"
    for _ in range(20):  # the agent may be writing into it meanwhile
        shutil.rmtree(agent.state, ignore_errors=True)
        if not os.path.exists(agent.state):
            break
    agent.drop("two.csv", users_csv("two", 10))
    time.sleep(5)
    text = agent.log_since_start()
    said = "error" in text.lower() and ("does not exist" in text or "state folder" in text)
    kept = agent.inbox() == ["two.csv"]
    running = agent.running()
    status = agent.stop() if running else agent.process.returncode
    # Restart: the state folder is made again and the waiting file applied.
    agent.start()
    agent.wait_ready()
    recovered = wait(lambda: not agent.inbox() and (agent.export_file() or b"").count(b"\n") == 11, 60)
    agent.stop()
    ok = said and kept and recovered
    return ok, (f"reported={said} input_kept={kept} still_running={running} exit={status} "
                f"applied_after_restart={recovered}")


def read_only_drop(work):
    """The drop folder becomes read-only under a running agent (a read-only bind mount of a folder
    that people still write into): applied files can't leave it. The agent says so, keeps at most
    one copy in the archive (not one per retry), and the file leaves once the folder is writable."""
    agent = Agent(work)
    writable = os.path.join(work, "inbox")
    os.makedirs(writable)
    if run("mount", "--bind", writable, agent.watch).returncode != 0:
        return True, "SKIPPED (bind mounts not available)"
    agent.start()
    agent.wait_ready()
    if run("mount", "-o", "remount,ro,bind", agent.watch).returncode != 0:
        return True, "SKIPPED (read-only remount refused)"
    # The drop goes through the writable side; the agent sees it through the read-only watch.
    staging = os.path.join(writable, ".one.csv.staging")
    with open(staging, "wb") as f:
        f.write(users_csv("one", 10))
    os.rename(staging, os.path.join(writable, "one.csv"))
    said = wait(lambda: "remove the processed file" in agent.log_since_start(), 60)
    time.sleep(8)  # a few retries
    archive = os.listdir(os.path.join(agent.state, "archive"))
    # A bind mount is another file system to link(): the copy is taken back while the input stays.
    once = archive in ([], ["one.csv"])
    exported = (agent.export_file() or b"").count(b"\n") == 11
    run("mount", "-o", "remount,rw,bind", agent.watch)
    recovered = wait(lambda: not agent.inbox(), 120)
    status = agent.stop()
    ok = said and once and exported and recovered and status == 0
    return ok, f"reported={said} archived_at_most_once={once} exported={exported} left_after_fix={recovered} exit={status}"


# MARK: - long line


def long_line(megabytes):
    """A single line of MEGABYTES MB: refused (row too long), in bounded memory, agent running."""
    ensure_binary()
    work = tempfile.mkdtemp(prefix="roster-long-")
    agent = Agent(work)
    agent.start()
    agent.wait_ready()
    data = b"full_name,email\n\"" + b"x" * (megabytes << 20) + b"\",long@example.com\n"
    started = time.monotonic()
    agent.drop("long.csv", data)
    rejected = os.path.join(agent.state, "rejected", "long.csv.errors.csv")
    done = wait(lambda: os.path.exists(rejected), 300)
    seconds = time.monotonic() - started
    with open(f"/proc/{agent.process.pid}/status") as f:
        rss = next((line.split()[1] for line in f if line.startswith("VmHWM")), "?")
    reason = open(rejected).read() if done else ""
    running = agent.running()
    status = agent.stop()
    ok = done and "longer than" in reason and running and status == 0
    log(f"RESULT long-line megabytes={megabytes} refused={done} seconds={seconds:.1f} peak_rss_kb={rss} "
        f"running={running} exit={status}")
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    return ok


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "kill-loop"
    if command == "kill-loop":
        ok = kill_loop(int(sys.argv[2]) if len(sys.argv) > 2 else 50)
    elif command == "faults":
        ok = faults()
    elif command == "long-line":
        ok = long_line(int(sys.argv[2]) if len(sys.argv) > 2 else 50)
    else:
        log(__doc__)
        return 64
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
