#!/usr/bin/env python3
"""Run newsgraph on Apache Spark: the per-document stages on the executors, the corpus stages
on the driver.

    python scripts/spark_newsgraph.py CORPUS --out DIR [--master local[2]] [--partitions N]
    spark-submit --archives bundle.tar.gz#ng scripts/spark_newsgraph.py hdfs:///corpus.jsonl \
        --out out --bin ./ng/ng/newsgraph --model ./ng/ng/models/ner-distilbert-cased

CORPUS is a corpus JSONL file (any path Spark reads: local, hdfs://, s3a://) or a local
directory of articles; a directory is first turned into corpus JSONL by `newsgraph lines` on
the driver, so decoding, the manifest and web-page reading are exactly those of
`newsgraph run`.

Steps: read the lines; stamp each with `seq` (its position, `zipWithIndex`, before any
shuffle); repartition; run `newsgraph extract --jsonl` on each partition through a checked
subprocess (the environment inherited, the exit code checked, one record out per line in,
the partition, its size and the tail of stderr in any error); write the records as text
part files; run `newsgraph assemble` on them. The output files are those of `newsgraph run`
on the same corpus, byte for byte (run.json aside).

Why not `RDD.pipe`: it starts the command with an empty environment unless `env=` is given,
ignores its exit code unless `checkCode=True` (a dying worker then makes a "successful" job
with records missing), and turns non-strings into Python reprs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import itertools
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stamp(line: str, seq: int) -> str:
    """The line with `"seq": seq` added (a line that is not a JSON object is passed as is, and
    extract reports it)."""
    try:
        obj = json.loads(line)
    except ValueError:
        return line
    if not isinstance(obj, dict):
        return line
    obj["seq"] = seq
    return json.dumps(obj, ensure_ascii=False)


def extract_partition(cmd: list[str], threads: int):
    """A mapPartitionsWithIndex function that pipes a partition through `cmd` and checks it."""

    def run(index, rows):
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", str(threads))
        proc = subprocess.Popen(cmd + ["--threads", str(threads)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        sent = [0]
        err_chunks: list[bytes] = []

        def feed():
            try:
                for line, seq in itertools.chain([first], rows):
                    # A newline inside a record would split it: JSON escapes them.
                    data = stamp(line, seq).replace("\n", " ") + "\n"
                    proc.stdin.write(data.encode("utf-8"))
                    sent[0] += 1
            except BrokenPipeError:
                pass
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        def drain():
            err_chunks.append(proc.stderr.read())

        writer = threading.Thread(target=feed, daemon=True)
        reader = threading.Thread(target=drain, daemon=True)
        writer.start()
        reader.start()
        out = []
        for raw in proc.stdout:
            out.append(raw.decode("utf-8").rstrip("\n"))
        code = proc.wait()
        writer.join()
        reader.join()
        tail = b"".join(err_chunks).decode("utf-8", "replace")[-2000:]
        if code != 0:
            raise RuntimeError(f"partition {index}: `{' '.join(cmd)}` exited with {code} after "
                               f"{sent[0]} input lines; stderr ends:\n{tail}")
        if len(out) != sent[0]:
            raise RuntimeError(f"partition {index}: {sent[0]} lines in but {len(out)} records out; "
                               f"stderr ends:\n{tail}")
        yield from out

    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="corpus JSONL (any Spark path) or a local directory of articles")
    ap.add_argument("--out", required=True, help="output directory (as newsgraph run --out)")
    ap.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[2])")
    ap.add_argument("--partitions", type=int, default=0, help="partitions for extract (default: Spark's parallelism)")
    ap.add_argument("--threads", type=int, default=1, help="threads per extract task (match spark.task.cpus)")
    ap.add_argument("--bin", default=str(ROOT / "target/release/newsgraph"),
                    help="newsgraph binary as the executors see it (./ng/ng/newsgraph with --archives)")
    ap.add_argument("--driver-bin", default=None, help="newsgraph binary on the driver (default: --bin)")
    ap.add_argument("--model", default=None, help="model directory as the executors see it")
    ap.add_argument("--records", default=None, help="where to keep the records (default: a temporary directory)")
    ap.add_argument("--force", action="store_true", help="replace a non-empty --out")
    for table in ("aliases", "measures", "credits"):
        ap.add_argument(f"--{table}", help=f"newsgraph's --{table}, for extract and assemble (a path both see)")
    args = ap.parse_args()

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("newsgraph")
    if args.master or "SPARK_HOME" not in os.environ and not os.environ.get("PYSPARK_SUBMIT_ARGS"):
        builder = builder.master(args.master or "local[2]")
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    driver_bin = args.driver_bin or args.bin
    work = Path(tempfile.mkdtemp(prefix="newsgraph-spark-"))
    try:
        corpus = args.corpus
        name = Path(corpus).name
        if Path(corpus).is_dir():
            lines_file = work / "corpus.jsonl"
            with open(lines_file, "wb") as fh:
                subprocess.run([driver_bin, "lines", corpus], stdout=fh, check=True)
            corpus = str(lines_file)
            name = "stdin"
        lines = sc.textFile(corpus)
        # Positions before any shuffle: the ids of lines without one, and the order of records.
        stamped = lines.zipWithIndex().filter(lambda x: x[0].strip())
        parts = args.partitions or sc.defaultParallelism
        stamped = stamped.repartition(parts)
        cmd = [args.bin, "extract", "--jsonl", "--name", name]
        if args.model:
            cmd += ["--model", args.model]
        tables = [x for t in ("aliases", "measures", "credits") if getattr(args, t)
                  for x in (f"--{t}", getattr(args, t))]
        cmd += tables
        records = stamped.mapPartitionsWithIndex(extract_partition(cmd, args.threads))
        rec_dir = Path(args.records) if args.records else work / "records"
        if rec_dir.exists():
            shutil.rmtree(rec_dir)
        records.saveAsTextFile(str(rec_dir))
        n_in, n_out = stamped.count(), sum(1 for p in rec_dir.glob("part-*") for _ in open(p, encoding="utf-8"))
        if n_in != n_out:
            raise RuntimeError(f"{n_in} corpus lines but {n_out} records")
        assemble = [driver_bin, "assemble", str(rec_dir), "--out", args.out] + tables
        if args.force:
            assemble.append("--force")
        code = subprocess.run(assemble).returncode
        print(f"spark_newsgraph: {n_in} documents in {parts} partitions, records in {rec_dir}, "
              f"assemble exited {code}", file=sys.stderr)
        return code
    finally:
        spark.stop()
        if not args.records:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
