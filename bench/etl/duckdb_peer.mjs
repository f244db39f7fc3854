// The same queries in DuckDB (2 threads), same files, output to JSONL (and
// Parquet for csv_to_parquet).
import { DuckDBInstance } from '@duckdb/node-api';
const dir = process.argv[2];
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const t = `read_csv('${dir}/trips.csv')`;
const z = `read_csv('${dir}/zones.csv')`;
const queries = {
  scan_filter: `SELECT trip_id, fare, tip FROM ${t} WHERE fare > 30 AND passenger_count IS NOT NULL`,
  groupby: `SELECT pickup_zone, count(*) AS trips, sum(fare) AS fare, avg(distance_km) AS avg_km FROM ${t} GROUP BY pickup_zone`,
  join_groupby: `SELECT borough, count(*) AS trips, sum(fare) AS fare FROM ${t} JOIN ${z} ON pickup_zone = zone_id GROUP BY borough`,
  sort: `SELECT * FROM ${t} WHERE tip > 5 ORDER BY fare DESC`,
  csv_to_parquet: `SELECT * FROM ${t}`,
};
const out = {};
for (const [name, sql] of Object.entries(queries)) {
  const start = performance.now();
  const to = name === 'csv_to_parquet' ? `'${dir}/duck_${name}.parquet' (FORMAT parquet, COMPRESSION snappy)`
                                        : `'${dir}/duck_${name}.jsonl' (FORMAT json)`;
  await con.run(`COPY (${sql}) TO ${to}`);
  out[name] = (performance.now() - start) / 1000;
}
// DuckDB reads what Strata wrote: the row count must be the input's.
const check = await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM '${dir}/out/csv_to_parquet/*.parquet'`);
out.strata_parquet_rows_read_by_duckdb = Number(check.getRows()[0][0]);
console.log(JSON.stringify(out));
