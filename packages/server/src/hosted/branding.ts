import { createHash } from "node:crypto";
import type { PoolSettings } from "@gatehouse/protocol";

/** How a pool's pages look: its name, logo and accent colour (pool settings `branding`). */
export interface Brand {
  name: string;
  logoUrl: string;
  /** The logo's origin, which the page's CSP lets images load from. */
  logoOrigin?: string;
  /** The inline <style> that sets the accent, and its CSP hash. */
  style: string;
  styleHash: string;
}

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * Text on the accent colour is black or white, whichever contrasts more, so that any colour a
 * pool picks keeps buttons readable (WCAG 2 contrast).
 */
export function textOn(accent: string): "#000000" | "#ffffff" {
  const l = luminance(accent);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
}

/**
 * The accent as a link colour on the white page: the pool's colour when it contrasts enough
 * (4.5:1), else the default dark blue.
 */
function linkColour(accent: string): string {
  return 1.05 / (luminance(accent) + 0.05) >= 4.5 ? accent : "#1d4ed8";
}

const styles = new Map<string, { style: string; styleHash: string }>();

function accentStyle(accent: string) {
  const hit = styles.get(accent);
  if (hit) return hit;
  const style = `:root{--accent:${accent};--on-accent:${textOn(accent)};--link:${linkColour(accent)}}`;
  const made = { style, styleHash: `sha256-${createHash("sha256").update(style).digest("base64")}` };
  if (styles.size > 500) styles.clear();
  styles.set(accent, made);
  return made;
}

export function brandOf(poolName: string, settings: PoolSettings): Brand {
  const { logoUrl, accentColor } = settings.branding;
  let logoOrigin: string | undefined;
  if (logoUrl) {
    try {
      logoOrigin = new URL(logoUrl).origin;
    } catch {
      logoOrigin = undefined;
    }
  }
  return {
    name: poolName,
    logoUrl: logoOrigin ? logoUrl : "",
    logoOrigin,
    ...accentStyle(accentColor.toLowerCase()),
  };
}
