// Read every mart of a published copy through Evidence's DuckDB source connector
// (@evidence-dev/duckdb: its testConnection and runQuery, as an Evidence source with
// `filename: published.duckdb` in its source directory calls them) and print what was read.
//
//   NODE_PATH=<node_modules> node evidence_reader.cjs /path/to/published.duckdb
const path = require("path");
const runQuery = require("@evidence-dev/duckdb");
const { batchedAsyncGeneratorToArray } = require("@evidence-dev/db-commons");

async function rows(sql, source) {
  const result = await runQuery(sql, source);
  return {
    rows: await batchedAsyncGeneratorToArray(result.rows),
    columns: (result.columnTypes || []).map((c) => c.name),
  };
}

async function main() {
  const published = process.argv[2];
  // Evidence resolves `filename` against the source's directory.
  const source = { filename: path.basename(published), directory: path.dirname(published) };
  const connected = await runQuery.testConnection(source, source.directory);
  if (connected !== true) throw new Error(`testConnection: ${JSON.stringify(connected)}`);
  const version = (await rows("select version() as v", source)).rows[0].v;
  const nodeApi = require("@duckdb/node-api/package.json").version;
  const names = (
    await rows(
      "select table_name from information_schema.tables where table_schema = 'marts' order by 1",
      source,
    )
  ).rows.map((r) => r.table_name);
  const tables = {};
  for (const name of names) {
    const read = await rows(`select * from marts."${name}"`, source);
    tables[name] = { rows: read.rows.length, columns: read.columns };
  }
  const total = (await rows("select sum(value) as total from marts.kpi_monthly_long", source))
    .rows[0].total;
  console.log(JSON.stringify({ duckdb: version, node_api: nodeApi, tables, kpi_total: total }));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
