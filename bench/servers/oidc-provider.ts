/**
 * The peer of the code-flow bench: node-oidc-provider 9 with its defaults — in-memory adapter,
 * development interactions (any login signs in), PKCE optional for confidential clients — and
 * one confidential client, served by node:http. It warns that Node 20 is not a supported runtime;
 * it works.
 */
import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const RESOURCE = "urn:gatehouse:bench";
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: process.env.CLIENT_ID!,
      client_secret: process.env.CLIENT_SECRET!,
      redirect_uris: [process.env.REDIRECT_URI!],
    },
  ],
  // JWT_ACCESS_TOKENS=1: the reference variant whose access tokens are RS256 JWTs, as Gatehouse's
  // are (resource indicators, the one way oidc-provider issues them), instead of opaque ones.
  ...(process.env.JWT_ACCESS_TOKENS === "1" && {
    features: {
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: "",
          audience: RESOURCE,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  }),
});
const handler = provider.callback();

const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  handler(req, res);
});
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
