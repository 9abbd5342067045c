// PostGraphile 5.1.5 over Guichet's tables, one Node process, for bench/side_by_side.py.
//
// Environment: DATABASE_URL (a role that owns no table: row-level security applies),
// PORT, JWT_SECRET (HS256). The bearer token's `tid` claim becomes pgSettings
// `app.tenant_id`, the setting Guichet's row-level security policies read; no valid token,
// no tenant (the policies then show nothing). `employees.title_id` has no foreign key in
// Guichet (a row keeps the number it was given, the title is matched by number and name), so
// a smart tag declares it for the join. The colour and the totals per colour are SQL
// functions the bench creates in the `pgl` schema (bench/side_by_side.py).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

const secret = process.env.JWT_SECRET ?? "";
const port = Number(process.env.PORT ?? 5678);

function claimsOf(header) {
  if (!secret || !header || !header.startsWith("Bearer ")) return null;
  const [head, body, signature] = header.slice(7).trim().split(".");
  if (!head || !body || !signature) return null;
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return null;
  return claims;
}

const TitleForeignKey = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      employees: { tags: { foreignKey: "(title_id) references public.titles (id)" } },
    },
  },
});

const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [TitleForeignKey],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public", "pgl"],
    }),
  ],
  gather: { installWatchFixtures: false },
  grafast: {
    explain: false,
    context(requestContext) {
      const req = requestContext.node?.req;
      const claims = claimsOf(req?.headers?.authorization);
      return { pgSettings: { "app.tenant_id": claims?.tid ? String(claims.tid) : "" } };
    },
  },
  grafserv: { port, graphqlPath: "/graphql", graphiql: false, watch: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
serv.addTo(server).catch((e) => {
  console.error(e);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => console.log(`postgraphile listening on ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
