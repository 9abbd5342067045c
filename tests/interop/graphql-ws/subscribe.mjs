// Subscribe to one Guichet operation with the graphql-ws client (graphql-transport-ws) and
// report every frame as one JSON line on stdout, for tests/api/test_realtime.py.
// Usage: node subscribe.mjs '{"url": "ws://…/t/cnaps/graphql", "token": "…",
//   "query": "subscription …", "variables": {}, "expect": 3}'
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const config = JSON.parse(process.argv[2]);
const say = (event) => process.stdout.write(JSON.stringify(event) + "\n");
let received = 0;

const client = createClient({
  url: config.url,
  webSocketImpl: WebSocket,
  connectionParams: config.token ? { accessToken: config.token } : {},
  retryAttempts: 0,
  lazy: false,
  on: {
    connected: () => say({ event: "connected" }),
    closed: (event) => {
      say({ event: "closed", code: event.code, reason: event.reason });
      process.exit(0);
    },
  },
});

client.subscribe(
  { query: config.query, variables: config.variables ?? {} },
  {
    next: (result) => {
      say({ event: "next", payload: result });
      received += 1;
      if (config.expect && received >= config.expect) {
        client.dispose();
        process.exit(0);
      }
    },
    error: (error) => {
      const errors = Array.isArray(error) ? error : [{ message: String(error?.reason ?? error) }];
      say({ event: "error", errors, code: error?.code });
      process.exit(0);
    },
    complete: () => {
      say({ event: "complete" });
      process.exit(0);
    },
  },
);
