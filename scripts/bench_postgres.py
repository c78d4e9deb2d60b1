#!/usr/bin/env python3
"""Many workers on one PostgreSQL catalog, on this machine (a script, not a test: timings are noisy).

Starts its own PostgreSQL 15 (initdb + pg_ctl in a temp dir, as the `postgres` user when run as
root; fsync and synchronous commit left ON, as a real server runs) and measures, in one run:

  catalog   `curate-bench queue-fill` records N synthetic URLs on 64 sites and plans fetch shards;
            then 1, 2 and 4 `curate-bench queue-drain` processes lease shards, record a fetched
            image per URL under the lease (commits of 100) and complete them: completed items/s.
  fetch     the shared photos served over loopback HTTP by 8 servers (127.0.0.1-8, 8 sites),
            one plain `curate fetch` (SQLite) against 1, 2, 4 `curate worker --stages fetch`.
  faces     one plain `curate faces` (SQLite) against 1, 2, 4 `curate worker --stages faces`.
  recovery  a faces worker holding the only shard is killed with SIGKILL; another worker,
            already polling, claims it: seconds from the kill to the claim (lease 5 s).

CPU: the curate processes' CPU-seconds plus the PostgreSQL server's (postmaster, its live
backends, and the backends it reaped), so the queue's whole cost is counted. The machine has 2
cores: more than 2 workers cannot be faster; compare the per-CPU-second columns.

Usage: python3 scripts/bench_postgres.py --curate .build/release/curate --bench .build/release/curate-bench
"""
import argparse, csv, functools, http.server, os, pwd, shutil, signal, socket, subprocess, sys, tempfile, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import Tee, children_cpu, table_lines  # noqa: E402

