// Writes the DuckDB-made Parquet files the tests read (and the JSONL DuckDB
// itself reads back from them, which is what our reader must match).
// Run: node make_duckdb_files.mjs OUT_DIR  (needs npm @duckdb/node-api).
import { DuckDBInstance } from '@duckdb/node-api';
const out = process.argv[2] ?? '.';
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await inst.connect();
// Every flat type DuckDB maps to Parquet, with nulls, repeated strings (for
// dictionaries) and enough rows for several pages and row groups.
await con.run(`CREATE TABLE t AS SELECT
  i::BIGINT AS id,
  (i % 100)::TINYINT AS tiny,
  (i * 7 % 30000)::SMALLINT AS small,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 13)::INTEGER END AS int32_or_null,
  (i * 1.5)::DOUBLE AS dbl,
  (i / 4)::FLOAT AS flt,
  i % 3 = 0 AS flag,
  CASE WHEN i % 7 = 0 THEN NULL ELSE ['card', 'cash', 'voucher', 'dispute'][i % 4 + 1] END AS payment,
  'row ' || i::VARCHAR || repeat('x', i % 17) AS label,
  (DATE '2024-01-01' + (i % 400)::INTEGER) AS day,
  TIMESTAMP '2024-03-10 08:00:00' + to_seconds(i * 37) AS ts,
  (i % 1000 / 100)::DECIMAL(9, 2) AS price,
  (i * 3 % 100000 / 1000)::DECIMAL(18, 3) AS big_price,
  CASE WHEN i % 13 = 0 THEN NULL WHEN i % 13 = 1 THEN []::BIGINT[]
       ELSE [i, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 2 END, i % 7] END AS nums,
  CASE WHEN i % 3 = 0 THEN ['a', 'b'] ELSE ['c'] END AS tags
  FROM range(0, 5000) r(i)`);
const variants = [
  ['snappy', "COMPRESSION snappy, ROW_GROUP_SIZE 2048"],
  ['zstd', "COMPRESSION zstd, ROW_GROUP_SIZE 2048"],
  ['gzip', "COMPRESSION gzip, ROW_GROUP_SIZE 2048"],
  ['uncompressed', "COMPRESSION uncompressed, ROW_GROUP_SIZE 2048"],
  ['v2', "COMPRESSION zstd, ROW_GROUP_SIZE 2048, PARQUET_VERSION V2"],
];
for (const [name, opts] of variants) {
  await con.run(`COPY t TO '${out}/duckdb_${name}.parquet' (FORMAT parquet, ${opts})`);
}
// What DuckDB reads back: the expected rows (dates and timestamps as text).
await con.run(`COPY (SELECT * FROM '${out}/duckdb_snappy.parquet' ORDER BY id)
  TO '${out}/duckdb_expected.jsonl' (FORMAT json)`);
// Then: gzip -9 duckdb_expected.jsonl
