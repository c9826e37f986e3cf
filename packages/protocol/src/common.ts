import { type TSchema, Type } from "@sinclair/typebox";

/** Every /api/v3 answer: docs/wire-contract.md §1.6. */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({
    statusCode: Type.Integer(),
    message: Type.String(),
    apiCode: Type.Optional(Type.Integer()),
    requestId: Type.Optional(Type.String()),
    data,
  });
}

/** `CommonResponseDto`: the envelope without data. */
export const CommonResponse = Type.Object({
  statusCode: Type.Integer(),
  message: Type.String(),
  apiCode: Type.Optional(Type.Integer()),
  requestId: Type.Optional(Type.String()),
});

export const SuccessData = Type.Object({ success: Type.Boolean() });

/** `IsSuccessRespDto`: the envelope with `data: {success}`. */
export const SuccessResponse = Envelope(SuccessData);

export const PasswordEncryptType = Type.Union([
  Type.Literal("sm2"),
  Type.Literal("rsa"),
  Type.Literal("none"),
]);

export const Gender = Type.Union([Type.Literal("M"), Type.Literal("F"), Type.Literal("U")]);

/** Query flags arrive as "true"/"false" strings from axios; Fastify coerces them. */
export const BoolFlag = Type.Optional(Type.Boolean({ default: false }));

/** Bounded strings: nothing a client sends may be unbounded. */
export const Str = (max = 1024) => Type.String({ maxLength: max });
/** A point in time in epoch ms (or seconds): bounded so it fits a 64-bit column on every dialect. */
export const EpochInt = () => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** Epoch seconds that stay within EpochInt once multiplied by 1000. */
export const EpochSeconds = () =>
  Type.Integer({ minimum: 0, maximum: Math.floor(Number.MAX_SAFE_INTEGER / 1000) });
export const NonEmpty = (max = 1024) => Type.String({ minLength: 1, maxLength: max });
