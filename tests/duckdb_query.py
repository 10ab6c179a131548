"""Run SQL against a govtext dataset in DuckDB and print the rows as JSON.

Usage: python duckdb_query.py DATASET_DIR "SQL" ["SQL" ...]
Every table is a view over read_parquet(DIR/<table>/**/*.parquet, hive_partitioning = true),
exactly as the README tells users to open it. Prints one JSON list of rows per statement.
"""
import json
import sys

import duckdb

TABLES = ["documents", "sections", "sentences", "indicators", "rejects"]


def main():
    root, sqls = sys.argv[1], sys.argv[2:]
    con = duckdb.connect()
    for t in TABLES:
        con.execute(
            f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{root}/{t}/**/*.parquet', "
            f"hive_partitioning = true, union_by_name = true)"
        )
    for sql in sqls:
        cur = con.execute(sql)
        if cur.description is None:  # a statement without a result (CREATE VIEW …)
            print("[]")
            continue
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
        print(json.dumps(rows, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
