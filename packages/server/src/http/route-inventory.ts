import type { FastifyInstance, FastifySchema, RouteOptions } from "fastify";

/** One registered route: its method, its URL pattern (`/interaction/:uid/password`) and its schema. */
export interface InventoryRoute {
  method: string;
  url: string;
  schema?: FastifySchema;
}

const inventories = new WeakMap<FastifyInstance, InventoryRoute[]>();

/**
 * Records every route registered on the app from now on, whatever plugin adds it (hooks added to the
 * root reach every plugin registered after them). Read by `routeInventory`: the reliability suite
 * fails when a route is neither fuzzed nor excluded with a reason (docs/reliability.md §Fuzzing).
 */
export function recordRoutes(app: FastifyInstance): void {
  const routes: InventoryRoute[] = [];
  inventories.set(app, routes);
  app.addHook("onRoute", (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, ...(route.schema ? { schema: route.schema } : {}) });
    }
  });
}

/** The routes recorded by `recordRoutes` on this app (HEAD twins included), in registration order. */
export function routeInventory(app: FastifyInstance): readonly InventoryRoute[] {
  return inventories.get(app) ?? [];
}
