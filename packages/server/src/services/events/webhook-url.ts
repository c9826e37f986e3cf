import { BlockList, isIP } from "node:net";
import { ApiError, bilingual } from "../../errors.js";

/**
 * Webhook targets are an SSRF door (docs/events.md#webhook-targets): only http(s), and no address
 * of the server's own networks unless the operator allows them (GATEHOUSE_WEBHOOK_ALLOW_PRIVATE).
 * The name is checked when the webhook is saved, and every resolved address again when it is called.
 */
const privateRanges = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  privateRanges.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  privateRanges.addSubnet(net, bits, "ipv6");
}

/** True for loopback, private, link-local, multicast and reserved addresses (IPv4-mapped IPv6 too). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return privateRanges.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return privateRanges.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The URL a webhook may be saved with; throws WEBHOOK_URL_INVALID otherwise. */
export function assertWebhookUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError("WEBHOOK_URL_INVALID", {
      texts: bilingual("url 不是合法的 URL", "url is not a valid URL"),
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ApiError("WEBHOOK_URL_INVALID", {
      texts: bilingual("url 必须是 http 或 https", "url must be http or https"),
    });
  if (url.username || url.password)
    throw new ApiError("WEBHOOK_URL_INVALID", {
      texts: bilingual("url 不能包含用户名或密码", "url must not carry credentials"),
    });
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (
    !allowPrivate &&
    (host === "localhost" || host.endsWith(".localhost") || (isIP(host) && isPrivateAddress(host)))
  )
    throw new ApiError("WEBHOOK_URL_INVALID", {
      texts: bilingual("url 指向私有或回环地址", "url points to a private or loopback address"),
    });
  return url.toString();
}
