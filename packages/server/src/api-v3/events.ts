import websocket, { type WebSocket } from "@fastify/websocket";
import { authPaths, eventStreamPaths, PubEventRequest, PubEventResponse } from "@gatehouse/protocol";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError } from "../errors.js";
import { ok } from "../http/envelope.js";
import { eventOrigin } from "../http/event-origin.js";
import { requireManagement, streamManagementPrincipal } from "../http/management-auth.js";
import { security } from "../http/openapi-security.js";
import { requireUser, userOf } from "../http/user-auth.js";
import type { Subscription } from "../services/events/stream.js";

/** Close codes of the event stream (docs/events.md#the-live-stream): 4401 credentials, 4400 request. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_BAD_REQUEST = 4400;
const EVENT_NAME = /^[A-Za-z0-9:_.-]{1,100}$/;

interface StreamQuery {
  code?: string;
  token?: string;
}

/**
 * The SDK's events chapter: `sub` (a websocket per event name) and `pub` (a custom event).
 * A subscriber gets each committed event's `{eventName, data}` as one UTF-8 text message.
 */
export function eventRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    await app.register(websocket, { options: { maxPayload: 4096 } });
    // A plain request (no upgrade) is told what the address takes, not an empty 404.
    const notUpgraded = async () => {
      throw new ApiError("WEBSOCKET_REQUIRED");
    };

    const open = async (
      request: FastifyRequest<{ Querystring: StreamQuery }>,
      who: () => Promise<Omit<Subscription, "send" | "eventName"> | undefined>,
      socket: WebSocket,
    ) => {
      const code = request.query.code;
      if (!code || !EVENT_NAME.test(code)) return socket.close(CLOSE_BAD_REQUEST, "code must name an event");
      const subscriber = await who().catch(() => undefined);
      if (!subscriber) return socket.close(CLOSE_UNAUTHORIZED, "invalid credentials");
      if (socket.readyState !== socket.OPEN) return;
      const unsubscribe = ctx.events.stream.subscribe({
        ...subscriber,
        eventName: code,
        send: (message) => socket.send(message),
      });
      socket.on("close", unsubscribe);
      // Subscribers only listen: anything they send is ignored.
      socket.on("message", () => {});
    };

    app.route<{ Querystring: StreamQuery }>({
      method: "GET",
      url: eventStreamPaths.authentication,
      schema: { hide: true },
      handler: notUpgraded,
      wsHandler: (socket, request) =>
        void open(
          request,
          async () => {
            const token = request.query.token;
            if (!token) return undefined;
            const check = await ctx.tokens.checkAccessToken(token);
            return check.ok ? { poolId: check.user.poolId, userId: check.user.userId } : undefined;
          },
          socket,
        ),
    });

    app.route<{ Querystring: StreamQuery }>({
      method: "GET",
      url: eventStreamPaths.management,
      schema: { hide: true },
      handler: notUpgraded,
      wsHandler: (socket, request) =>
        void open(
          request,
          async () => {
            const header = request.headers.authorization;
            const principal = await streamManagementPrincipal(
              ctx,
              Array.isArray(header) ? header[0] : header,
            );
            return principal ? { poolId: principal.poolId } : undefined;
          },
          socket,
        ),
    });

    // pub-userEvent: a signed-in user's (AuthenticationClient.pub) or, signed with an access key,
    // the administrator's (ManagementClient.pubUserEvent) — one path for both.
    const user = requireUser(ctx, "profile");
    const management = requireManagement(ctx);
    app.post<{ Body: Static<typeof PubEventRequest> }>(
      authPaths.pubUserEvent,
      {
        schema: {
          tags: ["events"],
          summary: "Publish a custom event",
          // A user's access token, or the management API's credentials.
          security: [...security.user, ...security.management],
          body: PubEventRequest,
          response: { 200: PubEventResponse },
        },
        preValidation: async (request) => {
          if (/^authing\s/i.test(request.headers.authorization ?? "")) await management(request);
        },
        preHandler: async (request) => {
          if (!request.management) await user(request);
        },
      },
      async (request) => {
        const origin = eventOrigin(request);
        if (request.management) await ctx.events.pubEvent(origin, request.management.poolId, request.body);
        else await ctx.events.pubUserEvent(origin, userOf(request), request.body);
        return ok(request, { success: true });
      },
    );
  };
}