DATASET = ROOT.parent / "shared/datasets/facial-expressions-3class"
TICK = os.sysconf("SC_CLK_TCK")


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway server; `url(db)` names a database on it."""

    def __init__(self):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        cands = [Path(out.stdout.strip())] if out.returncode == 0 else []
        cands += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        self.bin = next((c for c in cands if (c / "initdb").exists()), None)
        if self.bin is None:
            sys.exit("bench-postgres: PostgreSQL is not installed (scripts/setup.sh installs it)")
        self.dir = Path(tempfile.mkdtemp(prefix="curate-bench-pg-"))
        self.as_postgres = os.getuid() == 0
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        self.run([str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
        self.run([str(self.bin / "pg_ctl"), "-w", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c max_connections=100", "start"])

    def run(self, cmd):
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"bench-postgres: {' '.join(cmd)} failed: {r.stderr}")
        return r.stdout

    def psql(self, db, sql):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-Atc", sql],
                              capture_output=True, text=True, check=True).stdout.strip()

    def create(self, name):
        self.psql("postgres", f"CREATE DATABASE {name}")
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def cpu(self):
        """Server CPU-seconds so far: the postmaster, its live children, and those it reaped."""
        pid = int((self.dir / "data/postmaster.pid").read_text().split()[0])
        def stat(p):
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            return f
        f = stat(pid)
        total = sum(int(x) for x in f[11:15])   # utime stime cutime cstime
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    g = stat(p)
                    if int(g[1]) == pid:
                        total += int(g[11]) + int(g[12])
                except (OSError, IndexError):
                    pass
        return total / TICK

    def stop(self):
        self.run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def serve(dirpath, hosts):
    """One quiet HTTP server per loopback address, all on one port; returns the port."""
    port = free_port()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass
    handler = functools.partial(Quiet, directory=str(dirpath))
    for h in hosts:
        srv = http.server.ThreadingHTTPServer((h, port), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--curate", required=True)
    ap.add_argument("--bench", required=True, help="the curate-bench binary")
    ap.add_argument("--items", type=int, default=100_000, help="synthetic URLs for the catalog run")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--shard-size", type=int, default=50)
    ap.add_argument("--copies", type=int, default=4,
                    help="fetch each photo under this many URLs (?copy=k): more items, so start-up costs amortise")
    ap.add_argument("--out", default=str(ROOT / "bench-out/postgres"))
    args = ap.parse_args()
    if not (DATASET / "labels.csv").exists():
        sys.exit(f"bench-postgres: {DATASET} is absent")
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    tee = Tee(out / "report.txt")
    counts = [int(x) for x in args.workers.split(",")]
    models = ["--models", str(ROOT / "Data/models")]
    pg = Postgres()
    try:
        run(args, out, tee, counts, models, pg)
    finally:
        pg.stop()


def run(args, out, tee, counts, models, pg):
    dbs = iter(range(1000))

    def timed(fn):
        c0, s0, t0 = children_cpu(), pg.cpu(), time.time()
        fn()
        return time.time() - t0, children_cpu() - c0, pg.cpu() - s0

    def procs(cmds):
        ps = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds]
        outs = []
        for p in ps:
            o, e = p.communicate()
            if p.returncode != 0:
                sys.exit(f"bench-postgres: {' '.join(p.args[:3])} failed ({p.returncode}): {e}")
            outs.append(o)
        return outs

    def curate(common, *a):
        return procs([[args.curate, *a, *common]])[0]

    tee(f"bench-postgres: PostgreSQL at 127.0.0.1:{pg.port} (fsync on), {os.cpu_count()} cores")

    # 1. What the catalog sustains.
    table = []
    for n in counts:
        url = pg.create(f"queue{next(dbs)}")
        procs([[args.bench, "queue-fill", "--catalog", url, "--items", str(args.items), "--sites", "64"]])
        wall, cpu, server = timed(lambda: procs([[args.bench, "queue-drain", "--catalog", url]] * n))
        done = int(pg.psql(url.rsplit("/", 1)[1], "SELECT COUNT(*) FROM urls WHERE state = 'fetched'"))
        assert done == args.items, f"{done} of {args.items} items fetched"
        table.append([n, f"{wall:.1f}", f"{done / wall:,.0f}", f"{cpu:.1f}", f"{server:.1f}", f"{done / (cpu + server):,.0f}"])
    tee("")
    tee(f"catalog: {args.items:,} synthetic URLs, shards of 1,000, commits of 100 (lease check + images + urls):")
    for line in table_lines(["drainers", "wall s", "items/s", "client CPU-s", "server CPU-s", "items/CPU-s"], table, "rrrrrr"):
        tee(line)

    # 2 and 3. fetch and faces over the shared photos.
    rows = list(csv.DictReader(open(DATASET / "labels.csv")))
    hosts = [f"127.0.0.{i}" for i in range(1, 9)]
    port = serve(DATASET, hosts)
    lst = out / "photos.tsv"
    urls = [f"http://{hosts[i % 8]}:{port}/{r['path']}?copy={k}" for k in range(args.copies) for i, r in enumerate(rows)]
    labels = [r["label"] for _ in range(args.copies) for r in rows]
    lst.write_text("".join(f"{lab}\t{u}\n" for lab, u in zip(labels, urls)))
    photos = len(rows)
    fetched = len(urls)
    plain = ["--workspace", str(out / "ws-plain")]
    f_wall, f_cpu, _ = timed(lambda: curate(plain, "fetch", str(lst)))
    curate(plain, "dedup")
    c_wall, c_cpu, _ = timed(lambda: curate(plain, "faces", *models))
    fetch_t = [["plain `curate fetch` (SQLite)", f"{f_wall:.1f}", f"{fetched / f_wall:.0f}", f"{f_cpu:.1f}", "", "", ""]]
    faces_t = [["plain `curate faces` (SQLite)", f"{c_wall:.1f}", f"{photos / c_wall:.1f}", f"{c_cpu:.1f}", "", "", ""]]
    for n in counts:
        url = pg.create(f"photos{next(dbs)}")
        common = ["--workspace", str(out / f"ws-{n}"), "--catalog", url]
        curate(common, "init")
        curate(common, "fetch", "--enqueue", str(lst))
        worker = [args.curate, "worker", "--until-idle", "--shard-size", str(args.shard_size), *models, *common]
        wall, cpu, server = timed(lambda: procs([worker + ["--stages", "fetch"]] * n))
        fetch_t.append([f"`worker --stages fetch` × {n}", f"{wall:.1f}", f"{fetched / wall:.0f}", f"{cpu:.1f}", f"{server:.1f}",
                        f"{(cpu + server - f_cpu) / fetched * 1000:+.2f}", f"{(cpu + server - f_cpu) / f_cpu * 100:+.0f}%"])
        procs([worker + ["--stages", "hash"]])
        curate(common, "dedup")
        wall, cpu, server = timed(lambda: procs([worker + ["--stages", "faces"]] * n))
        faces_t.append([f"`worker --stages faces` × {n}", f"{wall:.1f}", f"{photos / wall:.1f}", f"{cpu:.1f}", f"{server:.1f}",
                        f"{(cpu + server - c_cpu) / photos * 1000:+.2f}", f"{(cpu + server - c_cpu) / c_cpu * 100:+.1f}%"])
    heads = ["run", "wall s", "items/s", "curate CPU-s", "server CPU-s", "overhead CPU-s / 1,000", "overhead / plain CPU"]
    tee("")
    tee(f"fetch: {fetched} URLs ({photos} photos × {args.copies} copies) over loopback HTTP from 8 sites (shards of {args.shard_size}):")
    for line in table_lines(heads, fetch_t, "lrrrrrr"):
        tee(line)
    tee("")
    tee(f"faces (MTCNN + crops + quality), {photos} photos (shards of {args.shard_size}):")
    for line in table_lines(heads, faces_t, "lrrrrrr"):
        tee(line)
    tee("(overhead: workers' CPU + the server's − the plain run's; it includes each worker's start-up, about 0.1 CPU-s,")
    tee(" and for faces its model loading)")

    # 4. Lease recovery after kill -9.
    name = f"recovery{next(dbs)}"
    url = pg.create(name)
    common = ["--workspace", str(out / "ws-recovery"), "--catalog", url]
    curate(common, "init")
    curate(common, "fetch", "--enqueue", str(lst))
    procs([[args.curate, "worker", "--until-idle", "--stages", "fetch,hash", *common]])
    curate(common, "dedup")
    lease = 5.0
    worker = [args.curate, "worker", "--stages", "faces", "--lease", str(lease), "--shard-size", "100000", *models, *common]
    # The killed worker runs as another machine (its own UTS namespace and host name, as root):
    # a worker on the same host would see its pid dead and take the shard at once, which is
    # the easy case; another host's worker can only wait for the lease to run out.
    other_host = os.getuid() == 0 and shutil.which("unshare") is not None
    first = (["unshare", "--uts", "sh", "-c", 'hostname bench-other-host && exec "$@"', "sh"] + worker) if other_host else worker
    a = subprocess.Popen(first, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while pg.psql(name, "SELECT COUNT(*) FROM shards WHERE state = 'leased'") != "1":
        time.sleep(0.05)
    time.sleep(1.0)
    b = subprocess.Popen(worker + ["--poll", "0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)   # b is polling: it finds the one shard leased
    a.send_signal(signal.SIGKILL)
    killed = time.time()
    a.wait()
    while pg.psql(name, "SELECT COUNT(*) FROM shards WHERE attempts = 2 AND state IN ('leased', 'done')") != "1":
        time.sleep(0.02)
    recovered = time.time() - killed
    b.send_signal(signal.SIGINT)
    b.wait()
    tee("")
    where = "on another host (own UTS namespace)" if other_host else "on this host (not root: no other-host run)"
    tee(f"lease recovery: a faces worker {where} killed (SIGKILL) holding the only shard (lease {lease:.0f} s, renewed every "
        f"{lease / 3:.1f} s); the polling worker (--poll 0.1) claimed it {recovered:.2f} s after the kill "
        f"(target ≤ lease + 1 s = {lease + 1:.0f} s)")
    tee(f"report: {out / 'report.txt'}")


if __name__ == "__main__":
    main()
