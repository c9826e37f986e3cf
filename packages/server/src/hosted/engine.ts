import { Eta } from "eta";
import { assetsVersion, TEMPLATES_DIR } from "./files.js";

/**
 * The one template engine of the hosted pages: @fastify/view renders the pages with it, and the
 * error page, which /oidc shows too, uses it directly. Templates are read once and kept; `<%= %>`
 * escapes (autoEscape), raw output (`<%~ %>`) is used only for the layout's body.
 */
export const eta = new Eta({ views: TEMPLATES_DIR, cache: true, autoEscape: true, useWith: false });

let base: string | undefined;
/** `/assets/v-<hash of the assets>`: the prefix the stylesheet is served and linked under. */
export function assetsBase(): string {
  base ??= `/assets/v-${assetsVersion()}`;
  return base;
}
