// What timing every store call for /metrics (src/store/timed-store.ts, a prom-client histogram
// observed per call) adds to a call: the in-memory store's cheapest read, raw and timed, side by
// side, three rounds of 200,000 calls. Run: npm run build && node bench/probes/timed-store.mjs
import client from "prom-client";
import { openStore } from "../../dist/store/open-store.js";
import { timedStore } from "../../dist/store/timed-store.js";

const raw = await openStore({ home: "/nonexistent", redisUrl: null }, { memory: true });
const histogram = new client.Histogram({
  name: "probe_store_seconds",
  help: "probe",
  labelNames: ["operation", "method"],
  registers: [],
});
const timed = timedStore(raw, (operation, method, ms) =>
  histogram.observe({ operation, method }, ms / 1000),
);
async function perCallUs(store, calls) {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await store.countExecutions();
  return ((performance.now() - started) / calls) * 1000;
}
for (let round = 1; round <= 3; round++) {
  const bare = await perCallUs(raw, 200_000);
  const measured = await perCallUs(timed, 200_000);
  console.log(
    `round ${round}: raw ${bare.toFixed(3)} µs/call, timed ${measured.toFixed(3)} µs/call ` +
      `(+${(measured - bare).toFixed(3)} µs)`,
  );
}
await raw.close();
