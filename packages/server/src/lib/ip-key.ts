import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** Longest key kept for something that is not an IP address (a backend's `clientIp`, "unknown"). */
const MAX_OTHER = 64;

/**
 * The key a client IP counts under in every per-IP limit (docs/behaviour-and-errors.md §1.6):
 * an IPv4 address as is, an IPv4-mapped IPv6 address as its IPv4 address, and an IPv6 address
 * by its /64 network in canonical form ("2001:db8:1:2::/64"). One subscriber gets a whole /64
 * (2^64 addresses), so counting single IPv6 addresses would count nothing.
 */
export function ipRateKey(ip: string): string {
  const raw = ip.trim();
  const bare = raw.replace(/%.*$/, "");
  // node:net's strict check first: ipaddr.js also reads loose IPv4 spellings ("0x7f.1").
  const family = isIP(bare);
  if (family === 0) return raw.toLowerCase().slice(0, MAX_OTHER);
  const addr = ipaddr.process(bare);
  if (addr.kind() === "ipv4") return addr.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/64`).toString()}/64`;
}
