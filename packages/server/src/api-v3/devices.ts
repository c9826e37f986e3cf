import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  authPaths,
  CommonResponse,
  DeviceIdDto,
  PageQuery,
  TerminalSessionResponse,
} from "@gatehouse/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ok } from "../http/envelope.js";
import { requireUser, userOf } from "../http/user-auth.js";
import type { DeviceOwner } from "../services/devices/index.js";

const tags = ["devices"];

/** My devices (SDK `list`, `unbind`, `revoke`; docs/passkeys.md §My devices). */
export function deviceRoutes(ctx: Context) {
  return async (plain: FastifyInstance) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireUser(ctx, "profile");
    const owner = (request: FastifyRequest): DeviceOwner => {
      const user = userOf(request);
      return { poolId: user.poolId, userId: user.userId };
    };

    app.get(
      authPaths.myDevicesList,
      {
        onRequest,
        schema: {
          tags,
          summary:
            "The devices (user agents) I signed in from, latest first, with whether one is still signed in",
          querystring: PageQuery,
          response: { 200: TerminalSessionResponse },
        },
      },
      async (request) => ok(request, await ctx.devices.list(owner(request), request.query)),
    );

    app.post(
      authPaths.myDevicesRevokeSession,
      {
        onRequest,
        schema: {
          tags,
          summary: "Sign a device out: its sessions end (this one too, when it is this device)",
          body: DeviceIdDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.devices.revoke(owner(request), request.body.deviceId);
        return ok(request);
      },
    );

    app.post(
      authPaths.myDevicesUnbind,
      {
        onRequest,
        schema: {
          tags,
          summary: "Remove a device: signed out, and not listed until it signs in again",
          body: DeviceIdDto,
          response: { 200: CommonResponse },
        },
      },
      async (request) => {
        await ctx.devices.unbind(owner(request), request.body.deviceId);
        return ok(request);
      },
    );
  };
}
