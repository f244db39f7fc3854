// The same four queries in DuckDB (2 threads), same files, output to JSONL.
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
};
const out = {};
for (const [name, sql] of Object.entries(queries)) {
  const start = performance.now();
  await con.run(`COPY (${sql}) TO '${dir}/duck_${name}.jsonl' (FORMAT json)`);
  out[name] = (performance.now() - start) / 1000;
}
console.log(JSON.stringify(out));
